"""The validate bot's run logic against an in-memory wiki: which pages, state, when the page is saved.

The fake answers the few queries the bot makes (recentchanges, embeddedin, siteinfo) from a list of
changes and page texts, and saves through the same contract as the real choke point. The real wiki
is exercised in tests/integration/test_validate_wiki.py.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ozgwiki.bots import validate
from ozgwiki.commands.validate import parse_since, print_result
from ozgwiki.config import Config, WikiConfig
from ozgwiki.domain.model import Catalogue, LeikaLeistung
from ozgwiki.engine.bot import BotContext
from ozgwiki.errors import ReportNotPublished
from ozgwiki.wiki.pages import Outcome, PageState, SaveResult, same_after_save
from ozgwiki.wiki.siteinfo import Namespace, SiteInfo

KNOWN = "99012001001000"
UNKNOWN = "99012001001009"
REPORT = "OZG-Wiki:LeiKa-Schlüsselprüfung"


class FakeSite:
    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self.users: dict[str, str] = {}
        self.rc: list[dict[str, Any]] = []
        self.dry_run = False
        self.saved: list[str] = []
        self.fail_report = False
        self.clock = 0
        self.siteinfo = SiteInfo(
            "OZG-Wiki", "MediaWiki 1.39", "de", "first-letter",
            {0: Namespace(0, ""), 4: Namespace(4, "OZG-Wiki", "Project"),
             10: Namespace(10, "Vorlage", "Template")},
        )  # fmt: skip

    def _ts(self) -> str:
        self.clock += 1
        return f"2099-01-01T00:{self.clock // 60:02d}:{self.clock % 60:02d}Z"

    # what editors do
    def write(self, title: str, text: str, user: str = "Redakteurin") -> None:
        kind = "edit" if title in self.pages else "new"
        self.pages[title] = text
        self.users[title] = user
        ns = 4 if title.startswith("OZG-Wiki:") else 0
        self.rc.append(
            {
                "type": kind,
                "title": title,
                "user": user,
                "ns": ns,
                "rcid": len(self.rc) + 1,
                "timestamp": self._ts(),
            }
        )

    def delete(self, title: str) -> None:
        del self.pages[title]
        self.rc.append(
            {
                "type": "log",
                "title": title,
                "user": "Admin",
                "ns": 0,
                "rcid": len(self.rc) + 1,
                "timestamp": self._ts(),
            }
        )

    # the Site contract the bot uses
    def recentchanges(
        self, since: str, *, namespaces: Any, types: str = "edit|new", show: Any = None, props: str = ""
    ) -> Iterator[dict[str, Any]]:
        assert types == "edit|new|log" and "loginfo" in props  # deletions and moves count, with targets
        yield from (e for e in self.rc if e["ns"] in set(namespaces) and e["timestamp"] >= since)

    def newest_change(self, namespaces: Any) -> tuple[dict[str, Any] | None, str | None]:
        entries = [e for e in self.rc if e["ns"] in set(namespaces)]
        return (entries[-1] if entries else None), "2099-01-01T00:00:00Z"

    def embeddedin(self, title: str, *, namespaces: Any = None) -> Iterator[str]:
        name = title.split(":", 1)[1]
        yield from (t for t, text in self.pages.items() if "{{" + name in text and ":" not in t)

    def read_pages(self, titles: list[str]) -> dict[str, PageState]:
        return {
            t: PageState(t, t in self.pages, self.pages.get(t, ""), revid=1, timestamp="2099-01-01T00:00:00Z",
                         user=self.users.get(t), ns=4 if t.startswith("OZG-Wiki:") else 0)
            for t in titles
        }  # fmt: skip

    def edit(
        self,
        title: str,
        transform: Callable[[str], str | None],
        summary: str,
        *,
        page: Any = None,
        minor: bool = False,
        on_base: Callable[[PageState], None] | None = None,
    ) -> SaveResult:
        title = REPORT if title == "Project:LeiKa-Schlüsselprüfung" else title
        if title == REPORT and self.fail_report:
            return SaveResult(title, Outcome.ERROR, message="abusefilter")
        old = self.pages.get(title, "")
        if on_base is not None:
            on_base(PageState(title, title in self.pages, old, revid=1 if title in self.pages else None))
        new = transform(old)
        if new is None:
            return SaveResult(title, Outcome.SKIPPED)
        if same_after_save(old, new):
            return SaveResult(title, Outcome.UNCHANGED)
        if self.dry_run:
            return SaveResult(title, Outcome.CHANGED, dry_run=True)
        existed = title in self.pages
        self.write(title, new, user="OzgBot")
        self.saved.append(title)
        return SaveResult(title, Outcome.CHANGED if existed else Outcome.CREATED, revid=2)


@pytest.fixture
def site() -> FakeSite:
    return FakeSite()


@pytest.fixture
def ctx(site: FakeSite, tmp_path: Path) -> BotContext:
    config = Config(
        WikiConfig(api_url="http://x/api.php", username="OzgBot@ozgwiki"), path=tmp_path / "o.yaml"
    )
    cat = Catalogue(leika_leistungen=(LeikaLeistung(schluessel=KNOWN, bezeichnung="Abbruch"),))  # type: ignore[call-arg]
    return BotContext(config, site, "OzgBot", lambda: cat)  # type: ignore[arg-type]


def steckbrief(key: str) -> str:
    return f"{{{{Steckbrief\n|LeiKa-Schlüssel={key}\n}}}}\n"


def findings(result: Any) -> list[tuple[str, str]]:
    return [(f["page"], f["key"]) for f in result.data["findings"]]


def state(tmp_path: Path) -> dict[str, Any]:
    return json.loads((tmp_path / "state" / "validate.json").read_text(encoding="utf-8"))


def test_first_run_scans_everything_then_only_changes(
    site: FakeSite, ctx: BotContext, tmp_path: Path
) -> None:
    site.write("Steckbrief A", steckbrief(UNKNOWN))
    site.write("Steckbrief B", steckbrief(KNOWN))
    first = validate.run(ctx)
    assert first.data["mode"] == "full" and first.exit_code == 1
    assert findings(first) == [("Steckbrief A", UNKNOWN)]
    assert REPORT in site.saved
    assert state(tmp_path)["position"]["rcid"] == 2  # the head before the scan, not the bot's own edit

    site.write("Steckbrief B", steckbrief("99 012"))
    second = validate.run(ctx)
    assert second.data["mode"] == "incremental" and second.data["checked"] == 1
    assert findings(second) == [("Steckbrief A", UNKNOWN), ("Steckbrief B", "99 012")]


def test_deleted_page_and_fixed_finding_drop_out(site: FakeSite, ctx: BotContext) -> None:
    site.write("Steckbrief A", steckbrief(UNKNOWN))
    site.write("Steckbrief B", steckbrief(UNKNOWN))
    validate.run(ctx)
    site.delete("Steckbrief A")
    site.write("Steckbrief B", steckbrief(KNOWN))
    result = validate.run(ctx)
    assert findings(result) == [] and result.exit_code == 0
    assert "keine Funde" in site.pages[REPORT]


def test_bot_edits_are_ignored_and_keep_their_findings(site: FakeSite, ctx: BotContext) -> None:
    site.write("Steckbrief A", steckbrief(UNKNOWN))
    validate.run(ctx)
    site.write("Steckbrief A", steckbrief(UNKNOWN) + "{{LeiKa|kaputt}}", user="OzgBot")
    result = validate.run(ctx)
    assert result.data["checked"] == 0
    assert findings(result) == [("Steckbrief A", UNKNOWN)]


def test_idle_run_saves_nothing(site: FakeSite, ctx: BotContext) -> None:
    site.write("Steckbrief A", steckbrief(UNKNOWN))
    validate.run(ctx)
    saved = len(site.saved)
    result = validate.run(ctx)
    assert len(site.saved) == saved and result.report.edits == 0


def test_state_is_kept_when_the_report_page_is_not_saved(
    site: FakeSite, ctx: BotContext, tmp_path: Path
) -> None:
    site.write("Steckbrief A", steckbrief(UNKNOWN))
    site.fail_report = True
    with pytest.raises(ReportNotPublished, match="could not be saved") as failed:
        validate.run(ctx)
    assert failed.value.exit_code == 2  # findings nobody sees are no "success" for a scheduler
    assert not (tmp_path / "state" / "validate.json").exists()
    site.fail_report = False
    assert validate.run(ctx).data["mode"] == "full"  # nothing was remembered


def test_dry_run_writes_no_state(site: FakeSite, ctx: BotContext, tmp_path: Path) -> None:
    site.write("Steckbrief A", steckbrief(UNKNOWN))
    site.dry_run = True
    validate.run(ctx)
    assert not (tmp_path / "state" / "validate.json").exists()


def test_corrupt_state_means_full_rescan(site: FakeSite, ctx: BotContext, tmp_path: Path) -> None:
    site.write("Steckbrief A", steckbrief(UNKNOWN))
    validate.run(ctx)
    (tmp_path / "state" / "validate.json").write_text('{"pages": [', encoding="utf-8")
    result = validate.run(ctx)
    assert result.data["mode"] == "full"
    assert findings(result) == [("Steckbrief A", UNKNOWN)]
    assert (tmp_path / "state" / "validate.json.corrupt").exists()
    assert state(tmp_path)["version"] == validate.STATE_VERSION


def test_changed_catalogue_means_full_rescan(site: FakeSite, ctx: BotContext, tmp_path: Path) -> None:
    site.write("Steckbrief A", steckbrief(UNKNOWN))
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
    site: FakeSite, ctx: BotContext, tmp_path: Path
) -> None:
    site.write("Steckbrief A", steckbrief(UNKNOWN))
    validate.run(ctx)
    position = state(tmp_path)["position"]
    site.write("Steckbrief B", steckbrief(UNKNOWN))
    result = validate.run(ctx, since=datetime(2099, 1, 1, tzinfo=UTC))
    assert result.data["mode"] == "since"
    assert findings(result) == [("Steckbrief A", UNKNOWN), ("Steckbrief B", UNKNOWN)]
    assert state(tmp_path)["position"] == position


def test_catalogue_pages_are_not_editor_content(site: FakeSite, ctx: BotContext) -> None:
    site.write("LeiKa 99012001001009", "{{LeiKa-Leistung\n|Schlüssel=99012001001009\n}}")
    site.write("OZG-Leistung 10513", "{{OZG-Leistung\n|LeiKa-Schlüssel=99012001001009\n}}")
    assert findings(validate.run(ctx)) == []


def test_fix_format_edits_through_the_engine_and_rechecks(site: FakeSite, ctx: BotContext) -> None:
    site.write("Steckbrief A", "Vorher\n" + steckbrief("99 012 001 001 000") + "Nachher  ")
    result = validate.run(ctx, fix=True)
    assert site.pages["Steckbrief A"] == "Vorher\n" + steckbrief(KNOWN) + "Nachher  "
    assert findings(result) == []
    assert result.data["fixed"] == [{"page": "Steckbrief A", "keys": ["99 012 001 001 000"]}]


def test_fix_format_stops_at_the_checkpoint_like_every_engine_run(site: FakeSite, ctx: BotContext) -> None:
    """The cron job's deadline is checked before each page the fix edits, not only before the report."""

    class Stop(Exception):
        pass

    calls: list[int] = []

    def checkpoint() -> None:
        calls.append(1)
        if len(calls) == 3:  # the chunk, page A, then page B
            raise Stop

    site.write("Steckbrief A", steckbrief("99 012 001 001 000"))
    site.write("Steckbrief B", steckbrief("99012 001 001 000"))
    with pytest.raises(Stop):
        validate.run(dataclasses.replace(ctx, checkpoint=checkpoint), fix=True)
    assert site.saved == ["Steckbrief A"]


def test_without_fix_the_editor_page_is_never_edited(site: FakeSite, ctx: BotContext) -> None:
    site.write("Steckbrief A", steckbrief("99 012 001 001 000"))
    result = validate.run(ctx)
    assert site.saved == [REPORT]
    assert [f["status"] for f in result.data["findings"]] == ["format"]


def test_json_lines_output(site: FakeSite, ctx: BotContext, capsys: pytest.CaptureFixture[str]) -> None:
    site.write("Steckbrief A", steckbrief(f"{UNKNOWN}, 9901"))
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
    site: FakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, allowed: bool
) -> None:
    """``validate.allow_regional`` is read once (ozgwiki.config) into the run's KeyRules: a key the
    maintenance page accepts is exactly a key the regeneration bot carries into the overviews."""
    from ozgwiki.bots import regenerate
    from ozgwiki.render import facts

    config = Config(
        WikiConfig(api_url="http://x/api.php", username="OzgBot@ozgwiki"),
        path=tmp_path / "o.yaml",
        raw={"validate": {"allow_regional": allowed}},
    )
    cat = Catalogue(leika_leistungen=(LeikaLeistung(schluessel=KNOWN, bezeichnung="Abbruch"),))  # type: ignore[call-arg]
    ctx = BotContext(config, site, "OzgBot", lambda: cat)  # type: ignore[arg-type]
    text = steckbrief(f"{KNOWN}, {REGIONAL}")
    site.write("Steckbrief R", text)
    reported = findings(validate.run(ctx))

    carried: dict[str, list[str]] = {}

    class Built(Exception):
        pass

    def build(_cat: Catalogue, pages: dict[str, str], *, valid_keys: Callable[[str], list[str]]) -> None:
        carried.update({title: valid_keys(page) for title, page in pages.items()})
        raise Built  # the facts are all this test needs; nothing is rendered or written

    monkeypatch.setattr(regenerate, "_steckbrief_pages", lambda _site: {"Steckbrief R": text})
    monkeypatch.setattr(facts, "build", build)
    with pytest.raises(Built):
        regenerate.run(ctx, mode="static")

    assert ctx.key_rules.allow_regional is allowed
    assert reported == ([] if allowed else [("Steckbrief R", REGIONAL)])
    assert carried == {"Steckbrief R": [KNOWN, REGIONAL] if allowed else [KNOWN]}
