"""Page texts -> export records: the datasets, their columns and the rule for LeiKa keys. Pure.

Every record is read from the one top-level template of its page (identified by the template, never
by the page title: the title scheme may change, the template parameters are the data):

* IDs, names and free text are the parameter values as MediaWiki shows them
  (:func:`~ozgwiki.wikitext.params.get_template_params`, then
  :func:`~ozgwiki.wikitext.escape.unescape`: the importer's character references decoded);
* lists are split like ``Modul:OZG`` splits them (comma, semicolon, ``<br>``, line break);
* vocabulary values (Status, Größenklasse, …), dates and addresses are taken as the template stores
  them (:func:`ozgwiki.definitions.storage.stored_by`): a value the wiki marks as invalid is not
  exported, just as it is not stored;
* LeiKa keys: only the valid ones, by :func:`ozgwiki.render.maintenance.valid_keys_of` -- the rule the
  overviews use („Nur gültige Leika-Schlüssel können übertragen werden“). A key is valid when the
  wiki has its LeiKa page (a page with ``{{LeiKa-Leistung}}`` and that ``Schlüssel``) and that page is
  not ausgemustert: the rule ``Modul:LeiKa`` applies when it renders a key (:func:`key_rules`).

One column table per dataset (:data:`DATASETS`) serves the CSV header, the JSON property and the
documentation, so the two formats carry the same fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from ozgwiki.definitions import storage
from ozgwiki.domain import titles
from ozgwiki.domain.keyrules import KeyRules
from ozgwiki.domain.leika import format_problem, normalize
from ozgwiki.domain.model import Phase
from ozgwiki.errors import PageTextError
from ozgwiki.render.maintenance import FORMAT, check_page, valid_keys_of
from ozgwiki.render.plans import PHASE_PARAMS, STATUS_AUSGEMUSTERT
from ozgwiki.wikitext import escape
from ozgwiki.wikitext.params import get_template_params

#: What a column holds: ``text`` (None when empty), ``list`` of text, ``integer``, ``boolean``
#: (``ja``/``nein``), ``date`` (``JJJJ-MM`` or ``JJJJ-MM-TT``), ``keys`` (the page's valid LeiKa keys)
#: or ``key`` (a LeiKa page's own key, normalised).
Kind = Literal["text", "list", "integer", "boolean", "date", "keys", "key"]
Value = str | int | bool | tuple[str, ...] | None
Record = Mapping[str, Value]

BOOLEAN_WORDS: Mapping[str, bool] = MappingProxyType({"ja": True, "nein": False})


@dataclass(frozen=True)
class Column:
    """One field of a dataset: CSV header, JSON property, kind and the template parameter it reads.

    ``checked``: the value as the template stores it (vocabulary, date, address), so what the wiki
    marks as invalid is left out. ``prefix``: an entry may be written as the page title (the forms do,
    ``Kommune 05554004``); the prefix is removed as the template removes it (``titel=ja``).
    """

    header: str
    key: str
    kind: Kind
    param: str | None = None
    checked: bool = False
    prefix: str | None = None


@dataclass(frozen=True)
class Dataset:
    """One exported table: its JSON name, CSV file, template and columns (the first two: the page)."""

    name: str
    filename: str
    template: str
    columns: tuple[Column, ...]
    #: The column records are sorted by (then by page title): the dataset's identifier.
    sort_by: str

    @property
    def keys(self) -> tuple[str, ...]:
        """The JSON properties of a record, in column order."""
        return tuple(c.key for c in self.columns)


PAGE_COLUMNS = (Column("Seite", "seite", "text"), Column("Seiten-URL", "seite_url", "text"))

OZG_LEISTUNGEN = Dataset(
    "ozg_leistungen",
    "ozg-leistungen.csv",
    "OZG-Leistung",
    (
        *PAGE_COLUMNS,
        Column("OZG-ID", "ozg_id", "text", "OZG-ID"),
        Column("Name", "name", "text", "Name"),
        Column("EfA", "efa", "text", "EfA"),
        Column("Lage", "lage", "text", "Lage"),
        Column("Themenfeld", "themenfeld", "text", "Themenfeld"),
        Column("Zuständigkeiten", "zustaendigkeiten", "list", "Zuständigkeiten", checked=True),
        Column("Priorität", "prioritaet", "integer", "Priorität", checked=True),
        Column("Größenklassen", "groessenklassen", "list", "Größenklassen", checked=True),
        Column("LeiKa-Schlüssel", "leika_schluessel", "keys", "LeiKa-Schlüssel"),
    ),
    sort_by="ozg_id",
)
LEIKA_LEISTUNGEN = Dataset(
    "leika_leistungen",
    "leika-leistungen.csv",
    "LeiKa-Leistung",
    (
        *PAGE_COLUMNS,
        Column("Schlüssel", "schluessel", "key", "Schlüssel"),
        Column("Bezeichnung", "bezeichnung", "text", "Bezeichnung"),
        Column("Typ", "typ", "text", "Typ"),
        Column("OZG-ID", "ozg_id", "text", "OZG-ID"),
        Column("Rechtsgrundlage", "rechtsgrundlage", "text", "Rechtsgrundlage"),
        Column("Gesetze", "gesetze", "text", "Gesetze"),
        Column("Gesetzeskürzel", "gesetzeskuerzel", "text", "Gesetzeskürzel"),
        Column("SDG1", "sdg1", "boolean", "SDG1", checked=True),
        Column("SDG2", "sdg2", "boolean", "SDG2", checked=True),
        Column("Status", "status", "text", "Status", checked=True),
    ),
    sort_by="schluessel",
)
KOMMUNEN = Dataset(
    "kommunen",
    "kommunen.csv",
    "Kommune",
    (
        *PAGE_COLUMNS,
        Column("AGS", "ags", "text", "AGS"),
        Column("ARS", "ars", "text", "ARS"),
        Column("Name", "name", "text", "Name"),
        Column("Kreis", "kreis", "text", "Kreis"),
        Column("Regierungsbezirk", "regierungsbezirk", "text", "Regierungsbezirk", checked=True),
        Column("Größenklasse", "groessenklasse", "text", "Größenklasse", checked=True),
        Column("Einwohner", "einwohner", "integer", "Einwohner"),
    ),
    sort_by="ags",
)
STECKBRIEFE = Dataset(
    "steckbriefe",
    "steckbriefe.csv",
    "Steckbrief",
    (
        *PAGE_COLUMNS,
        Column("Titel", "titel", "text", "Titel"),
        Column("Kommunen", "kommunen", "list", "Kommunen", prefix=titles.KOMMUNE_PREFIX),
        Column("Themenfeld", "themenfelder", "list", "Themenfeld", prefix=titles.THEMENFELD_PREFIX),
        Column("LeiKa-Schlüssel", "leika_schluessel", "keys", "LeiKa-Schlüssel"),
        Column("URL", "url", "text", "URL", checked=True),
        Column("Status", "status", "text", "Status", checked=True),
        Column("Reifegrad", "reifegrad", "integer", "Reifegrad", checked=True),
        Column("Kontakt", "kontakt", "text", "Kontakt"),
    ),
    sort_by="seite",
)
UMSETZUNGSPROJEKTE = Dataset(
    "umsetzungsprojekte",
    "umsetzungsprojekte.csv",
    "Umsetzungsprojekt",
    (
        *PAGE_COLUMNS,
        Column("Name", "name", "text", "Name"),
        Column("Themenfelder", "themenfelder", "list", "Themenfelder", prefix=titles.THEMENFELD_PREFIX),
        Column("Status", "status", "text", "Status", checked=True),
        *(Column(param, phase.value, "date", param, checked=True) for phase, param in PHASE_PARAMS.items()),
        Column("EfA", "efa", "text", "EfA", checked=True),
        Column("OZG-IDs", "ozg_ids", "list", "OZG-IDs"),
        Column("LeiKa-Schlüssel", "leika_schluessel", "keys", "LeiKa-Schlüssel"),
    ),
    sort_by="name",
)
#: Every dataset, in the order of the JSON document and the summary line.
DATASETS: tuple[Dataset, ...] = (OZG_LEISTUNGEN, LEIKA_LEISTUNGEN, KOMMUNEN, STECKBRIEFE, UMSETZUNGSPROJEKTE)
#: The templates whose pages are read, one per dataset.
TEMPLATES: tuple[str, ...] = tuple(d.template for d in DATASETS)
#: The phase of each date column of the Umsetzungsprojekte (JSON property = the phase's code).
PHASE_KEYS: Mapping[Phase, str] = MappingProxyType({phase: phase.value for phase in PHASE_PARAMS})


@dataclass(frozen=True)
class Page:
    """A page as read from the wiki: its title, its current text and its address (None if unknown)."""

    title: str
    text: str
    url: str | None = None


@dataclass(frozen=True)
class Export:
    """Everything one export holds: records per dataset, what was left out, and why."""

    records: Mapping[str, tuple[Record, ...]]
    #: Key candidates not exported: unknown, ausgemustert, malformed or not shown by MediaWiki.
    invalid_keys: int = 0
    #: Pages whose template could not be read unambiguously (twice on the page, only nested, …).
    skipped: tuple[str, ...] = ()
    #: The pages of each template as read (the roadmap is drawn from the Umsetzungsprojekte).
    pages: Mapping[str, tuple[Page, ...]] = field(default_factory=dict)

    def count(self, dataset: Dataset) -> int:
        return len(self.records.get(dataset.name, ()))


# ------------------------------------------------------------------------------ the key rule


def own_key(params: Mapping[str, str]) -> str | None:
    """The normalised key of a LeiKa page's ``Schlüssel``, or None when it is empty or malformed."""
    raw = escape.unescape(params.get("Schlüssel", "")).strip()
    key = normalize(raw).key
    return key if raw and format_problem(key) is None else None


def is_retired(params: Mapping[str, str]) -> bool:
    """A LeiKa page's key is ausgemustert: the template's ``Status`` says so, read as MediaWiki reads
    it (the last one, comments removed, trimmed) -- the value ``Modul:LeiKa``'s ``retired`` finds as
    the last ``|Status=`` on a page the importer wrote."""
    return escape.unescape(params.get("Status", "")).strip() == STATUS_AUSGEMUSTERT


def key_rules(leika_pages: Iterable[Page]) -> KeyRules:
    """The key rule of the wiki as it is: keys of LeiKa pages are known unless every page carrying
    the key is ausgemustert. Regional keys count only when they have a page (``allow_regional`` off:
    the export carries over what the wiki links as known, nothing the configuration adds)."""
    known: set[str] = set()
    retired: set[str] = set()
    for page in leika_pages:
        try:
            params = get_template_params(page.text, LEIKA_LEISTUNGEN.template)
        except PageTextError:
            continue  # skipped (and named) when the records are built
        key = own_key(params) if params is not None else None
        if params is not None and key is not None:
            (retired if is_retired(params) else known).add(key)
    return KeyRules(known=frozenset(known), retired=frozenset(retired - known))


def invalid_key_count(page: Page, rules: KeyRules) -> int:
    """How many key candidates on the page are not exported: every finding except a mere spelling
    (a valid key with spaces or dots *is* exported, normalised)."""
    return sum(1 for f in check_page(page.title, page.text, rules=rules) if f.status != FORMAT)


# ------------------------------------------------------------------------------ records


def _entries(value: str, prefix: str | None) -> tuple[str, ...]:
    found = storage.split(value)
    if prefix:
        found = [e.removeprefix(prefix) for e in found]
    return tuple(dict.fromkeys(e for e in found if e))


def _integer(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() else None


def _cell(
    column: Column, params: Mapping[str, str], stored: storage.Stored, dataset: Dataset, keys: Sequence[str]
) -> Value:
    """The value of one column for one page."""
    if column.param is None:
        raise ValueError(f"{column.key} is a page column")
    if column.kind == "keys":
        return tuple(keys)
    if column.kind == "key":
        return own_key(params)
    if column.checked:
        values = stored.values.get(storage.property_of(dataset.template, column.param), ())
        first = values[0] if values else None
        if column.kind == "list":
            return tuple(values)
        if column.kind == "integer":
            return _integer(first)
        if column.kind == "boolean":
            return BOOLEAN_WORDS.get(first or "")
        return first
    raw = escape.unescape(params.get(column.param, "")).strip()
    if column.kind == "list":
        return _entries(raw, column.prefix)
    if column.kind == "integer":
        return _integer(raw)
    return raw or None


def _has_keys(dataset: Dataset) -> bool:
    return any(c.kind == "keys" for c in dataset.columns)


def _record(page: Page, dataset: Dataset, params: Mapping[str, str], rules: KeyRules) -> Record | None:
    if dataset is LEIKA_LEISTUNGEN and own_key(params) is None:
        return None
    stored = storage.stored_by(dataset.template, params, storage.no_keys)
    keys = valid_keys_of(page.text, rules) if _has_keys(dataset) else ()
    values: dict[str, Value] = {"seite": page.title, "seite_url": page.url}
    for column in dataset.columns[len(PAGE_COLUMNS) :]:
        values[column.key] = _cell(column, params, stored, dataset, keys)
    return MappingProxyType(values)


def record_of(page: Page, dataset: Dataset, rules: KeyRules) -> Record | None:
    """The record of one page, or None when the dataset's template is not on it (at top level), or
    it is a LeiKa page without a well-formed key of its own.

    Raises PageTextError when the template cannot be located unambiguously.
    """
    params = get_template_params(page.text, dataset.template)
    return None if params is None else _record(page, dataset, params, rules)


def _sort_key(dataset: Dataset) -> Callable[[Record], tuple[str, str]]:
    def key(record: Record) -> tuple[str, str]:
        value = record.get(dataset.sort_by)
        return (str(value) if value is not None else "", str(record["seite"]))

    return key


def _kommunen_by_ags(steckbriefe: Sequence[Record], kommunen: Sequence[Record]) -> tuple[Record, ...]:
    """Each Steckbrief's Kommunen as AGS, however the page names them: the forms write the Kommune's
    page title, which is its name now ("Ahaus"), older pages the AGS or ``Kommune 05554004``. An entry
    that is no Kommune's page stays as written."""
    ags_of = {str(k["seite"]): str(k["ags"]) for k in kommunen if k.get("ags")}
    out = []
    for record in steckbriefe:
        entries = record.get("kommunen")
        if isinstance(entries, tuple):
            mapped = tuple(dict.fromkeys(ags_of.get(str(e), str(e)) for e in entries))
            record = MappingProxyType({**record, "kommunen": mapped})
        out.append(record)
    return tuple(out)


def build(pages: Mapping[str, Sequence[Page]]) -> Export:
    """The export of the pages read for each template (:data:`TEMPLATES` -> pages).

    A page whose template cannot be read unambiguously (twice at top level, or only nested in another
    template) is skipped and named; a page that embeds it through a template of its own is no record.
    Keys are judged by the LeiKa pages among ``pages`` (:func:`key_rules`); the keys not exported are
    counted once per page, also when a page carries two of the templates, plus one for each LeiKa page
    with a malformed key.
    """
    rules = key_rules(pages.get(LEIKA_LEISTUNGEN.template, ()))
    records: dict[str, tuple[Record, ...]] = {}
    skipped: dict[str, None] = {}
    invalid_by_page: dict[str, int] = {}
    malformed_own = 0
    for dataset in DATASETS:
        found: list[Record] = []
        for page in pages.get(dataset.template, ()):
            try:
                params = get_template_params(page.text, dataset.template)
            except PageTextError:
                skipped.setdefault(page.title)
                continue
            if params is None:
                continue
            record = _record(page, dataset, params, rules)
            if record is None:
                malformed_own += 1
                continue
            found.append(record)
            if _has_keys(dataset):
                invalid_by_page[page.title] = invalid_key_count(page, rules)
        records[dataset.name] = tuple(sorted(found, key=_sort_key(dataset)))
    records[STECKBRIEFE.name] = _kommunen_by_ags(records[STECKBRIEFE.name], records[KOMMUNEN.name])
    return Export(
        records=MappingProxyType(records),
        invalid_keys=malformed_own + sum(invalid_by_page.values()),
        skipped=tuple(skipped),
        pages=MappingProxyType({t: tuple(ps) for t, ps in pages.items()}),
    )
