"""The ``ozgwiki`` command line.

Every subcommand lives in :mod:`ozgwiki.commands`. This module only wires them up, sets up logging
and turns project errors into one clear line on stderr and a documented exit code:

====  ==========================================================
0     everything done
1     done, but with findings or skipped pages (see the report)
2     configuration, catalogue or login error; a state, lock or log file that cannot be used
3     could not run now: wiki unreachable, time budget exceeded, run lock held, switch page off
====  ==========================================================

No subcommand ever prompts: cron has no terminal.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import re
import sys
from collections.abc import Sequence

from ozgwiki import __version__
from ozgwiki.commands import COMMANDS
from ozgwiki.errors import EXIT_CONFIG, ConfigError, OzgwikiError

log = logging.getLogger("ozgwiki")

#: ``scheme://user:password@`` in any text: the config refuses such URLs, this is the last line of defence.
_URL_CREDENTIALS = re.compile(r"(?<=://)[^/\s@]+@")


def _safe(text: str) -> str:
    """An error text fit for stderr: no credentials of a URL in it."""
    return _URL_CREDENTIALS.sub("***@", text)


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="ozgwiki",
        description="Bots for the OZG wiki of the municipalities in North Rhine-Westphalia.",
        epilog="Exit codes: 0 ok, 1 findings or skipped pages, 2 configuration/login error, "
        "3 could not run now (wiki unreachable, time budget exceeded, another run holds the lock, "
        "or the switch page says stop).",
    )
    parser.add_argument("--version", action="version", version=f"ozgwiki {__version__}")
    parser.add_argument("--config", metavar="PATH", help="config file (default: see README)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv: debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"ozgwiki.commands.{name}")
        module.register(sub)
    return parser


def _setup_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code (the entry point passes it to ``sys.exit``)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return int(args.func(args))
    except OzgwikiError as exc:
        message = str(exc)
        if isinstance(exc, ConfigError):
            message = " ".join(message.split("\n"))  # one line for cron mail, always
        print(f"ozgwiki: error: {_safe(message)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("ozgwiki: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `ozgwiki ... | head`: the reader left; nothing more to say, and no traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        if isinstance(exc, OSError) and exc.filename and args.verbose < 2:
            # A file or folder the bots need (state, lock, log) cannot be used: the admin's to fix.
            log.debug("file system error", exc_info=True)
            print(_safe(f"ozgwiki: error: {exc.strerror or exc}: {exc.filename}"), file=sys.stderr)
            return EXIT_CONFIG
        # A bug, not bad input: one line for cron mail, the traceback with -vv.
        if args.verbose >= 2:
            raise
        log.debug("internal error", exc_info=True)
        print(
            f"ozgwiki: internal error: {type(exc).__name__}: {_safe(str(exc))} "
            "(this is a bug; run again with -vv for the traceback)",
            file=sys.stderr,
        )
        return EXIT_CONFIG
