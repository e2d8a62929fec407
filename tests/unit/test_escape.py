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
from mwparserfromhell.nodes import ExternalLink, HTMLEntity, Tag, Text

from ozgwiki.definitions.schema import PAGE_FIELD, ColumnDef
from ozgwiki.domain.model import Phase
from ozgwiki.render import gantt, overview
from ozgwiki.render.facts import PHASE_PROPERTIES, Facts, Subject
from ozgwiki.render.maintenance import Finding, PageRecord, render_report
from ozgwiki.wikitext import escape
from ozgwiki.wikitext.params import get_template_params, set_template_params

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
# Parameter values: escaped only where they would be markup in a named parameter value

#: More pieces a catalogue value may carry: what the parameter rule keeps plain next to what it escapes.
PARAM_MARKUP = [
    *MARKUP, "d'A", "''x''", "~~", "~~~", "a = b", "=H=", "-- x", "---", "-----", "a > b", "a < b",
    "AT&T", "F&E", "& ", "&;", "&&", "&amp", "&ampx", "&lt", "&copy", "&not", "&#65", "&#x41", "&#",
    "&#039;", "&quot;", "[http://x.de y]", "{{{1}}}", "<!-- c -->",
]  # fmt: skip
param_values = st.lists(
    st.one_of(st.sampled_from(PARAM_MARKUP), st.text(storable_chars, max_size=3)), max_size=12
).map("".join)
#: Which nodes mwparserfromhell may find in a value that shows literally.
LITERAL_NODES = (Text, HTMLEntity)


def is_literal(node: object) -> bool:
    """Text or a character reference; or a free URL, which ``param_value`` documents it leaves alone
    (``[http://x.de y]`` escaped still shows ``http://x.de`` as a link, but the brackets as text)."""
    return isinstance(node, LITERAL_NODES) or (isinstance(node, ExternalLink) and not node.brackets)


_LINE_START_MARKUP = re.compile(r"(?:\A|(?<=[\r\n]))(?:[*#:; =]|----)")


def in_template(value: str) -> mwparserfromhell.wikicode.Wikicode:
    """The value of the one parameter ``x`` of ``{{V|x=value}}``; asserts the call kept its structure."""
    code = mwparserfromhell.parse("{{V|x=" + value + "}}")
    assert len(code.nodes) == 1, "the value ended the template call"
    (template,) = code.filter_templates()
    assert [str(p.name) for p in template.params] == ["x"], "the value started another parameter"
    return template.params[0].value


def mw_text_decode(text: str) -> str:
    """Scribunto's ``mw.text.decode(s)`` as ``Modul:OZG`` calls it: one pass over ``&name;``/``&#n;``/
    ``&#xh;``, decoding the numeric ones and only the names ``lt gt amp quot nbsp`` (and ``&#039;``);
    everything else, a plain ``&`` included, stays as it is."""
    names = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "nbsp": "\xa0"}

    def decode(match: re.Match[str]) -> str:
        flag, name = match.group(1), match.group(2)
        if flag == "" and name in names:
            return names[name]
        number = int(name) if flag == "#" and name.isdigit() else None
        if flag == "#x" and re.fullmatch(r"[0-9a-fA-F]+", name):
            number = int(name, 16)
        return chr(number) if number is not None and number <= 0x10FFFF else match.group(0)

    return re.sub(r"&(#?x?)([a-zA-Z0-9]+);", decode, text)


@settings(max_examples=400)
@given(storable)
def test_a_parameter_value_decodes_back_exactly(value: str) -> None:
    assert escape.unescape(escape.param_value(value)) == value


@settings(max_examples=400)
@given(param_values)
def test_a_markup_heavy_parameter_value_decodes_back_exactly_in_python_and_in_lua(value: str) -> None:
    """``unescape`` for the importer and the facts, ``mw.text.decode`` for what the templates store."""
    escaped = escape.param_value(value)
    assert escape.unescape(escaped) == value
    assert mw_text_decode(escaped) == value


@settings(max_examples=400)
@given(param_values)
def test_a_parameter_value_shows_literally(value: str) -> None:
    escaped = escape.param_value(value)
    nodes = in_template(escaped).nodes
    assert all(is_literal(node) for node in nodes), nodes
    # Markup the parser does not model inside a template: signatures, headings, "----", <pre>.
    assert "~~~" not in escaped and "''" not in escaped
    assert not _LINE_START_MARKUP.search(escaped), escaped
    assert shown(escaped) == value


@settings(max_examples=200)
@given(param_values)
def test_set_template_params_reads_back_what_it_wrote(value: str) -> None:
    escaped = escape.param_value(value).strip(" \t\n\r\0\x0b")
    text = set_template_params("{{V\n| x = alt\n| y = 1\n}}", "V", {"x": escaped})
    assert get_template_params(text, "V") == {"x": escaped, "y": "1"}


def test_a_parameter_value_keeps_a_plain_ampersand_and_line_breaks() -> None:
    assert escape.param_value("A & B\n* c") == "A & B\n&#42; c"


@pytest.mark.parametrize(
    "raw", ["&amp;", "&#124;", "&#x7C;", "&nbsp;", "&foo;", "&lt", "&ampx", "&copy", "&#65", "&#"]
)
def test_an_ampersand_is_escaped_where_some_reader_would_see_a_character_reference(raw: str) -> None:
    assert escape.param_value(raw) == "&amp;" + raw[1:]


@pytest.mark.parametrize("raw", ["Bauen & Immobilien", "AT&T", "F&E", "R&D-Abteilung", "&", "&;", "&&"])
def test_a_plain_ampersand_stays_as_people_type_it(raw: str) -> None:
    assert escape.param_value(raw) == raw
    assert mw_text_decode(raw) == raw == escape.unescape(raw)


def test_the_older_spelling_decodes_to_the_same_value_in_lua() -> None:
    """A page the bot wrote before (``&amp;``) and one it writes now (``&``) store the same value."""
    assert mw_text_decode("Bauen &amp; Immobilien") == mw_text_decode("Bauen & Immobilien")


@pytest.mark.parametrize(
    ("raw", "node"),
    [
        ("a|b", None),  # a second parameter
        ("x}", None),  # "}" closes the call with its own "}}"
        ("{{T}}", "Template"),
        ("{{{1}}}", "Argument"),
        ("[[L]]", "Wikilink"),
        ("[http://x.de y]", "ExternalLink"),
        ("<b>x</b>", "Tag"),
        ("<!-- c -->", "Comment"),
        ("&amp;", "HTMLEntity"),
        ("''x''", "Tag"),
        ("a\n* b", "Tag"),
        ("a\n; b", "Tag"),
        ("a\n----", "Tag"),
    ],
)
def test_what_is_escaped_would_be_markup_written_plain(raw: str, node: str | None) -> None:
    code = mwparserfromhell.parse("{{V|x=" + raw + "}}")
    templates = code.filter_templates(recursive=False)
    if node is None:
        assert len(code.nodes) != 1 or len(templates[0].params) != 1
    else:
        assert node in {type(n).__name__ for n in templates[0].params[0].value.nodes}
    assert all(is_literal(n) for n in in_template(escape.param_value(raw)).nodes)


@pytest.mark.parametrize(
    "raw", ["Bauen & Immobilien", "d'Artagnan", "a = b", "a=b=c", "~~", "a > b", "-- x", "a\n--- b", "100 %"]
)
def test_what_stays_plain_is_text_in_a_named_value(raw: str) -> None:
    assert escape.param_value(raw) == raw
    nodes = in_template(raw).nodes
    assert all(isinstance(n, Text) for n in nodes), nodes
    assert str(in_template(raw)) == raw


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
