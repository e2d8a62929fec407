"""`ozgwiki import`: bring the catalogue's pages onto the wiki and print the catalogue diff.

Text output: the one-line summary, the diff (new, changed, retired keys; long lists cut with a count)
and the pages an admin must look at. ``--format json``: ``StepResult.as_dict()`` with ``diff`` and
``counts``. Exit 1 when a page needs attention (skipped, opted out, conflict, error).

``--catalogue`` takes whatever :func:`ozgwiki.catalogue.source.resolve` recognises (a manifest, the
Umsetzungskatalog table, a folder of KDN files, ``sample`` or ``nrw``); ``--kommunen`` and
``--supplement`` add to it, or to the configured catalogue. The kind of every file is checked
before the bot logs in, so a wrong file costs no request.
"""

from __future__ import annotations

import argparse

from ozgwiki.commands._common import add_write_options, context, print_attention, print_json, progress
from ozgwiki.commands._rails import add_override_option
from ozgwiki.commands.catalogue import SPEC_HELP, add_source_options


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "import",
        help="import the catalogue: one page per LeiKa-Leistung, OZG-Leistung, Lage, Themenfeld, "
        "Kommune and Umsetzungsprojekt; retired keys are marked, never deleted",
    )
    add_write_options(p)
    p.add_argument("--catalogue", metavar="PATH", help=SPEC_HELP + " (default: the configured one)")
    add_source_options(p)
    add_override_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ozgwiki import catalogue
    from ozgwiki.bots import importer
    from ozgwiki.config import load_config

    source = None
    if args.catalogue or args.kommunen or args.supplement:
        if args.catalogue:
            source = catalogue.resolve(args.catalogue, args.kommunen, args.supplement)
        else:
            source = catalogue.source_from_config(load_config(args.config), args.kommunen, args.supplement)
    ctx = context(args)
    if source is not None:
        chosen = source
        ctx.load_catalogue = lambda: catalogue.load(chosen)
    with progress(ctx, args, "import"):
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
