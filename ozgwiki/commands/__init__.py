"""One module per CLI subcommand group.

Each module defines ``register(subparsers) -> None``: it adds its parser(s) and sets
``func=handler`` where ``handler(args: argparse.Namespace) -> int`` returns the exit code. The CLI
imports the modules listed in :data:`COMMANDS`, in this order (the order of ``ozgwiki --help``).
"""

COMMANDS: tuple[str, ...] = (
    "localwiki",
    "catalogue",
    "leika",
)
