"""What the write commands share: options, opening the site, printing a report.

Kept here so every bot behaves the same from cron: the same ``--dry-run`` and ``--format`` options,
the same login path, the same one-line summary on stderr and the same exit codes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO, Any

from ozgwiki.commands import _progress
from ozgwiki.config import Config, load_config
from ozgwiki.engine.bot import BotContext, StepResult
from ozgwiki.engine.sync import SyncReport
from ozgwiki.wiki.site import Site


def add_write_options(parser: argparse.ArgumentParser) -> None:
    """``--dry-run``, ``--format`` and ``-q`` for every command that edits the wiki."""
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print a unified diff per page and write nothing (enforced by the site client)",
    )
    add_format_option(parser)
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress line (shown on stderr only when it is a terminal and the format is text)",
    )


def add_format_option(parser: argparse.ArgumentParser) -> None:
    """``--format text|json``."""
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")


def load(args: argparse.Namespace) -> Config:
    """The configuration named by ``--config`` or found by the usual lookup, checked for use.

    Besides what :func:`~ozgwiki.config.load_config` checks, the configured state and log folders must
    exist or be creatable (:meth:`~ozgwiki.config.Config.check_paths`), and a configured password
    source (``$OZGWIKI_PASSWORD``, ``wiki.password_file``) must be usable, so a bad ``state.dir`` or a
    secret file with the wrong mode fails here with exit 2 -- before ``ozgwiki run`` takes its lock,
    opens its log or sends a request.
    """
    config = load_config(getattr(args, "config", None))
    config.check_paths()
    config.wiki.check_password(required=False)
    return config


def open_site(config: Config, *, dry_run: bool = False, diff_out: IO[str] | None = None) -> Site:
    """A logged-in site client. Diffs of a dry run go to ``diff_out`` (default stdout).

    The bot password is checked first (environment, or the file: exists, mode 0600, not empty), so a
    wrong secret setup fails with exit 2 before any request reaches the wiki.
    """
    config.wiki.check_password()
    site = Site.from_config(config, dry_run=dry_run, diff_out=diff_out or sys.stdout)
    site.login()
    return site


def bot_user(site: Site) -> str:
    """The bot's user name as the wiki knows it (for opt-out markers such as ``{{bots|deny=…}}``)."""
    return site.userinfo.name


def context(args: argparse.Namespace) -> BotContext:
    """Config, logged-in site and lazily loaded catalogue for a bot command."""
    from ozgwiki import catalogue

    config = load(args)
    # With --format json stdout carries one JSON document and nothing else: the diffs go to stderr.
    diffs = sys.stderr if getattr(args, "format", "text") == "json" else sys.stdout
    site = open_site(config, dry_run=getattr(args, "dry_run", False), diff_out=diffs)
    return BotContext(
        config=config,
        site=site,
        bot_user=bot_user(site),
        load_catalogue=lambda: catalogue.load_from_config(config),
    )


def terminal(args: argparse.Namespace) -> _progress.Terminal | None:
    """The terminal a progress line goes to, or None when nobody watches (cron, a pipe, json, ``-q``)."""
    return _progress.for_stderr(fmt=getattr(args, "format", "text"), quiet=getattr(args, "quiet", False))


@contextmanager
def progress(ctx: BotContext, args: argparse.Namespace, label: str) -> Iterator[None]:
    """While a bot runs: its pages counted on a progress line called ``label``, if someone watches.

    Otherwise nothing changes at all, so cron output and ``--format json`` stay byte for byte as they
    were. The dry run's diffs and log lines erase the line before they are printed.
    """
    screen = terminal(args)
    if screen is None:
        yield
        return
    site = ctx.site
    diff_out = site.diff_out
    site.diff_out = screen.guarded(diff_out or sys.stdout)
    ctx.progress = screen.progress(label)
    try:
        with screen.clearing_logs():
            yield
    finally:
        ctx.progress = None
        site.diff_out = diff_out


def finish(result: StepResult, fmt: str) -> int:
    """Print a step's result (text: summary + pages needing attention; json: one document)."""
    if fmt == "json":
        print_json(result.as_dict())
    else:
        print(f"{result.name}: {result.summary or result.report.summary()}")
        print_attention(result.report)
    return result.exit_code


def print_json(data: Mapping[str, Any]) -> None:
    """One JSON document on stdout (UTF-8 as is, for German text)."""
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def print_attention(report: SyncReport) -> None:
    """List the pages an admin must look at, one per line, on stdout."""
    for page in report.pages:
        if page.outcome.value in ("skipped", "opted_out", "conflict", "error"):
            print(f"  {page.outcome.value:<10} {page.title}: {page.message or ''}")
