"""The SMW suite: the bots against a real Semantic MediaWiki + Page Forms named by ``$OZGWIKI_SMW_CONFIG``.

The wiki is one the project does not install (no registry has SMW): the lab wiki of a developer, or an
admin's staging wiki. ``$OZGWIKI_SMW_CONFIG`` names a small YAML file::

    bot: ozgwiki.yaml            # the bot's ordinary ozgwiki config for that wiki (relative to this file)
    editor:                      # an ordinary account for the editor's part (a bot password is fine)
      username: Redakteurin@ozgwiki
      password_file: editor.secret   # mode 0600, relative to this file; or $OZGWIKI_SMW_EDITOR_PASSWORD

Without the variable the suite is deselected and the run says so in one line (never a pass); with it,
a wiki that does not answer or lacks SMW / Page Forms fails the suite.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from smwsuite import CliRun, SuiteConfig

from ozgwiki.config import load_config
from ozgwiki.wiki.site import Site

CONFIG_ENV = "OZGWIKI_SMW_CONFIG"
EDITOR_PASSWORD_ENV = "OZGWIKI_SMW_EDITOR_PASSWORD"
REPO = Path(__file__).resolve().parents[2]
OZGWIKI = str(Path(sys.executable).parent / "ozgwiki")
_NOT_RUN: list[str] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get(CONFIG_ENV):
        return
    smw = [i for i in items if i.get_closest_marker("smw")]
    if smw:
        items[:] = [i for i in items if not i.get_closest_marker("smw")]
        config.hook.pytest_deselected(items=smw)
        _NOT_RUN.append(
            f"smw suite NOT run ({len(smw)} tests deselected): ${CONFIG_ENV} is not set -- "
            "it needs a Semantic MediaWiki of its own; see tests/smw/conftest.py and `make test-smw`"
        )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in _NOT_RUN:
        terminalreporter.write_line(line, yellow=True, bold=True)


def _read_secret(path: Path) -> str:
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        pytest.fail(f"{path} is readable by others; chmod 600 it")
    return path.read_text(encoding="utf-8").strip()


@pytest.fixture(scope="session")
def suite() -> SuiteConfig:
    raw = os.environ.get(CONFIG_ENV, "")
    path = Path(raw).expanduser()
    if not path.is_file():
        pytest.fail(f"${CONFIG_ENV}={raw!r} does not name a file")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    try:
        bot_path = (path.parent / data["bot"]).resolve()
        editor = data["editor"]
        login = str(editor["username"])
    except (KeyError, TypeError) as exc:
        pytest.fail(f"{path}: needs 'bot' and 'editor: {{username, password_file}}' ({exc})")
    password = os.environ.get(EDITOR_PASSWORD_ENV) or _read_secret(path.parent / editor["password_file"])
    return SuiteConfig(bot_path, load_config(bot_path), login, password)


@pytest.fixture(scope="session")
def bot(suite: SuiteConfig) -> Site:
    site = suite.site("bot")
    info = site.siteinfo
    if not (info.extensions.smw and info.extensions.pageforms):
        pytest.fail(f"{site.api_url} has no Semantic MediaWiki and Page Forms: the smw suite needs both")
    return site


@pytest.fixture(scope="session")
def editor(suite: SuiteConfig) -> Site:
    return suite.site("editor")


@pytest.fixture(scope="session")
def cli(suite: SuiteConfig) -> Callable[..., CliRun]:
    """Run ``ozgwiki --config BOT COMMAND … --format json`` as cron would (a subprocess, no stdin)."""

    def run(*args: str) -> CliRun:
        start = time.monotonic()
        done = subprocess.run(
            [OZGWIKI, "--config", str(suite.bot_config_path), *args, "--format", "json"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=REPO, check=False,
        )  # fmt: skip
        seconds = time.monotonic() - start
        if done.returncode > 1:
            pytest.fail(f"ozgwiki {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}")
        try:
            data = json.loads(done.stdout) if done.stdout.strip() else {}
            lines: list[dict[str, Any]] = []
        except json.JSONDecodeError:  # validate writes JSON Lines, one finding each
            data, lines = {}, [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
        return CliRun(done.returncode, data, lines, seconds, done.stderr)

    return run
