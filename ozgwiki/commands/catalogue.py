"""`ozgwiki catalogue check [PATH]`: load and validate a catalogue, print counts and every problem.

PATH is anything :func:`ozgwiki.catalogue.source.resolve` recognises: a manifest (``catalogue.yaml``),
the Umsetzungskatalog spreadsheet itself (``.csv``, ``.xlsx``), a folder (with ``catalogue.yaml`` or
the KDN files) or a shipped catalogue (``sample``, ``nrw``). ``--kommunen`` and ``--supplement`` add
a municipality list and YAML supplements. Without PATH the catalogue named in the configuration
(``catalogue: {manifest: …}``) is checked, or the shipped sample when there is no configuration or
it names no catalogue. A file of the wrong kind is one problem line like every other.

Exit code 0 when the catalogue loads (warnings allowed), 1 when it has errors. Catalogue problems
are the command's *output*, never a traceback: a missing file, an undecodable CSV or broken YAML are
reported as ``file:line: field: message`` like every other problem.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ozgwiki.errors import EXIT_FINDINGS, EXIT_OK, ConfigError

SPEC_HELP = (
    "the catalogue: a manifest (catalogue.yaml), the Umsetzungskatalog table (.csv, .xlsx), a folder "
    "with catalogue.yaml or the KDN files, or a shipped catalogue (sample, nrw)"
)


def add_source_options(parser: argparse.ArgumentParser) -> None:
    """``--kommunen PATH`` and ``--supplement PATH`` (repeatable), shared by every command that loads
    a catalogue."""
    parser.add_argument(
        "--kommunen",
        metavar="PATH",
        help="municipality list (.csv, .xlsx) to read with the catalogue (replaces the manifest's)",
    )
    parser.add_argument(
        "--supplement",
        metavar="PATH",
        action="append",
        help="YAML supplement (Ergänzungen) to read after the manifest's; may be given several times",
    )


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``catalogue check``."""
    p = sub.add_parser("catalogue", help="read and validate the OZG catalogue sources")
    group = p.add_subparsers(dest="catalogue_command", metavar="SUBCOMMAND", required=True)
    c = group.add_parser(
        "check",
        help="load a catalogue and report counts and every problem",
        description="Load a catalogue and report counts and every problem as file:line: field: message. "
        "Exit 1 if any error.",
    )
    c.add_argument("path", nargs="?", metavar="PATH", help=SPEC_HELP + " (default: the configured one)")
    add_source_options(c)
    c.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    c.set_defaults(func=run_check)


def _default(config_arg: str | None) -> tuple[str | None, Path | None]:
    """The configured catalogue as written and the folder it is relative to, or (None, None) for the
    sample. An explicit --config must load."""
    from ozgwiki.catalogue import config_base, manifest_from_config
    from ozgwiki.config import find_config, load_config

    if not config_arg:
        try:
            find_config(None)
        except ConfigError:
            return None, None
    config = load_config(config_arg)
    return manifest_from_config(config), config_base(config)


def run_check(args: argparse.Namespace) -> int:
    from ozgwiki.catalogue import check

    spec, base = (args.path, None) if args.path else _default(getattr(args, "config", None))
    result = check(spec, args.kommunen, args.supplement, base=base)
    if args.format == "json":
        payload = {
            "manifest": result.manifest,
            "ok": not result.errors,
            "counts": result.counts,
            "sources": [
                {
                    "file": s.file,
                    "kind": s.kind,
                    "encoding": s.encoding,
                    "delimiter": s.delimiter,
                    "rows": s.rows,
                }
                for s in result.sources
            ],
            "problems": [p.as_dict() for p in result.problems],
        }
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        out = sys.stdout
        print(f"Katalog: {result.manifest}", file=out)
        for s in result.sources:
            print(f"  {s.describe()}", file=out)
        width = max(len(k) for k in result.counts)
        for name, value in result.counts.items():
            print(f"{name:<{width}}  {value:>6}", file=out)
        # grouped by severity, each problem exactly as file:line: field: message
        for heading, problems in (("Fehler", result.errors), ("Warnungen", result.warnings)):
            if problems:
                print(f"{heading}:", file=out)
                for p in problems:
                    print(p, file=out)
        verdict = "nicht ladbar" if result.errors else "ladbar"
        print(f"Ergebnis: Katalog {verdict}", file=out)
    return EXIT_FINDINGS if result.errors else EXIT_OK
