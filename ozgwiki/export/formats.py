"""Records -> file contents: CSV for spreadsheets, one JSON document for programs. Pure.

CSV is written the way German spreadsheets read it without an import dialog:

* **UTF-8 with a byte order mark**: Excel takes a ``.csv`` without BOM for the system's ANSI code
  page (Windows-1252) and shows „GrÃ¶ÃŸenklasse“; with the BOM Excel and LibreOffice both read UTF-8;
* **``;`` as separator**: the list separator of German Windows (the decimal separator is ``,``), so a
  double click opens the columns in Excel; LibreOffice's import dialog detects it;
* **CRLF** line ends (RFC 4180), which every reader accepts; a line break *inside* a value stays a
  single LF within the quotes, which both show as a line break in the cell;
* a field is quoted only when it holds ``;``, ``"`` or a line break (``"`` doubled), as RFC 4180 says.

Lists are joined with ``", "``, without loss: every entry was split off at commas (as ``Modul:OZG``
splits), so none contains one. Booleans are ``ja``/``nein``, an empty field is an empty value. The
JSON keeps the types: lists as arrays, numbers as numbers, ``true``/``false``, ``null`` for an empty
value (schema: ``docs/export.schema.json``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ozgwiki.export.records import DATASETS, Dataset, Export, Record, Value

BOM = "\ufeff"
CSV_SEPARATOR = ";"
CSV_LINE_END = "\r\n"
LIST_SEPARATOR = ", "
#: Names the JSON format; ``version`` changes when a field changes meaning or disappears.
JSON_FORMAT = "ozgwiki-export"
JSON_VERSION = 1


def csv_value(value: Value) -> str:
    """One value as CSV text: lists joined with ``", "``, booleans ``ja``/``nein``, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, tuple):
        return LIST_SEPARATOR.join(value)
    return str(value)


def to_csv(dataset: Dataset, records: Sequence[Record]) -> bytes:
    """The CSV file of one dataset: BOM, header row of the German column names, one row per record."""
    out = io.StringIO(newline="")
    writer = csv.writer(
        out, delimiter=CSV_SEPARATOR, quotechar='"', quoting=csv.QUOTE_MINIMAL, lineterminator=CSV_LINE_END
    )
    writer.writerow(c.header for c in dataset.columns)
    for record in records:
        writer.writerow(csv_value(record[c.key]) for c in dataset.columns)
    return (BOM + out.getvalue()).encode("utf-8")


def json_value(value: Value) -> Any:
    """One value as JSON data (tuples become arrays)."""
    return list(value) if isinstance(value, tuple) else value


def json_document(export: Export, *, source: str, exported_at: datetime) -> dict[str, Any]:
    """The JSON document: format, source, time, counts, and one array of records per dataset."""
    counts: dict[str, Any] = {d.name: export.count(d) for d in DATASETS}
    counts["nicht_uebertragene_schluessel"] = export.invalid_keys
    doc: dict[str, Any] = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "quelle": source,
        "exportiert_am": exported_at.isoformat(timespec="seconds"),
        "anzahl": counts,
        "uebersprungene_seiten": list(export.skipped),
    }
    for dataset in DATASETS:
        doc[dataset.name] = [_json_record(dataset, r) for r in export.records.get(dataset.name, ())]
    return doc


def _json_record(dataset: Dataset, record: Record) -> Mapping[str, Any]:
    return {c.key: json_value(record[c.key]) for c in dataset.columns}


def to_json(export: Export, *, source: str, exported_at: datetime) -> bytes:
    """The JSON file: UTF-8 (no BOM, as RFC 8259 asks), German text as is, indented, final newline."""
    doc = json_document(export, source=source, exported_at=exported_at)
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
