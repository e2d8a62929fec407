"""`ozgwiki export`: the wiki's validated data as CSV, JSON and an SVG roadmap (docs/export.md).

Reads only; writes files into ``--out`` (default ``./export``), each atomically. Exit codes: 0 done;
1 done, but pages were skipped (their template could not be read unambiguously; the summary names
them); 2 configuration or login error, or the folder cannot be written; 3 wiki unreachable.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from ozgwiki.commands._common import load, open_site, print_json

FORMAT_CHOICES = ("csv", "json", "svg", "all")
DEFAULT_OUT = "export"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "export",
        help="write the wiki's validated data as CSV, JSON and an SVG roadmap",
        description="Read the OZG-Leistungen, LeiKa-Leistungen, Kommunen, Steckbriefe and "
        "Umsetzungsprojekte from the wiki (pages found by their template) and write them with their "
        "valid LeiKa keys only: one CSV per dataset (UTF-8 with BOM, ';'), one JSON document, and the "
        "roadmap's month grid as roadmap.svg. See docs/export.md.",
    )
    p.add_argument(
        "--format", choices=FORMAT_CHOICES, default="all", help="which files to write (default: all)"
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        default=DEFAULT_OUT,
        help=f"folder for the files, created if needed (default: ./{DEFAULT_OUT})",
    )
    p.add_argument(
        "--report",
        choices=("text", "json"),
        default="text",
        help="the summary as one line or as one JSON document (--format names the files)",
    )
    p.set_defaults(func=_export)


def _export(args: argparse.Namespace) -> int:
    from ozgwiki.export import run

    config = load(args)
    site = open_site(config)
    wanted = run.FORMATS if args.format == "all" else (args.format,)
    # Local time with its offset: "Stand" on the slide is the reader's day, the JSON says which zone.
    result = run.run(site, Path(args.out), wanted, now=datetime.now().astimezone())
    if args.report == "json":
        print_json(result.as_dict())
    else:
        print(result.summary())
    return result.exit_code
