"""Page texts -> a MediaWiki XML export document (schema ``export-0.11``, the one MediaWiki 1.39 writes),
for the first load of an empty wiki through ``action=import`` (``ozgwiki import --bulk``). Pure.

One ``<page>`` per page with one ``<revision>``: title, namespace, timestamp, the bot as contributor, the
page's edit summary, model ``wikitext`` and the text. The text is stored as sent -- an import runs no
pre-save transform, unlike ``action=edit`` -- so the caller sends what an edit would have stored (trailing
whitespace trimmed). Each revision carries its SHA-1 (base 36, as MediaWiki stores it): MediaWiki skips
an imported revision whose page already holds one of the same timestamp and SHA-1, so a request resent
after a lost answer adds no second revision.

This is XML, not wikitext: escaping is XML's (ElementTree), the text's wikitext escaping was done when
the text was rendered. Characters XML 1.0 cannot carry (most control characters) are refused, never
dropped.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["EXPORT_NS", "SCHEMA_VERSION", "DumpPage", "render", "sha1_base36"]

SCHEMA_VERSION = "0.11"
EXPORT_NS = f"http://www.mediawiki.org/xml/export-{SCHEMA_VERSION}/"
# XML 1.0 Char production: tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class DumpPage:
    """One page of the document: where it goes, what it holds, the summary its revision carries."""

    title: str
    text: str
    summary: str
    ns: int = 0


def sha1_base36(text: str) -> str:
    """The SHA-1 of the UTF-8 text in base 36, 31 digits: MediaWiki's ``rev_sha1``."""
    number = int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16)
    digits = []
    while number:
        number, rest = divmod(number, 36)
        digits.append(_BASE36[rest])
    return "".join(reversed(digits)).rjust(31, "0")


def _checked(value: str, what: str) -> str:
    bad = _NOT_XML.search(value)
    if bad:
        raise ValueError(f"{what}: U+{ord(bad.group()):04X} kann XML nicht tragen")
    return value


def render(pages: Iterable[DumpPage], *, user: str, timestamp: str, lang: str = "de") -> bytes:
    """The document (UTF-8, with XML declaration). ``timestamp`` is ISO 8601 UTC
    (``2024-05-01T12:00:00Z``), ``user`` the name the revisions are attributed to. Raises ValueError
    for a character XML cannot carry."""
    root = ET.Element("mediawiki", {"xmlns": EXPORT_NS, "version": SCHEMA_VERSION, "xml:lang": lang})
    for p in pages:
        page = ET.SubElement(root, "page")
        ET.SubElement(page, "title").text = _checked(p.title, "Titel")
        ET.SubElement(page, "ns").text = str(p.ns)
        rev = ET.SubElement(page, "revision")
        ET.SubElement(rev, "timestamp").text = timestamp
        ET.SubElement(ET.SubElement(rev, "contributor"), "username").text = _checked(user, "Benutzer")
        ET.SubElement(rev, "comment").text = _checked(p.summary, f"Zusammenfassung von {p.title}")
        ET.SubElement(rev, "model").text = "wikitext"
        ET.SubElement(rev, "format").text = "text/x-wiki"
        size = str(len(p.text.encode("utf-8")))
        text = ET.SubElement(rev, "text", {"bytes": size, "xml:space": "preserve"})
        text.text = _checked(p.text, f"Text von {p.title}")
        ET.SubElement(rev, "sha1").text = sha1_base36(p.text)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
