"""Render the overview definitions (``semantic/pages/*.yaml``) into wikitext. Pure.

One definition, two renderings with **the same rows**:

* ``static``: sortable wikitables the bot computes from :class:`~ozgwiki.facts.Facts` (for wikis
  without Semantic MediaWiki, and for admins who want no query load);
* ``ask``: ``{{#ask:}}`` queries with the same conditions, columns and sort, answered live by SMW.

Both select rows the way SMW does, so they agree: a subject is listed when it is in the category and
holds every ``where`` value, and -- SMW's default (no ``SMW_QSORT_UNCONDITIONAL``) -- when it holds a
value for every sort property; rows are ordered by the sort values (code point order, as SMW's
default ``identity`` collation), then by title. :func:`interpret_ask` answers a generated query
from the facts in the shape of ``action=ask``, and :func:`rows_from_ask` turns any such answer
(recorded or interpreted) into :class:`Row` s, so tests can compare both renderings row by row.

Nothing here writes a timestamp: the same facts always give the same text, so an unchanged
overview is never saved again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ozgwiki import gantt
from ozgwiki.facts import Facts, Subject
from ozgwiki.model import Monat, Prioritaet
from ozgwiki.schema import PAGE_FIELD, PLACEHOLDER, VALUE_FIELD, ColumnDef, PageDef, PropertyDef, SectionDef

MODES = ("static", "ask")
#: Rows per query; the static tables have no limit, so the ask side must not cut them either.
ASK_LIMIT = 5000
CATEGORY_NS = "Kategorie"
_ENTITY = re.compile(r"&(#?\w+;)")


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


def select(
    facts: Facts,
    category: str,
    where: Sequence[tuple[str, str]],
    sort: Sequence[tuple[str, bool]],
) -> Selection:
    """Subjects of ``category`` holding every ``where`` value, ordered by ``sort`` (prop, descending)."""
    matching = [s for s in facts.in_category(category) if all(value in s.get(prop) for prop, value in where)]
    shown = [s for s in matching if all(_sort_value(s, p) is not None for p, _d in sort)]
    hidden = tuple(s for s in matching if s not in shown)
    rows = sorted(shown, key=lambda s: s.title)
    for prop, descending in reversed(sort):
        rows.sort(key=lambda s, p=prop: _sort_value(s, p) or "", reverse=descending)
    return Selection(tuple(rows), hidden)


def select_section(section: SectionDef, page: OverviewPage, facts: Facts) -> Selection:
    sort = [(k.field, k.descending) for k in section.sort]
    return select(facts, section.category, conditions(section, page), sort)


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


def escape(text: str) -> str:
    """Make a value show literally in a table cell: no cell breaks, links, templates or markup."""
    text = _ENTITY.sub(r"&amp;\1", text)
    for ch, entity in (
        ("|", "&#124;"), ("[", "&#91;"), ("]", "&#93;"), ("{", "&#123;"), ("}", "&#125;"),
        ("<", "&lt;"), (">", "&gt;"), ("'", "&#39;"), ("~", "&#126;"), ("_", "&#95;"),
    ):  # fmt: skip
        text = text.replace(ch, entity)
    return text


def link(title: str, label: str) -> str:
    """``[[title|label]]`` with a label that shows literally."""
    return f"[[{title}|{escape(label)}]]"


def show_date(value: str) -> str:
    """``2020-01`` -> ``Januar 2020``; ``2019-12-12`` -> ``12. Dezember 2019`` (as the templates)."""
    parts = value.split("-")
    month = str(Monat(int(parts[0]), int(parts[1])))
    return f"{int(parts[2])}. {month}" if len(parts) == 3 else month


def _cell(col: ColumnDef, subject: Subject, facts: Facts, props: Mapping[str, PropertyDef]) -> str:
    """The cell markup after ``| `` (attributes included where sorting needs them)."""
    if col.count_category and col.count_field:
        return str(len(facts.pointing_to(col.count_category, col.count_field, subject.title)))
    if col.field == PAGE_FIELD:
        label = (subject.first(col.label) if col.label else None) or facts.label(subject.title)
        return link(subject.title, label)
    prop = props.get(col.field or "")
    values = subject.get(col.field or "")
    if not values:
        return ""
    if prop is not None and prop.datatype == "Page":
        return ", ".join(link(v, facts.label(v)) for v in values)
    if prop is not None and prop.datatype == "Date":
        return f'data-sort-value="{values[0]}" | ' + ", ".join(show_date(v) for v in values)
    if col.field == "Priorität":
        return ", ".join(escape(Prioritaet.parse(v).label) for v in values)
    return ", ".join(escape(v) for v in values)


def _empty(section: SectionDef) -> str:
    return f"''{escape(section.empty or 'keine Einträge')}''"


def static_table(
    columns: Sequence[ColumnDef], rows: Sequence[Subject], facts: Facts, props: Mapping[str, PropertyDef]
) -> str:
    lines = ['{| class="wikitable sortable"', "! " + " !! ".join(escape(c.header) for c in columns)]
    for subject in rows:
        lines.append("|-")
        for col in columns:
            cell = _cell(col, subject, facts, props)
            lines.append(f"| {cell}" if cell else "|")
    lines.append("|}")
    return "\n".join(lines)


def _heading(section: SectionDef) -> list[str]:
    return [f"== {section.heading} =="] if section.heading else []


def group_heading(section: SectionDef, value: str, facts: Facts, props: Mapping[str, PropertyDef]) -> str:
    """The ``===`` heading of one group: a link to the group's page when ``group_by`` is a Page
    property (``=== [[Lage Schule|Schule]] ===``), so readers click on to it; the value otherwise."""
    prop = props.get(section.group_by or "")
    label = facts.label(value)
    shown = link(value, label) if prop is not None and prop.datatype == "Page" else escape(label)
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


@dataclass(frozen=True)
class AskQuery:
    """The subset of SMW's query language the overviews use, and its ``{{#ask:}}`` text."""

    category: str
    where: tuple[tuple[str, str], ...]
    #: (property, label, inverse); the main column (the page) is not a printout.
    printouts: tuple[tuple[str, str, bool], ...]
    mainlabel: str
    sort: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    limit: int = ASK_LIMIT
    default: str = ""
    extra: tuple[tuple[str, str], ...] = field(default=(("format", "table"), ("class", "wikitable sortable")))

    def condition_text(self) -> str:
        parts = [f"[[{CATEGORY_NS}:{self.category}]]"] + [f"[[{p}::{v}]]" for p, v in self.where]
        return " ".join(parts)

    def text(self) -> str:
        lines = ["{{#ask: " + self.condition_text()]
        for prop, label, inverse in self.printouts:
            lines.append(f" |?{'-' if inverse else ''}{prop}={label}")
        lines.append(f" |mainlabel={self.mainlabel}")
        if self.sort:
            lines.append(f" |sort={','.join(self.sort)}")
            lines.append(f" |order={','.join(self.order)}")
        lines += [f" |{k}={v}" for k, v in self.extra]
        lines.append(f" |limit={self.limit}")
        if self.default:
            lines.append(f" |default={self.default}")
        lines.append("}}")
        return "\n".join(lines)


def ask_query(section: SectionDef, where: Sequence[tuple[str, str]]) -> AskQuery:
    """The query for a section (with conditions already bound).

    The page column becomes the main column (it must come first). A count column becomes the inverse
    printout ``?-Field``: SMW lists the pages pointing to the row there -- of *any* category, which
    equals the count only while no other category stores that property. ``schema.load`` enforces
    that (an Umsetzungsprojekt's OZG-Leistungen are ``Umgesetzte OZG-Leistung``, not ``OZG-Leistung``).
    """
    printouts = []
    for i, col in enumerate(section.columns):
        if col.field == PAGE_FIELD:
            if i != 0:
                raise ValueError(f"section {section.name}: the page column must come first for #ask")
            continue
        if col.count_category and col.count_field:
            printouts.append((col.count_field, col.header, True))
        else:
            printouts.append((col.field or "", col.header, False))
    if not section.columns or section.columns[0].field != PAGE_FIELD:
        raise ValueError(f"section {section.name}: #ask needs the page as the first column")
    return AskQuery(
        category=section.category,
        where=tuple(where),
        printouts=tuple(printouts),
        mainlabel=section.columns[0].header,
        sort=tuple(k.field for k in section.sort),
        order=tuple("desc" if k.descending else "asc" for k in section.sort),
        default=_empty(section),
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
            out.append(ask_query(section, [*where, (section.group_by, value)]).text())
        return "\n".join(out)
    out.append(ask_query(section, where).text())
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


# ------------------------------------------------------------------------------ reading #ask


_ASK_RE = re.compile(r"\{\{#ask:(.*?)\n\}\}", re.DOTALL)
_COND_RE = re.compile(r"\[\[([^\]]+?)\]\]")


def parse_ask(text: str) -> list[AskQuery]:
    """Read back every ``{{#ask:}}`` this module generated (the subset it writes, nothing more)."""
    queries = []
    for m in _ASK_RE.finditer(text):
        head, *params = [p.strip() for p in m.group(1).split("\n |")]
        category, where = "", []
        for cond in _COND_RE.findall(head):
            if cond.startswith(f"{CATEGORY_NS}:"):
                category = cond[len(CATEGORY_NS) + 1 :]
            else:
                prop, _sep, value = cond.partition("::")
                where.append((prop, value))
        printouts, opts = [], {}
        for p in params:
            if p.startswith("?"):
                spec, _sep, label = p[1:].partition("=")
                inverse = spec.startswith("-")
                printouts.append((spec.lstrip("-"), label, inverse))
            else:
                key, _sep, value = p.partition("=")
                opts[key] = value
        queries.append(
            AskQuery(
                category=category,
                where=tuple(where),
                printouts=tuple(printouts),
                mainlabel=opts.get("mainlabel", ""),
                sort=tuple(s for s in opts.get("sort", "").split(",") if s),
                order=tuple(s for s in opts.get("order", "").split(",") if s),
                limit=int(opts.get("limit", ASK_LIMIT)),
                default=opts.get("default", ""),
                extra=tuple((k, v) for k, v in opts.items() if k in ("format", "class")),
            )
        )
    return queries


def _smw_value(value: str, prop: PropertyDef | None) -> Any:
    """A stored value in the JSON shape ``action=ask`` answers with (see the recorded fixtures)."""
    if prop is not None and prop.datatype == "Page":
        return {"fulltext": value, "namespace": 0, "exists": "1", "displaytitle": ""}
    if prop is not None and prop.datatype == "Date":
        parts = [str(int(p)) for p in value.split("-")]
        return {"raw": "1/" + "/".join(parts)}
    if prop is not None and prop.datatype == "Number":
        return int(value) if value.lstrip("-").isdigit() else float(value)
    return value


def interpret_ask(query: AskQuery, facts: Facts, props: Mapping[str, PropertyDef]) -> dict[str, Any]:
    """Answer a query from the facts the way SMW would, shaped like an ``action=ask`` response body.

    Inverse printouts list every subject pointing to the row, whatever its category (as SMW does).
    """
    sort = [(p, o == "desc") for p, o in zip(query.sort, query.order, strict=False)]
    selection = select(facts, query.category, query.where, sort)
    printrequests = [{"label": query.mainlabel, "key": "", "typeid": "_wpg", "mode": 2}]
    for prop, label, inverse in query.printouts:
        typeid = "_wpg" if inverse else props[prop].type_id
        printrequests.append({"label": label, "key": prop.replace(" ", "_"), "typeid": typeid, "mode": 1})
    results: dict[str, Any] = {}
    for s in selection.rows[: query.limit]:
        printouts: dict[str, list[Any]] = {}
        for prop, label, inverse in query.printouts:
            if inverse:
                printouts[label] = [
                    _smw_value(o.title, props[prop]) for o in facts.subjects if s.title in o.get(prop)
                ]
            else:
                printouts[label] = [_smw_value(v, props.get(prop)) for v in s.get(prop)]
        results[s.title] = {"printouts": printouts, "fulltext": s.title, "namespace": 0, "exists": "1"}
    return {
        "query": {
            "printrequests": printrequests,
            "results": results or [],  # SMW answers [] (not {}) when nothing matches
            "meta": {"count": len(results), "offset": 0},
        }
    }


def value_of(raw: Any) -> str:
    """One printout value as the row model's string (page title, ``JJJJ-MM`` date, number, text)."""
    if isinstance(raw, Mapping):
        if "fulltext" in raw:
            return str(raw["fulltext"])
        if "raw" in raw:  # SMW dates: "1/2020/1" (calendar model/year/month[/day]) -> 2020-01
            parts = str(raw["raw"]).split("/")[1:]
            return "-".join([parts[0].zfill(4), *(p.zfill(2) for p in parts[1:3])])
        return str(raw.get("timestamp", ""))
    if isinstance(raw, bool):
        return "ja" if raw else "nein"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def result_entries(body: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(key, entry)`` of an ``action=ask``/``askargs`` answer: a dict, or ``[]`` when empty."""
    raw = body.get("query", {}).get("results", [])
    if isinstance(raw, Mapping):
        yield from raw.items()


def rows_from_ask(body: Mapping[str, Any], counted: Sequence[str] = ()) -> list[Row]:
    """Rows of an ``action=ask`` answer, columns in printrequest order (the main column first).

    ``counted`` names printout labels whose values are counted (the inverse printout of a count
    column). Subobject results keep their key (``Seite# hash``) as the subject.
    """
    requests = body.get("query", {}).get("printrequests", [])
    labels = [r.get("label", "") for r in requests if r.get("mode") != 2]
    rows = []
    for key, entry in result_entries(body):
        subject = str(entry.get("fulltext", key))
        cells: list[tuple[str, ...]] = [(subject,)]
        printouts = entry.get("printouts", {})
        for label in labels:
            values = printouts.get(label, [])
            cells.append((str(len(values)),) if label in counted else tuple(value_of(v) for v in values))
        rows.append(Row(subject, tuple(cells)))
    return rows


def continue_offset(body: Mapping[str, Any]) -> int | None:
    """The offset to re-ask with (``query-continue-offset``), None when the answer is complete."""
    nxt = body.get("query-continue-offset")
    return int(nxt) if nxt is not None else None


def ask_rows(
    section: SectionDef, page: OverviewPage, facts: Facts, props: Mapping[str, PropertyDef]
) -> list[Row]:
    """The rows the ``#ask`` rendering of a section would show, computed by :func:`interpret_ask`."""
    counted = [c.header for c in section.columns if c.count_category]
    rows: list[Row] = []
    for query in parse_ask(render_ask(section, page, facts, props)):
        rows += rows_from_ask(interpret_ask(query, facts, props), counted)
    return rows
