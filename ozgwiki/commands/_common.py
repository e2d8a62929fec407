"""What the write commands share: options, opening the site, printing a report.

Kept here so every bot behaves the same from cron: the same ``--dry-run`` and ``--format`` options,
the same login path, the same one-line summary on stderr and the same exit codes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from typing import Any

from ozgwiki.config import Config, load_config
from ozgwiki.engine.bot import BotContext, StepResult
from ozgwiki.engine.sync import SyncReport
from ozgwiki.wiki.site import Site


def add_write_options(parser: argparse.ArgumentParser) -> None:
    """``--dry-run`` and ``--format`` for every command that edits the wiki."""
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print a unified diff per page and write nothing (enforced by the site client)",
    )
    add_format_option(parser)


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


def open_site(config: Config, *, dry_run: bool = False) -> Site:
    """A logged-in site client. Diffs of a dry run go to stdout.

    The bot password is checked first (environment, or the file: exists, mode 0600, not empty), so a
    wrong secret setup fails with exit 2 before any request reaches the wiki.
    """
    config.wiki.check_password()
    site = Site.from_config(config, dry_run=dry_run, diff_out=sys.stdout)
    site.login()
    return site


def bot_user(site: Site) -> str:
    """The bot's user name as the wiki knows it (for opt-out markers such as ``{{bots|deny=…}}``)."""
    return site.userinfo.name


def context(args: argparse.Namespace) -> BotContext:
    """Config, logged-in site and lazily loaded catalogue for a bot command."""
    from ozgwiki import catalogue

    config = load(args)
    site = open_site(config, dry_run=getattr(args, "dry_run", False))
    return BotContext(
        config=config,
        site=site,
        bot_user=bot_user(site),
        load_catalogue=lambda: catalogue.load_from_config(config),
    )


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
