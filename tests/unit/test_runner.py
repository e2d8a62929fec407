"""``ozgwiki run`` orchestrated with fake steps on the fake wiki: order, output, exit codes, budget, switch.

The steps are stand-ins; the site is the real client over the in-memory wiki of tests/fakewiki.py,
so the switch page, the write guard and the counters are the real ones.
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from fakewiki import FakeWiki, saved_form

from ozgwiki import cli
from ozgwiki.bots import steps as bot_steps
from ozgwiki.config import Config, parse_config
from ozgwiki.engine import runner
from ozgwiki.engine.bot import BotContext, StepResult
from ozgwiki.engine.runner import RunReport, RunSettings, Step, execute, select
from ozgwiki.engine.switch import INITIAL_TEXT, SwitchState
from ozgwiki.engine.sync import Outcome, PageReport, SyncReport
from ozgwiki.errors import ConfigError, LoginError, PageTextError, WikiUnreachable

SWITCH = "Benutzer:OzgBot/Notaus"
SECRET = "geheimesbotpasswort0123456789abcdef"


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def wiki_with(pages: dict[str, str] | None = None) -> FakeWiki:
    """A wiki whose switch page says „an“ (or with ``pages`` instead), as an admin left it."""
    wiki = FakeWiki()
    wiki.seed({SWITCH: "an"} if pages is None else pages, user="Admin")
    return wiki


def config_for(tmp_path: Path, **run: Any) -> Config:
    data: dict[str, Any] = {"wiki": {"api_url": "http://wiki.test/w/api.php", "username": "OzgBot@ozgwiki"}}
    if run:
        data["run"] = run
    return parse_config(data, tmp_path / "ozgwiki.yaml")


Calls = list[str]


def step(name: str, calls: Calls, *, findings: int = 0, raises: BaseException | None = None,
         edit: str | None = None, advance: tuple[FakeTime, float] | None = None) -> Step:  # fmt: skip
    """A fake bot: records its call, maybe edits a page, maybe spends time, maybe raises."""

    def run(ctx: BotContext, **options: Any) -> StepResult:
        calls.append(name)
        if advance:
            advance[0].now += advance[1]
        if edit:
            ctx.site.edit(edit, lambda text: text + f" {name}", f"{name} edit")
        if raises is not None:
            raise raises
        report = SyncReport(
            [PageReport(f"{name} page", Outcome.SKIPPED, message="kaputt")] if findings else []
        )
        return StepResult(name=name, report=report, summary=f"{name} summary", findings=findings)

    return Step(name, func=run)


Outcome4 = tuple[RunReport, str, str, FakeWiki]


def go(tmp_path: Path, steps: list[Step], *, wiki: FakeWiki | None = None, fmt: str = "text",
       clock: FakeTime | None = None, dry_run: bool = False, **run: Any) -> Outcome4:  # fmt: skip
    """One ``execute`` on ``wiki`` (default: a switch page „an“); the bot logs in as the runner does."""
    wiki = wiki or wiki_with()
    out, err = io.StringIO(), io.StringIO()
    with wiki.running():
        report = execute(
            config_for(tmp_path, **run), steps=steps, fmt=fmt, out=out, err=err, dry_run=dry_run,
            clock=clock or FakeTime(), load_catalogue=lambda: None,
            open_site=lambda _config, dry, diff_out: wiki.site(dry_run=dry, diff_out=diff_out),
        )  # fmt: skip
    return report, out.getvalue(), err.getvalue(), wiki


# ---------------------------------------------------------------- order, output, exit codes


def test_steps_run_in_order_and_print_one_line_each(tmp_path: Path) -> None:
    calls: Calls = []
    report, out, err, _ = go(
        tmp_path, [step(n, calls) for n in ("deploy", "import", "validate", "regenerate")]
    )
    assert calls == ["deploy", "import", "validate", "regenerate"]
    lines = out.splitlines()
    assert lines[:4] == [f"{n}: {n} summary" for n in calls]
    assert lines[4].startswith("run: exit 0 (ok); ")
    assert report.exit_code == 0 and err == ""


def test_the_real_step_table() -> None:
    from ozgwiki.bots import deploy, importer, regenerate, validate

    assert [(s.name, s.func, dict(s.options)) for s in bot_steps.STEPS] == [
        ("deploy", deploy.run, {}),  # no force: admin-changed pages are refused and reported
        ("import", importer.run, {}),
        ("validate", validate.run, {}),
        ("regenerate", regenerate.run, {"mode": "auto"}),
    ]
    assert tuple(s.name for s in bot_steps.STEPS) == runner.STEP_NAMES  # what --only offers


@pytest.mark.parametrize(
    ("findings", "code"),
    [
        pytest.param((0, 0, 0), 0, id="all-ok"),
        pytest.param((1, 0, 0), 1, id="findings-first"),
        pytest.param((0, 0, 3), 1, id="findings-last"),
        pytest.param((2, 5, 1), 1, id="findings-everywhere"),
    ],
)
def test_exit_code_is_the_highest_step_code(tmp_path: Path, findings: tuple[int, ...], code: int) -> None:
    calls: Calls = []
    report, _, _, _ = go(tmp_path, [step(f"s{i}", calls, findings=f) for i, f in enumerate(findings)])
    assert report.exit_code == code
    assert calls == ["s0", "s1", "s2"], "findings never stop the run"
    assert [s.status for s in report.steps] == ["findings" if f else "ok" for f in findings]


def test_findings_list_the_pages_to_look_at(tmp_path: Path) -> None:
    _, out, _, _ = go(tmp_path, [step("validate", [], findings=1)])
    assert "  skipped    validate page: kaputt" in out.splitlines()


@pytest.mark.parametrize(
    ("error", "code"),
    [
        pytest.param(ConfigError("ParserFunctions fehlt"), 2, id="config-2"),
        pytest.param(LoginError("login lost"), 2, id="login-2"),
        pytest.param(WikiUnreachable("down"), 3, id="unreachable-3"),
        pytest.param(PageTextError("odd page"), 1, id="pagetext-1"),
    ],
)
def test_a_failing_step_stops_the_run_and_its_code_wins(tmp_path: Path, error: Exception, code: int) -> None:
    calls: Calls = []
    steps = [step("deploy", calls, findings=1), step("import", calls, raises=error), step("validate", calls)]
    report, out, err, _ = go(tmp_path, steps)
    assert calls == ["deploy", "import"]
    assert report.exit_code == code
    assert [s.status for s in report.steps] == ["findings", "failed", "not_run"]
    assert f"import: failed: {error}" in out
    assert "validate: not run: the run stopped earlier" in out
    assert err == f"ozgwiki: error: {error}\n"


def test_an_internal_error_is_one_line_and_logged_with_traceback(tmp_path: Path) -> None:
    report, _, err, _ = go(tmp_path, [step("import", [], raises=KeyError("Schlüssel"))])
    assert report.exit_code == 2
    assert err.count("\n") == 1 and "internal error in step import: KeyError" in err
    log_text = (tmp_path / "state" / "ozgwiki-run.log").read_text()
    assert "Traceback" in log_text and "KeyError" in log_text


def test_json_is_one_document_with_every_step(tmp_path: Path) -> None:
    calls: Calls = []
    steps = [
        step("deploy", calls),
        step("import", calls, findings=2),
        step("validate", calls, raises=WikiUnreachable("weg")),
    ]
    steps.append(step("regenerate", calls))
    _, out, _, _ = go(tmp_path, steps, fmt="json")
    doc = json.loads(out)  # exactly one document: json.loads fails on trailing text
    assert doc["exit_code"] == 3 and doc["status"] == "incomplete" and doc["message"] == "weg"
    assert [(s["step"], s["status"], s["exit_code"]) for s in doc["steps"]] == [
        ("deploy", "ok", 0), ("import", "findings", 1), ("validate", "failed", 3),
        ("regenerate", "not_run", 0),
    ]  # fmt: skip
    first = doc["steps"][0]
    assert first["summary"] == "deploy summary" and first["counts"]["created"] == 0 and first["pages"] == []
    assert doc["steps"][1]["findings"] == 2
    assert doc["switch"] == {"page": SWITCH, "state": "running", "reason": "die Notaus-Seite sagt „an“"}
    assert doc["stats"]["total_requests"] >= 1 and doc["dry_run"] is False
    assert doc["log_file"] == str(tmp_path / "state" / "ozgwiki-run.log")


def test_only_keeps_the_run_order() -> None:
    assert [s.name for s in select(bot_steps.STEPS, ["regenerate", "deploy"])] == ["deploy", "regenerate"]
    assert select(bot_steps.STEPS, None) == bot_steps.STEPS
    with pytest.raises(ConfigError, match="unknown step"):
        select(bot_steps.STEPS, ["bogus"])


# ---------------------------------------------------------------- time budget


def test_budget_used_up_between_steps(tmp_path: Path) -> None:
    t, calls = FakeTime(), []
    steps = [
        step("deploy", calls, advance=(t, 30 * 60)),
        step("import", calls, advance=(t, 30 * 60)),
        step("validate", calls),
    ]
    report, _, err, _ = go(tmp_path, steps, clock=t, budget_minutes=60)
    assert calls == ["deploy", "import"]
    assert report.exit_code == 3
    assert [s.status for s in report.steps] == ["ok", "ok", "not_run"]
    assert "time budget of 60 minutes (run.budget_minutes) is used up; stopped before step validate" in err


def test_budget_used_up_stops_before_the_next_write(tmp_path: Path) -> None:
    t, calls = FakeTime(), []
    steps = [step("import", calls, advance=(t, 11 * 60), edit="Seite A"), step("validate", calls)]
    report, _, err, wiki = go(tmp_path, steps, clock=t, budget_minutes=10)
    assert wiki.saves() == [] and wiki.requests_of("edit") == []
    assert report.exit_code == 3 and [s.status for s in report.steps] == ["failed", "not_run"]
    assert "stopped before the next write" in err


def test_budget_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="budget_minutes"):
        RunSettings.from_config(config_for(tmp_path, budget_minutes=0))


# ---------------------------------------------------------------- the switch page


def test_switch_off_writes_nothing_and_runs_no_step(tmp_path: Path) -> None:
    calls: Calls = []
    wiki = wiki_with({SWITCH: "aus <!-- Fehler im Import, bitte warten -->"})
    report, _, err, _ = go(tmp_path, [step("deploy", calls, edit="Vorlage:X")], wiki=wiki)
    assert calls == [] and wiki.saves() == [] and wiki.requests_of("edit") == []
    assert report.exit_code == 3
    assert report.switch["state"] == "stopped"
    assert "stopped by the switch page [[Benutzer:OzgBot/Notaus]]: die Notaus-Seite sagt „aus“" in err


def test_switch_pulled_mid_run_stops_at_the_next_write(tmp_path: Path) -> None:
    t, calls = FakeTime(), []
    wiki = wiki_with()

    def admin_pulls_switch(ctx: BotContext, **options: Any) -> StepResult:
        calls.append("import")
        wiki.edit_as(SWITCH, "aus", user="Admin")
        t.now += 60
        ctx.site.edit("Seite B", lambda text: "neu", "import")
        return StepResult("import")

    steps = [
        step("deploy", calls, edit="Seite A"),
        Step("import", func=admin_pulls_switch),
        step("validate", calls),
    ]
    report, _, err, _ = go(tmp_path, steps, wiki=wiki, clock=t)
    assert wiki.saves() == ["Seite A"] and wiki.text("Seite A") == " deploy"
    assert calls == ["deploy", "import"] and report.exit_code == 3
    assert "„aus“" in err


def test_switch_missing_is_created_with_instructions(tmp_path: Path) -> None:
    wiki = wiki_with({})
    report, _, _, _ = go(tmp_path, [step("deploy", [])], wiki=wiki)
    assert report.exit_code == 0 and report.switch["state"] == SwitchState.NOT_SET_UP.value
    assert wiki.saves() == [SWITCH]
    assert wiki.text(SWITCH) == saved_form(INITIAL_TEXT.format(bot="OzgBot", seconds="60"))
    assert (wiki.text(SWITCH) or "").startswith("an\n<!--")


def test_dry_run_with_switch_off_previews_and_writes_nothing(tmp_path: Path) -> None:
    calls: Calls = []
    wiki = wiki_with({SWITCH: "aus"})
    report, _, _, _ = go(tmp_path, [step("deploy", calls, edit="Vorlage:X")], wiki=wiki, dry_run=True)
    assert calls == ["deploy"] and wiki.requests_of("edit") == [] and report.exit_code == 0


def test_login_error_is_exit_2_and_runs_nothing(tmp_path: Path) -> None:
    def refuse(*args: Any) -> Any:
        raise LoginError("login as OzgBot@ozgwiki failed: Incorrect username or password")

    out, err = io.StringIO(), io.StringIO()
    report = execute(config_for(tmp_path), steps=[step("deploy", [])], out=out, err=err, open_site=refuse)
    assert report.exit_code == 2 and report.steps == []
    assert err.getvalue().startswith("ozgwiki: error: login as OzgBot@ozgwiki failed")


# ---------------------------------------------------------------- settings, log file, CLI


def test_settings_defaults_in_the_shared_state_dir(tmp_path: Path) -> None:
    s = RunSettings.from_config(config_for(tmp_path))
    state = tmp_path / "state"  # ozgwiki.engine.state's default: state/ next to the config
    assert (s.state_dir, s.log_file, s.lock_file) == (
        state,
        state / "ozgwiki-run.log",
        state / "ozgwiki-run.lock",
    )
    assert s.budget_seconds == 3600 and s.stop_check_seconds == 60


def test_settings_from_config(tmp_path: Path) -> None:
    shared = parse_config(
        {
            "wiki": {"api_url": "http://wiki.test/w/api.php", "username": "B@b"},
            "state": {"dir": "/var/lib/x"},
        },
        tmp_path / "ozgwiki.yaml",
    )
    assert RunSettings.from_config(shared).lock_file == Path("/var/lib/x/ozgwiki-run.lock")
    s = RunSettings.from_config(
        config_for(tmp_path, state_dir="st", log_file="logs/run.log", budget_minutes=5)
    )
    assert (s.state_dir, s.log_file, s.budget_seconds) == (
        tmp_path / "st",
        tmp_path / "logs" / "run.log",
        300,
    )
    assert (
        RunSettings.from_config(config_for(tmp_path), log_file=tmp_path / "x.log").log_file
        == tmp_path / "x.log"
    )


def test_log_file_has_every_step_and_no_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OZGWIKI_PASSWORD", SECRET)
    go(tmp_path, [step("deploy", []), step("import", [], findings=1)])
    go(tmp_path, [step("deploy", [])])
    text = (tmp_path / "state" / "ozgwiki-run.log").read_text()
    assert text.count("run started") == 2, "the log is appended to, not overwritten"
    assert "step deploy: deploy summary" in text and "step import: import summary" in text
    assert "run ended: exit 1 (findings)" in text
    assert SECRET not in text


def test_file_logging_leaves_the_console_as_quiet_as_before(tmp_path: Path) -> None:
    root = logging.getLogger()
    before = [(h, h.level) for h in root.handlers]
    pkg_level = logging.getLogger("ozgwiki").level
    go(tmp_path, [step("deploy", [])])
    assert [(h, h.level) for h in root.handlers] == before
    assert logging.getLogger("ozgwiki").level == pkg_level
    assert not any(isinstance(h, logging.FileHandler) for h in logging.getLogger("ozgwiki").handlers)


def test_cli_run_with_injected_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole command: the config's wiki, the bot password from the environment, a real login."""
    calls: Calls = []
    wiki = wiki_with()
    monkeypatch.setattr(
        bot_steps,
        "STEPS",
        (step("deploy", calls), step("import", calls, findings=1), step("validate", calls)),
    )
    monkeypatch.setenv("OZGWIKI_PASSWORD", wiki.accounts["OzgBot@ozgwiki"].secret)
    monkeypatch.setattr("sys.stdin", None)  # never read: cron has no terminal
    (tmp_path / "ozgwiki.yaml").write_text(
        "wiki: {api_url: 'http://wiki.test/w/api.php', username: OzgBot@ozgwiki}\n"
    )
    with wiki.running():
        code = cli.main([
            "--config", str(tmp_path / "ozgwiki.yaml"), "run", "--only", "validate", "deploy",
            "--format", "json", "--log-file", str(tmp_path / "custom.log"),
        ])  # fmt: skip
    assert code == 0 and calls == ["deploy", "validate"]
    assert [c.answer["login"]["result"] for c in wiki.requests_of("login")] == ["Success"]
    assert [s["step"] for s in json.loads(capsys.readouterr().out)["steps"]] == ["deploy", "validate"]
    assert (tmp_path / "custom.log").is_file()


def test_log_file_skips_unchanged_pages_but_keeps_changes(tmp_path: Path) -> None:
    site_log = logging.getLogger("ozgwiki.wiki.site")

    def noisy(ctx: BotContext, **options: Any) -> StepResult:
        site_log.info("%s: %s%s", "Seite ruhig", "unchanged", "")
        site_log.info("%s: %s%s", "Seite neu", "created", "")
        return StepResult("noisy")

    go(tmp_path, [Step("noisy", func=noisy)])
    text = (tmp_path / "state" / "ozgwiki-run.log").read_text()
    assert "Seite neu: created" in text and "Seite ruhig" not in text


def test_run_without_any_password_source_sends_no_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import responses

    monkeypatch.delenv("OZGWIKI_PASSWORD", raising=False)
    (tmp_path / "ozgwiki.yaml").write_text(
        "wiki: {api_url: 'http://wiki.test/w/api.php', username: OzgBot@ozgwiki}\n"
        f"state: {{dir: '{tmp_path / 'state'}'}}\n"
    )
    with responses.RequestsMock() as rsps:  # any request would fail the test
        code = cli.main(["--config", str(tmp_path / "ozgwiki.yaml"), "run"])
        assert len(rsps.calls) == 0
    assert code == 2
    assert "password" in capsys.readouterr().err
