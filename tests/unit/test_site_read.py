"""Reading: siteinfo, user rights, batched page reads with continuation and title normalisation."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import fixtures_smw as fx
import pytest
import responses


@pytest.fixture
def rsps():
    with responses.RequestsMock() as r:
        yield r


def register_rights(rsps: responses.RequestsMock, *, high: bool) -> None:
    """userinfo from the recorded bot session, with or without apihighlimits."""
    data = fx.body("userinfo_bot")
    if not high:
        data["query"]["userinfo"]["rights"].remove("apihighlimits")
    fx.register(rsps, "userinfo_bot", body_override=data)


def fake_wiki_pages(request: Any) -> tuple[int, dict[str, str], str]:
    """Answer prop=revisions for whatever titles were asked, shaped like revisions_content_fv2."""
    import json

    params = dict(parse_qsl(urlsplit(request.url).query))
    template = fx.body("revisions_content_fv2")["query"]["pages"][0]
    pages = []
    for i, title in enumerate(params["titles"].split("|")):
        page = json.loads(json.dumps(template))
        page.update(pageid=100 + i, title=title)
        page["revisions"][0].update(revid=1000 + i)
        page["revisions"][0]["slots"]["main"]["content"] = f"Text von {title}"
        pages.append(page)
    body = {"batchcomplete": True, "curtimestamp": "2026-11-29T02:00:00Z", "query": {"pages": pages}}
    return 200, {}, json.dumps(body)


# ---------------------------------------------------------------- siteinfo


def test_siteinfo_extensions_and_namespaces(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    fx.register(rsps, "siteinfo_extensions")
    info = site.siteinfo
    assert info.extensions.smw and info.extensions.pageforms
    assert info.case == "first-letter"
    assert info.namespace_id("Property") == 102
    assert info.namespace_id("template") == 10
    assert info.namespace_name(106) == "Formular"
    assert site.siteinfo is info  # cached: one request
    assert len(rsps.calls) == 1
    assert fx.sent(rsps)[0]["siprop"] == "general|namespaces|namespacealiases|extensions"


def test_siteinfo_german_names_and_aliases_fv2() -> None:
    from ozgwiki.wiki.siteinfo import SiteInfo

    # Shape of a formatversion=2 answer of a German wiki (no recording of a German siteinfo exists).
    query = {
        "general": {"lang": "de", "case": "first-letter", "sitename": "OZG-Wiki"},
        "namespaces": {
            "10": {"id": 10, "case": "first-letter", "name": "Vorlage", "canonical": "Template"},
            "14": {"id": 14, "case": "first-letter", "name": "Kategorie", "canonical": "Category"},
            "102": {"id": 102, "case": "first-letter", "name": "Attribut", "canonical": "Property"},
        },
        "namespacealiases": [{"id": 102, "alias": "Property"}, {"id": 10, "alias": "Vorlage Diskussion x"}],
        "extensions": [{"name": "SemanticMediaWiki"}],
    }
    info = SiteInfo.from_query(query)
    assert info.lang == "de"
    assert info.namespace_name(10) == "Vorlage"
    assert info.namespace_id("Kategorie") == info.namespace_id("Category") == 14
    assert info.namespace_id("Attribut") == 102
    assert info.extensions.smw and not info.extensions.pageforms


@pytest.mark.parametrize(("high", "size"), [(True, 500), (False, 50)], ids=["apihighlimits", "normal"])
def test_batch_size_from_rights(monkeypatch, rsps, high, size) -> None:
    site, _ = fx.make_site(monkeypatch)
    register_rights(rsps, high=high)
    assert site.batch_size == size
    assert [dict(parse_qsl(urlsplit(c.request.url).query)).get("action") for c in rsps.calls] == ["query"]


# ---------------------------------------------------------------- read_pages


def test_read_one_page_fv2(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    register_rights(rsps, high=False)
    fx.register(rsps, "revisions_content_fv2")
    recorded = fx.body("revisions_content_fv2")["query"]["pages"][0]["revisions"][0]
    state = site.read_pages(["Aufnahme Baugenehmigung"])["Aufnahme Baugenehmigung"]
    assert state.exists
    assert state.revid == recorded["revid"]
    assert state.timestamp == recorded["timestamp"]
    assert state.user == "OzgBot"
    assert state.text.startswith("Die '''Baugenehmigung'''")
    assert state.text.endswith("[[Kategorie:Aufnahme API]]")
    p = fx.sent(rsps, "query")[-1]
    assert p["prop"] == "revisions"
    assert p["rvprop"] == "ids|timestamp|content|user"
    assert p["rvslots"] == "main"
    assert p["curtimestamp"] == "1"


def test_read_several_with_a_missing_one_fv1_shape(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    register_rights(rsps, high=False)
    fx.register(rsps, "revisions_multi_missing")
    revid = fx.body("revisions_content_fv2")["query"]["pages"][0]["revisions"][0]["revid"]
    got = site.read_pages(["Aufnahme Baugenehmigung", "Aufnahme Gibt es nicht", "Property:OZG-ID"])
    assert list(got) == ["Aufnahme Baugenehmigung", "Aufnahme Gibt es nicht", "Property:OZG-ID"]
    assert got["Aufnahme Baugenehmigung"].exists and got["Aufnahme Baugenehmigung"].revid == revid
    missing = got["Aufnahme Gibt es nicht"]
    assert not missing.exists and missing.text == "" and missing.revid is None and missing.invalid is None
    assert got["Property:OZG-ID"].exists


def test_normalized_and_converted_titles_map_back_to_the_request(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    register_rights(rsps, high=False)
    data = fx.body("revisions_content_fv2")
    page = data["query"]["pages"][0]
    page["title"] = "Vorlage:OZG-Leistung"
    data["curtimestamp"] = "2026-11-29T02:00:00Z"
    data["query"]["normalized"] = [
        {"fromencoded": False, "from": "template:OZG-Leistung", "to": "Template:OZG-Leistung"}
    ]
    data["query"]["converted"] = [{"from": "Template:OZG-Leistung", "to": "Vorlage:OZG-Leistung"}]
    fx.register(rsps, "revisions_content_fv2", body_override=data)
    got = site.read_pages(["template:OZG-Leistung"])
    state = got["template:OZG-Leistung"]
    assert state.title == "Vorlage:OZG-Leistung"
    assert state.exists and state.starttimestamp == "2026-11-29T02:00:00Z"


def test_invalid_titles_are_reported_not_raised(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    register_rights(rsps, high=False)
    data = {
        "batchcomplete": True,
        "query": {
            "pages": [
                {
                    "title": "Foo<bar",
                    "invalidreason": 'The requested page title contains invalid characters: "<".',
                    "invalid": True,
                }
            ]
        },
    }
    fx.register(rsps, "revisions_content_fv2", body_override=data)
    got = site.read_pages(["Foo<bar", "a|b", " "])
    assert "invalid characters" in got["Foo<bar"].invalid
    assert got["a|b"].invalid and got[" "].invalid
    assert not any(s.exists for s in got.values())
    assert fx.sent(rsps, "query")[-1]["titles"] == "Foo<bar"  # "a|b" and " " never reach the wiki


def test_120_titles_are_read_in_3_batches_of_at_most_50(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    register_rights(rsps, high=False)
    rsps.add_callback("GET", fx.API_URL, callback=fake_wiki_pages)
    titles = [f"Seite {i}" for i in range(120)]
    got = site.read_pages(titles)
    reads = [p for p in fx.sent(rsps, "query") if p.get("prop") == "revisions"]
    assert [len(p["titles"].split("|")) for p in reads] == [50, 50, 20]
    assert list(got) == titles
    assert got["Seite 119"].text == "Text von Seite 119"


def test_120_titles_with_apihighlimits_are_one_request(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    register_rights(rsps, high=True)
    rsps.add_callback("GET", fx.API_URL, callback=fake_wiki_pages)
    got = site.read_pages([f"Seite {i}" for i in range(120)])
    reads = [p for p in fx.sent(rsps, "query") if p.get("prop") == "revisions"]
    assert len(reads) == 1
    assert len(got) == 120


def test_continuation_is_followed_and_merged(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    register_rights(rsps, high=False)
    # The recorded pages by title: the page ids (keys of the fv1 answer) are the wiki's.
    full = {p["title"]: p for p in fx.body("revisions_multi_missing")["query"]["pages"].values()}
    page, prop = full["Aufnahme Baugenehmigung"], full["Attribut:OZG-ID"]
    first = {
        "curtimestamp": "2026-11-29T02:00:00Z",
        "continue": {"rvcontinue": "15|15", "continue": "||"},
        "query": {"pages": [page, {"pageid": prop["pageid"], "ns": 102, "title": "Attribut:OZG-ID"}]},
    }
    second = {
        "curtimestamp": "2026-11-29T02:00:01Z",
        "batchcomplete": True,
        "query": {"pages": [{"pageid": page["pageid"], "ns": 0, "title": "Aufnahme Baugenehmigung"}, prop]},
    }
    fx.register(rsps, "revisions_content_fv2", body_override=first)
    fx.register(rsps, "revisions_content_fv2", body_override=second)
    got = site.read_pages(["Aufnahme Baugenehmigung", "Attribut:OZG-ID"])
    reads = [p for p in fx.sent(rsps, "query") if p.get("prop") == "revisions"]
    assert len(reads) == 2
    assert reads[1]["rvcontinue"] == "15|15"
    # not lost when the page reappears without revisions
    assert got["Aufnahme Baugenehmigung"].revid == page["revisions"][0]["revid"]
    assert got["Attribut:OZG-ID"].exists and got["Attribut:OZG-ID"].text
    assert got["Aufnahme Baugenehmigung"].starttimestamp == "2026-11-29T02:00:00Z"  # the first read's time


def test_repeated_titles_are_read_once(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    register_rights(rsps, high=False)
    fx.register(rsps, "revisions_content_fv2")
    got = site.read_pages(["Baugenehmigung", "Baugenehmigung"])
    assert list(got) == ["Baugenehmigung"]
    assert fx.sent(rsps, "query")[-1]["titles"] == "Baugenehmigung"


# ---------------------------------------------------------------- named listings
# No recordings of these modules exist; the hand-made bodies follow MediaWiki 1.39's formatversion=2
# shapes (list=allpages / embeddedin / logevents entries, prop=info and prop=revisions pages).


def cont(key: str, value: str) -> dict[str, Any]:
    return {key: value, "continue": "-||"}


def test_allpages_follows_continuation_and_sends_prefix_and_namespace(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    first = {
        "continue": cont("apcontinue", "LeiKa_99"),
        "query": {"allpages": [{"ns": 0, "title": "LeiKa 1"}]},
    }
    second = {"batchcomplete": True, "query": {"allpages": [{"ns": 0, "title": "LeiKa 99"}]}}
    fx.register_body(rsps, "query", first)
    fx.register_body(rsps, "query", second)
    assert list(site.allpages("LeiKa ", namespace=0)) == ["LeiKa 1", "LeiKa 99"]
    p1, p2 = fx.sent(rsps, "query")
    assert (p1["list"], p1["apprefix"], p1["apnamespace"], p1["aplimit"]) == (
        "allpages",
        "LeiKa ",
        "0",
        "max",
    )
    assert "apcontinue" not in p1 and p2["apcontinue"] == "LeiKa_99" and p2["apprefix"] == "LeiKa "


def test_embeddedin_follows_continuation_and_joins_namespaces(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    first = {"continue": cont("eicontinue", "0|12"), "query": {"embeddedin": [{"ns": 0, "title": "A"}]}}
    second = {"batchcomplete": True, "query": {"embeddedin": [{"ns": 4, "title": "OZG-Wiki:B"}]}}
    fx.register_body(rsps, "query", first)
    fx.register_body(rsps, "query", second)
    assert list(site.embeddedin("Vorlage:Steckbrief", namespaces=[0, 4])) == ["A", "OZG-Wiki:B"]
    p1, p2 = fx.sent(rsps, "query")
    assert (p1["list"], p1["eititle"], p1["einamespace"], p1["eilimit"]) == (
        "embeddedin", "Vorlage:Steckbrief", "0|4", "max",
    )  # fmt: skip
    assert p2["eicontinue"] == "0|12"


def test_pages_info_is_batched_by_the_title_limit_and_keyed_by_the_wikis_title(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    register_rights(rsps, high=False)

    def info(request: Any) -> tuple[int, dict[str, str], str]:
        import json

        titles = dict(parse_qsl(urlsplit(request.url).query))["titles"].split("|")
        pages = [
            {"ns": 0, "title": t, "missing": True} if t == "Seite 7" else
            {"ns": 0, "title": t, "pageid": 1, "touched": f"2026-11-29T00:00:{len(t):02d}Z", "lastrevid": 9}
            for t in titles
        ]  # fmt: skip
        return 200, {}, json.dumps({"batchcomplete": True, "query": {"pages": pages}})

    rsps.add_callback("GET", fx.API_URL, callback=info)
    got = site.pages_info([f"Seite {i}" for i in range(60)] + ["Seite 1"])
    reads = [p for p in fx.sent(rsps, "query") if p.get("prop") == "info"]
    assert [len(p["titles"].split("|")) for p in reads] == [50, 10]  # repeated titles asked once
    assert len(got) == 60 and got["Seite 1"].exists and got["Seite 1"].touched == "2026-11-29T00:00:07Z"
    assert got["Seite 1"].lastrevid == 9
    assert not got["Seite 7"].exists and got["Seite 7"].touched is None


def test_pages_info_existing_keeps_only_pages_that_exist(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    body = {
        "batchcomplete": True,
        "query": {
            "normalized": [{"from": "neu", "to": "Neu"}, {"from": "da", "to": "Da"}],
            "pages": [
                {"ns": 0, "title": "Neu", "missing": True},
                {"ns": 0, "title": "Da", "pageid": 3, "lastrevid": 4, "touched": "2026-12-01T00:00:00Z"},
            ],
        },
    }
    fx.register_body(rsps, "query", body)
    fx.register_body(rsps, "query", body)
    got = site.pages_info(["neu", "da"], existing=True)
    assert set(got) == {"Da", "da"} and got["da"].lastrevid == 4  # no entry for the missing page
    everything = site.pages_info(["neu", "da"])
    assert set(everything) == {"Neu", "neu", "Da", "da"} and not everything["neu"].exists


def test_pages_info_of_nothing_sends_nothing(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    assert site.pages_info([]) == {}
    assert len(rsps.calls) == 0  # not even the title limits


def test_page_urls_are_batched_canonical_first_and_missing_pages_left_out(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    register_rights(rsps, high=False)

    def info(request: Any) -> tuple[int, dict[str, str], str]:
        import json

        titles = dict(parse_qsl(urlsplit(request.url).query))["titles"].split("|")
        pages = []
        for t in titles:
            if t == "Seite 7":
                pages.append({"ns": 0, "title": t, "missing": True, "fullurl": "http://w/index.php/Seite_7"})
                continue
            page = {"ns": 0, "title": t, "pageid": 1, "fullurl": f"http://intern/{t.replace(' ', '_')}"}
            if t != "Seite 3":
                page["canonicalurl"] = f"https://wiki.example/{t.replace(' ', '_')}"
            pages.append(page)
        return 200, {}, json.dumps({"batchcomplete": True, "query": {"pages": pages}})

    rsps.add_callback("GET", fx.API_URL, callback=info)
    got = site.page_urls([f"Seite {i}" for i in range(60)])
    reads = [p for p in fx.sent(rsps, "query") if p.get("prop") == "info"]
    assert [len(p["titles"].split("|")) for p in reads] == [50, 10]
    assert all(p["inprop"] == "url" for p in reads)
    assert got["Seite 1"] == "https://wiki.example/Seite_1"
    assert got["Seite 3"] == "http://intern/Seite_3"  # no canonical URL: the full one
    assert "Seite 7" not in got and len(got) == 59
    assert site.page_urls([]) == {}


def revisions_body(revs: list[tuple[int, str]], more: bool = False) -> dict[str, Any]:
    found = [{"revid": r, "slots": {"main": {"contentmodel": "wikitext", "content": t}}} for r, t in revs]
    page = {"ns": 0, "title": "LeiKa 1", "revisions": found}
    body: dict[str, Any] = {"query": {"pages": [page]}}
    if more:
        body["continue"] = cont("rvcontinue", "20261129000000|3")
    return body


def test_revisions_by_a_user_is_one_request_when_the_limit_is_reached(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    fx.register_body(rsps, "query", revisions_body([(12, "neu"), (8, "alt")], more=True))
    got = site.revisions("LeiKa 1", user="OzgBot", limit=2)
    assert [(r.revid, r.text) for r in got] == [(12, "neu"), (8, "alt")]
    (p,) = fx.sent(rsps, "query")  # the wiki offered more; two were asked for
    assert (p["prop"], p["titles"], p["rvuser"], p["rvlimit"]) == ("revisions", "LeiKa 1", "OzgBot", "2")
    assert (p["rvprop"], p["rvslots"]) == ("ids|content", "main")


def test_revisions_follow_continuation_until_the_limit(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    fx.register_body(rsps, "query", revisions_body([(12, "neu")], more=True))  # a size-limited answer
    fx.register_body(rsps, "query", revisions_body([(8, "alt")]))
    assert [r.revid for r in site.revisions("LeiKa 1", user="OzgBot", limit=2)] == [12, 8]
    assert fx.sent(rsps, "query")[1]["rvcontinue"] == "20261129000000|3"


def test_revisions_of_a_missing_page_are_none(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    fx.register_body(rsps, "query", {"query": {"pages": [{"ns": 0, "title": "LeiKa 1", "missing": True}]}})
    assert site.revisions("LeiKa 1", limit=2) == []
    assert "rvuser" not in fx.sent(rsps, "query")[0]


def test_logevents_of_a_title_one_request_up_to_the_limit(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    events = [{"type": "move", "timestamp": "2026-11-29T00:00:02Z"}, {"type": "create", "timestamp": "x"}]
    fx.register_body(rsps, "query", {"continue": cont("lecontinue", "1|2"), "query": {"logevents": events}})
    assert [e["type"] for e in site.logevents("Benutzer:OzgBot/Notaus", limit=2)] == ["move", "create"]
    (p,) = fx.sent(rsps, "query")
    assert (p["list"], p["letitle"], p["leprop"], p["lelimit"]) == (
        "logevents", "Benutzer:OzgBot/Notaus", "type|timestamp", "2",
    )  # fmt: skip


def test_site_statistics_and_job_count_are_read_fresh_each_time(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    for jobs in (4, 0):
        body = fx.body("siteinfo_extensions")
        body["query"]["statistics"]["jobs"] = jobs
        fx.register(rsps, "siteinfo_extensions", body_override=body)
    assert site.job_count() == 4
    stats = site.site_statistics()
    assert (
        stats["jobs"] == 0
        and stats["pages"] == fx.body("siteinfo_extensions")["query"]["statistics"]["pages"]
    )
    assert [(p["meta"], p["siprop"]) for p in fx.sent(rsps, "query")] == [("siteinfo", "statistics")] * 2


def test_newest_change_is_one_request_with_the_server_time(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    entry = {"type": "edit", "rcid": 41, "timestamp": "2026-11-29T01:02:03Z"}
    fx.register(rsps, "recentchanges_fv2", body_override={
        "curtimestamp": "2026-11-29T02:00:00Z", "continue": cont("rccontinue", "x|40"),
        "query": {"recentchanges": [entry]}})  # fmt: skip
    fx.register(rsps, "recentchanges_fv2", body_override={"curtimestamp": "2026-11-29T02:00:01Z",
                                                         "query": {"recentchanges": []}})  # fmt: skip
    assert site.newest_change([0, 4]) == (entry, "2026-11-29T02:00:00Z")
    assert site.newest_change([0]) == (None, "2026-11-29T02:00:01Z")
    p = fx.sent(rsps, "query")[0]
    assert (p["rcnamespace"], p["rcdir"], p["rclimit"], p["rcprop"], p["curtimestamp"]) == (
        "0|4", "older", "1", "ids|timestamp", "1",
    )  # fmt: skip
    assert len(fx.sent(rsps, "query")) == 2  # the continue offered is never followed


def test_recentchanges_with_log_entries_and_other_props(monkeypatch, rsps) -> None:
    site, _ = fx.make_site(monkeypatch)
    fx.register(rsps, "recentchanges_fv2")
    got = list(site.recentchanges("2026-11-29T01:00:00Z", namespaces=[0], types="edit|new|log",
                                  props="title|ids|timestamp|user|loginfo"))  # fmt: skip
    assert got == fx.body("recentchanges_fv2")["query"]["recentchanges"]
    p = fx.sent(rsps, "query")[0]
    assert (p["rctype"], p["rcprop"], p["rcstart"]) == ("edit|new|log", "title|ids|timestamp|user|loginfo",
                                                        "2026-11-29T01:00:00Z")  # fmt: skip
