"""Cross-source validation: merge sheet, municipality list and YAML into one :class:`Catalogue`.

Each reader has already checked its own file. What only the whole can tell is checked here: a YAML
entry naming an OZG-ID the sheet does not have, a project in a Themenfeld nobody declared, a
Steckbrief for an AGS that is not in the municipality list.

Severity, and why:

- unknown Themenfeld / Lage / OZG-ID / AGS: **error** — a page would link to nothing (not checked
  against a source that could not be read at all: its own error says what is wrong);
- a key in a project or Steckbrief that the catalogue does not list: **warning** — the catalogue
  holds only the OZG-relevant part of the LeiKa, a valid key may well be outside it (DOMAIN §3.2);
- a key that is both in the sheet and retired by an admin: **warning** — the admin's word wins
  (it is not in ``known_keys``), but the sheet should be corrected or the entry removed;
- the EfA note in the sheet's name and in YAML differ: **warning**, YAML wins;
- two Themenfelder, Lagen or Umsetzungsprojekte whose names give one page title, or a name that
  cannot be a title: **error** — pages would overwrite each other (:mod:`.wikititles`).

:func:`build` always returns a catalogue (the best that can be built) so ``catalogue check`` can
count; :func:`ozgwiki.catalogue.load` throws it away if any error was reported.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from ozgwiki.catalogue.kommunen import KommunenData
from ozgwiki.catalogue.problems import Problems
from ozgwiki.catalogue.spreadsheet import LAGE, THEMENFELD, SheetData
from ozgwiki.catalogue.supplement import Supplement
from ozgwiki.catalogue.wikititles import Named, check_titles
from ozgwiki.domain.model import Catalogue, Lage, OzgLeistung, Themenfeld, Umsetzungsprojekt
from ozgwiki.domain.titles import LAGE_PREFIX, PROJEKT_PREFIX, THEMENFELD_PREFIX

T = TypeVar("T")


def _sort_key(name: str) -> str:
    return unicodedata.normalize("NFKD", name.casefold()).encode("ascii", "ignore").decode()


def _unique(
    items: Iterable[tuple[T, Any]],
    problems: Problems,
    *,
    field: str,
    key: Callable[[T], str],
    what: Callable[[T], str],
) -> list[T]:
    """Keep the first item per key; report each later one as an error naming where the first stands.

    ``items`` are (item, position) pairs whose position has ``file`` and ``line``.
    """
    first: dict[str, str] = {}
    kept: list[T] = []
    for item, at in items:
        k = key(item)
        if k in first:
            problems.error(at.file, at.line, field, f"{what(item)}schon in {first[k]})")
            continue
        first[k] = f"{at.file}:{at.line}"
        kept.append(item)
    return kept


def _checkable(kind: str, sheet: SheetData, kommunen: KommunenData | None) -> bool:
    """Can a reference of this kind be checked? Not against a source that could not be read at all:
    every reference would fail, and dozens of "unbekannt" would hide the one real error."""
    if kind == "ags":
        return kommunen is None or kommunen.readable
    return sheet.readable


def _check_titles(
    sheet: SheetData,
    supplement: Supplement,
    projekte: list[Umsetzungsprojekt],
    problems: Problems,
) -> None:
    """Names that are page titles, in reading order: the sheet first, then the YAML files.

    Projects already reported as duplicates (same slug) are left out: one message per slip.
    """
    file = sheet.info.file if sheet.info else ""
    tf_col = sheet.columns.get(THEMENFELD, THEMENFELD)
    themenfelder = [Named(name, file, line, tf_col) for name, line in sheet.themenfelder.items()]
    themenfelder += [Named(name, at.file, at.line, name) for name, (_, at) in supplement.themenfelder.items()]
    check_titles("Themenfeld", THEMENFELD_PREFIX, themenfelder, problems)
    lage_col = sheet.columns.get(LAGE, LAGE)
    lagen = [Named(name, file, line, lage_col) for name, (_, line) in sheet.lagen.items()]
    check_titles("Lage", LAGE_PREFIX, lagen, problems)
    kept = {id(p) for p in projekte}
    named = [Named(p.name, at.file, at.line, "name") for p, at in supplement.projekte if id(p) in kept]
    check_titles("Umsetzungsprojekt", PROJEKT_PREFIX, named, problems)


def build(
    sheet: SheetData,
    kommunen: KommunenData | None,
    supplement: Supplement,
    problems: Problems,
) -> Catalogue:
    """Merge and cross-check; report into ``problems``; return the (possibly partial) catalogue."""
    # Themenfelder: the admin's order from YAML first, then the sheet's in alphabetical order.
    themenfelder: dict[str, Themenfeld] = {name: tf for name, (tf, _) in supplement.themenfelder.items()}
    for name in sorted(sheet.themenfelder, key=_sort_key):
        themenfelder.setdefault(name, Themenfeld(name))

    lagen = [
        Lage(name, tf, supplement.lagen[name][0] if name in supplement.lagen else None)
        for name, (tf, _) in sheet.lagen.items()
    ]
    ozg: list[OzgLeistung] = []
    for draft in sheet.ozg.values():
        extra_at = supplement.ozg.get(draft.ozg_id)
        efa = draft.efa
        if extra_at is not None:
            extra, at = extra_at
            if extra.efa and draft.efa and extra.efa != draft.efa:
                problems.warning(
                    at.file,
                    at.line,
                    "efa",
                    f"OZG-ID {draft.ozg_id}: EfA-Hinweis weicht vom Namen in der Tabelle ab "
                    f"(Zeile {draft.line}); der YAML-Wert gilt",
                )
            efa = extra.efa or draft.efa
        ozg.append(
            OzgLeistung(
                ozg_id=draft.ozg_id,
                name=draft.name,
                lage=draft.lage,
                themenfeld=draft.themenfeld,
                zustaendigkeiten=extra_at[0].zustaendigkeiten if extra_at else frozenset(),
                prioritaet=extra_at[0].prioritaet if extra_at else None,
                efa=efa,
                groessenklassen=extra_at[0].groessenklassen if extra_at else frozenset(),
                leika_schluessel=tuple(draft.keys),
            )
        )
    leika = tuple(item for item, _ in sheet.leika.values())
    kommunen_map = {ags: k for ags, (k, _) in kommunen.kommunen.items()} if kommunen else {}

    for key, at in supplement.retired.items():
        if key in sheet.leika:
            problems.warning(
                at.file,
                at.line,
                "aufgehobene_schluessel",
                f"{key} steht noch im Umsetzungskatalog (Zeile {sheet.leika[key][1]}); "
                "gilt als aufgehoben, nicht als bekannt",
            )

    for ref in supplement.refs:
        if not _checkable(ref.kind, sheet, kommunen):
            continue
        where = (ref.at.file, ref.at.line, ref.field)
        of = f"„{ref.owner}“: " if ref.owner else ""
        if ref.kind == "themenfeld" and ref.value not in themenfelder:
            problems.error(*where, f"{of}unbekanntes Themenfeld „{ref.value}“")
        elif ref.kind == "lage" and ref.value not in sheet.lagen:
            problems.error(*where, f"unbekannte Lage „{ref.value}“ (nicht im Umsetzungskatalog)")
        elif ref.kind == "ozg_id" and ref.value not in sheet.ozg:
            problems.error(*where, f"{of}unbekannte OZG-ID {ref.value}")
        elif ref.kind == "ozg_name":
            ozg_id, name = ref.value.split("\t", 1)
            draft = sheet.ozg.get(ozg_id)
            if draft is not None and draft.name != name:
                problems.warning(
                    *where, f"OZG-ID {ozg_id} heißt im Umsetzungskatalog „{draft.name}“, nicht „{name}“"
                )
        elif ref.kind == "ags" and ref.value not in kommunen_map:
            hint = "" if kommunen else " (das Manifest nennt keine Kommunenliste)"
            problems.error(*where, f"{of}unbekannter AGS {ref.value}{hint}")
        elif ref.kind == "key":
            if ref.value in supplement.retired:
                problems.warning(*where, f"{of}{ref.value} ist aufgehoben")
            elif ref.value not in sheet.leika:
                problems.warning(*where, f"{of}{ref.value} steht nicht im Umsetzungskatalog")

    projekte = _unique(
        supplement.projekte,
        problems,
        field="name",
        key=lambda p: p.slug,
        what=lambda p: f"Umsetzungsprojekt „{p.name}“ doppelt (Kurzname {p.slug}, ",
    )
    _check_titles(sheet, supplement, projekte, problems)
    steckbriefe = _unique(
        supplement.steckbriefe,
        problems,
        field="titel",
        key=lambda s: s.titel,
        what=lambda s: f"Steckbrief „{s.titel}“ doppelt (",
    )

    return Catalogue(
        themenfelder=tuple(themenfelder.values()),
        lagen=tuple(lagen),
        ozg_leistungen=tuple(ozg),
        leika_leistungen=leika,
        kommunen=tuple(kommunen_map.values()),
        umsetzungsprojekte=tuple(projekte),
        steckbriefe=tuple(steckbriefe),
        retired_keys=frozenset(supplement.retired),
    )
