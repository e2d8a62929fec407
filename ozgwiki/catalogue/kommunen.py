"""The municipality list: AGS, ARS, name, Kreis, Regierungsbezirk, Größenklasse, Einwohner.

The columns of ``nrw_gemeinden_kreise.csv`` are the canonical spelling; KDN's commune import headers
(``Kategorie``, ``Reg-Bez``) and plain German ones (``Größenklasse``, ``Einwohner``) are accepted too.
AGS and ARS are checked against each other (ARS = AGS with the 4-digit Verband part ``0`` + Gemeinde
inserted, DOMAIN §5), because a shifted spreadsheet column shows up there first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ozgwiki.catalogue.problems import Problems
from ozgwiki.catalogue.tables import SourceInfo, match_columns, read_table
from ozgwiki.domain.model import Groessenklasse, Kommune

AGS = "ags"
ARS = "ars"
NAME = "name"
NAME_KURZ = "name_kurz"
GROESSENKLASSE = "groessenklasse_go_nrw"
KREIS_AGS = "kreis_ags"
REGIERUNGSBEZIRK = "regierungsbezirk"
EINWOHNER = "einwohner_destatis"

COLUMNS: dict[str, tuple[str, ...]] = {
    AGS: ("Amtlicher Gemeindeschlüssel", "Gemeindeschlüssel"),
    ARS: ("Amtlicher Regionalschlüssel", "Regionalschlüssel"),
    NAME: ("Kommune/Kreis", "Kommune", "Gemeindename", "Amtlicher Name"),
    NAME_KURZ: ("Kurzname",),
    GROESSENKLASSE: ("Größenklasse", "Kategorie", "Kommunentyp", "Größenklasse GO NRW"),
    KREIS_AGS: ("Kreis-AGS", "AGS Kreis"),
    REGIERUNGSBEZIRK: ("Reg-Bez", "Regierungsbezirk"),
    EINWOHNER: ("Einwohner", "Einwohnerzahl"),
}
# Columns of the real file the loader does not need: known, so they are not reported as unknown.
_IGNORED = ("ebene", "kreis_name", "destatis_satzart", "destatis_textkennzeichen",
            "flaeche_km2", "plz", "groessenklasse_quelle")  # fmt: skip
REQUIRED = (AGS, ARS, NAME, GROESSENKLASSE, REGIERUNGSBEZIRK)


@dataclass
class KommunenData:
    kommunen: dict[str, tuple[Kommune, int]] = field(default_factory=dict)
    info: SourceInfo | None = None
    readable: bool = False  # rows were read: AGS references can be checked


def read_kommunen(path: Path, file: str, problems: Problems) -> KommunenData:
    """Read and check the municipality list; Kreis references are checked here (same file)."""
    data = KommunenData()
    table = read_table(path, file, problems)
    if table is None:
        return data
    data.info = table.info
    spec = {**COLUMNS, **{name: () for name in _IGNORED}}
    cols = match_columns(table, spec, REQUIRED, problems)
    if cols is None:
        return data
    data.readable = bool(table.rows)
    ars_seen: dict[str, int] = {}
    kreis_refs: list[tuple[str, int]] = []
    for line, row in table.rows:

        def err(name: str, message: str, line: int = line) -> None:
            problems.error(file, line, cols.spelled[name], message)

        ags, ars = cols.get(row, AGS), cols.get(row, ARS)
        ok = True
        if not re.fullmatch(r"[0-9]{8}", ags):
            err(AGS, f"„{ags}“ ist kein AGS (8 Ziffern; führende 0 von der Tabellenkalkulation entfernt?)")
            continue
        if ags in data.kommunen:
            err(AGS, f"{ags} doppelt (schon in Zeile {data.kommunen[ags][1]})")
            continue
        if not re.fullmatch(r"[0-9]{12}", ars):
            err(ARS, f"„{ars}“ ist kein ARS (12 Ziffern)")
            ok = False
        elif ars[:5] + ars[9:] != ags:
            err(ARS, f"{ars} passt nicht zum AGS {ags}")
            ok = False
        elif ars in ars_seen:
            err(ARS, f"{ars} doppelt (schon in Zeile {ars_seen[ars]})")
            ok = False
        else:
            ars_seen[ars] = line
        try:
            klasse = Groessenklasse.parse(cols.get(row, GROESSENKLASSE))
        except ValueError as exc:
            err(GROESSENKLASSE, str(exc))
            ok = False
        name_kurz, name = cols.get(row, NAME_KURZ), cols.get(row, NAME)
        if not (name_kurz or name):
            err(NAME, "fehlt")
            ok = False
        rb = cols.get(row, REGIERUNGSBEZIRK).removeprefix("Reg.-Bez.").strip()
        if not rb:
            err(REGIERUNGSBEZIRK, "fehlt")
            ok = False
        einwohner: int | None = None
        raw_ew = cols.get(row, EINWOHNER).replace(".", "").replace(" ", "")
        if raw_ew:
            if raw_ew.isascii() and raw_ew.isdigit():
                einwohner = int(raw_ew)
            else:
                err(EINWOHNER, f"„{cols.get(row, EINWOHNER)}“ ist keine Zahl")
        kreis = cols.get(row, KREIS_AGS) or None
        if not ok:
            continue
        if kreis:
            kreis_refs.append((kreis, line))
        data.kommunen[ags] = (
            Kommune(
                ags=ags,
                ars=ars,
                name=name_kurz or name,
                groessenklasse=klasse,
                regierungsbezirk=rb,
                kreis=kreis,
                amtlicher_name=name if name_kurz else None,
                einwohner=einwohner,
            ),
            line,
        )
    for kreis, line in kreis_refs:
        target = data.kommunen.get(kreis)
        if target is None:
            problems.error(file, line, cols.spelled[KREIS_AGS], f"Kreis {kreis} steht nicht in der Liste")
        elif not target[0].groessenklasse.ist_kreisebene:
            problems.error(file, line, cols.spelled[KREIS_AGS], f"{kreis} ({target[0].name}) ist kein Kreis")
    return data
