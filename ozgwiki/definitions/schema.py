"""Load and validate the wiki's structure: templates, properties, categories, forms, navigation, overviews.

Everything lives as data in the packages ``ozgwiki.templates`` and ``ozgwiki.semantic`` (read through
``importlib.resources``, so it works from a wheel). :func:`load` reads it all into frozen dataclasses
and checks it as a whole, because most mistakes are cross-references: an overview column naming a
property that does not exist, a template checking a vocabulary that differs from the property's
allowed values. All problems are collected and raised at once as :class:`SchemaError`, each naming
file and entry.

Each definition knows the title of the wiki page it becomes (``Attribut:LeiKa-Schlüssel``,
``Kategorie:…``, ``Formular:…``, ``Vorlage:…``, ``Modul:LeiKa``, ``MediaWiki:Sidebar``) and, where
the text is generated, renders that text.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from ozgwiki.definitions import variant
from ozgwiki.errors import SchemaError

#: SMW datatypes we use, by canonical English name (accepted on every content language as an
#: alias) -> SMW type id.
DATATYPES: dict[str, str] = {
    "Text": "_txt",
    "Page": "_wpg",
    "Date": "_dat",
    "Number": "_num",
    "URL": "_uri",
    "External identifier": "_eid",
    "Keyword": "_keyw",
}

#: Properties that hold identifiers: a Number would drop leading zeros and print "10,513"; a Page
#: would fold the first letter and produce red links.
IDENTIFIER_PROPERTIES = frozenset({"LeiKa-Schlüssel", "OZG-ID", "AGS", "ARS"})
IDENTIFIER_TYPES = frozenset({"Text", "External identifier", "Keyword"})

#: Pseudo field of an overview column: the row's own page.
PAGE_FIELD = "Seite"
#: Placeholder for the value a ``for_each: {values_of: …}`` page is made for.
VALUE_FIELD = "Wert"
#: Between the properties of a condition's property chain, SMW's own syntax: ``OZG-Leistung.Größenklasse``
#: holds for a page whose OZG-Leistung page holds that Größenklasse.
CHAIN_SEP = "."
#: SMW's default ``$smwgQMaxInlineLimit``: an inline query never shows more rows, whatever its ``limit=``
#: says, and cuts silently unless it has a ``searchlabel``. So every table section names a ``limit`` of
#: at most this and a ``more`` label.
MAX_INLINE_LIMIT = 500

# Characters that would break a generated wikitext line or a #set argument.
_UNSAFE = re.compile(r"[|{}\[\]]")
#: A ``{Name}`` placeholder in a page definition (titles, filters, where-values).
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class PropertyDef:
    """A Semantic MediaWiki property."""

    name: str
    datatype: str
    description: str
    allowed: tuple[str, ...] = ()

    @property
    def type_id(self) -> str:
        return DATATYPES[self.datatype]

    @property
    def title(self) -> str:
        return f"Attribut:{self.name}"

    def page_text(self) -> str:
        """The property page: German description, datatype and allowed values in SMW 4.2 syntax.

        ``[[Has type::…]]`` and ``[[Allows value::…]]`` are SMW's canonical names and work on a German
        wiki too (as aliases of „Datentyp“ / „Erlaubt Wert“); the description is also stored as
        ``Has property description`` (language-tagged) so SMW shows it in its own tooltips.
        """
        lines = [
            self.description,
            "",
            f"* Datentyp: [[Has type::{self.datatype}]]",
        ]
        if self.allowed:
            values = ", ".join(f"[[Allows value::{v}]]" for v in self.allowed)
            lines.append(f"* Erlaubte Werte: {values}")
        lines += ["", f"{{{{#set:Has property description={self.description}@de}}}}", ""]
        return "\n".join(lines)


@dataclass(frozen=True)
class CategoryDef:
    """A category with its German description and parent category."""

    name: str
    description: str
    parent: str | None = None

    @property
    def title(self) -> str:
        return f"Kategorie:{self.name}"

    def page_text(self) -> str:
        text = self.description + "\n"
        if self.parent:
            text += f"\n[[Kategorie:{self.parent}]]\n"
        return text


@dataclass(frozen=True)
class TemplateDef:
    """A template (``Vorlage:``) or Lua module (``Modul:``) shipped in ``ozgwiki.templates``."""

    name: str
    file: str
    source: str

    @property
    def is_module(self) -> bool:
        return self.file.endswith(".lua")

    @property
    def title(self) -> str:
        return f"Modul:{self.name}" if self.is_module else f"Vorlage:{self.name}"

    def render(self, *, smw: bool, pageforms: bool) -> str:
        return variant.render(self.source, smw=smw, pageforms=pageforms, source=self.file)


@dataclass(frozen=True)
class FormDef:
    """A Page Forms form; deployed only where Page Forms is installed."""

    name: str
    file: str
    source: str

    @property
    def title(self) -> str:
        return f"Formular:{self.name}"

    def render(self, *, smw: bool) -> str:
        return variant.render(self.source, smw=smw, pageforms=True, source=self.file)


@dataclass(frozen=True)
class NavigationPage:
    """A static page (main page, sidebar, stubs the sidebar links to)."""

    title: str
    file: str
    source: str

    def render(self, *, smw: bool, pageforms: bool) -> str:
        return variant.render(self.source, smw=smw, pageforms=pageforms, source=self.file)


@dataclass(frozen=True)
class ColumnDef:
    """One column of an overview table.

    Either ``field`` (a property, or ``Seite`` for the row's page, optionally labelled by the
    property ``label``) or ``count_category`` + ``count_field``: the number of pages in that
    category whose Page property ``count_field`` points to the row (e.g. LeiKa-Leistungen per
    OZG-Leistung).
    """

    header: str
    field: str | None = None
    label: str | None = None
    count_category: str | None = None
    count_field: str | None = None


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool = False


@dataclass(frozen=True)
class SectionDef:
    """A table the regeneration bot keeps between ``ozgwiki:begin NAME`` / ``ozgwiki:end NAME``."""

    name: str
    heading: str
    category: str
    where: tuple[tuple[str, str], ...]
    columns: tuple[ColumnDef, ...]
    sort: tuple[SortKey, ...]
    group_by: str | None = None
    empty: str = ""
    #: ``table`` (a sortable table, or an ``#ask`` query with the same columns) or ``gantt`` (the
    #: roadmap's month grid, always computed by the bot: SMW has no such result format).
    format: str = "table"
    #: One German sentence under the heading saying what the table lists (both modes).
    intro: str = ""
    #: Rows per live query (``ask`` only; static tables are complete). ``more`` labels SMW's link to
    #: the rest (Special:Ask), shown only when the list is cut. ``schema.load()`` requires both for
    #: every table section, so no live list is cut without saying so.
    limit: int = MAX_INLINE_LIMIT
    more: str = ""


#: Section formats the regeneration bot can render.
SECTION_FORMATS = ("table", "gantt")


@dataclass(frozen=True)
class PageDef:
    """An overview page (or one per entity) built from data, defined in ``semantic/pages/*.yaml``."""

    file: str
    title: str
    description: str
    sections: tuple[SectionDef, ...]
    for_each_category: str | None = None
    for_each_values_of: str | None = None
    #: ``filter``: besides the page itself, one filtered copy per entity of ``filter_category``
    #: (e.g. ``Roadmap/Bildung``): ``filter_title`` names it, ``filter_where`` is added to every section.
    filter_category: str | None = None
    filter_title: str | None = None
    filter_where: tuple[tuple[str, str], ...] = ()

    def title_for(self, values: dict[str, str]) -> str:
        """The page title for one entity: ``{Name}`` etc. replaced from ``values``."""
        return PLACEHOLDER.sub(lambda m: values[m.group(1)], self.title)


@dataclass(frozen=True)
class Schema:
    templates: tuple[TemplateDef, ...]
    properties: tuple[PropertyDef, ...]
    categories: tuple[CategoryDef, ...]
    forms: tuple[FormDef, ...]
    navigation: tuple[NavigationPage, ...]
    pages: tuple[PageDef, ...]

    def property(self, name: str) -> PropertyDef:
        return {p.name: p for p in self.properties}[name]

    def template(self, title: str) -> TemplateDef:
        """A template or module by its wiki title (``Vorlage:LeiKa`` and ``Modul:LeiKa`` share a name)."""
        return {t.title: t for t in self.templates}[title]


def chain_of(prop: str) -> tuple[str, ...]:
    """The properties of a condition's property (``OZG-Leistung.Größenklasse`` -> both, in order); a
    plain property is a chain of one. Every property but the last must be a Page property."""
    return tuple(prop.split(CHAIN_SEP))


# --------------------------------------------------------------------------------------- loading


#: libyaml's parser where PyYAML was built with it (its wheels are): every command reads all
#: definitions, and the pure-Python parser took 50 ms of a 0.6 s no-op run for it.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(node: Traversable, where: str, problems: list[str]) -> Any:
    try:
        return yaml.load(node.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.YAMLError as exc:
        problems.append(f"{where}: not valid YAML: {exc}")
        return None


def _template_name(filename: str) -> str:
    stem = filename.rsplit(".", 1)[0]
    return stem[len("Modul-") :] if filename.endswith(".lua") and stem.startswith("Modul-") else stem


def _load_templates(root: Traversable, problems: list[str]) -> list[TemplateDef]:
    result = []
    for node in sorted(root.iterdir(), key=lambda n: n.name):
        if node.name.endswith((".wiki", ".lua")):
            if node.name.endswith(".lua") and not node.name.startswith("Modul-"):
                problems.append(f"templates/{node.name}: Lua modules must be named Modul-<Name>.lua")
                continue
            result.append(TemplateDef(_template_name(node.name), node.name, node.read_text(encoding="utf-8")))
    return result


def _str(entry: dict[str, Any], key: str, where: str, problems: list[str], *, required: bool = True) -> str:
    value = entry.get(key)
    if value is None:
        if required:
            problems.append(f"{where}: missing '{key}'")
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        problems.append(f"{where}: '{key}' must be text")
        return ""
    return str(value)


def _limit_and_more(sec: dict[str, Any], fmt: str, here: str, problems: list[str]) -> tuple[int, str]:
    """A section's ``limit`` and ``more``: required for a table section, whose live query SMW cuts at
    ``$smwgQMaxInlineLimit`` -- silently without the ``more`` link; refused for a gantt section, which
    the bot always computes in full."""
    limit, more = sec.get("limit"), sec.get("more")
    if fmt == "gantt":
        if limit is not None or more is not None:
            problems.append(f"{here}: a gantt section is computed in full, it takes no 'limit' or 'more'")
        return MAX_INLINE_LIMIT, ""
    if limit is None:
        problems.append(f"{here}: missing 'limit' (at most {MAX_INLINE_LIMIT}, SMW's $smwgQMaxInlineLimit)")
        limit = MAX_INLINE_LIMIT
    elif isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
        problems.append(f"{here}: limit must be a positive whole number, not {limit!r}")
        limit = MAX_INLINE_LIMIT
    elif limit > MAX_INLINE_LIMIT:
        problems.append(
            f"{here}: limit {limit} exceeds {MAX_INLINE_LIMIT}, SMW's $smwgQMaxInlineLimit "
            "(it would cut the list there)"
        )
    label = _str(sec, "more", here, problems, required=False)
    if not label.strip():
        problems.append(f"{here}: a limit needs 'more', the label of the link to the rest of the list")
    return limit, " ".join(label.split())


def _load_properties(root: Traversable, problems: list[str]) -> list[PropertyDef]:
    where = "semantic/properties.yaml"
    data = _read_yaml(root / "properties.yaml", where, problems) or {}
    result: list[PropertyDef] = []
    for i, entry in enumerate(data.get("properties") or []):
        name = entry.get("name", f"#{i + 1}") if isinstance(entry, dict) else f"#{i + 1}"
        here = f"{where}: property {name}"
        if not isinstance(entry, dict):
            problems.append(f"{here}: must be a mapping")
            continue
        datatype = _str(entry, "type", here, problems)
        if datatype and datatype not in DATATYPES:
            problems.append(f"{here}: unknown type {datatype!r} (known: {', '.join(DATATYPES)})")
            continue
        if name in IDENTIFIER_PROPERTIES and datatype not in IDENTIFIER_TYPES:
            problems.append(
                f"{here}: identifiers must be Text, External identifier or Keyword, not {datatype}"
            )
        if CHAIN_SEP in str(name):
            problems.append(
                f"{here}: a name must not contain {CHAIN_SEP!r} (SMW reads it as a property chain)"
            )
        description = _str(entry, "description", here, problems)
        allowed = tuple(str(v) for v in entry.get("allowed") or ())
        for text in (name, description, *allowed):
            if _UNSAFE.search(text):
                problems.append(f"{here}: {text!r} contains one of | {{ }} [ ]")
        result.append(PropertyDef(str(name), datatype, description, allowed))
    names = [p.name for p in result]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{where}: property {dup} is defined twice")
    return result


def _load_categories(root: Traversable, problems: list[str]) -> list[CategoryDef]:
    where = "semantic/categories.yaml"
    data = _read_yaml(root / "categories.yaml", where, problems) or {}
    result = []
    for i, entry in enumerate(data.get("categories") or []):
        here = f"{where}: category {entry.get('name', f'#{i + 1}') if isinstance(entry, dict) else i + 1}"
        if not isinstance(entry, dict):
            problems.append(f"{here}: must be a mapping")
            continue
        parent = entry.get("parent")
        result.append(
            CategoryDef(
                _str(entry, "name", here, problems), _str(entry, "description", here, problems), parent
            )
        )
    names = {c.name for c in result}
    for c in result:
        if c.parent is not None and c.parent not in names:
            problems.append(f"{where}: category {c.name}: unknown parent {c.parent!r}")
    return result


def _load_forms(root: Traversable) -> list[FormDef]:
    forms = root / "forms"
    return [
        FormDef(n.name[: -len(".wiki")], f"forms/{n.name}", n.read_text(encoding="utf-8"))
        for n in sorted(forms.iterdir(), key=lambda n: n.name)
        if n.name.endswith(".wiki")
    ]


def _load_navigation(root: Traversable, problems: list[str]) -> list[NavigationPage]:
    where = "semantic/navigation/seiten.yaml"
    nav = root / "navigation"
    data = _read_yaml(nav / "seiten.yaml", where, problems) or {}
    result = []
    for entry in data.get("pages") or []:
        title = _str(entry, "title", where, problems)
        file = _str(entry, "file", f"{where}: page {title}", problems)
        node = nav / file
        if not node.is_file():
            problems.append(f"{where}: page {title}: file navigation/{file} does not exist")
            continue
        result.append(NavigationPage(title, f"navigation/{file}", node.read_text(encoding="utf-8")))
    return result


def _load_page(
    node: Traversable, props: dict[str, PropertyDef], categories: set[str], problems: list[str]
) -> PageDef | None:
    where = f"semantic/pages/{node.name}"
    data = _read_yaml(node, where, problems)
    if not isinstance(data, dict):
        problems.append(f"{where}: must be a mapping")
        return None
    title = _str(data, "title", where, problems)
    for_each = data.get("for_each") or {}
    each_cat, each_values = for_each.get("category"), for_each.get("values_of")
    if each_cat is not None and each_cat not in categories:
        problems.append(f"{where}: for_each: unknown category {each_cat!r}")
    if each_values is not None and each_values not in props:
        problems.append(f"{where}: for_each: unknown property {each_values!r}")
    elif each_values is not None and not props[each_values].allowed:
        problems.append(f"{where}: for_each: property {each_values!r} has no allowed values")

    # What a placeholder may name: the page itself, the value, or a property of the entity.
    bindable = {PAGE_FIELD} | set(props) if each_cat else ({VALUE_FIELD} if each_values else set())

    def check_placeholders(text: str, here: str) -> None:
        for name in PLACEHOLDER.findall(text):
            if name not in bindable:
                problems.append(f"{here}: unknown placeholder {{{name}}}")

    check_placeholders(title, f"{where}: title")
    if (each_cat or each_values) and not PLACEHOLDER.search(title):
        problems.append(f"{where}: title {title!r} needs a placeholder, one page is made per entity")

    def known_field(name: Any, here: str, *, page_ok: bool = False) -> bool:
        if page_ok and name == PAGE_FIELD:
            return True
        if name not in props:
            problems.append(f"{here}: unknown property {name!r}")
            return False
        return True

    def known_chain(chain: Any, here: str) -> None:
        """A condition's property, or a chain of them whose every link but the last is a Page."""
        hops = chain_of(str(chain))
        if not all([known_field(hop, here) for hop in hops]):
            return
        for hop in hops[:-1]:
            if props[hop].datatype != "Page":
                problems.append(f"{here}: {chain!r}: {hop!r} must be of type Page to be followed")

    sections = []
    for s_i, sec in enumerate(data.get("sections") or []):
        s_here = f"{where}: section {sec.get('name', s_i + 1)}"
        select = sec.get("select") or {}
        category = _str(select, "category", s_here, problems)
        if category and category not in categories:
            problems.append(f"{s_here}: unknown category {category!r}")
        where_items = []
        for prop, value in (select.get("where") or {}).items():
            known_chain(prop, f"{s_here}: where")
            check_placeholders(str(value), f"{s_here}: where {prop}")
            where_items.append((prop, str(value)))
        columns = []
        for c_i, col in enumerate(sec.get("columns") or []):
            c_here = f"{s_here}: column {col.get('header', c_i + 1)}"
            header = _str(col, "header", c_here, problems)
            count = col.get("count")
            if count is not None:
                cat, fld = count.get("category"), count.get("field")
                if cat not in categories:
                    problems.append(f"{c_here}: count: unknown category {cat!r}")
                if known_field(fld, f"{c_here}: count") and props[fld].datatype != "Page":
                    problems.append(f"{c_here}: count: property {fld!r} must be of type Page")
                columns.append(ColumnDef(header, count_category=cat, count_field=fld))
                continue
            fld = col.get("field")
            known_field(fld, c_here, page_ok=True)
            label = col.get("label")
            if label is not None:
                known_field(label, f"{c_here}: label")
            columns.append(ColumnDef(header, field=fld, label=label))
        if not columns:
            problems.append(f"{s_here}: has no columns")
        sort = []
        for key in sec.get("sort") or []:
            descending = str(key).startswith("-")
            name = str(key).lstrip("-")
            known_field(name, f"{s_here}: sort", page_ok=True)
            sort.append(SortKey(name, descending))
        group_by = sec.get("group_by")
        if group_by is not None:
            known_field(group_by, f"{s_here}: group_by")
        fmt = str(sec.get("format") or "table")
        if fmt not in SECTION_FORMATS:
            problems.append(f"{s_here}: unknown format {fmt!r} (known: {', '.join(SECTION_FORMATS)})")
        limit, more = _limit_and_more(sec, fmt, s_here, problems)
        sections.append(
            SectionDef(
                name=_str(sec, "name", s_here, problems),
                heading=_str(sec, "heading", s_here, problems),
                category=category,
                where=tuple(where_items),
                columns=tuple(columns),
                sort=tuple(sort),
                group_by=group_by,
                empty=str(sec.get("empty") or ""),
                format=fmt,
                intro=" ".join(str(sec.get("intro") or "").split()),
                limit=limit,
                more=more,
            )
        )
    if not sections:
        problems.append(f"{where}: has no sections")
    filt = data.get("filter") or {}
    filter_category, filter_title, filter_where = filt.get("category"), None, []
    if filt:
        f_here = f"{where}: filter"
        if each_cat or each_values:
            problems.append(f"{f_here}: only a single page (no for_each) can have filtered copies")
        if filter_category not in categories:
            problems.append(f"{f_here}: unknown category {filter_category!r}")
        filter_title = _str(filt, "title", f_here, problems)
        entity_fields = {PAGE_FIELD} | set(props)
        for name in PLACEHOLDER.findall(filter_title):
            if name not in entity_fields:
                problems.append(f"{f_here}: title: unknown placeholder {{{name}}}")
        for prop, value in (filt.get("where") or {}).items():
            known_chain(prop, f"{f_here}: where")
            for name in PLACEHOLDER.findall(str(value)):
                if name not in entity_fields:
                    problems.append(f"{f_here}: where {prop}: unknown placeholder {{{name}}}")
            filter_where.append((prop, str(value)))
    return PageDef(
        file=f"pages/{node.name}",
        title=title,
        description=str(data.get("description") or "").strip(),
        sections=tuple(sections),
        for_each_category=each_cat,
        for_each_values_of=each_values,
        filter_category=filter_category,
        filter_title=filter_title,
        filter_where=tuple(filter_where),
    )


# A vocabulary check in a template: {{#invoke:OZG|werte|…|erlaubt=a;b|…|attribut=P}}.
_VOCAB_CALL = re.compile(r"\{\{#invoke:OZG\|werte\|[^\n]*?erlaubt=([^|}]*)[^\n]*?attribut=([^|}]+)\}\}")
_STORE_CALL = re.compile(r"attribut=([^|}]+)\}\}")


def _check_templates(
    templates: list[TemplateDef], props: dict[str, PropertyDef], problems: list[str]
) -> None:
    """Every property a template stores exists; every vocabulary it checks equals the property's."""
    for t in templates:
        here = f"templates/{t.file}"
        try:
            variant.check(t.source, source=here)
        except variant.VariantError as exc:
            problems.append(str(exc))
        if t.is_module:
            continue
        for name in _STORE_CALL.findall(t.source):
            if name not in props:
                problems.append(f"{here}: stores unknown property {name!r}")
        for allowed, name in _VOCAB_CALL.findall(t.source):
            if name in props and tuple(allowed.split(";")) != props[name].allowed:
                problems.append(
                    f"{here}: allowed values for {name!r} differ from semantic/properties.yaml: {allowed!r}"
                )


_CATEGORY_LINK = re.compile(r"\[\[Kategorie:([^\]|]+)\]\]")


def _check_counts(
    templates: list[TemplateDef], pages: list[PageDef], props: dict[str, PropertyDef], problems: list[str]
) -> None:
    """A count column's property is stored only by templates of the counted category.

    The ``#ask`` rendering counts with the inverse printout ``?-Property``, which lists the pages of
    *every* category pointing to the row. Static and live tables agree only while no other template
    stores that property (an Umsetzungsprojekt's OZG-Leistungen have their own property for this).
    """
    stored_by: dict[str, list[TemplateDef]] = {}
    for t in templates:
        if not t.is_module:
            for name in set(_STORE_CALL.findall(t.source)):
                stored_by.setdefault(name, []).append(t)
    for page in pages:
        for section in page.sections:
            for col in section.columns:
                if not (col.count_category and col.count_field) or col.count_field not in props:
                    continue
                if props[col.count_field].datatype != "Page":
                    continue  # reported by _load_page
                for t in stored_by.get(col.count_field, []):
                    included = t.source.split("<noinclude>", 1)[0]
                    if col.count_category not in _CATEGORY_LINK.findall(included):
                        problems.append(
                            f"semantic/{page.file}: section {section.name}: column {col.header}: "
                            f"count: property {col.count_field!r} is also stored by templates/{t.file}, "
                            f"whose pages are not in category {col.count_category!r} (#ask would count them)"
                        )


def load(templates_root: Traversable | None = None, semantic_root: Traversable | None = None) -> Schema:
    """Load and validate every definition; raise :class:`SchemaError` listing all problems.

    The roots default to the installed packages; tests pass directories with broken copies. The
    installed definitions are read once per process (a run asks for them in several places, and
    they cannot change under it); given roots are read every time.
    """
    if templates_root is None and semantic_root is None:
        return _installed()
    return _load(templates_root, semantic_root)


@functools.cache
def _installed() -> Schema:
    return _load(None, None)


def _load(templates_root: Traversable | None, semantic_root: Traversable | None) -> Schema:
    templates_root = templates_root or resources.files("ozgwiki.templates")
    semantic_root = semantic_root or resources.files("ozgwiki.semantic")
    problems: list[str] = []
    templates = _load_templates(templates_root, problems)
    properties = _load_properties(semantic_root, problems)
    categories = _load_categories(semantic_root, problems)
    forms = _load_forms(semantic_root)
    navigation = _load_navigation(semantic_root, problems)
    for item in [*forms, *navigation]:
        try:
            variant.check(item.source, source=f"semantic/{item.file}")
        except variant.VariantError as exc:
            problems.append(str(exc))
    props = {p.name: p for p in properties}
    cat_names = {c.name for c in categories}
    _check_templates(templates, props, problems)
    pages = []
    for node in sorted((semantic_root / "pages").iterdir(), key=lambda n: n.name):
        if node.name.endswith(".yaml"):
            page = _load_page(node, props, cat_names, problems)
            if page is not None:
                pages.append(page)
    _check_counts(templates, pages, props, problems)
    if problems:
        raise SchemaError(problems)
    return Schema(
        templates=tuple(templates),
        properties=tuple(properties),
        categories=tuple(categories),
        forms=tuple(forms),
        navigation=tuple(navigation),
        pages=tuple(pages),
    )
