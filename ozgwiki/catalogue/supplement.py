"""The YAML supplement ("Ergänzungen"): what no federal file holds.

Sections (all optional; several files may each hold any of them, see docs/catalogue.md):

``themenfelder``              name → workshop, beschreibung (also declares Themenfelder such as
                              Basisdienste that have no Lagen in the federal file)
``lagen``                     name → art (Lebenslage | Geschäftslage)
``ozg_leistungen``            OZG-ID → prioritaet, zustaendigkeiten, groessenklassen, efa
``umsetzungsprojekte``        list of projects with zeitplan (phase → month)
``steckbriefe``               list of Online-Dienst profiles
``aufgehobene_schluessel``  retired LeiKa keys (text, or schluessel + grund)

This module only checks each entry on its own (types, vocabularies, months). Whether a Themenfeld,
OZG-ID, key or AGS it names exists is decided in :mod:`ozgwiki.catalogue.checks`, which knows all
sources; so each entry carries :class:`Ref` records with the line of every reference.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from ozgwiki.catalogue.keys import check_key
from ozgwiki.catalogue.problems import Problems
from ozgwiki.catalogue.yamlfile import Y, read_yaml
from ozgwiki.domain.model import (
    EfaTyp,
    Groessenklasse,
    LageArt,
    Monat,
    Phase,
    Prioritaet,
    Reifegrad,
    Status,
    Steckbrief,
    Themenfeld,
    Umsetzungsprojekt,
    Umsetzungsstatus,
    Zeitplan,
    Zustaendigkeit,
)

E = TypeVar("E", bound=Enum)


@dataclass(frozen=True)
class At:
    """Where something was written: file and line."""

    file: str
    line: int


@dataclass(frozen=True)
class Ref:
    """A reference to check against the other sources: kind is themenfeld, ozg_id, key or ags."""

    kind: str
    value: str
    at: At
    field: str
    owner: str


@dataclass(frozen=True)
class OzgExtra:
    """NRW's attributes of one OZG-Leistung."""

    prioritaet: Prioritaet | None = None
    zustaendigkeiten: frozenset[Zustaendigkeit] = frozenset()
    groessenklassen: frozenset[Groessenklasse] = frozenset()
    efa: str | None = None


@dataclass
class Supplement:
    """Everything the YAML files say, each entry with the place it was written."""

    themenfelder: dict[str, tuple[Themenfeld, At]] = field(default_factory=dict)
    lagen: dict[str, tuple[LageArt, At]] = field(default_factory=dict)
    ozg: dict[str, tuple[OzgExtra, At]] = field(default_factory=dict)
    projekte: list[tuple[Umsetzungsprojekt, At]] = field(default_factory=list)
    steckbriefe: list[tuple[Steckbrief, At]] = field(default_factory=list)
    retired: dict[str, At] = field(default_factory=dict)
    refs: list[Ref] = field(default_factory=list)


SECTIONS = (
    "themenfelder",
    "lagen",
    "ozg_leistungen",
    "umsetzungsprojekte",
    "steckbriefe",
    "aufgehobene_schluessel",
)


class _Reader:
    """Reads one YAML file into the shared :class:`Supplement`, reporting into ``problems``."""

    def __init__(self, file: str, problems: Problems, out: Supplement) -> None:
        self.file = file
        self.problems = problems
        self.out = out

    def at(self, y: Y) -> At:
        return At(self.file, y.line)

    def error(self, y: Y, name: str, message: str) -> None:
        self.problems.error(self.file, y.line, name, message)

    def warning(self, y: Y, name: str, message: str) -> None:
        self.problems.warning(self.file, y.line, name, message)

    # -- typed field readers: report and return None on a wrong value --

    def fields(self, entry: Y, allowed: Iterable[str], what: str) -> dict[str, Y] | None:
        if not entry.is_map:
            self.error(entry, what, "erwartet eine Zuordnung (Feld: Wert)")
            return None
        allowed = set(allowed)
        for name, value in entry.value.items():
            if name not in allowed:
                self.warning(value, name, f"unbekanntes Feld in {what}, wird ignoriert")
        return entry.value

    def text(self, f: dict[str, Y], name: str, *, required: bool = False) -> str | None:
        y = f.get(name)
        if y is None or y.value is None or str(y.value).strip() == "":
            if required:
                line_holder = next(iter(f.values()), None)
                self.problems.error(
                    self.file, line_holder.line if line_holder else 0, name, "Pflichtfeld fehlt"
                )
            return None
        if isinstance(y.value, dict | list):
            self.error(y, name, "erwartet einen Text")
            return None
        return _as_written(y).strip()

    def scalars(self, f: dict[str, Y], name: str) -> list[tuple[Y, str]]:
        """A list field's items as written; a nested list or mapping in it is an error, not a value."""
        out: list[tuple[Y, str]] = []
        for y in self.items(f, name):
            if y.is_map or y.is_list:
                self.error(y, name, "erwartet einzelne Werte, keine verschachtelte Liste oder Zuordnung")
                continue
            out.append((y, _as_written(y).strip()))
        return out

    def flag(self, f: dict[str, Y], name: str) -> bool:
        """A yes/no field: YAML's true/false only; "nein" is text, and bool("nein") would be True."""
        y = f.get(name)
        if y is None or y.value is None:
            return False
        if isinstance(y.value, bool):
            return y.value
        self.error(y, name, f"„{_as_written(y)}“ ist kein Ja/Nein-Wert (true oder false)")
        return False

    def items(self, f: dict[str, Y], name: str) -> list[Y]:
        """A list field; a single scalar counts as a one-element list."""
        y = f.get(name)
        if y is None or y.value is None:
            return []
        if y.is_list:
            return list(y.value)
        if y.is_map:
            self.error(y, name, "erwartet eine Liste")
            return []
        return [y]

    def vocab(self, y: Y, name: str, enum: type[E]) -> E | None:
        # YAML types no vocabulary has: "yes" would be looked up as "True", a list as its repr
        if isinstance(y.value, bool | dict | list):
            choices = ", ".join(m.label for m in enum)  # type: ignore[attr-defined]
            what = (
                f"„{_as_written(y)}“ ist ein Ja/Nein-Wert"
                if isinstance(y.value, bool)
                else "erwartet einen einzelnen Wert, keine Liste oder Zuordnung"
            )
            self.error(y, name, f"{what}; erlaubt: {choices}")
            return None
        try:
            return enum.parse(y.value)  # type: ignore[attr-defined,no-any-return]
        except ValueError as exc:
            self.error(y, name, str(exc))
            return None

    def vocab_set(self, f: dict[str, Y], name: str, enum: type[E]) -> frozenset[E]:
        found = (self.vocab(y, name, enum) for y in self.items(f, name))
        return frozenset(v for v in found if v is not None)

    def keys(self, f: dict[str, Y], name: str, owner: str) -> tuple[str, ...]:
        out: list[str] = []
        for y, raw in self.scalars(f, name):
            checked = check_key(raw)
            if checked.error:
                self.error(y, name, checked.error)
                continue
            if checked.warning:
                self.warning(y, name, checked.warning)
            assert checked.key is not None
            out.append(checked.key)
            self.out.refs.append(Ref("key", checked.key, self.at(y), name, owner))
        return tuple(out)

    # -- sections --

    def read(self, root: Y) -> None:
        if not root.is_map:
            self.error(root, "YAML", "erwartet Abschnitte (themenfelder:, ozg_leistungen:, …)")
            return
        handlers: dict[str, Callable[[Y], None]] = {
            "themenfelder": self.themenfelder,
            "lagen": self.lagen,
            "ozg_leistungen": self.ozg_leistungen,
            "umsetzungsprojekte": self.projekte,
            "steckbriefe": self.steckbriefe,
            "aufgehobene_schluessel": self.retired,
        }
        for name, section in root.value.items():
            handler = handlers.get(name)
            if handler is None:
                known = ", ".join(SECTIONS)
                self.warning(section, name, f"unbekannter Abschnitt, wird ignoriert (bekannt: {known})")
            elif section.value is not None:
                handler(section)

    def _mapping_section(self, section: Y, name: str) -> dict[str, Y]:
        if not section.is_map:
            self.error(section, name, "erwartet eine Zuordnung (Name: Angaben)")
            return {}
        return section.value

    def themenfelder(self, section: Y) -> None:
        for name, entry in self._mapping_section(section, "themenfelder").items():
            f = {} if entry.value is None else self.fields(entry, ("workshop", "beschreibung"), name)
            if f is None:
                continue
            if name in self.out.themenfelder:
                earlier = _where(self.out.themenfelder[name][1])
                self.error(entry, name, f"Themenfeld doppelt (schon in {earlier})")
                continue
            tf = Themenfeld(
                name, workshop=self.text(f, "workshop"), beschreibung=self.text(f, "beschreibung")
            )
            self.out.themenfelder[name] = (tf, self.at(entry))

    def lagen(self, section: Y) -> None:
        for name, entry in self._mapping_section(section, "lagen").items():
            f = self.fields(entry, ("art",), name)
            if f is None or "art" not in f:
                if f is not None:
                    self.error(entry, name, "Feld art fehlt (Lebenslage oder Geschäftslage)")
                continue
            art = self.vocab(f["art"], "art", LageArt)
            if art is None:
                continue
            if name in self.out.lagen:
                self.error(entry, name, f"Lage doppelt (schon in {_where(self.out.lagen[name][1])})")
                continue
            self.out.lagen[name] = (art, self.at(entry))
            self.out.refs.append(Ref("lage", name, self.at(entry), "lagen", name))

    def ozg_leistungen(self, section: Y) -> None:
        allowed = ("name", "prioritaet", "zustaendigkeiten", "groessenklassen", "efa")
        for ozg_id, entry in self._mapping_section(section, "ozg_leistungen").items():
            f = self.fields(entry, allowed, f"OZG-ID {ozg_id}")
            if f is None:
                continue
            if not (ozg_id.isascii() and ozg_id.isdigit()):
                self.error(entry, ozg_id, "ist keine OZG-ID (nur Ziffern, z. B. 10513)")
                continue
            if ozg_id in self.out.ozg:
                self.error(entry, ozg_id, f"OZG-ID doppelt (schon in {_where(self.out.ozg[ozg_id][1])})")
                continue
            prio = self.vocab(f["prioritaet"], "prioritaet", Prioritaet) if "prioritaet" in f else None
            extra = OzgExtra(
                prioritaet=prio,
                zustaendigkeiten=self.vocab_set(f, "zustaendigkeiten", Zustaendigkeit),
                groessenklassen=self.vocab_set(f, "groessenklassen", Groessenklasse),
                efa=self.text(f, "efa"),
            )
            self.out.ozg[ozg_id] = (extra, self.at(entry))
            self.out.refs.append(Ref("ozg_id", ozg_id, self.at(entry), ozg_id, ""))
            # "name" is only a reading aid for admins; checked so a copy-paste slip is noticed
            name = self.text(f, "name")
            if name:
                self.out.refs.append(Ref("ozg_name", f"{ozg_id}\t{name}", self.at(f["name"]), "name", ozg_id))

    def projekte(self, section: Y) -> None:
        allowed = (
            "name", "slug", "themenfelder", "status", "zeitplan", "efa_typ",
            "ozg_ids", "leika_schluessel", "beschreibung",
        )  # fmt: skip
        if not section.is_list:
            self.error(section, "umsetzungsprojekte", "erwartet eine Liste (- name: …)")
            return
        for entry in section.value:
            f = self.fields(entry, allowed, "Umsetzungsprojekt")
            if f is None:
                continue
            name = self.text(f, "name", required=True)
            if name is None:
                continue
            status = self.vocab(f["status"], "status", Umsetzungsstatus) if "status" in f else None
            if "status" not in f:
                self.error(entry, "status", f"Pflichtfeld fehlt (Umsetzungsprojekt „{name}“)")
            themenfelder_at = self.scalars(f, "themenfelder")
            themenfelder = tuple(value for _, value in themenfelder_at)
            for y, value in themenfelder_at:
                self.out.refs.append(Ref("themenfeld", value, self.at(y), "themenfelder", name))
            ozg_ids_at = self.scalars(f, "ozg_ids")
            ozg_ids = tuple(value for _, value in ozg_ids_at)
            for y, value in ozg_ids_at:
                self.out.refs.append(Ref("ozg_id", value, self.at(y), "ozg_ids", name))
            efa = self.vocab(f["efa_typ"], "efa_typ", EfaTyp) if "efa_typ" in f else EfaTyp.KEINE_ANGABE
            projekt = Umsetzungsprojekt(
                name=name,
                slug=self.text(f, "slug") or slugify(name),
                themenfelder=themenfelder,
                status=status or Umsetzungsstatus.NEU,
                zeitplan=self.zeitplan(f.get("zeitplan"), name),
                efa_typ=efa or EfaTyp.KEINE_ANGABE,
                ozg_ids=ozg_ids,
                leika_schluessel=self.keys(f, "leika_schluessel", name),
                beschreibung=self.text(f, "beschreibung"),
            )
            self.out.projekte.append((projekt, self.at(entry)))

    def zeitplan(self, y: Y | None, projekt: str) -> Zeitplan:
        if y is None or y.value is None:
            return Zeitplan()
        if not y.is_map:
            self.error(y, "zeitplan", "erwartet Phase: Monat (z. B. Umsetzung: 2021-02)")
            return Zeitplan()
        months: dict[Phase, Monat] = {}
        for phase_name, value in y.value.items():
            try:
                phase = Phase.parse(phase_name)
            except ValueError as exc:
                self.error(value, phase_name, str(exc))
                continue
            if value.value is None or str(value.value).strip() == "":
                continue
            try:
                months[phase] = Monat.parse(value.value)
            except ValueError as exc:
                self.error(value, phase_name, str(exc))
        plan = Zeitplan(months)
        for p1, m1, p2, m2 in plan.out_of_order():
            self.warning(
                y,
                "zeitplan",
                f"Umsetzungsprojekt „{projekt}“: {p2.label} ({m2}) liegt vor {p1.label} ({m1})",
            )
        return plan

    def steckbriefe(self, section: Y) -> None:
        allowed = (
            "titel", "kommunen", "leika_schluessel", "status", "reifegrad",
            "url", "kontakt_rolle", "beispiel",
        )  # fmt: skip
        if not section.is_list:
            self.error(section, "steckbriefe", "erwartet eine Liste (- titel: …)")
            return
        for entry in section.value:
            f = self.fields(entry, allowed, "Steckbrief")
            if f is None:
                continue
            titel = self.text(f, "titel", required=True)
            if titel is None:
                continue
            kommunen: list[str] = []
            for y, ags in self.scalars(f, "kommunen"):
                if not re.fullmatch(r"[0-9]{8}", ags):
                    self.error(y, "kommunen", f"„{ags}“ ist kein AGS (8 Ziffern, in Anführungszeichen)")
                    continue
                kommunen.append(ags)
                self.out.refs.append(Ref("ags", ags, self.at(y), "kommunen", titel))
            status = self.vocab(f["status"], "status", Status) if "status" in f else Status.OFFEN
            reifegrad = self.vocab(f["reifegrad"], "reifegrad", Reifegrad) if "reifegrad" in f else None
            url = self.text(f, "url")
            if url and not url.startswith(("http://", "https://")):
                self.error(f["url"], "url", f"„{url}“ ist keine http(s)-Adresse")
                url = None
            steckbrief = Steckbrief(
                titel=titel,
                kommunen=tuple(kommunen),
                leika_schluessel=self.keys(f, "leika_schluessel", titel),
                status=status or Status.OFFEN,
                reifegrad=reifegrad,
                url=url,
                kontakt_rolle=self.text(f, "kontakt_rolle"),
                beispiel=self.flag(f, "beispiel"),
            )
            self.out.steckbriefe.append((steckbrief, self.at(entry)))

    def retired(self, section: Y) -> None:
        if not section.is_list:
            self.error(section, "aufgehobene_schluessel", "erwartet eine Liste von Schlüsseln")
            return
        for entry in section.value:
            raw: Any = entry.value
            if entry.is_map:
                f = self.fields(entry, ("schluessel", "grund", "ersetzt_durch"), "aufgehobener Schlüssel")
                raw = self.text(f or {}, "schluessel", required=True)
                if raw is None:
                    continue
            checked = check_key(str(raw))
            if checked.error or checked.key is None:
                self.error(entry, "aufgehobene_schluessel", checked.error or "ungültig")
                continue
            if checked.key in self.out.retired:
                earlier = _where(self.out.retired[checked.key])
                self.error(entry, "aufgehobene_schluessel", f"{checked.key} doppelt (schon in {earlier})")
                continue
            self.out.retired[checked.key] = self.at(entry)


def _as_written(y: Y) -> str:
    """A scalar as the file spells it: ``1.10`` stays ``1.10``, ``yes`` stays ``yes``."""
    if isinstance(y.value, str):
        return y.value
    return y.text if y.text is not None else str(y.value)


def _where(at: At) -> str:
    return f"{at.file}:{at.line}"


def slugify(name: str) -> str:
    """URL-safe name as KDN builds it: ``Einbürgerung`` → ``einbuergerung``."""
    t = name.casefold()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        t = t.replace(a, b)
    return re.sub(r"[^0-9a-z]+", "-", t).strip("-")


def read_supplement(path: Path, file: str, problems: Problems, out: Supplement) -> None:
    """Read one YAML file into ``out`` (shared across files, so duplicates across files are found)."""
    root = read_yaml(path, file, problems)
    if root is not None:
        _Reader(file, problems, out).read(root)
