"""Small helpers later bots need: parse, purge, recentchanges, ask."""

from __future__ import annotations

from datetime import UTC, datetime

import fixtures_smw as fx
import pytest
import responses

from ozgwiki.errors import ApiError
from ozgwiki.wiki.siteinfo import UserInfo


@pytest.fixture
def rsps():
    with responses.RequestsMock() as r:
        yield r


def test_parse_page_fv2(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    fx.register(rsps, "parse_ask_page_fv2", method="POST")
    parsed = site.parse("Aufnahme OZG-Leistungen Bauen")
    assert parsed.title == "Aufnahme OZG-Leistungen Bauen"
    assert 'class="sortable wikitable smwtable"' in parsed.html
    assert [(link.title, link.exists) for link in parsed.links][:2] == [
        ("Aufnahme Baugenehmigung", True),
        ("Aufnahme Bauvorbescheid", True),
    ]
    assert parsed.categories == ()
    sent = fx.sent(rsps, "parse")[0]
    assert sent["page"] == "Aufnahme OZG-Leistungen Bauen"
    assert sent["prop"] == "text|categories|links|templates"


def test_parse_text_fv1_and_missing_templates(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    data = fx.body("parse_text_ask")
    # The recorded text has no categories or templates; add fv2 shapes of both for this check.
    data["parse"]["categories"] = [{"sortkey": "", "category": "OZG-Leistung"}]
    data["parse"]["templates"] = [
        {"ns": 10, "title": "Vorlage:OZG-Leistung", "exists": True},
        {"ns": 10, "title": "Vorlage:Fehlt", "exists": False},
    ]
    fx.register(rsps, "parse_text_ask", method="POST", body_override=data)
    parsed = site.parse(text="{{#ask: [[Themenfeld::Aufnahme Themenfeld Bauen]] |?OZG-ID |format=table}}")
    assert "smwtable" in parsed.html  # fv1 {"*": html} is unwrapped
    assert parsed.categories == ("OZG-Leistung",)
    assert parsed.missing_templates == ("Vorlage:Fehlt",)
    sent = fx.sent(rsps, "parse")[0]
    assert sent["contentmodel"] == "wikitext" and sent["title"] == "API"


def test_parse_needs_exactly_one_source(monkeypatch) -> None:
    site, _ = fx.make_site(monkeypatch)
    with pytest.raises(ValueError):
        site.parse()
    with pytest.raises(ValueError):
        site.parse("A", text="b")


def test_purge_with_forcelinkupdate(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    fx.register_login(rsps)
    site._login()
    site._title_limits = (50, 500)
    site._userinfo = UserInfo.from_query(fx.body("userinfo_bot")["query"])
    fx.register(rsps, "purge")
    assert site.purge(["Aufnahme OZG-Leistungen Bauen"]) == ["Aufnahme OZG-Leistungen Bauen"]
    sent = fx.sent(rsps, "purge")[0]
    assert sent["forcelinkupdate"] == "1" and sent["titles"] == "Aufnahme OZG-Leistungen Bauen"
    assert rsps.calls[-1].request.method == "POST"


def test_purge_in_dry_run_sends_nothing(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch, dry_run=True)
    assert site.purge(["A", "B"]) == []
    assert len(rsps.calls) == 0


def test_recentchanges_follows_continuation(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    first = fx.body("recentchanges_fv2")
    changes = first["query"]["recentchanges"]
    first["continue"] = {"rccontinue": "20261129010127|30", "continue": "-||"}
    second = fx.body("recentchanges_fv2")
    second["query"]["recentchanges"] = changes[:1]
    fx.register(rsps, "recentchanges_fv2", body_override=first)
    fx.register(rsps, "recentchanges_fv2", body_override=second)
    got = list(site.recentchanges(datetime(2026, 11, 29, 1, 0, tzinfo=UTC), namespaces=[0, 10], show="!bot"))
    assert len(got) == len(changes) + 1
    assert got[0]["title"] == "Aufnahme Baugenehmigung" and got[0]["bot"] is True
    p1, p2 = fx.sent(rsps, "query")
    assert p1["rcstart"] == "2026-11-29T01:00:00Z" and p1["rcdir"] == "newer"
    assert p1["rcnamespace"] == "0|10" and p1["rcshow"] == "!bot"
    assert p2["rccontinue"] == "20261129010127|30"


def test_ask_pages_through_query_continue_offset(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    fx.register(rsps, "ask_continue")
    second = fx.body("ask_fv2")
    del second["query"]["results"]["Aufnahme Baugenehmigung"]
    fx.register(rsps, "ask_fv2", body_override=second)
    results = site.ask("[[Themenfeld::Aufnahme Themenfeld Bauen]]|?OZG-ID|sort=OZG-ID|limit=1")
    assert list(results) == ["Aufnahme Baugenehmigung", "Aufnahme Bauvorbescheid"]
    assert results["Aufnahme Baugenehmigung"]["printouts"]["OZG-ID"] == ["99001"]
    q1, q2 = (p["query"] for p in fx.sent(rsps, "ask"))
    assert not q1.endswith("offset=1") and q2.endswith("|offset=1")


def test_ask_empty_results_list(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    fx.register(rsps, "ask_empty_fv2")
    assert site.ask("[[Themenfeld::Aufnahme Gibt es nicht]]|?OZG-ID") == {}


def test_ask_subobject_keys(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    fx.register(rsps, "ask_subobjects")
    query = "[[OZG-Leistung::Aufnahme Baugenehmigung]][[LeiKa-Schlüssel::+]]|?LeiKa-Schlüssel|limit=50"
    keys = list(site.ask(query))
    assert keys[0].startswith("Aufnahme Baugenehmigung# ")


def test_ask_query_error(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    fx.register(rsps, "ask_query_error")
    with pytest.raises(ApiError, match="ist keine Zahl"):
        site.ask("[[Einwohnerzahl::<>]]|?Einwohnerzahl")
