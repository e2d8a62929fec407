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
from ozgwiki.engine.sync import Outcome


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
    p.add_argument(
        "--bulk",
        action="store_true",
        help="first load of an EMPTY wiki through MediaWiki's XML import (needs the importupload right, "
        "see docs/operations.md); refused when any of the pages exists; a normal import follows",
    )
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
    loaded = None
    if args.bulk:
        # The XML import loads the empty wiki; the normal import that follows finds nothing to do but
        # proves it (and would finish what the load missed). In a dry run the load says what it would do.
        from ozgwiki.bots import bulk

        loaded = bulk.run(ctx)
        if args.format == "text":
            print(f"{loaded.name} --bulk: {loaded.summary}")
            print_attention(loaded.report)
        if ctx.site.dry_run:
            if args.format == "json":
                print_json(loaded.as_dict())
            return loaded.exit_code
    with progress(ctx, args, "import"):
        result = importer.run(ctx, allow_mass_retire=args.allow_mass_retire)
    if loaded is not None:
        result.data["bulk"] = loaded.as_dict()
        result.findings += len(loaded.report.with_outcome(Outcome.ERROR))
    if args.format == "json":
        print_json(result.as_dict())
    else:
        print(f"{result.name}: {result.summary}")
        diff = importer.CatalogueDiff(**result.data["diff"])
        for line in diff.lines():
            print(line)
        print_attention(result.report)
    return result.exit_code
