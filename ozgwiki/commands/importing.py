"""`ozgwiki import`: bring the catalogue's pages onto the wiki and print the catalogue diff.

Text output: the one-line summary, the diff (new, changed, retired keys; long lists cut with a count)
and the pages an admin must look at. ``--format json``: ``StepResult.as_dict()`` with ``diff`` and
``counts``. Exit 1 when a page needs attention (skipped, opted out, conflict, error).
"""

from __future__ import annotations

import argparse

from ozgwiki.commands._common import add_write_options, context, print_attention, print_json
from ozgwiki.commands._rails import add_override_option


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "import",
        help="import the catalogue: one page per LeiKa-Leistung, OZG-Leistung, Lage, Themenfeld, "
        "Kommune and Umsetzungsprojekt; retired keys are marked, never deleted",
    )
    add_write_options(p)
    p.add_argument(
        "--catalogue",
        metavar="PATH",
        help="catalogue manifest (or its folder) instead of the configured one",
    )
    add_override_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ozgwiki import catalogue
    from ozgwiki.bots import importer

    ctx = context(args)
    if args.catalogue:
        path = args.catalogue
        ctx.load_catalogue = lambda: catalogue.load(path)
    result = importer.run(ctx, allow_mass_retire=args.allow_mass_retire)
    if args.format == "json":
        print_json(result.as_dict())
    else:
        print(f"{result.name}: {result.summary}")
        diff = importer.CatalogueDiff(**result.data["diff"])
        for line in diff.lines():
            print(line)
        print_attention(result.report)
    return result.exit_code
