"""Read a table the way spreadsheet programs really write it: CSV (sniffed) or XLSX.

What German office exports look like in practice, and what this module therefore accepts:

- ``;`` as delimiter (Excel with German locale), ``,`` (LibreOffice, scripts) or a tab; sniffed from
  the header line, because the header is the one line we know the shape of;
- UTF-8 with or without BOM, or Windows-1252 (Excel's "CSV (Trennzeichen-getrennt)"); the one used
  is reported, so an editor learns why umlauts look wrong elsewhere. Mixed and double-encoded files
  are refused, never guessed at (:mod:`ozgwiki.catalogue.encoding`);
- CRLF, LF or CR line ends; quoted fields spanning lines. Line numbers are physical file lines
  (header = 1), so they match what an editor sees in a text editor. A stray quote that would
  swallow the following rows is an error (:mod:`ozgwiki.catalogue.csvrecords`);
- files larger than :data:`MAX_TABLE_BYTES` and tables without data rows are errors;
- headers matched tolerantly (:func:`fold_header`): case, spaces, hyphens, ``ü``/``ue``, ``(n)``;
- ``.xlsx`` through openpyxl, an optional dependency: imported only when an xlsx file is read.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ozgwiki.catalogue.csvrecords import read_records, shared
from ozgwiki.catalogue.encoding import decode
from ozgwiki.catalogue.problems import Problems, read_bytes

__all__ = ["MAX_TABLE_BYTES", "Columns", "SourceInfo", "Table", "decode", "match_columns", "read_table"]

#: Larger catalogue sources are refused before parsing. The real Umsetzungskatalog is 1.5 MB, the
#: municipality list 0.1 MB: 32 MB leaves room for twenty times the data and keeps a mistaken file
#: (a database dump, a log) from costing minutes and gigabytes.
MAX_TABLE_BYTES = 32 * 2**20
_ZIP_MAGIC = b"PK\x03\x04"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_DELIMITERS = (";", ",", "\t")
_DELIMITER_NAMES = {";": "Semikolon", ",": "Komma", "\t": "Tabulator"}


@dataclass(frozen=True)
class SourceInfo:
    """How one source file was read: shown by ``ozgwiki catalogue check``."""

    file: str
    kind: str
    encoding: str | None = None
    delimiter: str | None = None
    rows: int = 0

    def describe(self) -> str:
        parts = [self.kind.upper()]
        if self.encoding:
            parts.append(self.encoding)
        if self.delimiter:
            parts.append(f"Trennzeichen {_DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))}")
        if self.kind != "yaml":
            parts.append(f"{self.rows} Zeilen")
        return f"{self.file}: " + ", ".join(parts)


@dataclass
class Table:
    """A header and its data rows, each row with its physical line number."""

    file: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    info: SourceInfo
    dropped: int = 0  # records not read because they were broken (already reported)


def fold_header(text: str) -> str:
    """Fold a column header for matching: ``"LeiKa-Schlüssel"`` and ``"leika schluessel"`` agree.

    Drops a BOM, case, umlaut spelling, plural/optional suffixes such as ``(n)``/``(e)`` and every
    non-alphanumeric character.
    """
    t = text.replace("\ufeff", "").strip().casefold()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        t = t.replace(a, b)
    t = re.sub(r"\((?:n|e|en|s|er)\)", "", t)
    return re.sub(r"[^0-9a-z]+", "", t)


def _sniff_delimiter(first_line: str) -> str:
    """The delimiter that splits the header into the most columns (quotes ignored: headers rarely quote)."""
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ";"


def read_table(path: Path, file: str, problems: Problems) -> Table | None:
    """Read a CSV or XLSX file; report unreadable files as problems and return None for them.

    A table without data rows is reported too (and returned, so its header is still checked): an
    export that lost its rows must not load as an empty catalogue.
    """
    data = read_bytes(path, file, problems, limit=MAX_TABLE_BYTES)
    if data is None:
        return None
    if data.startswith(_ZIP_MAGIC) or path.suffix.lower() in (".xlsx", ".xlsm"):
        table = _read_xlsx(path, data, file, problems)
    else:
        table = _read_csv(data, file, problems)
    if table is not None and not table.rows and not table.dropped:
        problems.error(file, 1, "Datei", "keine Datenzeilen: die Tabelle hat nur die Kopfzeile")
    return table


def _read_csv(data: bytes, file: str, problems: Problems) -> Table | None:
    if data.startswith(_UTF16_BOMS) or b"\x00" in data[:4096]:
        problems.error(file, 0, "Datei", "Binärdatei, keine CSV-Tabelle (UTF-16? als CSV UTF-8 speichern)")
        return None
    decoded = decode(data, file, problems)
    if decoded is None:
        return None
    text, encoding = decoded
    if not text.strip():
        problems.error(file, 1, "Kopfzeile", "Datei ist leer")
        return None
    delimiter = _sniff_delimiter(text.splitlines()[0])
    records = read_records(text, delimiter, file, problems)
    if records is None:
        return None
    header = [h.strip() for h in records.header.cells]
    rows = [(r.line, r.cells) for r in records.rows]
    info = SourceInfo(file, "csv", encoding, delimiter, len(rows))
    return Table(file, header, rows, info, records.dropped)


def _read_xlsx(path: Path, data: bytes, file: str, problems: Problems) -> Table | None:
    try:
        import openpyxl  # optional dependency: only needed for xlsx
    except ImportError:
        problems.error(
            file,
            0,
            "Datei",
            "XLSX-Dateien brauchen das Paket openpyxl (pip install openpyxl) "
            "oder die Tabelle als CSV UTF-8 speichern",
        )
        return None
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for a broken file
        problems.error(file, 0, "Datei", f"keine lesbare XLSX-Datei: {exc}")
        return None
    try:
        sheet = workbook.worksheets[0]
        header: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        seen: dict[str, str] = {}
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = shared([_cell_text(v) for v in values], seen)
            if header is None:
                header = [c.strip() for c in cells]
                continue
            if any(c.strip() for c in cells):
                rows.append((number, cells))
    finally:
        workbook.close()
    if header is None:
        problems.error(file, 1, "Kopfzeile", "Tabellenblatt ist leer")
        return None
    return Table(file, header, rows, SourceInfo(file, "xlsx", None, None, len(rows)))


def _cell_text(value: object) -> str:
    """Cell value as the text a CSV export would show: ``10513`` not ``10513.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Columns:
    """Where each canonical column is, and how the file itself spells it (for messages)."""

    index: Mapping[str, int]
    spelled: Mapping[str, str]

    def get(self, row: Sequence[str], name: str) -> str:
        i = self.index.get(name)
        if i is None or i >= len(row):
            return ""
        return row[i].strip()


def match_columns(
    table: Table,
    spec: Mapping[str, Sequence[str]],
    required: Sequence[str],
    problems: Problems,
    *,
    preferred_over: Mapping[str, str] | None = None,
) -> Columns | None:
    """Map the file's header onto canonical column names.

    ``spec`` maps each canonical name to its accepted spellings (folded with :func:`fold_header`).
    ``preferred_over`` names an alias header that yields to the canonical one when both are present
    (KDN's import sheet has both "Leika-ID" and "LeiKa-Schlüssel"). Unknown columns are warnings;
    a missing required column or a column given twice is an error.
    """
    lookup: dict[str, str] = {}
    for name, spellings in spec.items():
        for s in (name, *spellings):
            lookup[fold_header(s)] = name
    index: dict[str, int] = {}
    spelled: dict[str, str] = {}
    aliases_used: dict[str, int] = {}
    ok = True
    for i, raw in enumerate(table.header):
        if not raw:
            continue
        folded = fold_header(raw)
        name = lookup.get(folded)
        if name is None:
            problems.warning(table.file, 1, raw, "unbekannte Spalte, wird ignoriert")
            continue
        if preferred_over and folded in preferred_over:
            aliases_used[name] = i
            continue
        if name in index:
            problems.error(
                table.file, 1, raw, f"Spalte doppelt (schon in Spalte {index[name] + 1}: „{spelled[name]}“)"
            )
            continue
        index[name] = i
        spelled[name] = raw
    for name, i in aliases_used.items():
        if name in index:
            problems.warning(
                table.file, 1, table.header[i], f"ignoriert, weil die Spalte „{spelled[name]}“ vorhanden ist"
            )
        else:
            index[name] = i
            spelled[name] = table.header[i]
    for name in required:
        if name not in index:
            problems.error(table.file, 1, name, "Pflichtspalte fehlt in der Kopfzeile")
            ok = False
    for name in spec:
        spelled.setdefault(name, name)
    width = len(table.header)
    kept: list[tuple[int, list[str]]] = []
    for line, row in table.rows:
        if len(row) > width and any(c.strip() for c in row[width:]):
            problems.error(
                table.file,
                line,
                "Zeile",
                f"{len(row)} Spalten, die Kopfzeile hat {width} "
                "(Trennzeichen im Text ohne Anführungszeichen?)",
            )
        else:
            kept.append((line, row))
    table.rows = kept  # a misaligned row would only cause follow-up errors in every column
    return Columns(index, spelled) if ok else None
