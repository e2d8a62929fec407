"""The XML export document for the bulk first load (ozgwiki.render.xmldump)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ozgwiki.render.xmldump import EXPORT_NS, DumpPage, render, sha1_base36

NS = {"mw": EXPORT_NS}
STAMP = "2024-05-01T12:00:00Z"


def parse(document: bytes) -> ET.Element:
    assert document.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(document)


def test_one_page_one_revision_with_all_fields() -> None:
    item = DumpPage("Ahaus", "{{Kommune\n| AGS = 05554004\n}}", "Bot: angelegt")
    root = parse(render([item], user="OzgBot", timestamp=STAMP))
    assert root.tag == f"{{{EXPORT_NS}}}mediawiki"
    assert root.get("version") == "0.11"
    (page,) = root.findall("mw:page", NS)
    assert page.findtext("mw:title", namespaces=NS) == "Ahaus"
    assert page.findtext("mw:ns", namespaces=NS) == "0"
    (rev,) = page.findall("mw:revision", NS)
    assert rev.findtext("mw:timestamp", namespaces=NS) == STAMP
    assert rev.findtext("mw:contributor/mw:username", namespaces=NS) == "OzgBot"
    assert rev.findtext("mw:comment", namespaces=NS) == "Bot: angelegt"
    assert rev.findtext("mw:model", namespaces=NS) == "wikitext"
    assert rev.findtext("mw:format", namespaces=NS) == "text/x-wiki"
    text = rev.find("mw:text", NS)
    assert text is not None and text.text == "{{Kommune\n| AGS = 05554004\n}}"
    assert text.get("bytes") == str(len(b"{{Kommune\n| AGS = 05554004\n}}"))


def test_xml_escaping_keeps_every_character_of_the_wikitext() -> None:
    tricky = "A & B <br/> ]]> \"x\" 'y' Straße – ü\n\t&amp; {{!}}"
    root = parse(render([DumpPage("Ein- & Auswanderung", tricky, "<b>&</b>", ns=14)], user="O&B",
                        timestamp=STAMP))  # fmt: skip
    page = root.find("mw:page", NS)
    assert page is not None
    assert page.findtext("mw:title", namespaces=NS) == "Ein- & Auswanderung"
    assert page.findtext("mw:ns", namespaces=NS) == "14"
    assert page.findtext("mw:revision/mw:text", namespaces=NS) == tricky
    assert page.findtext("mw:revision/mw:comment", namespaces=NS) == "<b>&</b>"
    assert page.findtext("mw:revision/mw:contributor/mw:username", namespaces=NS) == "O&B"
    assert page.find("mw:revision/mw:text", NS).get("bytes") == str(len(tricky.encode("utf-8")))  # type: ignore[union-attr]


def test_pages_keep_their_order() -> None:
    pages = [DumpPage(f"Seite {i}", f"Text {i}", "s") for i in range(5)]
    root = parse(render(pages, user="OzgBot", timestamp=STAMP))
    assert [p.findtext("mw:title", namespaces=NS) for p in root.findall("mw:page", NS)] == [
        p.title for p in pages
    ]


def test_sha1_is_mediawikis_base36_form() -> None:
    # MediaWiki's rev_sha1 of the empty text, and one that needs leading zeros is padded to 31 digits.
    assert sha1_base36("") == "phoiac9h4m842xq45sp7s6u21eteeq1"
    assert all(len(sha1_base36(str(i))) == 31 for i in range(200))
    root = parse(render([DumpPage("X", "abc", "s")], user="OzgBot", timestamp=STAMP))
    assert root.findtext("mw:page/mw:revision/mw:sha1", namespaces=NS) == sha1_base36("abc")


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b", "\ufffe"])
def test_characters_xml_cannot_carry_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="XML"):
        render([DumpPage("X", f"vor{bad}nach", "s")], user="OzgBot", timestamp=STAMP)
    with pytest.raises(ValueError, match="XML"):
        render([DumpPage(f"X{bad}", "t", "s")], user="OzgBot", timestamp=STAMP)
