"""ozgwiki.wikitext.escape: every escaping rule, and that all generated tables share the cell rule.

"Shows literally" is checked the way MediaWiki would show the text: parsed by mwparserfromhell inside a
real table, no markup node may appear, and decoding the character references gives the value back.
"""

from __future__ import annotations

import html
import html.entities
import re

import mwparserfromhell
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mwparserfromhell.nodes import HTMLEntity, Tag, Text

from ozgwiki.definitions.schema import PAGE_FIELD, ColumnDef
from ozgwiki.domain.model import Phase
from ozgwiki.render import gantt, overview
from ozgwiki.render.facts import PHASE_PROPERTIES, Facts, Subject
from ozgwiki.render.maintenance import Finding, PageRecord, render_report
from ozgwiki.wikitext import escape

#: Markup a value may carry into a cell: every character of the cell rule, and the sequences that
#: would end a cell, a row or the table, or start a link, template, tag, comment or signature.
MARKUP = [
    "|", "||", "!!", "[", "]", "[[", "]]", "{", "}", "{{", "}}", "{{{1}}}", "{|", "|}", "|-", "|+",
    "<", ">", "<b>", "</td>", "<nowiki>", "</nowiki>", "<!--", "-->", "'", "''", "'''", "~", "~~~~",
    "_", "__NOTOC__", "&", "&amp;", "&#124;", "&#x7C;", "&lt", "&nbsp;", "&foo;", "\n", "\r\n", "\r",
    "\t", "=", "==", "*", "#", ":", ";", "-", "----", "!", " ", "a", "Straße", "🚀",
]  # fmt: skip
# Characters MediaWiki can store in a page: no C0 control characters except tab, LF and CR.
storable_chars = st.characters(blacklist_categories=["Cs"], blacklist_characters=[
    chr(c) for c in range(32) if chr(c) not in "\t\n\r"
])  # fmt: skip
storable = st.text(storable_chars)
pieces = st.one_of(st.sampled_from(MARKUP), st.text(storable_chars, max_size=3))
values = st.lists(pieces, max_size=12).map("".join)


def shown(wikitext: str) -> str:
    """What a reader sees of plain text: complete character references decoded, nothing else.

    MediaWiki's sanitizer keeps a complete reference (``&amp;``, ``&#124;``) and writes every other
    ``&`` as ``&amp;``; so unlike ``html.unescape`` an unterminated ``&lt`` stays as it is.
    """

    def decode(match: re.Match[str]) -> str:
        ref = match.group(0)
        return html.unescape(ref) if ref[1] == "#" or ref[1:] in html.entities.html5 else ref

    return re.sub(r"&#?\w+;", decode, wikitext)


def table_cells(wikitext: str) -> list[Tag]:
    """The data cells of the one table in ``wikitext``, as mwparserfromhell reads it."""
    (table,) = [n for n in mwparserfromhell.parse(wikitext).nodes if isinstance(n, Tag)]
    assert table.tag == "table"
    return [
        c
        for row in table.contents.filter_tags(recursive=False)
        for c in row.contents.filter_tags(recursive=False)
    ]


def literal(value: str) -> str:
    """What a cell must show for ``value``: the value, every line break or tab a space."""
    return re.sub(r"[\r\n\t]", " ", value)


# --------------------------------------------------------------------------------------------------
# The cell rule


@settings(max_examples=400)
@given(values)
def test_a_cell_value_shows_literally_in_one_cell(value: str) -> None:
    cells = table_cells("{|\n|-\n| " + escape.cell(value) + "\n|}")
    assert len(cells) == 1, "the value ended its cell or row"
    (cell,) = cells
    assert cell.tag == "td"
    assert all(isinstance(node, Text | HTMLEntity) for node in cell.contents.nodes), cell.contents.nodes
    content = str(cell.contents)
    assert content[0] == " " and content[-1] == "\n"
    # MediaWiki markup the parser does not model: signatures and behaviour switches.
    assert "~~~" not in content and "__" not in content
    assert shown(content[1:-1]) == literal(value)


@settings(max_examples=300)
@given(values)
def test_a_header_cell_value_shows_literally_in_one_header_cell(value: str) -> None:
    """The roadmap's row headers are project names: ``!!`` in one must not start a second cell."""
    cells = table_cells("{|\n|-\n! " + escape.cell(value) + "\n|}")
    assert [c.tag for c in cells] == ["th"], "the value ended its header cell"
    assert shown(str(cells[0].contents)[1:-1]) == literal(value)


def test_two_exclamation_marks_stay_in_their_header_cell() -> None:
    cells = table_cells("{|\n|-\n! " + escape.cell("Achtung!! Neu") + "\n|}")
    assert [c.tag for c in cells] == ["th"]


@pytest.mark.parametrize("char", list("|[]{}<>'~_!"))
def test_every_markup_character_becomes_a_character_reference(char: str) -> None:
    escaped = escape.cell(f"x{char}{char}{char}y")
    assert char not in escaped
    assert html.unescape(escaped) == f"x{char}{char}{char}y"


@pytest.mark.parametrize("brk", ["\n", "\r\n", "\r", "\t"])
def test_a_line_break_cannot_end_a_cell(brk: str) -> None:
    escaped = escape.cell(f"a{brk}|- b{brk}| c{brk}|}}")
    assert "\n" not in escaped and "\r" not in escaped and "\t" not in escaped
    assert len(table_cells("{|\n|-\n| " + escaped + "\n|}")) == 1


def test_an_ampersand_is_escaped_only_where_it_would_start_a_character_reference() -> None:
    assert escape.cell("Bauen & Wohnen") == "Bauen & Wohnen"
    assert escape.cell("&amp; &#124; &#x7C; &lt") == "&amp;amp; &amp;#124; &amp;#x7C; &lt"


def test_a_link_label_follows_the_cell_rule_and_the_title_is_kept() -> None:
    assert escape.link("Seite A", "x|y\n[[z]]") == "[[Seite A|x&#124;y &#91;&#91;z&#93;&#93;]]"
    assert escape.page_link("Kategorie:A~~B") == "[[:Kategorie:A&#126;&#126;B]]"


@settings(max_examples=200)
@given(values)
def test_nowiki_cannot_be_closed_and_stays_in_its_cell(value: str) -> None:
    cells = table_cells("{|\n|-\n| " + escape.nowiki(value) + "\n|}")
    assert len(cells) == 1
    nodes = [n for n in cells[0].contents.nodes if not (isinstance(n, Text) and not n.value.strip())]
    assert len(nodes) == 1 and isinstance(nodes[0], Tag) and nodes[0].tag == "nowiki"
    assert shown(str(nodes[0].contents)) == literal(value)


# --------------------------------------------------------------------------------------------------
# Parameter values (today's rule, unchanged)


@settings(max_examples=400)
@given(storable)
def test_a_parameter_value_decodes_back_exactly(value: str) -> None:
    assert escape.unescape(escape.param_value(value)) == value


def test_a_parameter_value_escapes_every_ampersand_and_keeps_line_breaks() -> None:
    assert escape.param_value("A & B\n* c") == "A &amp; B\n&#42; c"


# --------------------------------------------------------------------------------------------------
# One rule for every generated table

VALUE = "a | b & [[c]] &amp; d\ne"
EXPECTED = "a &#124; b & &#91;&#91;c&#93;&#93; &amp;amp; d e"


def _overview_cells(value: str) -> tuple[str, str]:
    """A Text value's cell and a page link's label in an overview table."""
    subject = Subject("P", frozenset(), {"Wert": (value,), "Name": (value,)})
    columns = [ColumnDef("Seite", field=PAGE_FIELD), ColumnDef("Wert", field="Wert")]
    text = overview.static_table(columns, [subject], Facts([subject]), {})
    link_line, value_line = text.splitlines()[3:5]
    return value_line.removeprefix("| "), link_line.removeprefix("| [[P|").removesuffix("]]")


def _report_cell(value: str) -> str:
    """The "Vorschlag" cell of a maintenance report row."""
    finding = Finding("P", "1", None, "unknown", "m", value, "Steckbrief", "LeiKa-Schlüssel", 1, 0)
    text = render_report({"P": PageRecord("P", findings=(finding,))})
    lines = text.splitlines()
    row = lines.index("|-")
    return lines[row + 4].removeprefix("| ")


def _gantt_label(value: str) -> str:
    """The label of a project's link in the roadmap grid."""
    subject = Subject("P", frozenset(), {"Name": (value,), PHASE_PROPERTIES[Phase.UMSETZUNG]: ("2021-03",)})
    text = gantt.render([subject], Facts([subject]), empty="")
    return text.split("[[P|", 1)[1].split("]]", 1)[0]


def test_overview_roadmap_and_maintenance_report_share_the_cell_rule() -> None:
    overview_cell, overview_label = _overview_cells(VALUE)
    assert overview_cell == overview_label == _report_cell(VALUE) == _gantt_label(VALUE) == EXPECTED
