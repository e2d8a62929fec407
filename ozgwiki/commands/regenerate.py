"""`ozgwiki regenerate`: write the overview pages (Themenfelder, Kommunen, Größenklassen, Roadmap).

Exit codes: 0 done; 1 pages skipped, opted out or in conflict (see the report); 2 configuration,
login or mode error (``ask`` on a wiki without Semantic MediaWiki); 3 wiki unreachable.
"""

from __future__ import annotations

import argparse

from ozgwiki.commands._common import add_write_options, context, finish, progress
from ozgwiki.commands._rails import add_override_option


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "regenerate",
        help="regenerate the overview pages (tables, roadmap, month grid)",
        description="Render semantic/pages/*.yaml into the wiki's overview pages. 'ask' writes live "
        "#ask queries (needs Semantic MediaWiki), 'static' the tables computed by the bot, 'auto' "
        "(default) the configured regenerate.mode, else 'ask' exactly when the wiki has SMW.",
    )
    add_write_options(p)
    p.add_argument(
        "--mode", choices=("auto", "ask", "static"), default="auto", help="rendering (default auto)"
    )
    add_override_option(p)
    p.set_defaults(func=_regenerate)


def _regenerate(args: argparse.Namespace) -> int:
    from ozgwiki.bots import regenerate

    ctx = context(args)
    with progress(ctx, args, "regenerate"):
        result = regenerate.run(ctx, mode=args.mode, allow_mass_retire=args.allow_mass_retire)
    return finish(result, args.format)
