"""ozgwiki deploy: desired pages per variant, the record rule, the job-queue wait and the bot's order.

The SMW side cannot run here (no SMW wiki on this machine): the wait is replayed with ``responses``
on recorded SMW 4.2 responses (``tests/data/api``), the run order on the fake wiki (tests/fakewiki.py)
with SMW's extensions installed.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import fixtures_smw as fx
import pytest
import responses
from fakewiki import FakeWiki

from ozgwiki.bots import deploy as deploy_bot
from ozgwiki.definitions import deploy, schema
from ozgwiki.definitions.deploy import Action, DeployPage, DeployRecord, Variant
from ozgwiki.engine.bot import BotContext
from ozgwiki.errors import EXIT_CONFIG, RetryBudgetExceeded
from ozgwiki.wiki.pages import PageState
from ozgwiki.wiki.siteinfo import Extensions, SiteInfo

PLAIN, SMW, SMW_PF = Variant(False, False), Variant(True, False), Variant(True, True)


@pytest.fixture(scope="module")
def wiki_schema() -> schema.Schema:
    return schema.load()


def titles(pages: list[DeployPage], prefix: str) -> list[str]:
    return [p.title for p in pages if p.title.startswith(prefix)]


# ------------------------------------------------------------------------------------ desired pages


def test_plain_wiki_gets_no_properties_and_no_forms(wiki_schema: schema.Schema) -> None:
    pages = deploy.desired_pages(wiki_schema, PLAIN)
    assert titles(pages, "Attribut:") == [] and titles(pages, "Formular:") == []
    assert set(titles(pages, "Vorlage:")) == {t.title for t in wiki_schema.templates if not t.is_module}
    assert titles(pages, "Modul:") == ["Modul:LeiKa", "Modul:OZG"]
    assert {c.title for c in wiki_schema.categories} <= {p.title for p in pages}
    assert {"Hauptseite", "MediaWiki:Sidebar", "Impressum"} <= {p.title for p in pages}


def test_smw_wiki_gets_every_property_but_no_forms(wiki_schema: schema.Schema) -> None:
    pages = deploy.desired_pages(wiki_schema, SMW)
    assert titles(pages, "Attribut:") == [p.title for p in wiki_schema.properties]
    assert titles(pages, "Formular:") == []


def test_smw_with_page_forms_gets_the_forms(wiki_schema: schema.Schema) -> None:
    pages = deploy.desired_pages(wiki_schema, SMW_PF)
    assert titles(pages, "Formular:") == ["Formular:Steckbrief", "Formular:Umsetzungsprojekt"]
    assert len(titles(pages, "Attribut:")) == len(wiki_schema.properties)


@pytest.mark.parametrize("variant", [SMW, SMW_PF], ids=["smw", "smw+pageforms"])
def test_properties_come_first_and_modules_before_templates(
    wiki_schema: schema.Schema, variant: Variant
) -> None:
    kinds = [p.kind for p in deploy.desired_pages(wiki_schema, variant)]
    last_property = max(i for i, k in enumerate(kinds) if k == deploy.KIND_PROPERTY)
    first_other = min(i for i, k in enumerate(kinds) if k != deploy.KIND_PROPERTY)
    assert last_property < first_other
    assert max(i for i, k in enumerate(kinds) if k == deploy.KIND_MODULE) < kinds.index(deploy.KIND_TEMPLATE)


def test_plain_variant_has_no_smw_parser_functions(wiki_schema: schema.Schema) -> None:
    for page in deploy.desired_pages(wiki_schema, PLAIN):
        assert deploy.semantic_markup(page.text) == [], page.title
        for word in ("{{#set:", "{{#subobject:", "{{#ask:", "{{#declare:"):
            assert word not in page.text, page.title
    # ... while the SMW variant really has them (the check is not vacuous).
    smw_texts = "".join(p.text for p in deploy.desired_pages(wiki_schema, SMW))
    assert "{{#ask:" in smw_texts and "{{#set:" in smw_texts


def test_a_leaking_smw_call_in_the_plain_variant_is_refused(wiki_schema: schema.Schema) -> None:
    bad = schema.TemplateDef("Kaputt", "Kaputt.wiki", "{{#set:Name={{{1|}}}}}")
    broken = dataclasses.replace(wiki_schema, templates=(*wiki_schema.templates, bad))
    with pytest.raises(deploy.DeployError, match=r"Vorlage:Kaputt \(set\)"):
        deploy.desired_pages(broken, PLAIN)
    assert titles(deploy.desired_pages(broken, SMW), "Vorlage:Kaputt")  # fine where SMW exists


def test_texts_are_in_save_form(wiki_schema: schema.Schema) -> None:
    for page in deploy.desired_pages(wiki_schema, SMW_PF):
        assert page.text == page.text.rstrip() and "\r" not in page.text, page.title


# ------------------------------------------------------------------------------------ requirements


def siteinfo(*extensions: str) -> SiteInfo:
    return SiteInfo("Wiki", "MediaWiki 1.39.17", "de", "first-letter", extensions=Extensions(extensions))


@pytest.mark.parametrize(
    ("extensions", "missing"),
    [
        (("ParserFunctions",), "Scribunto"),
        (("Scribunto", "SemanticMediaWiki"), "ParserFunctions"),
        ((), "ParserFunctions, Scribunto"),
    ],
    ids=["no-scribunto", "no-parserfunctions", "neither"],
)
def test_missing_required_extension_is_refused(extensions: tuple[str, ...], missing: str) -> None:
    with pytest.raises(deploy.DeployError, match=missing) as err:
        deploy.check_requirements(siteinfo(*extensions), "http://wiki.test/w/api.php")
    assert err.value.exit_code == EXIT_CONFIG
    assert "http://wiki.test/w/api.php" in str(err.value)


def test_variant_follows_the_extensions() -> None:
    assert Variant.of(siteinfo("ParserFunctions", "Scribunto")).name == "plain"
    assert Variant.of(siteinfo("SemanticMediaWiki")).name == "smw"
    assert Variant.of(siteinfo("SemanticMediaWiki", "PageForms")).name == "smw+pageforms"


# ------------------------------------------------------------------------------------ the record rule

DESIRED = DeployPage("Vorlage:X", "neu", deploy.KIND_TEMPLATE)
OLD = "alt: so hat ozgwiki es bereitgestellt"
ADMIN_TEXT = "alt, von Hand geändert"


def state(text: str | None, user: str = "Admin") -> PageState:
    if text is None:
        return PageState("Vorlage:X", exists=False)
    return PageState("Vorlage:X", True, text, revid=7, timestamp="2026-01-02T03:04:05Z", user=user)


RECORDED = DeployRecord({"Vorlage:X": deploy.text_sha1(OLD)})
PENDING = DeployRecord({}, {"Vorlage:X": (deploy.text_sha1(OLD),)})

RULES = [
    # id, page text, last editor, record, force, expected action
    ("missing", None, "Admin", RECORDED, False, Action.CREATE),
    ("same-text", "neu\n", "Admin", DeployRecord(), False, Action.KEEP),
    ("ours-recorded", OLD, "OzgBot", RECORDED, False, Action.UPDATE),
    ("ours-even-if-last-saved-by-admin", OLD, "Admin", RECORDED, False, Action.UPDATE),
    ("ours-pending", OLD, "OzgBot", PENDING, False, Action.UPDATE),
    ("changed-by-admin", ADMIN_TEXT, "Admin", RECORDED, False, Action.REFUSE),
    ("never-deployed", ADMIN_TEXT, "Admin", DeployRecord(), False, Action.REFUSE),
    ("bot-user-alone-is-not-enough", ADMIN_TEXT, "OzgBot", RECORDED, False, Action.REFUSE),
    ("installer-placeholder", "Willkommen", "MediaWiki default", DeployRecord(), False, Action.UPDATE),
    ("changed-by-admin-force", ADMIN_TEXT, "Admin", RECORDED, True, Action.OVERWRITE),
    ("force-keeps-same", "neu", "Admin", RECORDED, True, Action.KEEP),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "user", "record", "force", "action"), [r[1:] for r in RULES], ids=[r[0] for r in RULES]
)
def test_record_rule(text: str | None, user: str, record: DeployRecord, force: bool, action: Action) -> None:
    decision = deploy.decide(DESIRED, state(text, user), record, force=force)
    assert decision.action is action
    if action in (Action.REFUSE, Action.OVERWRITE):
        assert decision.reason and user in decision.reason and "2026-01-02T03:04:05Z" in decision.reason
        assert "--force" in decision.reason


def test_refusal_reason_says_changed_or_never_deployed_in_german_and_english() -> None:
    changed = deploy.decide(DESIRED, state(ADMIN_TEXT), RECORDED).reason or ""
    never = deploy.decide(DESIRED, state(ADMIN_TEXT), DeployRecord()).reason or ""
    assert "seit der letzten Bereitstellung" in changed and "changed on the wiki" in changed
    assert "nie von ozgwiki bereitgestellt" in never and "never deployed" in never


def test_transform_re_decides_on_fresh_text_after_a_conflict() -> None:
    decision = deploy.decide(DESIRED, state(OLD), RECORDED)
    assert decision.action is Action.UPDATE
    transform = decision.transform(force=False)
    assert transform(OLD) == "neu"
    assert transform("") == "neu"  # deleted meanwhile: create again
    assert transform(ADMIN_TEXT) is None  # an admin saved in between: leave it alone
    assert decision.transform(force=True)(ADMIN_TEXT) == "neu"


def test_summaries_are_german_and_name_the_version() -> None:
    create = deploy.decide(DESIRED, state(None), DeployRecord())
    update = deploy.decide(DESIRED, state(OLD), RECORDED)
    assert create.summary("0.1.0") == "Bot: Vorlage aus ozgwiki 0.1.0 bereitgestellt"
    assert update.summary("0.1.0") == "Bot: Vorlage aus ozgwiki 0.1.0 aktualisiert"


def test_crash_between_page_and_record_does_not_make_our_page_foreign() -> None:
    """Run 1 announces D1 and saves the page, then dies; run 2 deploys a newer D2 and still updates."""
    d1 = DeployPage("Vorlage:X", "Version 1", deploy.KIND_TEMPLATE)
    before = DeployRecord({"Vorlage:X": deploy.text_sha1(OLD)})
    ahead = before.with_pending({"Vorlage:X": d1.sha1})  # saved before the page: the write-ahead record
    # ... page saved as D1, killed before the settled record: the wiki holds `ahead`.
    reread = DeployRecord.from_text(ahead.to_text())
    d2 = DeployPage("Vorlage:X", "Version 2", deploy.KIND_TEMPLATE)
    assert deploy.decide(d2, state("Version 1", "OzgBot"), reread).action is Action.UPDATE
    # Killed before the page was saved: the old text is still accepted too.
    assert deploy.decide(d2, state(OLD, "OzgBot"), reread).action is Action.UPDATE
    # After a completed run the pending entries are folded in and gone.
    settled = reread.settled({"Vorlage:X": d2.sha1})
    assert settled.pending == {} and settled.accepted("Vorlage:X") == {d2.sha1}


def test_settled_keeps_entries_of_pages_left_alone() -> None:
    rec = DeployRecord({"A": "1", "B": "2", "Weg": "3"}, {"A": ("9",)})
    assert rec.settled({"A": "4"}, keep=["B"]) == DeployRecord({"A": "4", "B": "2"}, {})


def test_record_text_is_what_mediawiki_stores() -> None:
    # Recorded from the local MediaWiki 1.39: saving a .json page pretty-prints it with tabs and
    # escapes < > & as \\u sequences; sending exactly that keeps the record from being re-sent.
    stored = (
        '{\n\t"pages": {\n\t\t"A \\u0026 B \\u003Cc\\u003E \'d\' \\"e\\" \\\\ é/ä": "abc",\n\t\t"n": [\n'
        '\t\t\t1,\n\t\t\t2\n\t\t]\n\t},\n\t"pending": {},\n\t"x": []\n}'
    )
    data = {"pages": {"A & B <c> 'd' \"e\" \\ é/ä": "abc", "n": [1, 2]}, "pending": {}, "x": []}
    assert deploy.mediawiki_json(data) == stored
    assert json.loads(stored) == data


def test_record_round_trip_and_unreadable_record() -> None:
    rec = DeployRecord({"Vorlage:Ä & B": "abc"}, {"Modul:X": ("1", "2")})
    assert DeployRecord.from_text(rec.to_text()) == rec
    assert DeployRecord.from_text("") == DeployRecord()
    assert DeployRecord.from_text("{kaputt") == DeployRecord()  # unreadable: nothing is ours
    assert deploy.record_title("OzgBot@ozgwiki") == "Benutzer:OzgBot/ozgwiki-deploy.json"


# ------------------------------------------------------------------------------------ job-queue wait


def statistics_body(jobs: int) -> dict[str, Any]:
    body = fx.body("siteinfo_extensions")
    body["query"]["statistics"]["jobs"] = jobs
    return body


def test_wait_for_job_queue_polls_until_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    site, clock = fx.make_site(monkeypatch)
    with responses.RequestsMock() as rsps:
        for jobs in (12, 3, 0):
            fx.register(rsps, "siteinfo_extensions", body_override=statistics_body(jobs))
        waited = deploy_bot.wait_for_job_queue(site, timeout=60, interval=5)
        polls = fx.sent(rsps, "query")
    assert waited == 10 and clock.sleeps == [5, 5]
    assert all(p["meta"] == "siteinfo" and p["siprop"] == "statistics" for p in polls) and len(polls) == 3


def test_wait_for_job_queue_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    site, clock = fx.make_site(monkeypatch)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        for _ in range(20):
            fx.register(rsps, "siteinfo_extensions", body_override=statistics_body(7))
        with pytest.raises(RetryBudgetExceeded, match=r"still holds 7 job\(s\) after 30 s.*runJobs.php"):
            deploy_bot.wait_for_job_queue(site, timeout=30, interval=10)
    assert sum(clock.sleeps) == 30


def test_a_queue_that_does_not_shrink_stops_the_wait_within_a_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    """No job runner: the count never drops, so deploy says so after the stall time, not after 600 s."""
    site, clock = fx.make_site(monkeypatch)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        for jobs in (40, 41, *([41] * 30)):
            fx.register(rsps, "siteinfo_extensions", body_override=statistics_body(jobs))
        with pytest.raises(RetryBudgetExceeded, match=r"has not shrunk for 60 s \(41 job.*no job runner"):
            deploy_bot.wait_for_job_queue(site, timeout=600, interval=5)
    assert sum(clock.sleeps) == 60


def test_a_slowly_shrinking_queue_is_waited_for_past_the_stall_time(monkeypatch: pytest.MonkeyPatch) -> None:
    site, _clock = fx.make_site(monkeypatch)
    with responses.RequestsMock() as rsps:
        for jobs in (*range(30, 0, -1), 0):  # one job done per poll: 150 s in all
            fx.register(rsps, "siteinfo_extensions", body_override=statistics_body(jobs))
        assert deploy_bot.wait_for_job_queue(site, timeout=600, interval=5) == 150


def test_an_empty_queue_costs_one_request_and_no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    site, clock = fx.make_site(monkeypatch)
    with responses.RequestsMock() as rsps:
        fx.register(rsps, "siteinfo_extensions", body_override=statistics_body(0))
        assert deploy_bot.wait_for_job_queue(site) == 0
    assert clock.sleeps == []


# ------------------------------------------------------------------------------------ the bot on an SMW wiki


def events(wiki: FakeWiki, since: int = 0) -> list[tuple[str, str]]:
    """What the bot asked of the wiki from call ``since`` on, in order: job-queue polls (with the count
    the wiki answered), page reads (the titles), edits (the title) and purges (the titles)."""
    out = []
    for call in wiki.calls[since:]:
        if call.kind == "statistics":
            out.append(("jobs", str(call.answer["query"]["statistics"]["jobs"])))
        elif call.kind == "revisions":
            out.append(("read", call.params["titles"]))
        elif call.kind in ("edit", "purge"):
            out.append((call.kind, call.params.get("title") or call.params["titles"]))
    return out


@pytest.fixture
def smw_run(fake_wiki: FakeWiki, context: Callable[..., BotContext]) -> tuple[FakeWiki, BotContext]:
    """An empty SMW 4.2 wiki with Page Forms whose job queue holds 4 jobs, then none; the bot logged in.

    Deploy needs no catalogue: the context fails the test if the bot loads one."""
    fake_wiki.extensions = ("ParserFunctions", "Scribunto", "SemanticMediaWiki", "PageForms")
    fake_wiki.jobs = [4, 0]
    return fake_wiki, context(fake_wiki.site())


def test_smw_run_deploys_properties_then_waits_for_jobs_then_the_rest(
    smw_run: tuple[FakeWiki, BotContext],
) -> None:
    wiki, ctx = smw_run
    result = deploy_bot.run(ctx)
    done = events(wiki)
    edits = [t for kind, t in done if kind == "edit"]
    record = deploy.record_title("OzgBot")
    assert edits[0] == record and edits[-1] == record  # write-ahead first, settled record last
    first_job_poll = next(i for i, e in enumerate(done) if e[0] == "jobs")
    last_job_poll = max(i for i, e in enumerate(done) if e[0] == "jobs")
    before = [t for kind, t in done[:first_job_poll] if kind == "edit" and t != record]
    after = [t for kind, t in done[last_job_poll:] if kind == "edit" and t != record]
    assert before and all(t.startswith("Attribut:") for t in before)
    assert len(before) == len(schema.load().properties)
    assert after and not any(t.startswith("Attribut:") for t in after) and "Formular:Steckbrief" in after
    assert [e[1] for e in done if e[0] == "jobs"] == ["4", "0"]
    assert result.data["variant"] == "smw+pageforms" and result.exit_code == 0
    assert result.data["waited_for_jobs_seconds"] == deploy_bot.JOB_POLL_SECONDS
    # The settled record knows every page, nothing pending.
    settled = DeployRecord.from_text(wiki.text(record) or "")
    assert settled.pending == {} and len(settled.pages) == len(edits) - 2


def test_second_smw_run_writes_nothing_and_does_not_wait(smw_run: tuple[FakeWiki, BotContext]) -> None:
    wiki, ctx = smw_run
    deploy_bot.run(ctx)
    mark = len(wiki.calls)
    result = deploy_bot.run(ctx)
    assert [e for e in events(wiki, mark) if e[0] in ("edit", "jobs", "purge")] == []
    assert result.report.edits == 0 and result.exit_code == 0


def test_check_writes_nothing_and_exits_1(smw_run: tuple[FakeWiki, BotContext]) -> None:
    wiki, ctx = smw_run
    result = deploy_bot.run(ctx, check=True)
    assert [e for e in events(wiki) if e[0] != "read"] == [] and wiki.texts() == {}
    assert result.exit_code == 1 and result.findings == result.report.edits > 0


def test_run_refuses_a_wiki_without_scribunto_before_reading_pages(
    smw_run: tuple[FakeWiki, BotContext],
) -> None:
    wiki, ctx = smw_run
    wiki.extensions = ("ParserFunctions", "SemanticMediaWiki")
    with pytest.raises(deploy.DeployError, match="Scribunto"):
        deploy_bot.run(ctx)
    assert events(wiki) == []


def test_a_run_reads_every_page_once_and_the_record_again_before_its_final_save(
    smw_run: tuple[FakeWiki, BotContext],
) -> None:
    wiki, ctx = smw_run
    deploy_bot.run(ctx)
    reads = [t.split("|") for kind, t in events(wiki) if kind == "read"]
    record = deploy.record_title("OzgBot")
    desired = [p.title for p in deploy.desired_pages(schema.load(), SMW_PF)]
    assert reads == [[*desired, record], [record]]


def test_deploy_stops_at_the_checkpoint_like_every_engine_run(smw_run: tuple[FakeWiki, BotContext]) -> None:
    """The cron job's deadline is checked before each page, so an overlong deploy stops between pages."""

    class Stop(Exception):
        pass

    wiki, ctx = smw_run
    calls: list[int] = []

    def checkpoint() -> None:
        calls.append(1)
        if len(calls) == 5:  # write-ahead record (chunk, page), properties (chunk, 1st page), 2nd page
            raise Stop

    with pytest.raises(Stop):
        deploy_bot.run(dataclasses.replace(ctx, checkpoint=checkpoint))
    edits = [t for kind, t in events(wiki) if kind == "edit"]
    assert edits[0] == deploy.record_title("OzgBot")
    assert len(edits) == 2 and edits[1].startswith("Attribut:")
