"""The import bot without a wiki: golden page edits, the catalogue diff, a whole run on a fake site.

Golden cases live in ``tests/golden/import/<case>/``: ``before.wiki`` (the page as an editor left it),
``after.wiki`` (hand-written expectation, compared as bytes) and ``case.yaml``: ``page`` (a title of
the sample catalogue's plans) or ``retire`` (a key that left the catalogue), the expected edit
``summary`` and the expected catalogue ``delta`` (+ ``fields``), or ``error`` for a refused page.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ozgwiki.bots import importer
from ozgwiki.bots.importer import CatalogueDiff, Delta, ImportItem, examine
from ozgwiki.catalogue import load
from ozgwiki.config import Config, WikiConfig
from ozgwiki.domain.model import Catalogue
from ozgwiki.engine.bot import BotContext
from ozgwiki.engine.sync import Outcome
from ozgwiki.errors import ConfigError, PageTextError, SafetyRailError
from ozgwiki.render.plans import PagePlan, plan_pages
from ozgwiki.wiki.listings import Revision
from ozgwiki.wiki.pages import PageState, SaveResult, same_after_save

CONFIG = Config(WikiConfig("http://wiki.invalid/w/api.php", "OzgBot@ozgwiki"))

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "import"
CASES = sorted(p for p in GOLDEN.iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def sample() -> Catalogue:
    return load()


@pytest.fixture(scope="module")
def plans(sample: Catalogue) -> dict[str, PagePlan]:
    return {p.title: p for p in plan_pages(sample)}


def _item(case: dict[str, Any], plans: dict[str, PagePlan]) -> ImportItem:
    if "retire" in case:
        return ImportItem.retire(str(case["retire"]))
    return ImportItem.from_plan(plans[case["page"]])


def test_there_are_enough_golden_cases() -> None:
    assert len(CASES) >= 8


@pytest.mark.parametrize("case_dir", CASES, ids=[p.name for p in CASES])
def test_golden(case_dir: Path, plans: dict[str, PagePlan]) -> None:
    case = yaml.safe_load((case_dir / "case.yaml").read_text(encoding="utf-8"))
    before = (case_dir / "before.wiki").read_bytes().decode("utf-8")
    item = _item(case, plans)
    if "error" in case:
        with pytest.raises(PageTextError, match=case["error"]):
            item.transform(before)
        return
    after = (case_dir / "after.wiki").read_bytes().decode("utf-8")

    assert item.transform(before) == after
    assert item.transform(after) == after  # the next run changes nothing
    seen = examine(before, bool(before), item.template, item.params)
    assert item.summary(seen) == case["summary"]
    delta = item.delta(seen)
    if case["delta"] is None:
        assert delta is None
    else:
        assert delta == (Delta(case["delta"]), tuple(case.get("fields", ())))


# -- the catalogue diff, derived from one page's before/after ----------------------------------------


def _leika(plans: dict[str, PagePlan], **changes: str) -> str:
    plan = plans["LeiKa 99012001001000"]
    item = ImportItem.from_plan(plan)
    values = {**plan.params, **changes}
    return ImportItem(item.title, item.kind, item.template, values, item.order, item.key).transform("")


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        pytest.param({}, None, id="unchanged"),
        pytest.param({"Typ": "2/3"}, (Delta.CHANGED, ("Typ",)), id="one-field"),
        pytest.param(
            {"Bezeichnung": "x", "OZG-ID": ""}, (Delta.CHANGED, ("Bezeichnung", "OZG-ID")), id="two-fields"
        ),
        pytest.param({"Status": "ausgemustert"}, (Delta.NEW, ()), id="reactivated"),
        pytest.param({"Status": "ausgemustert", "Typ": "1"}, (Delta.NEW, ()), id="reactivated-and-changed"),
        pytest.param({"Status": ""}, None, id="status-filled-in-is-no-catalogue-change"),
    ],
)
def test_delta_of_a_catalogue_key(
    plans: dict[str, PagePlan], before: dict[str, str], expected: tuple[Delta, tuple[str, ...]] | None
) -> None:
    item = ImportItem.from_plan(plans["LeiKa 99012001001000"])
    text = _leika(plans, **before)
    assert item.delta(examine(text, True, item.template, item.params)) == expected


def test_delta_of_a_missing_page_is_a_new_key(plans: dict[str, PagePlan]) -> None:
    item = ImportItem.from_plan(plans["LeiKa 99012001001000"])
    assert item.delta(examine("", False, item.template, item.params)) == (Delta.NEW, ())


def test_delta_of_retiring(plans: dict[str, PagePlan]) -> None:
    item = ImportItem.retire("99012001001000")
    active = _leika(plans)
    assert item.delta(examine(active, True, item.template, item.params)) == (Delta.RETIRED, ())
    retired = _leika(plans, Status="ausgemustert")
    assert item.delta(examine(retired, True, item.template, item.params)) is None


def test_non_leika_pages_have_no_delta(plans: dict[str, PagePlan]) -> None:
    item = ImportItem.from_plan(plans["OZG-Leistung 10513"])
    assert item.delta(examine("", False, item.template, item.params)) is None


def test_escaped_and_unescaped_spelling_is_the_same_value() -> None:
    text = "{{OZG-Leistung\n| Lage = Bauen & Immobilien\n}}"
    seen = examine(text, True, "OZG-Leistung", {"Lage": "Bauen & Immobilien"})
    assert (seen.rewritten, seen.changed) == (("Lage",), ())


def test_diff_text_is_cut_for_big_runs() -> None:
    diff = CatalogueDiff()
    for i in range(25):
        diff.add(f"990120010{i:05d}", Delta.NEW)
    diff.add("99012001001000", Delta.CHANGED, ["Bezeichnung", "Typ"])
    lines = diff.lines(limit=3)
    assert lines[0] == "Katalog: 25 neu, 1 geändert, 0 ausgemustert"
    assert lines[1] == "  neu: 99012001000000, 99012001000001, 99012001000002 … und 22 weitere"
    assert lines[2] == "  geändert: 99012001001000 (Bezeichnung, Typ)"
    assert CatalogueDiff().lines() == ["Katalog: keine Änderungen seit dem letzten Import"]
    assert diff.as_dict()["changed"] == {"99012001001000": ["Bezeichnung", "Typ"]}


def test_control_character_in_the_catalogue_is_refused_not_written() -> None:
    item = ImportItem("Lage X", "Lage", "Lage", {"Name": "X\x01"}, ("Name",))
    with pytest.raises(PageTextError, match="nicht speicherbar"):
        item.transform("")


def test_existing_keys_without_plan_are_retired_after_the_plans(plans: dict[str, PagePlan]) -> None:
    items = importer.import_items(
        list(plans.values()), ["99012001001000", "99000000000002", "99000000000001"]
    )
    assert [i.title for i in items if i.retire_only] == ["LeiKa 99000000000001", "LeiKa 99000000000002"]
    assert len(items) == len(plans) + 2


# -- a whole run on a fake site ----------------------------------------------------------------------


class FakeStats:
    def __init__(self) -> None:
        self.edits_sent = 0

    def summary(self) -> str:
        return f"{self.edits_sent} edits"


class FakeSite:
    """Pages in a dict, with the site client's contract for read_pages / edit / allpages / revisions."""

    def __init__(self, pages: dict[str, str] | None = None, *, dry_run: bool = False) -> None:
        self.pages = dict(pages or {})
        self.dry_run = dry_run
        self.stats = FakeStats()
        self.reads: list[list[str]] = []
        self.summaries: dict[str, str] = {}
        self.history: dict[str, list[tuple[int, str]]] = {}  # title -> the bot's revisions (id, text)
        self.saved_meanwhile: dict[str, str] = {}  # title -> someone else's save between read and save
        self.revid = 100

    def revisions(self, title: str, *, user: str | None = None, limit: int = 1) -> list[Revision]:
        """The bot's own last revisions of one page, newest first."""
        assert user == "OzgBot"
        return [Revision(r, t) for r, t in self.history.get(title, [])[::-1][:limit]]

    def allpages(self, prefix: str = "", *, namespace: int = 0) -> Iterator[str]:
        assert namespace == 0
        yield from sorted(t for t in self.pages if t.startswith(prefix))

    def read_pages(self, titles: list[str]) -> dict[str, PageState]:
        self.reads.append(list(titles))
        return {t: PageState(t, t in self.pages, self.pages.get(t, ""), revid=1) for t in titles}

    def edit(
        self,
        title: str,
        transform: Callable[[str], str | None],
        summary: str | Callable[[str], str],
        *,
        page: Any,
        minor: bool,
        on_base: Callable[[PageState], None],
    ) -> SaveResult:
        if title in self.saved_meanwhile:  # the first save conflicts: re-read and re-apply, as Site.edit
            on_base(page)
            transform(page.text)
            self.pages[title] = self.saved_meanwhile.pop(title)
            page = PageState(title, True, self.pages[title], revid=50)
        on_base(page)
        new = transform(page.text)
        if new is None:
            return SaveResult(title, Outcome.SKIPPED)
        if same_after_save(page.text, new):
            return SaveResult(title, Outcome.UNCHANGED)
        revid = None
        if not self.dry_run:
            self.pages[title] = new
            self.stats.edits_sent += 1
            self.revid += 1
            revid = self.revid
            self.history.setdefault(title, []).append((revid, new))
        self.summaries[title] = summary(page.text) if callable(summary) else summary
        return SaveResult(
            title, Outcome.CHANGED if page.exists else Outcome.CREATED, revid, dry_run=self.dry_run
        )


def _run(
    site: FakeSite, catalogue: Catalogue, chunk: int = 500, *, allow: bool = False, config: Config = CONFIG
) -> importer.StepResult:
    ctx = BotContext(config=config, site=site, bot_user="OzgBot", load_catalogue=lambda: catalogue)  # type: ignore[arg-type]
    return importer.run(ctx, chunk=chunk, allow_mass_retire=allow)


def _without(catalogue: Catalogue, key: str) -> Catalogue:
    return Catalogue(
        themenfelder=catalogue.themenfelder,
        lagen=catalogue.lagen,
        ozg_leistungen=catalogue.ozg_leistungen,
        leika_leistungen=tuple(x for x in catalogue.leika_leistungen if x.schluessel != key),
        kommunen=catalogue.kommunen,
        umsetzungsprojekte=catalogue.umsetzungsprojekte,
    )


def test_first_run_creates_everything_and_second_run_nothing(sample: Catalogue) -> None:
    site = FakeSite()
    first = _run(site, sample, chunk=100)
    assert first.data["counts"]["created"] == 367
    assert len(first.data["diff"]["new"]) == 290
    assert [len(r) for r in site.reads] == [100, 100, 100, 67]  # chunked reads, each page read once
    assert site.summaries["LeiKa 99012001001000"] == "Bot: LeiKa-Leistung aus dem OZG-Katalog angelegt"
    assert first.exit_code == 0

    site.summaries.clear()
    second = _run(site, sample)
    assert second.data["counts"]["unchanged"] == 367 and second.report.edits == 0
    assert second.data["diff"] == {"new": [], "changed": {}, "retired": [], "reverted": {}}
    assert site.summaries == {}


def test_removed_key_is_retired_and_comes_back_as_new(sample: Catalogue) -> None:
    site = FakeSite()
    _run(site, sample)
    gone = _run(site, _without(sample, "99012001001000"))
    assert gone.data["diff"]["retired"] == ["99012001001000"]
    assert gone.data["counts"]["retired"] == 1 and gone.data["counts"]["changed"] == 0
    assert "| Status = ausgemustert" in site.pages["LeiKa 99012001001000"]
    assert site.summaries["LeiKa 99012001001000"] == (
        "Bot: LeiKa-Schlüssel nicht mehr im Katalog – als ausgemustert markiert"
    )
    assert _run(site, _without(sample, "99012001001000")).report.edits == 0  # stays retired, no churn

    back = _run(site, sample)
    assert back.data["diff"] == {"new": ["99012001001000"], "changed": {}, "retired": [], "reverted": {}}
    assert "| Status = aktiv" in site.pages["LeiKa 99012001001000"]


def test_dry_run_reports_the_same_diff_and_writes_nothing(sample: Catalogue) -> None:
    site = FakeSite(dry_run=True)
    result = _run(site, sample)
    assert site.pages == {} and site.stats.edits_sent == 0
    assert result.data["counts"]["created"] == 367 and len(result.data["diff"]["new"]) == 290


def test_changed_field_is_in_the_diff_with_its_name(sample: Catalogue) -> None:
    site = FakeSite()
    _run(site, sample)
    title = "LeiKa 99012001001000"
    retyped = tuple(
        dataclasses.replace(x, typ="2") if x.schluessel == "99012001001000" else x
        for x in sample.leika_leistungen
    )
    result = _run(site, dataclasses.replace(sample, leika_leistungen=retyped))
    assert result.data["diff"]["changed"] == {"99012001001000": ["Typ"]}
    assert result.data["diff"]["reverted"] == {}
    assert site.summaries[title] == "Bot: Katalogdaten aktualisiert (Typ)"


def test_an_editors_change_the_import_sets_back_is_no_catalogue_change(sample: Catalogue) -> None:
    site = FakeSite()
    _run(site, sample)
    title = "LeiKa 99012001001000"
    site.pages[title] = site.pages[title].replace("| Typ = 4", "| Typ = 2")  # an editor, not the bot
    result = _run(site, sample)
    assert result.data["diff"]["changed"] == {}
    assert result.data["diff"]["reverted"] == {"99012001001000": ["Typ"]}
    assert "| Typ = 4" in site.pages[title]  # the bot owns the field: set back
    assert site.summaries[title] == "Bot: Katalogdaten aktualisiert (Typ)"
    assert "zurückgesetzt: 99012001001000 (Typ)" in "\n".join(
        importer.CatalogueDiff(**result.data["diff"]).lines()
    )


def test_after_an_edit_conflict_summary_and_diff_describe_the_re_read_page(sample: Catalogue) -> None:
    """Read: missing (a new key). Meanwhile someone creates it with another Typ: the saved edit changes
    the Typ of an existing page, and that is what summary and diff must say."""
    title = "LeiKa 99012001001000"
    done = FakeSite()
    _run(done, sample)
    site = FakeSite()
    site.saved_meanwhile[title] = done.pages[title].replace("| Typ = 4", "| Typ = 2")
    result = _run(site, sample)
    assert "| Typ = 4" in site.pages[title]
    assert site.summaries[title] == "Bot: Katalogdaten aktualisiert (Typ)"
    assert result.data["diff"]["changed"] == {"99012001001000": ["Typ"]}
    assert "99012001001000" not in result.data["diff"]["new"]


def test_opted_out_and_unsafe_pages_need_attention(sample: Catalogue) -> None:
    site = FakeSite(
        {
            "LeiKa 99012001001000": "{{nobots}}\nHier nicht.",
            "OZG-Leistung 10513": "{{OZG-Leistung|Name=a}}\n{{OZG-Leistung|Name=b}}",
        }
    )
    result = _run(site, sample)
    outcomes = {p.title: p.outcome for p in result.report.pages}
    assert outcomes["LeiKa 99012001001000"] is Outcome.OPTED_OUT
    assert outcomes["OZG-Leistung 10513"] is Outcome.SKIPPED
    assert site.pages["LeiKa 99012001001000"] == "{{nobots}}\nHier nicht."
    assert "99012001001000" not in result.data["diff"]["new"]  # nothing was done to it
    assert result.data["counts"]["skipped"] == 2 and result.exit_code == 1


# -- the command ---------------------------------------------------------------------------------------


@pytest.fixture
def cli_site(monkeypatch: pytest.MonkeyPatch) -> FakeSite:
    """``ozgwiki import`` on a fake site: context() is replaced, the catalogue loading is not."""
    from ozgwiki.commands import importing

    site = FakeSite()

    def fake_context(args: Any) -> BotContext:
        site.dry_run = args.dry_run
        return BotContext(config=CONFIG, site=site, bot_user="OzgBot", load_catalogue=lambda: Catalogue())  # type: ignore[arg-type]

    monkeypatch.setattr(importing, "context", fake_context)
    return site


def main(argv: list[str]) -> int:
    """Parse and run like ``ozgwiki.cli.main``, with only this command registered."""
    import argparse

    from ozgwiki.commands import importing

    parser = argparse.ArgumentParser(prog="ozgwiki")
    importing.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_cli_text_output_with_catalogue_override(
    cli_site: FakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    from ozgwiki.catalogue import sample_path

    assert main(["import", "--catalogue", str(sample_path())]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("import: 367 angelegt, 0 geändert,")
    assert out[1] == "Katalog: 290 neu, 0 geändert, 0 ausgemustert"
    assert out[2].startswith("  neu: 99001001000000, ") and out[2].endswith(" … und 270 weitere")
    assert len(cli_site.pages) == 367


def test_cli_json_dry_run(cli_site: FakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from ozgwiki.catalogue import sample_path

    assert main(["import", "--dry-run", "--format", "json", "--catalogue", str(sample_path())]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["step"] == "import" and doc["counts"]["created"] == 367
    assert set(doc["diff"]) == {"new", "changed", "retired", "reverted"} and len(doc["diff"]["new"]) == 290
    assert doc["counts"] == {
        "created": 367, "changed": 0, "unchanged": 0, "retired": 0, "conflicts": 0, "skipped": 0, "errors": 0
    }  # fmt: skip
    assert cli_site.pages == {}


def test_checkpoint_before_each_chunk_and_page_can_stop_the_run(sample: Catalogue) -> None:
    class Stop(Exception):
        pass

    calls = 0

    def checkpoint() -> None:
        nonlocal calls
        calls += 1
        if calls > 5:
            raise Stop

    site = FakeSite()
    ctx = BotContext(
        config=CONFIG, site=site, bot_user="OzgBot", load_catalogue=lambda: sample, checkpoint=checkpoint
    )  # type: ignore[arg-type]
    with pytest.raises(Stop):
        importer.run(ctx, chunk=100)
    assert len(site.pages) == 4  # 1 chunk checkpoint + 4 pages written, stopped before the 5th


# ------------------------------------------------------------------------------ the mass-retire rail


def _keys_only(catalogue: Catalogue, keep: int) -> Catalogue:
    return dataclasses.replace(catalogue, leika_leistungen=catalogue.leika_leistungen[:keep])


def test_a_catalogue_that_lost_its_rows_stops_the_import_before_any_write(sample: Catalogue) -> None:
    site = FakeSite()
    _run(site, sample)
    before = dict(site.pages)
    for shrunk in (Catalogue(), _keys_only(sample, 100)):  # header only; most rows swallowed
        with pytest.raises(SafetyRailError, match=r"aktive LeiKa-Schlüssel würden ausgemustert: \d+ von 290"):
            _run(site, shrunk)
        assert site.pages == before and site.stats.edits_sent == 367


def test_the_admin_can_lift_the_rail_and_then_the_keys_are_retired(sample: Catalogue) -> None:
    site = FakeSite()
    _run(site, sample)
    result = _run(site, _keys_only(sample, 100), allow=True)
    assert result.data["counts"]["retired"] == 190


def test_a_few_abolished_keys_pass_the_rail_and_already_retired_ones_do_not_count(sample: Catalogue) -> None:
    site = FakeSite()
    _run(site, sample)
    result = _run(site, _keys_only(sample, 290 - 25))  # 25 of 290 (8.6 %) under the 10 % default
    assert result.data["counts"]["retired"] == 25
    # 25 are ausgemustert now; retiring 20 more is 20 of 265 active (7.5 %): still fine
    assert _run(site, _keys_only(sample, 290 - 45)).data["counts"]["retired"] == 20


def test_the_share_is_configurable_and_checked(sample: Catalogue) -> None:
    site = FakeSite()
    _run(site, sample)
    strict = Config(CONFIG.wiki, raw={"import": {"max_retire_share": 0.05}})
    with pytest.raises(SafetyRailError, match="mehr als die erlaubten 5%"):
        _run(site, _keys_only(sample, 290 - 25), config=strict)
    for bad in (1.5, -0.1, "viel", float("nan"), True):
        with pytest.raises(ConfigError, match="max_retire_share"):
            _run(site, sample, config=Config(CONFIG.wiki, raw={"import": {"max_retire_share": bad}}))
