"""The OZG-Umsetzungskatalog spreadsheet: one row per LeiKa-Leistung, grouped by OZG-Leistung.

The sheet repeats Themenfeld, Lage and OZG-Leistung on every row, so this module also checks that
the repetitions agree: an OZG-ID must keep its name and Lage, a Lage its Themenfeld, a key its
OZG-Leistung. Two kinds of rows the real catalogue has in hundreds are reported once, with a count
and the first line numbers, instead of one warning per row:

- the placeholder "nicht im LeiKa" (436 rows): skipped, never imported as a key; the row's
  OZG-Leistung is still registered (Reitkennzeichen has nothing but a placeholder);
- rows without OZG-Leistung (26 rows, empty Themenfeld/Lage/OZG-ID): the LeiKa-Leistung is kept
  without OZG link, because its key is real and pages may cite it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ozgwiki.catalogue.keys import check_key, is_placeholder
from ozgwiki.catalogue.problems import Problems, line_list
from ozgwiki.catalogue.tables import Columns, SourceInfo, match_columns, read_table
from ozgwiki.domain.model import LeikaLeistung, split_efa

THEMENFELD = "Themenfeld"
LAGE = "Lage"
OZG_LEISTUNG = "OZG-Leistung"
OZG_ID = "OZG-ID"
SCHLUESSEL = "LeiKa-Schlüssel"
BEZEICHNUNG = "LeiKa-Bezeichnung"
TYP = "LeiKa-Typ"
RECHTSGRUNDLAGE = "Rechtsgrundlage(n)"
GESETZE = "Gesetz(e)"
KUERZEL = "Gesetzeskürzel"
SDG1 = "SDG1-Relevanz"
SDG2 = "SDG2-Relevanz"

COLUMNS: dict[str, tuple[str, ...]] = {
    THEMENFELD: (),
    LAGE: ("Lebenslage", "Geschäftslage", "Lebens- und Geschäftslage", "Lebenslage/Geschäftslage"),
    OZG_LEISTUNG: ("OZG-Leistungen", "OZG-Leistungsbündel", "Leistungsbündel"),
    OZG_ID: ("OZG-Nummer",),
    SCHLUESSEL: ("Leika-ID", "LeiKa-Leistungsschlüssel", "Leistungsschlüssel"),
    BEZEICHNUNG: ("LeiKa-Leistung", "Leistungsbezeichnung", "Bezeichnung"),
    TYP: ("Typ", "Typisierung", "LeiKa-Typisierung"),
    RECHTSGRUNDLAGE: ("Rechtsgrundlagen",),
    GESETZE: ("Gesetze",),
    KUERZEL: ("Kürzel",),
    SDG1: ("SDG1", "SDG-1-Relevanz"),
    SDG2: ("SDG2", "SDG-2-Relevanz"),
}
REQUIRED = (THEMENFELD, LAGE, OZG_LEISTUNG, OZG_ID, SCHLUESSEL, BEZEICHNUNG)
# KDN's import sheet has both "Leika-ID" and "LeiKa-Schlüssel": the latter wins.
_YIELDING_ALIASES = {"leikaid": SCHLUESSEL}

Getter = Callable[[str], str]
Reporter = Callable[[str, str], None]

_TRUE = frozenset({"ja", "j", "x", "1", "wahr", "true", "yes", "y"})
_FALSE = frozenset({"nein", "n", "", "0", "falsch", "false", "no", "-"})


@dataclass
class DraftOzg:
    """An OZG-Leistung as the sheet describes it, before the YAML supplement is merged in."""

    ozg_id: str
    name: str
    lage: str
    themenfeld: str
    efa: str | None
    line: int
    keys: list[str] = field(default_factory=list)


@dataclass
class SheetData:
    """What the sheet yields: first-seen lines are kept for cross-reference messages."""

    themenfelder: dict[str, int] = field(default_factory=dict)
    lagen: dict[str, tuple[str, int]] = field(default_factory=dict)
    ozg: dict[str, DraftOzg] = field(default_factory=dict)
    leika: dict[str, tuple[LeikaLeistung, int]] = field(default_factory=dict)
    info: SourceInfo | None = None
    columns: dict[str, str] = field(default_factory=dict)  # canonical name → as the file spells it
    readable: bool = False  # rows were read: references into the sheet can be checked
    rows: int = 0
    placeholder_rows: int = 0
    rows_without_ozg: int = 0


def read_umsetzungskatalog(path: Path, file: str, problems: Problems) -> SheetData:
    """Read and check the sheet; every problem goes to ``problems``, never raised."""
    data = SheetData()
    table = read_table(path, file, problems)
    if table is None:
        return data
    data.info = table.info
    data.rows = len(table.rows)
    cols = match_columns(table, COLUMNS, REQUIRED, problems, preferred_over=_YIELDING_ALIASES)
    if cols is None:
        return data
    data.columns = dict(cols.spelled)
    data.readable = bool(table.rows)
    placeholders: list[int] = []
    no_key: list[int] = []
    no_ozg: list[int] = []
    for line, row in table.rows:
        _read_row(file, line, row, cols, data, problems, placeholders, no_key, no_ozg)
    data.placeholder_rows = len(placeholders)
    data.rows_without_ozg = len(no_ozg)
    key_col = cols.spelled[SCHLUESSEL]
    if placeholders:
        problems.warning(
            file,
            placeholders[0],
            key_col,
            f"{_rows(len(placeholders))} mit Platzhalter „nicht im LeiKa“ übersprungen "
            f"({line_list(placeholders)})",
        )
    if no_key:
        problems.warning(
            file,
            no_key[0],
            key_col,
            f"{_rows(len(no_key))} ohne LeiKa-Schlüssel übersprungen ({line_list(no_key)})",
        )
    if no_ozg:
        problems.warning(
            file,
            no_ozg[0],
            cols.spelled[OZG_ID],
            f"{_rows(len(no_ozg))} ohne OZG-Leistung: LeiKa-Leistungen ohne OZG-Zuordnung übernommen "
            f"({line_list(no_ozg)})",
        )
    return data


def _read_row(
    file: str,
    line: int,
    row: list[str],
    cols: Columns,
    data: SheetData,
    problems: Problems,
    placeholders: list[int],
    no_key: list[int],
    no_ozg: list[int],
) -> None:
    def get(name: str) -> str:
        return cols.get(row, name)

    def error(name: str, message: str) -> None:
        problems.error(file, line, cols.spelled[name], message)

    ozg_id = _read_ozg_part(line, get, error, data, no_ozg)

    raw_key = get(SCHLUESSEL)
    if is_placeholder(raw_key):
        placeholders.append(line)
        return
    if not raw_key:
        no_key.append(line)
        return
    checked = check_key(raw_key)
    if checked.error:
        error(SCHLUESSEL, checked.error)
    if checked.warning:
        problems.warning(file, line, cols.spelled[SCHLUESSEL], checked.warning)
    sdg1 = _flag(get(SDG1), SDG1, error)
    sdg2 = _flag(get(SDG2), SDG2, error)
    bezeichnung = get(BEZEICHNUNG)
    if not bezeichnung:
        error(BEZEICHNUNG, "fehlt")
    if checked.key is None or ozg_id is False:
        return
    leistung = LeikaLeistung(
        schluessel=checked.key,
        bezeichnung=bezeichnung,
        typ=get(TYP),
        rechtsgrundlage=get(RECHTSGRUNDLAGE),
        gesetze=get(GESETZE),
        gesetzeskuerzel=get(KUERZEL),
        sdg1=bool(sdg1),
        sdg2=bool(sdg2),
        ozg_id=ozg_id,
    )
    seen = data.leika.get(checked.key)
    if seen is None:
        data.leika[checked.key] = (leistung, line)
        if ozg_id is not None:
            data.ozg[ozg_id].keys.append(checked.key)
        return
    earlier, earlier_line = seen
    if earlier.ozg_id != ozg_id:
        error(
            SCHLUESSEL,
            f"{checked.key} steht schon in Zeile {earlier_line} unter OZG-ID {earlier.ozg_id or '(keine)'}, "
            f"hier unter {ozg_id or '(keine)'}: ein Schlüssel gehört zu genau einer OZG-Leistung",
        )
    elif earlier == leistung:
        problems.warning(
            file, line, cols.spelled[SCHLUESSEL], f"Zeile doppelt (wie Zeile {earlier_line}), ignoriert"
        )
    else:
        error(SCHLUESSEL, f"{checked.key} doppelt (schon in Zeile {earlier_line}, mit anderen Angaben)")


def _read_ozg_part(
    line: int, get: Getter, error: Reporter, data: SheetData, no_ozg: list[int]
) -> str | bool | None:
    """Register Themenfeld, Lage and OZG-Leistung of a row.

    Returns the OZG-ID, None for a row without OZG-Leistung, or False when the row's OZG part is
    broken (the row's key is then not imported, so nothing hangs off a broken OZG-Leistung).
    """
    ozg_id, name_raw = get(OZG_ID), get(OZG_LEISTUNG)
    themenfeld, lage = get(THEMENFELD), get(LAGE)
    if not ozg_id and not name_raw:
        if themenfeld or lage:
            error(OZG_LEISTUNG, "fehlt, obwohl Themenfeld/Lage angegeben sind")
            return False
        no_ozg.append(line)
        return None
    ok = True
    if not ozg_id:
        error(OZG_ID, f"fehlt für „{name_raw}“")
        return False
    if not ozg_id.isascii() or not ozg_id.isdigit():
        error(OZG_ID, f"„{ozg_id}“ ist keine OZG-ID (nur Ziffern, z. B. 10513)")
        return False
    for col, value in ((OZG_LEISTUNG, name_raw), (THEMENFELD, themenfeld), (LAGE, lage)):
        if not value:
            error(col, f"fehlt (OZG-ID {ozg_id})")
            ok = False
    if not ok:
        return False
    name, efa = split_efa(name_raw)
    data.themenfelder.setdefault(themenfeld, line)
    known_lage = data.lagen.get(lage)
    if known_lage is None:
        data.lagen[lage] = (themenfeld, line)
    elif known_lage[0] != themenfeld:
        error(
            LAGE,
            f"„{lage}“ gehört in Zeile {known_lage[1]} zum Themenfeld „{known_lage[0]}“, "
            f"hier zu „{themenfeld}“: eine Lage gehört zu genau einem Themenfeld",
        )
        ok = False
    known = data.ozg.get(ozg_id)
    if known is None:
        data.ozg[ozg_id] = DraftOzg(ozg_id, name, lage, themenfeld, efa, line)
        return ozg_id if ok else False
    if known.name != name:
        error(OZG_LEISTUNG, f"OZG-ID {ozg_id} heißt in Zeile {known.line} „{known.name}“, hier „{name}“")
        ok = False
    if known.lage != lage:
        error(LAGE, f"OZG-ID {ozg_id} gehört in Zeile {known.line} zur Lage „{known.lage}“, hier „{lage}“")
        ok = False
    if efa and known.efa is None:
        known.efa = efa
    return ozg_id if ok else False


def _rows(n: int) -> str:
    return "1 Zeile" if n == 1 else f"{n} Zeilen"


def _flag(value: str, column: str, error: Reporter) -> bool | None:
    folded = value.strip().casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    error(column, f"„{value}“ ist kein Ja/Nein-Wert (ja, nein, 1, 0, x oder leer)")
    return None
