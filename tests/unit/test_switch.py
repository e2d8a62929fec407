"""The on-wiki switch page: the rule, the write guard's reading schedule, and the hook in Site.api()."""

from __future__ import annotations

from typing import Any

import fixtures_smw as fx
import pytest
from fakewiki import FakeWiki

from ozgwiki.engine.switch import (
    BotStopped,
    SwitchReader,
    SwitchReading,
    SwitchState,
    WriteGuard,
    check_seconds,
    decide,
    stop_page_title,
    visible_text,
)
from ozgwiki.errors import ConfigError

RUNNING, STOPPED, NOT_SET_UP = SwitchState.RUNNING, SwitchState.STOPPED, SwitchState.NOT_SET_UP
SWITCH = "Benutzer:OzgBot/Notaus"

# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    ("exists", "text", "gone_before", "state"),
    [
        pytest.param(True, "an", False, RUNNING, id="an"),
        pytest.param(True, "AN\n", False, RUNNING, id="an-any-case-and-space"),
        pytest.param(True, "an\n<!-- Anleitung: aus schreiben -->", False, RUNNING, id="an-with-comment"),
        pytest.param(True, "<!-- x -->\n  an  \n<!-- y", False, RUNNING, id="an-unclosed-comment"),
        pytest.param(True, "aus", False, STOPPED, id="aus"),
        pytest.param(True, "Stop!", False, STOPPED, id="stop"),
        pytest.param(True, "an aus", False, STOPPED, id="an-and-more"),
        pytest.param(True, "aus\nan", False, STOPPED, id="two-lines"),
        pytest.param(True, "", False, STOPPED, id="blanked"),
        pytest.param(True, "<!-- an -->", False, STOPPED, id="only-a-comment"),
        pytest.param(True, "läuft", False, STOPPED, id="other-words-do-not-count"),
        pytest.param(True, "#WEITERLEITUNG [[Benutzer:OzgBot/Notaus2]]", False, STOPPED, id="redirect"),
        pytest.param(False, "", False, NOT_SET_UP, id="missing-never-existed"),
        pytest.param(False, "", True, STOPPED, id="missing-after-delete-or-move"),
    ],
)
def test_rule(exists: bool, text: str, gone_before: bool, state: SwitchState) -> None:
    reading = decide(exists=exists, text=text, gone_before=gone_before)
    assert reading.state is state
    assert reading.allows_writes is (state is not STOPPED)
    assert reading.reason


def test_reason_quotes_what_the_admin_wrote() -> None:
    assert (
        "„Bitte anhalten, Fehler in Kreis X“"
        in decide(exists=True, text="Bitte anhalten,\nFehler in Kreis X").reason
    )


def test_visible_text_drops_comments() -> None:
    assert visible_text(" <!--a-->an<!--\nb\n-->\n") == "an"


@pytest.mark.parametrize(
    ("section", "title"),
    [
        pytest.param({}, SWITCH, id="default"),
        pytest.param({"stop_page": "Projekt:Bots/Notaus"}, "Projekt:Bots/Notaus", id="configured"),
        pytest.param({"stop_page": "Benutzer:{bot}/Halt"}, "Benutzer:OzgBot/Halt", id="placeholder"),
    ],
)
def test_stop_page_title(section: dict[str, Any], title: str) -> None:
    assert stop_page_title(section, "OzgBot") == title


def test_check_seconds() -> None:
    assert check_seconds({}) == 60
    assert check_seconds({"stop_check_seconds": 0}) == 0
    with pytest.raises(ConfigError):
        check_seconds({"stop_check_seconds": -1})
    with pytest.raises(ConfigError):
        check_seconds({"stop_check_seconds": True})


# ---------------------------------------------------------------- the guard's reading schedule


class Switch:
    """A switch page whose reading the test sets; counts how often it was read."""

    def __init__(self, text: str = "an") -> None:
        self.text: str | None = text
        self.reads = 0

    def read(self) -> SwitchReading:
        self.reads += 1
        return decide(exists=self.text is not None, text=self.text or "")


def guard_for(switch: Switch, t: fx.FakeTime, interval: float = 60) -> WriteGuard:
    return WriteGuard(switch.read, title=SWITCH, interval=interval, clock=t.clock)


def test_guard_reads_on_first_write_only() -> None:
    switch, t = Switch(), fx.FakeTime()
    guard = guard_for(switch, t)
    assert switch.reads == 0
    guard("edit")
    assert switch.reads == 1


def test_guard_caches_within_interval() -> None:
    switch, t = Switch(), fx.FakeTime()
    guard = guard_for(switch, t)
    for _ in range(5):
        guard("edit")
        t.now += 11  # 44 s after the first reading at most
    assert switch.reads == 1


def test_guard_rereads_after_interval_and_stops_mid_run() -> None:
    switch, t = Switch(), fx.FakeTime()
    guard = guard_for(switch, t)
    guard("edit")
    switch.text = "aus"
    t.now += 59.9
    guard("edit")  # still the cached "an": at most 60 s late, as documented
    t.now += 0.1
    with pytest.raises(BotStopped, match=r"\[\[Benutzer:OzgBot/Notaus\]\].*„aus“.*action=purge") as exc:
        guard("purge")
    assert exc.value.exit_code == 3
    assert switch.reads == 2


def test_guard_stop_is_sticky() -> None:
    switch, t = Switch("aus"), fx.FakeTime()
    guard = guard_for(switch, t)
    with pytest.raises(BotStopped):
        guard("edit")
    switch.text = "an"
    t.now += 3600
    with pytest.raises(BotStopped):
        guard("edit")
    assert switch.reads == 1


def test_guard_interval_zero_reads_every_time() -> None:
    switch, t = Switch(), fx.FakeTime()
    guard = guard_for(switch, t, interval=0)
    guard("edit")
    guard("edit")
    assert switch.reads == 2


def test_guard_runs_extra_checks_first() -> None:
    switch, t = Switch(), fx.FakeTime()

    class Late(Exception):
        pass

    def deadline() -> None:
        raise Late

    guard = WriteGuard(switch.read, title=SWITCH, clock=t.clock, extra_checks=(deadline,))
    with pytest.raises(Late):
        guard("edit")


# ---------------------------------------------------------------- reading the page, the hook in Site


def history(wiki: FakeWiki, pages: dict[str, str], log_types: tuple[str, ...]) -> None:
    """The wiki as an admin left it: ``pages``, and before that the switch page's log entries of
    ``log_types`` (``delete`` and ``move``: the page existed and is gone now)."""
    for kind in log_types:
        if kind in ("delete", "move"):
            wiki.edit_as(SWITCH, "an", "Admin")
        if kind == "delete":
            wiki.delete(SWITCH)
        elif kind == "move":
            wiki.move(SWITCH, f"{SWITCH} (alt)")
        else:
            wiki.add_log(kind, SWITCH)
    wiki.seed(pages, user="Admin")


@pytest.mark.parametrize(
    ("pages", "log_types", "state"),
    [
        pytest.param({SWITCH: "an\n<!-- Anleitung -->"}, (), RUNNING, id="an"),
        pytest.param({SWITCH: "aus"}, (), STOPPED, id="aus"),
        pytest.param({}, (), NOT_SET_UP, id="missing"),
        pytest.param({}, ("delete",), STOPPED, id="deleted"),
        pytest.param({}, ("move",), STOPPED, id="moved-away"),
        pytest.param({}, ("protect",), NOT_SET_UP, id="other-log-entries-do-not-count"),
    ],
)
def test_reader(fake_wiki: FakeWiki, pages, log_types, state) -> None:
    history(fake_wiki, pages, log_types)
    assert SwitchReader(fake_wiki.site(), SWITCH).read().state is state


@pytest.mark.parametrize(("pages", "asked"), [({}, 1), ({SWITCH: "an"}, 0)], ids=["missing", "exists"])
def test_reader_asks_the_log_only_about_a_missing_page_in_one_request(
    fake_wiki: FakeWiki, pages, asked
) -> None:
    history(fake_wiki, pages, ("delete",))
    SwitchReader(fake_wiki.site(), SWITCH).read()
    sent = [c.params for c in fake_wiki.requests_of("logevents")]
    assert [(p["letitle"], p["leprop"], p["lelimit"]) for p in sent] == [
        (SWITCH, "type|timestamp", "50")
    ] * asked


def test_site_hook_refuses_edit_before_it_is_sent(fake_wiki: FakeWiki) -> None:
    fake_wiki.seed({SWITCH: "an", "Baugenehmigung": "alt"}, user="Admin")
    site, t = fake_wiki.site(), fx.FakeTime()
    guard = WriteGuard(SwitchReader(site, SWITCH).read, title=SWITCH, clock=t.clock)
    site.write_guard = guard
    assert site.edit("Baugenehmigung", lambda _: "neu", "Test").outcome.value == "changed"
    assert len(fake_wiki.requests_of("edit")) == 1 and fake_wiki.text("Baugenehmigung") == "neu"

    fake_wiki.edit_as(SWITCH, "aus", "Admin")  # an admin pulls the switch
    t.now += 60
    with pytest.raises(BotStopped):
        site.edit("Baugenehmigung", lambda _: "neuer", "Test")
    assert len(fake_wiki.requests_of("edit")) == 1, "no edit request may leave while the switch is off"
    with pytest.raises(BotStopped):
        site.purge(["Baugenehmigung"])
    assert fake_wiki.requests_of("purge") == [] and fake_wiki.text("Baugenehmigung") == "neu"


def test_site_hook_sees_only_writes(fake_wiki: FakeWiki) -> None:
    fake_wiki.seed({"Baugenehmigung": "alt"})
    site = fake_wiki.site()
    calls: list[str] = []
    site.write_guard = calls.append
    site.read_pages(["Baugenehmigung"])
    site.token()
    assert calls == []
    assert site.edit("Baugenehmigung", lambda _: "neu", "Test").outcome.value == "changed"
    assert calls == ["edit"]


def test_site_hook_not_called_in_dry_run(fake_wiki: FakeWiki) -> None:
    import io

    fake_wiki.seed({"Baugenehmigung": "alt"})
    site = fake_wiki.site(dry_run=True, diff_out=io.StringIO())
    calls: list[str] = []
    site.write_guard = calls.append
    assert site.edit("Baugenehmigung", lambda _: "neu", "Test").dry_run
    assert calls == [] and fake_wiki.requests_of("edit") == []
