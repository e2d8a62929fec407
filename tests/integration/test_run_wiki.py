"""``ozgwiki run`` against the real local wiki: the switch page, the lock, and the real four steps.

Each test uses its own switch page (``run.stop_page``) and state dir, so it never stops a colleague's
run on the shared wiki. The switch is pulled with the editor account, the way a wiki admin would.
"""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO
from wikitables import SHARED_WIKI_IMPORT, bot_wiki_config

from ozgwiki.config import Config, load_config
from ozgwiki.engine.bot import BotContext, StepResult
from ozgwiki.engine.runner import Step, execute
from ozgwiki.engine.sync import PageChange
from ozgwiki.wiki.site import Site

pytestmark = pytest.mark.wiki

#: The installed console script, as cron calls it.
OZGWIKI = [str(Path(sys.executable).parent / "ozgwiki")]
SECRET_ENV = "OZGWIKI_IT_RUN_SECRET"


@pytest.fixture
def run_config(tmp_path: Path, accounts: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Config:
    """A config for the bot with its own state dir and its own switch page (re-read before every write)."""
    monkeypatch.setenv(SECRET_ENV, accounts["bot"]["secret"])
    data = {
        "wiki": bot_wiki_config(accounts, SECRET_ENV),
        "import": SHARED_WIKI_IMPORT,
        "run": {
            "state_dir": str(tmp_path / "state"),
            "stop_page": f"Benutzer:{{bot}}/Notaus IT {uuid.uuid4().hex[:8]}",
            "stop_check_seconds": 0,
        },
    }
    path = tmp_path / "ozgwiki.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_config(path)


def switch_title(config: Config) -> str:
    return str(config.section("run")["stop_page"]).replace("{bot}", "OzgBot")


def set_switch(editor: Site, config: Config, text: str) -> None:
    """The editor writes the switch page, as an admin in a hurry would."""
    result = editor.edit(switch_title(config), lambda _: text, "Bot anhalten/freigeben (Test)")
    assert result.outcome.value in ("created", "changed", "unchanged")


def creating(title: str) -> Callable[..., StepResult]:
    """A tiny step that writes one page through the real sync engine."""

    def run(ctx: BotContext, **options: Any) -> StepResult:
        report = ctx.engine().run([PageChange(title, lambda _: "Testseite von ozgwiki run.", "Test: run")])
        return StepResult("tiny", report=report, summary=report.summary())

    return run


def exists(site: Site, title: str) -> bool:
    return site.read_pages([title])[title].exists


def go(config: Config, steps: list[Step]) -> tuple[int, str, str, dict[str, Any]]:
    out, err = io.StringIO(), io.StringIO()
    report = execute(config, steps=steps, out=out, err=err)
    return report.exit_code, out.getvalue(), err.getvalue(), report.stats


def test_switch_off_means_zero_edits_and_on_lets_writes_through(
    run_config: Config, editor_site: Site, bot_site: Site, unique: str
) -> None:
    title = f"Benutzer:OzgBot/{unique} Seite"  # in the bot's own space: the engine writes nothing else
    set_switch(editor_site, run_config, "aus\n<!-- angehalten für den Test -->")

    code, out, err, stats = go(run_config, [Step("tiny", func=creating(title))])
    assert code == 3
    assert f"stopped by the switch page [[{switch_title(run_config)}]]: die Notaus-Seite sagt „aus“" in err
    assert "Nothing was written" in err
    assert stats["edits_sent"] == 0 and stats["requests"].get("edit", 0) == 0
    assert not exists(bot_site, title)

    set_switch(editor_site, run_config, "an")
    code, out, err, stats = go(run_config, [Step("tiny", func=creating(title))])
    assert (code, err) == (0, ""), out
    assert stats["created"] == 1
    assert exists(bot_site, title)


def test_switch_pulled_mid_run_stops_before_the_next_write(
    run_config: Config, editor_site: Site, bot_site: Site, unique: str
) -> None:
    first, second = f"Benutzer:OzgBot/{unique} eins", f"Benutzer:OzgBot/{unique} zwei"
    set_switch(editor_site, run_config, "an")

    def pulled_half_way(ctx: BotContext, **options: Any) -> StepResult:
        creating(first)(ctx)
        set_switch(editor_site, run_config, "Stopp – Fehler im Import!")
        return creating(second)(ctx)

    code, _, err, stats = go(
        run_config, [Step("tiny", func=pulled_half_way), Step("later", func=creating(second))]
    )
    assert code == 3
    assert "„Stopp – Fehler im Import!“" in err
    assert stats["created"] == 1
    assert exists(bot_site, first) and not exists(bot_site, second)


def test_missing_switch_page_is_created_with_instructions(run_config: Config, bot_site: Site) -> None:
    code, out, err, _ = go(run_config, [])
    assert (code, err) == (0, ""), out
    state = bot_site.read_pages([switch_title(run_config)])[switch_title(run_config)]
    assert state.exists and state.text.startswith("an\n<!--") and "„aus“" in state.text
    assert state.user == "OzgBot"


# ---------------------------------------------------------------- the lock, with the real CLI

HOLDER = """
import sys
from pathlib import Path
from ozgwiki.engine.lock import RunLock
with RunLock(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.read()
"""


@contextmanager
def lock_held(path: Path) -> Iterator[int]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        assert proc.stdout.readline() == "locked\n"
        yield proc.pid
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


def cli(config: Config, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command line, stdin closed: cron has no terminal."""
    return subprocess.run(
        [*OZGWIKI, "--config", str(config.path), "run", *args],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=REPO, env=os.environ.copy(),
        timeout=1800,
    )  # fmt: skip


def test_run_while_another_holds_the_lock_exits_3(run_config: Config, tmp_path: Path) -> None:
    with lock_held(tmp_path / "state" / "ozgwiki-run.lock") as pid:
        done = cli(run_config, "--only", "validate")
    assert done.returncode == 3, done.stderr
    assert f"another run (PID {pid}, started " in done.stderr and "is still running" in done.stderr
    assert "run: exit 3 (incomplete)" in done.stdout


# ---------------------------------------------------------------- end to end: the four real bots


def test_end_to_end_real_steps_then_a_noop_run(run_config: Config, tmp_path: Path) -> None:
    """END-TO-END: deploy, import (sample catalogue), validate, regenerate on the local wiki.

    Needs all four bot modules (ozgwiki/bots/deploy.py, importer.py, validate.py, regenerate.py). A missing
    one
    is not skipped: the run reports "bot module ... is not installed" with exit 2 and this test fails.
    """
    first = cli(run_config, "--format", "json")
    assert first.returncode in (0, 1), first.stdout + first.stderr
    doc = json.loads(first.stdout)
    assert [s["step"] for s in doc["steps"]] == ["deploy", "import", "validate", "regenerate"]
    assert all(s["status"] in ("ok", "findings") for s in doc["steps"]), doc["steps"]
    assert doc["exit_code"] == first.returncode
    (tmp_path / "first.json").write_text(first.stdout)

    second = cli(run_config, "--format", "json")
    assert second.returncode in (0, 1), second.stdout + second.stderr
    again = json.loads(second.stdout)
    assert again["stats"]["edits_sent"] == 0, [
        (s["step"], p["title"], p["outcome"]) for s in again["steps"] for p in s["pages"]
        if p["outcome"] in ("created", "changed")
    ]  # fmt: skip
    assert again["stats"]["created"] == again["stats"]["changed"] == 0
    # The no-op budget of issue 13: ⌈pages / 500⌉ + 10 requests for the whole cron run, where pages are
    # those the four bots look after (the importer's, the definitions, the overviews, the report): the
    # page memory lets a run skip reading every page it left alone.
    pages = sum(len(s["pages"]) for s in again["steps"])
    assert again["stats"]["total_requests"] <= math.ceil(pages / 500) + 10, again["stats"]["requests"]
    log_text = (tmp_path / "state" / "ozgwiki-run.log").read_text()
    assert log_text.count("run started") == 2
