"""Render the overview definitions (``semantic/pages/*.yaml``) into wikitext. Pure.

One definition, two renderings with **the same rows**:

* ``static``: sortable wikitables the bot computes from :class:`~ozgwiki.render.facts.Facts` (for wikis
  without Semantic MediaWiki, and for admins who want no query load);
* ``ask``: ``{{#ask:}}`` queries with the same conditions, columns and sort, answered live by SMW.

Both select rows the way SMW does, so they agree: a subject is listed when it is in the category and
holds every ``where`` value (a condition may follow a property chain, ``OZG-Leistung.Größenklasse``: the
value on the page its OZG-Leistung points to), and -- SMW's default (no ``SMW_QSORT_UNCONDITIONAL``) --
when it holds a value for every sort property (every table sorts by properties each page has, see
``Modul:OZG``'s ``rang``); rows are ordered by the sort values (code point order, as SMW's default
``identity`` collation), then by title. The cells render by one set of rules on both sides (the live
side in ``Modul:OZG``, see docs/templates.md, „Live tables“); that readers see the same is checked on a
real SMW (tests/smw/) and against its recorded answers (tests/unit/test_ask_recorded.py).

Nothing here writes a timestamp: the same facts always give the same text, so an unchanged
overview is never saved again.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ozgwiki.definitions import storage
from ozgwiki.definitions.schema import (
    MAX_INLINE_LIMIT,
    PAGE_FIELD,
    PLACEHOLDER,
    VALUE_FIELD,
    ColumnDef,
    PageDef,
    PropertyDef,
    SectionDef,
)
from ozgwiki.domain.model import Monat, Prioritaet
from ozgwiki.render import gantt
from ozgwiki.render.facts import Facts, Subject
from ozgwiki.wikitext import escape  # one escaping rule for every generated table

MODES = ("static", "ask")
CATEGORY_NS = "Kategorie"


# ------------------------------------------------------------------------------ pages to render


@dataclass(frozen=True)
class OverviewPage:
    """One page to render: its title, definition, placeholder values and extra conditions."""

    title: str
    definition: PageDef
    values: Mapping[str, str]
    extra_where: tuple[tuple[str, str], ...] = ()
    #: True for pages that only hold overviews (Roadmap, Größenklasse …); False for entity pages
    #: (Themenfeld, Kommune), which carry the importer's template and human text.
    overview_only: bool = True


def _entity_values(subject: Subject) -> dict[str, str]:
    values = {prop: vals[0] for prop, vals in subject.values.items() if vals}
    values[PAGE_FIELD] = subject.title
    return values


def pages_of(definition: PageDef, facts: Facts, properties: Mapping[str, PropertyDef]) -> list[OverviewPage]:
    """Every page a definition makes: one, one per entity of a category, or one per allowed value."""
    if definition.for_each_category:
        out = []
        for subject in facts.in_category(definition.for_each_category):
            values = _entity_values(subject)
            try:
                title = definition.title_for(values)
            except KeyError:
                continue  # the entity lacks a value its title needs; nothing sensible to make
            out.append(OverviewPage(title, definition, values, overview_only=title != subject.title))
        return out
    if definition.for_each_values_of:
        return [
            OverviewPage(definition.title_for({VALUE_FIELD: v}), definition, {VALUE_FIELD: v})
            for v in properties[definition.for_each_values_of].allowed
        ]
    out = [OverviewPage(definition.title, definition, {})]
    if definition.filter_category and definition.filter_title:
        for subject in facts.in_category(definition.filter_category):
            values = _entity_values(subject)
            where = tuple((p, _bind(v, values)) for p, v in definition.filter_where)
            title = _bind(definition.filter_title, values)
            out.append(OverviewPage(title, definition, values, extra_where=where))
    return out


def _bind(text: str, values: Mapping[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)


def conditions(section: SectionDef, page: OverviewPage) -> tuple[tuple[str, str], ...]:
    """The section's ``where`` with placeholders bound, plus the page's filter conditions."""
    return tuple((p, _bind(v, page.values)) for p, v in section.where) + page.extra_where


# ------------------------------------------------------------------------------ selecting rows


@dataclass(frozen=True)
class Selection:
    """The rows of a section in order, and the subjects SMW would leave out (no sort value)."""

    rows: tuple[Subject, ...]
    hidden: tuple[Subject, ...] = ()


def _sort_value(subject: Subject, prop: str) -> str | None:
    if prop == PAGE_FIELD:
        return subject.title
    values = subject.get(prop)
    return min(values) if values else None


def chain_values(facts: Facts, subject: Subject, prop: str) -> tuple[str, ...]:
    """The values of a condition's property on ``subject`` (see :meth:`Facts.values`)."""
    return facts.values(subject, prop)


def select(
    facts: Facts,
    category: str,
    where: Sequence[tuple[str, str]],
    sort: Sequence[tuple[str, bool]],
) -> Selection:
    """Subjects of ``category`` holding every ``where`` value (a property or a chain of them), ordered by
    ``sort`` (prop, descending)."""
    if where:
        (prop, value), rest = where[0], where[1:]
        candidates = facts.holding(category, prop, value)
        matching = [s for s in candidates if all(v in facts.values(s, p) for p, v in rest)]
    else:
        matching = list(facts.in_category(category))
    shown, left_out = [], []
    for s in matching:  # one pass: thousands of LeiKa rows made a ``not in shown`` test quadratic
        (shown if all(_sort_value(s, p) is not None for p, _d in sort) else left_out).append(s)
    hidden = tuple(left_out)
    rows = sorted(shown, key=lambda s: s.title)
    for prop, descending in reversed(sort):
        rows.sort(key=lambda s, p=prop: _sort_value(s, p) or "", reverse=descending)
    return Selection(tuple(rows), hidden)


def select_section(section: SectionDef, page: OverviewPage, facts: Facts) -> Selection:
    """A section's rows. With ``group_by``, a subject without a group value belongs to no group by
    definition (the live table asks group by group), so it is not counted as hidden either."""
    sort = [(k.field, k.descending) for k in section.sort]
    selection = select(facts, section.category, conditions(section, page), sort)
    if section.group_by and selection.hidden:
        grouped = tuple(s for s in selection.hidden if s.get(section.group_by))
        return Selection(selection.rows, grouped)
    return selection


def groups(section: SectionDef, selection: Selection) -> list[tuple[str | None, tuple[Subject, ...]]]:
    """Rows split by ``group_by`` (group values in order of first appearance); one group otherwise."""
    if not section.group_by:
        return [(None, selection.rows)]
    order: dict[str, list[Subject]] = {}
    for s in selection.rows:
        for value in s.get(section.group_by)[:1]:
            order.setdefault(value, []).append(s)
    return [(value, tuple(rows)) for value, rows in order.items()]


# ------------------------------------------------------------------------------ the row model


@dataclass(frozen=True)
class Row:
    """One table row as data: the subject and, per column, its values as SMW stores them.

    Page values are titles, dates ``JJJJ-MM``, numbers and texts as strings; a count column holds the
    number as its one value. Both renderings reduce to this, so they can be compared.
    """

    subject: str
    cells: tuple[tuple[str, ...], ...]


def row_of(subject: Subject, columns: Sequence[ColumnDef], facts: Facts) -> Row:
    cells = []
    for col in columns:
        if col.count_category and col.count_field:
            n = len(facts.pointing_to(col.count_category, col.count_field, subject.title))
            cells.append((str(n),))
        elif col.field == PAGE_FIELD:
            cells.append((subject.title,))
        else:
            cells.append(subject.get(col.field or ""))
    return Row(subject.title, tuple(cells))


def static_rows(section: SectionDef, page: OverviewPage, facts: Facts) -> list[Row]:
    """The rows the static table shows, in order (groups one after the other)."""
    selection = select_section(section, page, facts)
    return [row_of(s, section.columns, facts) for _g, rows in groups(section, selection) for s in rows]


# ------------------------------------------------------------------------------ static wikitext


def show_date(value: str) -> str:
    """``2020-01`` -> ``Januar 2020``; ``2019-12-12`` -> ``12. Dezember 2019`` (as the templates)."""
    parts = value.split("-")
    month = str(Monat(int(parts[0]), int(parts[1])))
    return f"{int(parts[2])}. {month}" if len(parts) == 3 else month


#: Stored values shown as labels in both renderings (the Priorität is stored as its digit).
VALUE_LABELS: Mapping[str, Mapping[str, str]] = {"Priorität": {str(p.stufe): p.label for p in Prioritaet}}


def _cell(col: ColumnDef, subject: Subject, facts: Facts, props: Mapping[str, PropertyDef]) -> str:
    """The cell markup after ``| `` (attributes included where sorting needs them)."""
    if col.count_category and col.count_field:
        return str(len(facts.pointing_to(col.count_category, col.count_field, subject.title)))
    if col.field == PAGE_FIELD:
        label = (subject.first(col.label) if col.label else None) or facts.label(subject.title)
        return escape.link(subject.title, label)
    prop = props.get(col.field or "")
    values = subject.get(col.field or "")
    if not values:
        return ""
    if prop is not None and prop.datatype == "Page":
        return ", ".join(escape.link(v, facts.label(v)) for v in page_order(values))
    if prop is not None and prop.datatype == "Date":
        return f'data-sort-value="{values[0]}" | ' + ", ".join(show_date(v) for v in values)
    labels = VALUE_LABELS.get(col.field or "", {})
    order = [*labels] if labels else list(prop.allowed if prop is not None else ())
    return ", ".join(escape.cell(labels.get(v, v)) for v in vocabulary_order(values, order))


def page_order(titles: Sequence[str]) -> list[str]:
    """Page values in the order SMW prints them: sorted by their database key (``_`` for space,
    byte order), whatever order the page stored them in (``SemanticDataLookup`` sorts them)."""
    return sorted(titles, key=lambda t: t.replace(" ", "_").encode("utf-8"))


def vocabulary_order(values: Sequence[str], vocabulary: Sequence[str]) -> list[str]:
    """Vocabulary values in the vocabulary's order (others after them, as they came)."""
    rank = {v: i for i, v in enumerate(vocabulary)}
    return sorted(values, key=lambda v: rank.get(v, len(rank)))


def _empty(section: SectionDef) -> str:
    """The text of a section without rows (the static text, SMW's ``default``). Under an intro it is
    marked as a paragraph of its own: the intro line is followed directly by the table (see
    :func:`_heading`), which ends the paragraph by itself, but this text would join it."""
    text = f"''{escape.cell(section.empty or 'keine Einträge')}''"
    return f"<p>{text}</p>" if section.intro else text


def static_table(
    columns: Sequence[ColumnDef], rows: Sequence[Subject], facts: Facts, props: Mapping[str, PropertyDef]
) -> str:
    lines = ['{| class="wikitable sortable"', "! " + " !! ".join(escape.cell(c.header) for c in columns)]
    for subject in rows:
        lines.append("|-")
        for col in columns:
            cell = _cell(col, subject, facts, props)
            lines.append(f"| {cell}" if cell else "|")
    lines.append("|}")
    return "\n".join(lines)


def _heading(section: SectionDef) -> list[str]:
    """The heading and the sentence saying what the table lists, the same lines in both modes.

    No blank line follows the intro: the live table's head (``Modul:OZG``'s ``kopf``) starts with a
    line break of its own, so a blank line gave the live rendering an empty paragraph the static one
    lacks; a table line ends the intro's paragraph by itself in both."""
    out = [f"== {section.heading} =="] if section.heading else []
    return [*out, escape.cell(section.intro)] if section.intro else out


def group_heading(section: SectionDef, value: str, facts: Facts, props: Mapping[str, PropertyDef]) -> str:
    """The ``===`` heading of one group: a link to the group's page when ``group_by`` is a Page
    property (``=== [[Lage Schule|Schule]] ===``), so readers click on to it; the value otherwise."""
    prop = props.get(section.group_by or "")
    label = facts.label(value)
    shown = escape.link(value, label) if prop is not None and prop.datatype == "Page" else escape.cell(label)
    return f"=== {shown} ==="


def render_static(
    section: SectionDef, page: OverviewPage, facts: Facts, props: Mapping[str, PropertyDef]
) -> str:
    """A section as static wikitext: heading, then one table (or one per group) or the empty text."""
    selection = select_section(section, page, facts)
    out = _heading(section)
    if not selection.rows:
        return "\n".join([*out, _empty(section)])
    for value, rows in groups(section, selection):
        if value is not None:
            out.append(group_heading(section, value, facts, props))
        out.append(static_table(section.columns, rows, facts, props))
    return "\n".join(out)


# ------------------------------------------------------------------------------ #ask wikitext
#
# SMW's own table format shows page titles, lists the pages of an inverse printout instead of
# counting them and stored values instead of their labels. So the live tables are built by the
# row templates Vorlage:Übersichtskopf / -zeile / -ende (``format=plainlist``), whose Lua
# (``Modul:OZG``: kopf, zeile, ende) renders every cell as :func:`_cell` does. The columns travel
# in ``userparam``; SMW pastes values into the row template's call unescaped, so only titles, ISO
# dates and vocabulary values are printed -- names and IDs are read from the row's page by Lua.

ROW_TEMPLATE = "Übersichtszeile"
HEAD_TEMPLATE = "Übersichtskopf"
END_TEMPLATE = "Übersichtsende"
#: Between the values of one printout; ``#`` cannot occur in a title and vocabularies are checked.
VALUESEP = "#"
_UNSAFE = re.compile(r"[#|{}\[\]<>;=/]")
#: Row templates read the page's Name from this parameter of the templates that have one.
NAME_PARAM = "Name"


@dataclass(frozen=True)
class Printout:
    """``|?Property#format=label`` (``inverse``: ``?-Property``)."""

    prop: str
    label: str
    inverse: bool = False
    output: str = ""

    def text(self) -> str:
        spec = f"{'-' if self.inverse else ''}{self.prop}{'#' + self.output if self.output else ''}"
        return f"?{spec}={self.label}"


@dataclass(frozen=True)
class AskQuery:
    """The subset of SMW's query language the overviews use, and its ``{{#ask:}}`` text."""

    category: str
    where: tuple[tuple[str, str], ...]
    printouts: tuple[Printout, ...]
    columns: str
    sort: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    #: SMW shows at most ``$smwgQMaxInlineLimit`` rows whatever this says, and says so only by
    #: ``searchlabel``: its link to the rest of a cut list (Special:Ask, from the row after the last
    #: shown); empty = no link.
    limit: int = MAX_INLINE_LIMIT
    default: str = ""
    searchlabel: str = ""

    def condition_text(self) -> str:
        parts = [f"[[{CATEGORY_NS}:{self.category}]]"] + [f"[[{p}::{v}]]" for p, v in self.where]
        return " ".join(parts)

    def text(self) -> str:
        lines = ["{{#ask: " + self.condition_text()]
        lines += [f" |{p.text()}" for p in self.printouts]
        if self.sort:
            lines.append(f" |sort={','.join(self.sort)}")
            lines.append(f" |order={','.join(self.order)}")
        lines += [
            " |format=plainlist",
            f" |template={ROW_TEMPLATE}",
            f" |introtemplate={HEAD_TEMPLATE}",
            f" |outrotemplate={END_TEMPLATE}",
            " |named args=yes",
            " |link=none",
            f" |valuesep={VALUESEP}",
            f" |userparam={self.columns}",
            f" |searchlabel={self.searchlabel}",
            f" |limit={self.limit}",
        ]
        if self.default:
            lines.append(f" |default={self.default}")
        lines.append("}}")
        return "\n".join(lines)


def _safe(text: str, what: str) -> str:
    if _UNSAFE.search(text):
        raise ValueError(f"{what} {text!r} cannot pass SMW's row template (no # | {{ }} [ ] < > ; = /)")
    return text


def _column_kind(
    col: ColumnDef, template: str, props: Mapping[str, PropertyDef]
) -> tuple[str, Printout | None]:
    """``kind[:arg]`` of one column for ``Modul:OZG``'s row functions, and its printout (if any)."""
    if col.count_category and col.count_field:
        return "anzahl", Printout(col.count_field, "", inverse=True)
    if col.field == PAGE_FIELD:
        param = storage.param_for(template, col.label) if col.label else NAME_PARAM
        return f"titel:{param}", None
    prop = props.get(col.field or "")
    if prop is None:
        raise ValueError(f"column {col.header}: unknown property {col.field!r}")
    if prop.datatype == "Page":
        return f"seiten:{NAME_PARAM}", Printout(prop.name, "")
    if prop.datatype == "Date":  # shown as SMW formats it; "sNi" (#ISO) is the sort value
        return "datum", Printout(prop.name, "")
    labels = VALUE_LABELS.get(prop.name)
    if labels:
        pairs = "/".join(f"{_safe(k, 'value')}={_safe(v, 'label')}" for k, v in labels.items())
        return f"abbild:{pairs}", Printout(prop.name, "")
    if prop.allowed:
        values = "/".join(_safe(v, f"value of {prop.name}") for v in prop.allowed)
        return f"wahl:{values}", Printout(prop.name, "")
    return f"feld:{storage.param_for(template, prop.name)}", None  # free text: read from the page


def ask_query(
    section: SectionDef, where: Sequence[tuple[str, str]], props: Mapping[str, PropertyDef]
) -> AskQuery:
    """The query for a section (with conditions already bound); see the comment above."""
    if not section.columns or section.columns[0].field != PAGE_FIELD:
        raise ValueError(f"section {section.name}: #ask needs the page as the first column")
    template = storage.template_for_category(section.category)
    specs, printouts = [], []
    for i, col in enumerate(section.columns, start=1):
        if i > 1 and col.field == PAGE_FIELD:
            raise ValueError(f"section {section.name}: the page column must come first for #ask")
        kind, printout = _column_kind(col, template, props)
        specs.append(f"{_safe(col.header, 'header')}={kind}")
        if printout is not None:
            printouts.append(dataclasses.replace(printout, label=f"s{i}"))
        if kind == "datum":
            printouts.append(Printout(col.field or "", f"s{i}i", output="ISO"))
    return AskQuery(
        category=section.category,
        where=tuple(where),
        printouts=tuple(printouts),
        columns=";".join(specs),
        sort=tuple(k.field for k in section.sort),
        order=tuple("desc" if k.descending else "asc" for k in section.sort),
        limit=section.limit,
        default=_empty(section),
        searchlabel=escape.cell(section.more),
    )


def render_ask(
    section: SectionDef, page: OverviewPage, facts: Facts, props: Mapping[str, PropertyDef]
) -> str:
    """A section as live queries: heading, then one ``{{#ask:}}`` (or one per group known today)."""
    where = conditions(section, page)
    out = _heading(section)
    if section.group_by:
        selection = select_section(section, page, facts)
        found = [value for value, _rows in groups(section, selection)]
        if not found:
            return "\n".join([*out, _empty(section)])
        for value in found:
            out.append(group_heading(section, value, facts, props))
            out.append(ask_query(section, [*where, (section.group_by, value)], props).text())
        return "\n".join(out)
    out.append(ask_query(section, where, props).text())
    return "\n".join(out)


# ------------------------------------------------------------------------------ both, per section


def render_section(
    section: SectionDef, page: OverviewPage, facts: Facts, props: Mapping[str, PropertyDef], mode: str
) -> str:
    """The content of one marked section in ``mode`` (``static`` or ``ask``)."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; known: {', '.join(MODES)}")
    if section.format == "gantt":
        selection = select_section(section, page, facts)
        return "\n".join([*_heading(section), gantt.render(selection.rows, facts, empty=_empty(section))])
    if mode == "ask":
        return render_ask(section, page, facts, props)
    return render_static(section, page, facts, props)
