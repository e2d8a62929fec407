"""Progress of long runs: the engine's hook, the terminal's line, and silence where nobody watches.

The engine must tell its hook the total and one ``advance`` per page (refused and skipped pages too, in
every phase); the terminal line (:mod:`ozgwiki.commands._progress`) is checked on a fake terminal with
an injected clock; a pipe, ``--format json`` and ``-q`` must get nothing at all, and ``ozgwiki import
--dry-run`` must print exactly what it printed before when stderr is no terminal.
"""

from __future__ import annotations

import argparse
import io
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from fakewiki import FakeWiki

from ozgwiki.commands import _progress
from ozgwiki.commands._progress import LineProgress, Terminal, eta_text, line, rate_text, wanted
from ozgwiki.config import Config, WikiConfig
from ozgwiki.domain.model import Catalogue
from ozgwiki.engine.bot import BotContext, StepResult
from ozgwiki.engine.runner import Runner, Step
from ozgwiki.engine.sync import Outcome, PageChange, Phase, SyncEngine
from ozgwiki.wiki.site import Site

CONFIG = Config(WikiConfig("http://wiki.invalid/w/api.php", "OzgBot@ozgwiki"))


# ---------------------------------------------------------------------------------------- fakes


@pytest.fixture
def site(fake_wiki: FakeWiki) -> Site:
    """The real site client, logged in to the empty fake wiki (tests/fakewiki.py)."""
    return fake_wiki.site()


class Recorder:
    """A progress hook that writes down what it is told."""

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []

    def start(self, total: int | None) -> None:
        self.events.append(("start", total))

    def advance(self, title: str, outcome: Outcome) -> None:
        self.events.append(("advance", title, outcome))

    def finish(self) -> None:
        self.events.append(("finish",))

    @property
    def advances(self) -> list[tuple[str, Outcome]]:
        return [(e[1], e[2]) for e in self.events if e[0] == "advance"]


class OnlyVorlagen:
    """A scope that owns templates only."""

    def allows(self, title: str) -> bool:
        return title.startswith("Vorlage:")

    def why_not(self, title: str) -> str:
        return f"{title} gehört nicht dem Bot"


class FakeTTY(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def bot_context(site: Site, **fields: Any) -> BotContext:
    return BotContext(config=CONFIG, site=site, bot_user="OzgBot", load_catalogue=Catalogue, **fields)


def change(title: str, text: str | None = "neu") -> PageChange:
    return PageChange(title, lambda _old: text, "Bot")


def visible(output: str) -> str:
    """What a terminal shows on the last line after ``output`` (``\\r`` goes back to column 0)."""
    screen: list[str] = []
    col = 0
    for ch in output.rsplit("\n", 1)[-1]:
        if ch == "\r":
            col = 0
            continue
        if col < len(screen):
            screen[col] = ch
        else:
            screen.append(ch)
        col += 1
    return "".join(screen)


# ---------------------------------------------------------------------------------------- the engine


def test_the_engine_tells_the_total_and_one_advance_per_page_refused_and_skipped_too(
    fake_wiki: FakeWiki, site: Site
) -> None:
    fake_wiki.seed({"Vorlage:C": "{{nobots}}"})
    hook = Recorder()
    sync = SyncEngine(site, bot_user="OzgBot", scope=OnlyVorlagen(), progress=hook)  # type: ignore[arg-type]
    changes = [change("Vorlage:A"), change("Vorlage:B", None), change("Vorlage:C"), change("Hauptseite")]
    report = sync.run(changes)
    assert hook.events == [
        ("start", 4),
        ("advance", "Vorlage:A", Outcome.CREATED),
        ("advance", "Vorlage:B", Outcome.SKIPPED),
        ("advance", "Vorlage:C", Outcome.OPTED_OUT),
        ("advance", "Hauptseite", Outcome.ERROR),
        ("finish",),
    ]
    assert hook.advances == [(p.title, p.outcome) for p in report.pages]


def test_one_start_for_all_phases_and_each_page_advances_before_its_phase_ends(site: Site) -> None:
    hook = Recorder()
    sync = SyncEngine(site, bot_user="OzgBot", progress=hook)
    seen_by_after: list[int] = []
    phases = [
        Phase([change("A"), change("B")], after=lambda _r: seen_by_after.append(len(hook.advances))),
        Phase([change("C")]),
    ]
    sync.run_phases(phases)
    assert hook.events[0] == ("start", 3) and hook.events[-1] == ("finish",)
    assert [e[0] for e in hook.events].count("start") == 1
    assert [t for t, _ in hook.advances] == ["A", "B", "C"]
    assert seen_by_after == [2]


def test_across_chunks_every_page_advances_once(site: Site) -> None:
    hook = Recorder()
    sync = SyncEngine(site, bot_user="OzgBot", chunk=2, progress=hook)
    sync.run([change(t) for t in "ABCDE"])
    assert hook.events[0] == ("start", 5)
    assert [t for t, _ in hook.advances] == list("ABCDE")


def test_a_generator_has_no_known_total_but_is_counted(site: Site) -> None:
    hook = Recorder()
    sync = SyncEngine(site, bot_user="OzgBot", progress=hook)
    sync.run(change(t) for t in "AB")
    assert hook.events[0] == ("start", None) and len(hook.advances) == 2
    hook.events.clear()
    sync.run_phases([Phase([change("C")]), Phase(change(t) for t in "DE")])
    assert hook.events[0] == ("start", None) and len(hook.advances) == 3


def test_finish_follows_start_when_the_run_stops(site: Site) -> None:
    class Stop(Exception):
        pass

    calls = 0

    def checkpoint() -> None:
        nonlocal calls
        calls += 1
        if calls > 2:  # before the chunk, before page A, then stop before page B
            raise Stop

    hook = Recorder()
    sync = SyncEngine(site, bot_user="OzgBot", checkpoint=checkpoint, progress=hook)
    with pytest.raises(Stop):
        sync.run([change("A"), change("B")])
    assert hook.events == [("start", 2), ("advance", "A", Outcome.CREATED), ("finish",)]


def test_the_context_hands_its_hook_to_every_engine(fake_wiki: FakeWiki, site: Site) -> None:
    hook = Recorder()
    ctx = bot_context(site, progress=hook)
    ctx.engine(scope=None).run([change("A")])
    ctx.engine(scope=None).apply(change("B"))
    assert hook.advances == [("A", Outcome.CREATED), ("B", Outcome.CREATED)]
    silent = bot_context(fake_wiki.site())
    # a page of its own: "A" exists now on the one fake wiki, so a second save of it changes nothing
    assert silent.engine(scope=None).run([change("C")]).pages[0].outcome is Outcome.CREATED


def test_the_runner_gives_each_step_a_hook_named_after_it_and_takes_it_back(site: Site) -> None:
    seen: list[Any] = []

    def bot(ctx: BotContext, **_options: Any) -> StepResult:
        seen.append(ctx.progress)
        if ctx.progress == "hook for validate":
            raise RuntimeError("a bug")
        return StepResult(name="x")

    steps = [Step(n, bot) for n in ("deploy", "import", "validate")]
    ctx = bot_context(site)
    Runner(steps, budget_seconds=60, progress=lambda name: f"hook for {name}").run(ctx)  # type: ignore[arg-type,return-value]
    assert seen == ["hook for deploy", "hook for import", "hook for validate"]
    assert ctx.progress is None
    seen.clear()
    Runner(steps[:1], budget_seconds=60).run(ctx)
    assert seen == [None]


# ---------------------------------------------------------------------------------------- the line


def test_rate_and_time_left_texts() -> None:
    assert [rate_text(r) for r in (38.4, 10.0, 9.96, 2.5, 0.25)] == ["38/s", "10/s", "10/s", "2,5/s", "0,2/s"]
    assert eta_text(0.2) == "noch 1 s" and eta_text(45) == "noch 45 s" and eta_text(44.1) == "noch 45 s"
    assert eta_text(59.6) == "noch 1 min" and eta_text(90) == "noch 2 min" and eta_text(121.9) == "noch 2 min"
    assert eta_text(3570) == "noch 1 h 00 min" and eta_text(3900) == "noch 1 h 05 min"


def test_the_line_with_and_without_a_total() -> None:
    assert line("import", 1234, 5866, 1234 / 38) == "import: 1234/5866 Seiten · 38/s · noch 2 min"
    assert line("import", 1234, None, 1234 / 38) == "import: 1234 Seiten · 38/s"
    assert line("import", 1, None, 0.5) == "import: 1 Seite · 2,0/s"
    assert line("deploy", 0, 10, 0.0) == "deploy: 0/10 Seiten"
    assert line("deploy", 10, 10, 2.0) == "deploy: 10/10 Seiten · 5,0/s"  # done: no time left to show


def test_redrawn_at_most_every_interval_with_rate_and_time_left() -> None:
    clock, out = FakeClock(), FakeTTY()
    progress = Terminal(out, clock=clock, width=80).progress("import")
    progress.start(100)
    for t in (0.05, 0.099):  # within the first interval: nothing yet
        clock.now = t
        progress.advance("A", Outcome.CREATED)
    assert out.getvalue() == ""
    clock.now = 0.1
    progress.advance("C", Outcome.CREATED)  # 3 pages in 0.1 s
    assert out.getvalue() == "\rimport: 3/100 Seiten · 30/s · noch 4 s"  # 97 pages at 30/s
    clock.now = 0.15
    progress.advance("D", Outcome.UNCHANGED)
    clock.now = 0.19
    progress.advance("E", Outcome.SKIPPED)
    assert out.getvalue().count("\r") == 1  # 0.09 s since the last draw: throttled
    clock.now = 0.2
    progress.advance("F", Outcome.CHANGED)
    assert out.getvalue().endswith("\rimport: 6/100 Seiten · 30/s · noch 4 s")
    assert out.getvalue().count("\r") == 2


def test_finish_clears_the_line_and_a_shorter_line_blanks_the_rest() -> None:
    clock, out = FakeClock(), FakeTTY()
    terminal = Terminal(out, clock=clock, width=80)
    longer = "import: 9/10 Seiten · 9,0/s · noch 1 s"
    terminal.show(longer)
    terminal.show("import: 10 Seiten")
    assert visible(out.getvalue()) == "import: 10 Seiten".ljust(len(longer))
    progress = terminal.progress("import")
    progress.start(10)
    progress.finish()
    assert out.getvalue().endswith("\r" + " " * 17 + "\r")
    assert visible(out.getvalue()).strip() == ""
    before = out.getvalue()
    terminal.clear()  # nothing shown: nothing written
    assert out.getvalue() == before


def test_a_run_shorter_than_one_interval_writes_nothing() -> None:
    clock, out = FakeClock(), FakeTTY()
    progress = Terminal(out, clock=clock).progress("deploy")
    progress.start(1)
    clock.now = 0.05
    progress.advance("Vorlage:A", Outcome.CHANGED)
    progress.finish()
    assert out.getvalue() == ""


def test_the_line_is_cut_to_the_terminal_width() -> None:
    out = FakeTTY()
    Terminal(out, width=20).show("import: 1234/5866 Seiten · 38/s · noch 2 min")
    assert out.getvalue() == "\rimport: 1234/5866 S"


def test_only_a_terminal_in_text_format_without_quiet_is_watched() -> None:
    tty = FakeTTY()
    assert wanted(tty, fmt="text", quiet=False, env={"TERM": "xterm"})
    assert wanted(tty, fmt="text", quiet=False, env={})
    assert not wanted(io.StringIO(), fmt="text", quiet=False, env={"TERM": "xterm"})
    assert not wanted(tty, fmt="json", quiet=False, env={"TERM": "xterm"})
    assert not wanted(tty, fmt="text", quiet=True, env={"TERM": "xterm"})
    assert not wanted(tty, fmt="text", quiet=False, env={"TERM": "dumb"})
    closed = io.StringIO()
    closed.close()  # isatty() raises ValueError
    assert not wanted(closed, fmt="text", quiet=False, env={})


def test_for_stderr_is_none_unless_stderr_is_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert _progress.for_stderr(fmt="text", quiet=False, env={}) is None
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    terminal = _progress.for_stderr(fmt="text", quiet=False, env={})
    assert terminal is not None and terminal.stream is tty
    assert _progress.for_stderr(fmt="text", quiet=False, env={"TERM": "dumb"}) is None


def test_output_on_the_same_screen_erases_the_line_first() -> None:
    out = FakeTTY()
    terminal = Terminal(out, width=80)
    terminal.show("import: 5 Seiten")
    guarded = terminal.guarded(out)
    guarded.write("--- a/Seite\n")
    assert out.getvalue() == "\rimport: 5 Seiten\r" + " " * 16 + "\r--- a/Seite\n"
    pipe = io.StringIO()
    assert terminal.guarded(pipe) is pipe  # a file or pipe is no obstacle: left as it is


def test_a_log_line_erases_the_line_first_and_stays_unchanged(caplog: pytest.LogCaptureFixture) -> None:
    out = FakeTTY()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        terminal = Terminal(out, width=80)
        with terminal.clearing_logs():
            terminal.show("import: 5 Seiten")
            logging.getLogger("ozgwiki.test").warning("Seite X übersprungen")
            terminal.show("import: 6 Seiten")
        assert handler.filters == []
        logging.getLogger("ozgwiki.test").warning("danach")
    finally:
        root.removeHandler(handler)
    erase = "\r" + " " * len("import: 5 Seiten") + "\r"
    shown = "\rimport: 5 Seiten" + erase + "WARNING Seite X übersprungen\n"
    shown += "\rimport: 6 Seiten" + erase  # leaving clears the line
    assert out.getvalue() == shown + "WARNING danach\n"
    assert [r.getMessage() for r in caplog.records] == ["Seite X übersprungen", "danach"]


def test_line_progress_is_the_engines_progress(site: Site) -> None:
    clock, out = FakeClock(), FakeTTY()
    progress: LineProgress = Terminal(out, clock=clock, width=80).progress("regenerate")
    sync = SyncEngine(site, bot_user="OzgBot", progress=progress)

    def slow(_old: str) -> str:
        clock.now += 0.1
        return "neu"

    sync.run([PageChange(t, slow, "Bot") for t in "ABC"])
    assert "\rregenerate: 1/3 Seiten · 10/s · noch 1 s" in out.getvalue()
    assert "\rregenerate: 3/3 Seiten · 10/s " in out.getvalue()  # padded over the longer line
    assert visible(out.getvalue()).strip() == ""


# ---------------------------------------------------------------------------------------- the command


@dataclass
class CliWiki:
    """The fake wiki ``ozgwiki import`` runs on, and the site of each of its runs (oldest first)."""

    wiki: FakeWiki
    sites: list[Site] = field(default_factory=list)


@pytest.fixture
def cli_site(fake_wiki: FakeWiki, monkeypatch: pytest.MonkeyPatch) -> CliWiki:
    """``ozgwiki import`` on the fake wiki with an opted-out and a retired page: context() is replaced.

    Each run gets its own real site (dry-run as the command line says), as the command does.
    """
    from ozgwiki.commands import importing

    fake_wiki.seed({"LeiKa 99012001001000": "{{nobots}}\nHier nicht.", "LeiKa 99999999999999": "{{x}}"})
    cli = CliWiki(fake_wiki)

    def fake_context(args: Any) -> BotContext:
        cli.sites.append(fake_wiki.site(dry_run=args.dry_run))
        return bot_context(cli.sites[-1])

    monkeypatch.setattr(importing, "context", fake_context)
    return cli


def run_import(*options: str) -> int:
    """``ozgwiki import --dry-run --catalogue <sample>``, parsed like the CLI, this command only."""
    from ozgwiki.catalogue import sample_path
    from ozgwiki.commands import importing

    parser = argparse.ArgumentParser(prog="ozgwiki")
    importing.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["import", "--dry-run", "--catalogue", str(sample_path()), *options])
    return int(args.func(args))


@contextmanager
def _no_progress(*_args: Any) -> Iterator[None]:
    yield


def test_import_dry_run_without_a_terminal_prints_what_it_printed_before(
    cli_site: CliWiki, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ozgwiki.commands import importing

    assert run_import() == 1  # the opted-out page needs attention
    now = capsys.readouterr()
    with monkeypatch.context() as m:
        m.setattr(importing, "progress", _no_progress)  # the command as it was: no hook at all
        assert run_import() == 1
        before = capsys.readouterr()
    assert now.err == before.err == ""
    assert now.out == before.out
    assert "--- a/LeiKa 99001001000000\n" in now.out and "\r" not in now.out
    assert [s.diff_out for s in cli_site.sites] == [None, None]  # nothing was wrapped


@pytest.mark.parametrize("options", [("--format", "json"), ("-q",), ("--quiet",)])
def test_json_and_quiet_print_no_progress_even_on_a_terminal(
    options: tuple[str, ...], cli_site: CliWiki, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    monkeypatch.setattr(_progress, "INTERVAL", 0.0)  # would draw on every page
    run_import(*options)
    assert tty.getvalue() == ""


def test_import_dry_run_on_a_terminal_shows_progress_on_stderr_only(
    cli_site: CliWiki, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run_import()
    plain = capsys.readouterr().out
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(_progress, "INTERVAL", 0.0)  # draw on every page: no clock in this test
    run_import()
    assert capsys.readouterr().out == plain  # stdout (a pipe here) is not touched
    pattern = r"\rimport: (\d+)(?:/\d+)? Seiten?(?: · [\d,]+/s)?(?: · noch [^\r]+)? *(?=\r)"
    drawn = re.findall(pattern, tty.getvalue())
    assert [int(n) for n in drawn] == list(range(1, len(drawn) + 1)) and len(drawn) > 300
    assert visible(tty.getvalue()).strip() == "" and "\n" not in tty.getvalue()
    assert [s.diff_out for s in cli_site.sites] == [None, None]  # given back after the run


def test_the_run_command_passes_a_terminal_only_when_someone_watches(monkeypatch: pytest.MonkeyPatch) -> None:
    from ozgwiki.commands import run

    calls: list[dict[str, Any]] = []

    class Report:
        exit_code = 0

    def fake_execute(config: Any, **kwargs: Any) -> Report:
        calls.append(kwargs)
        return Report()

    monkeypatch.setattr(run, "execute", fake_execute)
    monkeypatch.setattr(run, "load", lambda args: CONFIG)
    parser = argparse.ArgumentParser(prog="ozgwiki")
    run.register(parser.add_subparsers(dest="command", required=True))
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    parser.parse_args(["run"]).func(parser.parse_args(["run"]))
    assert set(calls[-1]) == {"steps", "dry_run", "fmt", "log_file"}  # cron: the call as before
    monkeypatch.setattr(sys, "stderr", FakeTTY())
    monkeypatch.setenv("TERM", "xterm")
    for argv in (["run", "-q"], ["run", "--format", "json"]):
        parser.parse_args(argv).func(parser.parse_args(argv))
        assert "progress" not in calls[-1]
    parser.parse_args(["run"]).func(parser.parse_args(["run"]))
    hook = calls[-1]["progress"]("import")
    assert isinstance(hook, LineProgress) and hook.label == "import"
