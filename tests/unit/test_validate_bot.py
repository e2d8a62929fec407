"""The validate bot's run logic on the fake wiki: which pages, state, when the report page is saved.

The bot runs on the real site client over the in-memory wiki of tests/fakewiki.py; editors write,
delete and move pages there, and its recent changes, transclusions and log are the wiki's own. The
real wiki is exercised in tests/integration/test_validate_wiki.py.
"""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fakewiki import FakeWiki

from ozgwiki.bots import validate
from ozgwiki.commands.validate import parse_since, print_result
from ozgwiki.domain.model import Catalogue, LeikaLeistung
from ozgwiki.engine.bot import BotContext
from ozgwiki.errors import ReportNotPublished
from ozgwiki.wiki.site import Site

KNOWN = "99012001001000"
UNKNOWN = "99012001001009"
REPORT = "OZG-Wiki:LeiKa-Schlüsselprüfung"
ContextFactory = Callable[..., BotContext]  # the ``context`` fixture (tests/unit/conftest.py)
#: The catalogue of these runs: one known key.
CATALOGUE = Catalogue(leika_leistungen=(LeikaLeistung(schluessel=KNOWN, bezeichnung="Abbruch"),))  # type: ignore[call-arg]


@pytest.fixture
def wiki() -> Iterator[FakeWiki]:
    """A wiki named OZG-Wiki (its project namespace) whose clock starts in 2099."""
    with FakeWiki(start="2099-01-01T00:00:00Z", sitename="OZG-Wiki").running() as wiki:
        yield wiki
    # Every listing of changes the bot made asked for deletions and moves too, with their targets.
    listings = [c.params for c in wiki.requests_of("recentchanges") if c.params.get("rcdir") == "newer"]
    assert all(p["rctype"] == "edit|new|log" and "loginfo" in p["rcprop"].split("|") for p in listings)


@pytest.fixture
def site(wiki: FakeWiki) -> Site:
    return wiki.site(diff_out=io.StringIO())


@pytest.fixture
def ctx(site: Site, context: ContextFactory) -> BotContext:
    return context(site, catalogue=CATALOGUE)


def steckbrief(key: str) -> str:
    return f"{{{{Steckbrief\n|LeiKa-Schlüssel={key}\n}}}}\n"


def findings(result: Any) -> list[tuple[str, str]]:
    return [(f["page"], f["key"]) for f in result.data["findings"]]


def state(tmp_path: Path) -> dict[str, Any]:
    return json.loads((tmp_path / "state" / "validate.json").read_text(encoding="utf-8"))


def test_first_run_scans_everything_then_only_changes(
    wiki: FakeWiki, ctx: BotContext, tmp_path: Path
) -> None:
    wiki.edit_as("Steckbrief A", steckbrief(UNKNOWN))
    wiki.edit_as("Steckbrief B", steckbrief(KNOWN))
    first = validate.run(ctx)
    assert first.data["mode"] == "full" and first.exit_code == 1
    assert findings(first) == [("Steckbrief A", UNKNOWN)]
    assert REPORT in wiki.saves()
    assert state(tmp_path)["position"]["rcid"] == 2  # the head before the scan, not the bot's own edit

    wiki.edit_as("Steckbrief B", steckbrief("99 012"))
    second = validate.run(ctx)
    assert second.data["mode"] == "incremental" and second.data["checked"] == 1
    assert findings(second) == [("Steckbrief A", UNKNOWN), ("Steckbrief B", "99 012")]


def test_deleted_page_and_fixed_finding_drop_out(wiki: FakeWiki, ctx: BotContext) -> None:
    wiki.edit_as("Steckbrief A", steckbrief(UNKNOWN))
    wiki.edit_as("Steckbrief B", steckbrief(UNKNOWN))
    validate.run(ctx)
    wiki.delete("Steckbrief A")
    wiki.edit_as("Steckbrief B", steckbrief(KNOWN))
    result = validate.run(ctx)
    assert findings(result) == [] and result.exit_code == 0
    assert "keine Funde" in (wiki.text(REPORT) or "")


def test_a_moved_page_is_checked_under_its_new_title(wiki: FakeWiki, ctx: BotContext) -> None:
    wiki.edit_as("Steckbrief A", steckbrief(UNKNOWN))
    validate.run(ctx)
    wiki.move("Steckbrief A", "Steckbrief Neu")
    result = validate.run(ctx)
    assert result.data["mode"] == "incremental"
    assert findings(result) == [("Steckbrief Neu", UNKNOWN)]


def test_bot_edits_are_ignored_and_keep_their_findings(wiki: FakeWiki, ctx: BotContext) -> None:
    wiki.edit_as("Steckbrief A", steckbrief(UNKNOWN))
    validate.run(ctx)
    wiki.edit_as("Steckbrief A", steckbrief(UNKNOWN) + "{{LeiKa|kaputt}}", user="OzgBot")
    result = validate.run(ctx)
    assert result.data["checked"] == 0
    assert findings(result) == [("Steckbrief A", UNKNOWN)]


def test_idle_run_saves_nothing(wiki: FakeWiki, ctx: BotContext) -> None:
    wiki.edit_as("Steckbrief A", steckbrief(UNKNOWN))
    validate.run(ctx)
    saved = len(wiki.saves())
    sent = len(wiki.requests_of("edit"))
    result = validate.run(ctx)
    assert len(wiki.saves()) == saved and result.report.edits == 0
    assert len(wiki.requests_of("edit")) == sent


def test_state_is_kept_when_the_report_page_is_not_saved(
    wiki: FakeWiki, ctx: BotContext, tmp_path: Path
) -> None:
    wiki.edit_as("Steckbrief A", steckbrief(UNKNOWN))
    wiki.refuse(REPORT, "abusefilter-disallowed")
    with pytest.raises(ReportNotPublished, match="could not be saved") as failed:
        validate.run(ctx)
    assert failed.value.exit_code == 2  # findings nobody sees are no "success" for a scheduler
    assert not (tmp_path / "state" / "validate.json").exists()
    del wiki.refusals[REPORT]
    assert validate.run(ctx).data["mode"] == "full"  # nothing was remembered


def test_dry_run_writes_no_state(wiki: FakeWiki, site: Site, ctx: BotContext, tmp_path: Path) -> None:
    wiki.edit_as("Steckbrief A", steckbrief(UNKNOWN))
    site.dry_run = True
    validate.run(ctx)
    assert not (tmp_path / "state" / "validate.json").exists()
    assert wiki.requests_of("edit") == []


def test_corrupt_state_means_full_rescan(wiki: FakeWiki, ctx: BotContext, tmp_path: Path) -> None:
    wiki.edit_as("Steckbrief A", steckbrief(UNKNOWN))
    validate.run(ctx)
    (tmp_path / "state" / "validate.json").write_text('{"pages": [', encoding="utf-8")
    result = validate.run(ctx)
    assert result.data["mode"] == "full"
    assert findings(result) == [("Steckbrief A", UNKNOWN)]
    assert (tmp_path / "state" / "validate.json.corrupt").exists()
    assert state(tmp_path)["version"] == validate.STATE_VERSION


def test_changed_catalogue_means_full_rescan(wiki: FakeWiki, ctx: BotContext) -> None:
    wiki.edit_as("Steckbrief A", steckbrief(UNKNOWN))
    validate.run(ctx)
    bigger = Catalogue(
        leika_leistungen=(
            LeikaLeistung(schluessel=KNOWN, bezeichnung="a"),  # type: ignore[call-arg]
            LeikaLeistung(schluessel=UNKNOWN, bezeichnung="b"),  # type: ignore[call-arg]
        )
    )
    ctx2 = BotContext(ctx.config, ctx.site, ctx.bot_user, lambda: bigger)
    result = validate.run(ctx2)
    assert result.data["mode"] == "full" and findings(result) == []


def test_since_checks_a_window_and_keeps_the_position(
    wiki: FakeWiki, ctx: BotContext, tmp_path: Path
) -> None:
    wiki.edit_as("Steckbrief A", steckbrief(UNKNOWN))
    validate.run(ctx)
    position = state(tmp_path)["position"]
    wiki.edit_as("Steckbrief B", steckbrief(UNKNOWN))
    result = validate.run(ctx, since=datetime(2099, 1, 1, tzinfo=UTC))
    assert result.data["mode"] == "since"
    assert findings(result) == [("Steckbrief A", UNKNOWN), ("Steckbrief B", UNKNOWN)]
    assert state(tmp_path)["position"] == position


def test_catalogue_pages_are_not_editor_content(wiki: FakeWiki, ctx: BotContext) -> None:
    wiki.edit_as("LeiKa 99012001001009", "{{LeiKa-Leistung\n|Schlüssel=99012001001009\n}}")
    wiki.edit_as("OZG-Leistung 10513", "{{OZG-Leistung\n|LeiKa-Schlüssel=99012001001009\n}}")
    assert findings(validate.run(ctx)) == []


def test_fix_format_edits_through_the_engine_and_rechecks(wiki: FakeWiki, ctx: BotContext) -> None:
    wiki.edit_as("Steckbrief A", "Vorher\n" + steckbrief("99 012 001 001 000") + "Nachher  \nEnde")
    result = validate.run(ctx, fix=True)
    assert wiki.text("Steckbrief A") == "Vorher\n" + steckbrief(KNOWN) + "Nachher  \nEnde"
    assert findings(result) == []
    assert result.data["fixed"] == [{"page": "Steckbrief A", "keys": ["99 012 001 001 000"]}]


def test_fix_format_stops_at_the_checkpoint_like_every_engine_run(wiki: FakeWiki, ctx: BotContext) -> None:
    """The cron job's deadline is checked before each page the fix edits, not only before the report."""

    class Stop(Exception):
        pass

    calls: list[int] = []

    def checkpoint() -> None:
        calls.append(1)
        if len(calls) == 3:  # the chunk, page A, then page B
            raise Stop

    wiki.edit_as("Steckbrief A", steckbrief("99 012 001 001 000"))
    wiki.edit_as("Steckbrief B", steckbrief("99012 001 001 000"))
    with pytest.raises(Stop):
        validate.run(dataclasses.replace(ctx, checkpoint=checkpoint), fix=True)
    assert wiki.saves() == ["Steckbrief A"]


def test_without_fix_the_editor_page_is_never_edited(wiki: FakeWiki, ctx: BotContext) -> None:
    wiki.edit_as("Steckbrief A", steckbrief("99 012 001 001 000"))
    result = validate.run(ctx)
    assert wiki.saves() == [REPORT]
    assert [f["status"] for f in result.data["findings"]] == ["format"]


def test_json_lines_output(wiki: FakeWiki, ctx: BotContext, capsys: pytest.CaptureFixture[str]) -> None:
    wiki.edit_as("Steckbrief A", steckbrief(f"{UNKNOWN}, 9901"))
    print_result(validate.run(ctx), "json")
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(x["page"], x["key"], x["status"]) for x in lines] == [
        ("Steckbrief A", UNKNOWN, "unknown"),
        ("Steckbrief A", "9901", "not_a_key"),
    ]
    assert {"message", "suggestion", "template", "parameter", "line"} <= set(lines[0])
    assert err.startswith("validate: 2 Fund(e)")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2d", datetime(2024, 3, 8, 12, 0, tzinfo=UTC)),
        ("12h", datetime(2024, 3, 10, 0, 0, tzinfo=UTC)),
        ("2024-03-01", datetime(2024, 3, 1, tzinfo=UTC)),
        ("2024-03-01T08:00:00Z", datetime(2024, 3, 1, 8, tzinfo=UTC)),
    ],
)
def test_parse_since(value: str, expected: datetime) -> None:
    assert parse_since(value, now=datetime(2024, 3, 10, 12, 0, tzinfo=UTC)) == expected


# --- one setting, both bots -------------------------------------------------------------------------

REGIONAL = "77000000000316"  # 14 digits without 99: valid only with validate.allow_regional


@pytest.mark.parametrize("allowed", [False, True])
def test_validate_and_regenerate_judge_regional_keys_by_the_same_setting(
    wiki: FakeWiki, site: Site, context: ContextFactory, monkeypatch: pytest.MonkeyPatch, allowed: bool
) -> None:
    """``validate.allow_regional`` is read once (ozgwiki.config) into the run's KeyRules: a key the
    maintenance page accepts is exactly a key the regeneration bot carries into the overviews."""
    from ozgwiki.bots import regenerate
    from ozgwiki.render import facts

    ctx = context(site, catalogue=CATALOGUE, raw={"validate": {"allow_regional": allowed}})
    text = steckbrief(f"{KNOWN}, {REGIONAL}")
    wiki.edit_as("Steckbrief R", text)
    reported = findings(validate.run(ctx))

    carried: dict[str, list[str]] = {}

    class Built(Exception):
        pass

    def build(
        _cat: Catalogue, pages: dict[str, str], *, valid_keys: Callable[[str], list[str]], **_rest: Any
    ) -> None:
        carried.update({title: valid_keys(page) for title, page in pages.items()})
        raise Built  # the facts are all this test needs; nothing is rendered or written

    monkeypatch.setattr(regenerate, "_steckbrief_pages", lambda _site: {"Steckbrief R": text})
    monkeypatch.setattr(facts, "build", build)
    with pytest.raises(Built):
        regenerate.run(ctx, mode="static")

    assert ctx.key_rules.allow_regional is allowed
    assert reported == ([] if allowed else [("Steckbrief R", REGIONAL)])
    assert carried == {"Steckbrief R": [KNOWN, REGIONAL] if allowed else [KNOWN]}
