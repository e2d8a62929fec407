"""`ozgwiki deploy`: make the wiki's templates, modules, categories, properties, forms and navigation
pages match ``templates/`` and ``semantic/`` (the bot is :mod:`ozgwiki.bots.deploy`).

Exit codes: 0 done; 1 pages refused (changed on the wiki, see the report), or with ``--check``
anything would change; 2 ParserFunctions / Scribunto missing, configuration or login error; 3 wiki
unreachable or the job queue did not empty in time.
"""

from __future__ import annotations

import argparse

from ozgwiki.commands._common import add_write_options, context, finish, progress


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "deploy",
        help="deploy templates, modules, categories, properties, forms and navigation pages",
        description="Make the wiki match templates/ and semantic/ (the variant follows the wiki's "
        "extensions). Pages changed on the wiki since the last deploy are refused unless --force.",
    )
    add_write_options(p)
    p.add_argument(
        "--force",
        action="store_true",
        help="overwrite pages changed on the wiki since the last deploy (and pages never deployed)",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if any page would change (for a cron check), listing the pages",
    )
    p.add_argument(
        "--job-timeout",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="how long to wait for the job queue after property changes (SMW only; default 600)",
    )
    p.set_defaults(func=_deploy)


def _deploy(args: argparse.Namespace) -> int:
    from ozgwiki.bots import deploy

    if args.check:
        # The site client itself then refuses every write: --check cannot change the wiki by accident.
        args.dry_run = True
    ctx = context(args)
    with progress(ctx, args, "deploy"):
        result = deploy.run(ctx, force=args.force, check=args.check, job_timeout=args.job_timeout)
    code = finish(result, args.format)
    if args.check and args.format == "text":
        for page in result.report.pages:
            if page.outcome.value in ("created", "changed"):
                print(f"  would be {page.outcome.value:<7} {page.title}")
    return code
