"""One module per CLI subcommand group.

Each module defines ``register(subparsers) -> None``: it adds its parser(s) and sets
``func=handler`` where ``handler(args: argparse.Namespace) -> int`` returns the exit code. The CLI
imports the modules listed in :data:`COMMANDS`, in this order (the order of ``ozgwiki --help``).
Shared options and helpers for the write commands are in :mod:`ozgwiki.commands._common`.
"""

COMMANDS: tuple[str, ...] = (
    "run",
    "deploy",
    "importing",  # `ozgwiki import` (``import`` is a keyword)
    "validate",
    "regenerate",
    "export",
    "catalogue",
    "leika",
    "localwiki",
)
