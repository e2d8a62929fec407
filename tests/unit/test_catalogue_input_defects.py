"""Regression tests for six ways bad catalogue input used to get through, or crash, the loader.

1. a stray ``"`` swallowed the following rows without a message;
2. a header without rows loaded as an empty catalogue;
3. names that MediaWiki makes one title (``_``/spaces/case) or no title (``#``) were accepted;
4. UTF-8 with one Windows-1252 byte was read as Windows-1252 as a whole ("fÃ¼r");
5. YAML bombs ran for a minute and gigabytes, or ended in an internal error;
6. an absurdly large file was parsed at all.
"""

from __future__ import annotations

import shutil
import time
import tracemalloc
from pathlib import Path

import pytest

from ozgwiki.catalogue import Problem, check, load, load_result, sample_path
from ozgwiki.catalogue.tables import MAX_TABLE_BYTES
from ozgwiki.catalogue.wikititles import title_key, title_problem
from ozgwiki.catalogue.yamlfile import MAX_YAML_BYTES
from ozgwiki.errors import CatalogueError

BAD = Path(__file__).resolve().parents[1] / "data" / "bad_input"
HEADER = "Themenfeld;Lage;OZG-Leistung;OZG-ID;LeiKa-Schluessel;LeiKa-Bezeichnung;LeiKa-Typ;SDG1-Relevanz"
ROWS = [
    "Bauen & Wohnen;Bauen & Immobilien;Abbruchgenehmigung;10513;99012001000000;Abbruchgenehmigung;4;ja",
    "Bauen & Wohnen;Bauen & Immobilien;Abbruchgenehmigung;10513;99012001001000;Abbruch Erteilung;4;ja",
    "Bauen & Wohnen;Bauen & Immobilien;Abbruchgenehmigung;10513;99012001002000;Abbruch Anzeige;4;nein",
    "Bauen & Wohnen;Bauen & Immobilien;Abbruchgenehmigung;10513;99012001003000;Abbruch Auskunft;4;nein",
]


def _catalogue(tmp_path: Path, sheet: bytes, *, kommunen: bytes | None = None) -> Path:
    (tmp_path / "k.csv").write_bytes(sheet)
    manifest = "umsetzungskatalog: k.csv\n"
    if kommunen is not None:
        (tmp_path / "g.csv").write_bytes(kommunen)
        manifest += "kommunen: g.csv\n"
    (tmp_path / "catalogue.yaml").write_text(manifest, encoding="utf-8")
    return tmp_path


def _lines(*rows: str, newline: str = "\r\n") -> bytes:
    return "".join(r + newline for r in rows).encode("utf-8")


def _sample(tmp_path: Path) -> Path:
    folder = tmp_path / "kat"
    shutil.copytree(sample_path().parent, folder)
    return folder


def _errors(folder: Path) -> list[Problem]:
    errors = list(check(folder).errors)
    with pytest.raises(CatalogueError) as info:
        load(folder)
    assert [p for p in info.value.problems if p.is_error] == errors  # nothing half-loaded, all at once
    return errors


# -- 1. stray quotes ---------------------------------------------------------------------------


def test_stray_quote_that_swallows_consistent_rows_is_an_error_at_the_opening_line(tmp_path: Path) -> None:
    # Before: rows 3-5 vanished into one LeiKa-Bezeichnung, the catalogue loaded with 0 errors.
    broken = ROWS[0].replace(";Abbruchgenehmigung;4", ';"Abbruchgenehmigung;4')
    folder = _catalogue(tmp_path, _lines(HEADER, broken, *ROWS[1:]))
    [error] = _errors(folder)
    assert (error.line, error.field) == (2, "LeiKa-Bezeichnung")
    assert error.message.startswith(
        "nicht geschlossenes Anführungszeichen vor „Abbruchgenehmigung;4;ja“ "
        "(ab Zeile 3 werden 3 Zeilen verschluckt, bis zum Dateiende)"
    )
    # reading resumed after the broken line: the swallowed rows were read and checked
    assert check(folder).counts["LeiKa-Leistungen"] == 3


def test_stray_quote_closed_by_a_later_quoted_cell_is_found_too(tmp_path: Path) -> None:
    # The stray quote in Bocholt's name closes at the opening quote of Gescher's: one row vanished.
    sample = sample_path().parent
    text = (sample / "kommunen.csv").read_text(encoding="utf-8")
    assert '"Bocholt, Stadt",' in text
    folder = _sample(tmp_path)
    (folder / "kommunen.csv").write_text(
        text.replace('"Bocholt, Stadt",', '"Bocholt, Stadt,'), encoding="utf-8"
    )
    error, follow_up = _errors(folder)
    assert (Path(error.file).name, error.line, error.field) == ("kommunen.csv", 7, "name")
    assert "(ab Zeile 8 werden 1 Zeile verschluckt)" in error.message
    # Gescher (line 8) was read again; only the broken Bocholt row itself is missing
    assert follow_up.message.endswith("unbekannter AGS 05554008")


def test_stray_quote_in_the_last_line_is_an_error(tmp_path: Path) -> None:
    broken = ROWS[3].replace(";Abbruch Auskunft", ';"Abbruch Auskunft')
    [error] = _errors(_catalogue(tmp_path, _lines(HEADER, *ROWS[:3], broken)))
    assert (error.line, error.field) == (5, "LeiKa-Bezeichnung")
    assert "nicht geschlossenes Anführungszeichen vor „Abbruch Auskunft;4;nein“ (bis zum Dateiende)" in (
        error.message
    )


def test_real_multiline_cells_still_load_with_physical_line_numbers(tmp_path: Path) -> None:
    text = HEADER + ";Gesetz(e)\r\n" + ROWS[0] + ';"BauO NRW\r\n§ 62; § 63"\r\n' + ROWS[1] + ";\r\n"
    result = load_result(_catalogue(tmp_path, text.encode("utf-8")))
    leistung = result.catalogue.leika_leistung("99012001000000")
    assert leistung is not None and leistung.gesetze == "BauO NRW\r\n§ 62; § 63"
    assert result.catalogue.leika_leistung("99012001001000") is not None


# -- 2. no data rows ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sheet", [HEADER + "\r\n", HEADER, HEADER + "\r\n;;;\r\n\r\n"], ids=["crlf", "bare", "blank"]
)
def test_a_sheet_with_only_a_header_is_an_error(tmp_path: Path, sheet: str) -> None:
    [error] = _errors(_catalogue(tmp_path, sheet.encode("utf-8")))
    assert (error.line, error.field) == (1, "Datei")
    assert error.message == "keine Datenzeilen: die Tabelle hat nur die Kopfzeile"


def test_a_kommunen_file_with_only_a_header_is_an_error(tmp_path: Path) -> None:
    header = (sample_path().parent / "kommunen.csv").read_bytes().splitlines(keepends=True)[0]
    folder = _catalogue(tmp_path, _lines(HEADER, ROWS[0]), kommunen=header)
    [error] = _errors(folder)
    assert (Path(error.file).name, error.line, error.message) == (
        "g.csv",
        1,
        "keine Datenzeilen: die Tabelle hat nur die Kopfzeile",
    )


def test_an_xlsx_sheet_with_only_a_header_is_an_error(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER.split(";"))
    workbook.save(tmp_path / "k.xlsx")
    (tmp_path / "catalogue.yaml").write_text("umsetzungskatalog: k.xlsx\n", encoding="utf-8")
    [error] = _errors(tmp_path)
    assert error.message == "keine Datenzeilen: die Tabelle hat nur die Kopfzeile"


# -- 3. names and page titles ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Bauen_&_Wohnen", "Bauen & Wohnen"),
        ("Bauen  &   Wohnen", "Bauen & Wohnen"),
        ("  Bauen & Wohnen ", "Bauen & Wohnen"),
        ("bauen & Wohnen", "Bauen & Wohnen"),
        ("Bauen\u00a0&\u2009Wohnen\u200e", "Bauen & Wohnen"),
        ("u\u0308ber", "Über"),  # NFD → NFC, then upper case
        ("ßtraße", "ßtraße"),  # MediaWiki does not make "SS" of a leading ß
    ],
)
def test_title_key_normalises_like_mediawiki(name: str, key: str) -> None:
    assert title_key(name) == key


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("Bauen # Wohnen", "das Zeichen „#“"),
        ("Bauen [alt]", "das Zeichen „[“"),
        ("A|B", "das Zeichen „|“"),
        ("{{Vorlage}}", "das Zeichen „{“"),
        ("a<b>", "das Zeichen „<“"),
        ("Zeilen\numbruch", "das Zeichen U+000A"),
        ("Prozent%41", "„%41“ (URL-Kodierung)"),
        ("Bauen &amp; Wohnen", "„&amp;“ (HTML-Entität)"),
        ("Signatur ~~~", "(Signatur)"),
        ("x" * 250, "zu lang für einen Seitentitel (261 Bytes, höchstens 255)"),
        (" _ ", "ist leer"),
    ],
)
def test_names_that_cannot_be_titles(name: str, fragment: str) -> None:
    problem = title_problem("Themenfeld ", name)
    assert problem is not None and fragment in problem


@pytest.mark.parametrize(
    ("yaml_name", "message"),
    [
        ("Bildung_", "Themenfeld „Bildung_“ ergibt denselben Seitentitel „Themenfeld Bildung“ wie „Bildung“"),
        ("bildung", "Themenfeld „bildung“ ergibt denselben Seitentitel „Themenfeld Bildung“ wie „Bildung“"),
        (
            "' Bildung'",
            "Themenfeld „ Bildung“ ergibt denselben Seitentitel „Themenfeld Bildung“ wie „Bildung“",
        ),
    ],
)
def test_a_yaml_themenfeld_colliding_with_the_sheet_names_both_lines(
    tmp_path: Path, yaml_name: str, message: str
) -> None:
    (tmp_path / "e.yaml").write_text(f"themenfelder:\n  {yaml_name}:\n", encoding="utf-8")
    other = "Bildung;Schule;Schülerbeförderung;10042"
    rows = _lines(
        HEADER, ROWS[0], ROWS[1].replace("Bauen & Wohnen;Bauen & Immobilien;Abbruchgenehmigung;10513", other)
    )
    folder = _catalogue(tmp_path, rows)
    (folder / "catalogue.yaml").write_text(
        "umsetzungskatalog: k.csv\nergaenzungen: e.yaml\n", encoding="utf-8"
    )
    [error] = _errors(folder)
    assert (Path(error.file).name, error.line) == ("e.yaml", 2)
    assert error.message == f"{message} ({tmp_path / 'k.csv'}:3); bitte einheitlich schreiben"


def test_two_lagen_in_the_sheet_that_are_one_page(tmp_path: Path) -> None:
    other = ROWS[1].replace(
        "Bauen & Immobilien;Abbruchgenehmigung;10513", "Bauen  & Immobilien;Anderes;10514"
    )
    [error] = _errors(_catalogue(tmp_path, _lines(HEADER, ROWS[0], other)))
    assert (error.line, error.field) == (3, "Lage")
    assert "wie „Bauen & Immobilien“" in error.message and ":2)" in error.message


def test_a_project_name_with_a_forbidden_character(tmp_path: Path) -> None:
    folder = _sample(tmp_path)
    path = folder / "umsetzungsprojekte.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("- name: Einbürgerung", "- name: Einbürgerung [alt]")
    )
    [error] = _errors(folder)
    assert (Path(error.file).name, error.line, error.field) == ("umsetzungsprojekte.yaml", 5, "name")
    assert error.message.startswith("Umsetzungsprojekt „Einbürgerung [alt]“ kann kein Seitentitel sein")


def test_the_same_name_twice_is_the_same_page_not_a_collision() -> None:
    # The sample names every Themenfeld in the sheet and in the YAML: no title problem.
    assert check().errors == ()


# -- 4. encodings ------------------------------------------------------------------------------


def test_utf8_with_one_windows_1252_byte_is_an_error_naming_its_line(tmp_path: Path) -> None:
    # ASCII header, UTF-8 umlauts, one cp1252 en dash: this used to load as "fÃ¼r" with 0 problems.
    rows = [r.replace("Abbruch ", "Abbruch für ") for r in ROWS]
    data = _lines(HEADER, *rows).replace(b"Anzeige", "Anzeige \x96 neu".encode("latin-1"))
    [error] = _errors(_catalogue(tmp_path, data))
    assert (error.line, error.field) == (4, "Kodierung")
    assert error.message.startswith(
        "gemischte Kodierung: die Datei ist UTF-8, enthält aber 1 ungültiges Byte (zuerst 0x96, wohl "
        "Windows-1252) in Zeile 4;"
    )


def test_every_line_with_a_foreign_byte_is_named(tmp_path: Path) -> None:
    data = "\ufeff".encode() + _lines(HEADER, *[r + ";grün" for r in ROWS])
    data = data.replace(b"Erteilung", b"Erteilung\xe4").replace(b"Auskunft", b"Auskunft\xfc")
    [error] = _errors(_catalogue(tmp_path, data))
    assert "die Datei ist UTF-8 mit BOM, enthält aber 2 ungültige Bytes" in error.message
    assert "in Zeilen 3, 5;" in error.message


def test_a_real_windows_1252_file_still_loads(tmp_path: Path) -> None:
    text = "".join(r + "\r\n" for r in [HEADER, *[r.replace("Abbruch ", "Abbruch für ") for r in ROWS]])
    result = load_result(_catalogue(tmp_path, text.encode("cp1252")))
    assert result.sources[0].encoding == "Windows-1252"
    leistung = result.catalogue.leika_leistung("99012001001000")
    assert leistung is not None and leistung.bezeichnung == "Abbruch für Erteilung"


@pytest.mark.parametrize("codec", ["cp1252", "latin-1"])
def test_a_double_encoded_file_is_an_error(tmp_path: Path, codec: str) -> None:
    good = "".join(
        r + "\r\n" for r in [HEADER, *[r.replace("Abbruch ", "Abbruch für Straße ") for r in ROWS]]
    )
    double = good.encode("utf-8").decode(codec).encode("utf-8")  # read wrongly, saved as UTF-8 again
    [error] = _errors(_catalogue(tmp_path, double))
    assert (error.line, error.field) == (3, "Kodierung")
    assert error.message.startswith("doppelt kodiert: „Ã¼“ statt „ü“ in Zeilen 3, 4, 5 –")


# -- 5. YAML that is not data ------------------------------------------------------------------


def _supplement_check(tmp_path: Path, data: bytes) -> tuple[list[Problem], float, int]:
    """Put ``data`` in as the sample's ergaenzungen.yaml; return its errors, seconds and peak bytes."""
    folder = _sample(tmp_path)
    (folder / "ergaenzungen.yaml").write_bytes(data)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = check(folder)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    with pytest.raises(CatalogueError):
        load(folder)
    errors = [p for p in result.errors if Path(p.file).name == "ergaenzungen.yaml"]
    return errors, seconds, peak


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        ((BAD / "billion_laughs.yaml").read_bytes(), 2, "Anker (&a) sind nicht erlaubt; Werte ausschreiben"),
        (
            (BAD / "recursive_alias.yaml").read_bytes(),
            3,
            "Anker (&selbst) sind nicht erlaubt; Werte ausschreiben",
        ),
        (b"lagen: *nirgends\n", 1, "Verweise (*nirgends) sind nicht erlaubt; Werte ausschreiben"),
        ((BAD / "merge_key.yaml").read_bytes(), 4, "„<<“ hat in YAML eine Sonderbedeutung"),
        (b"lagen: " + b"[" * 5000 + b"]" * 5000 + b"\n", 1, "zu tief verschachtelt (mehr als 50 Ebenen)"),
        (b"- " * 5000 + b"x\n", 1, "zu tief verschachtelt (mehr als 50 Ebenen)"),
        (
            b"ozg_leistungen:\n  10513: {prioritaet: " + b"7" * 5000 + b"}\n",
            2,
            "Zahl mit 5000 Ziffern (höchstens 30)",
        ),
        (
            (BAD / "python_tag.yaml").read_bytes(),
            5,
            "Typangaben wie „tag:yaml.org,2002:python/object/apply:os.system“",
        ),
    ],
    ids=[
        "billion-laughs",
        "recursive-alias",
        "alias",
        "merge-key",
        "deep-flow",
        "deep-block",
        "long-int",
        "tag",
    ],
)
def test_yaml_that_is_not_data_is_refused_fast_and_small(
    tmp_path: Path, data: bytes, line: int, message: str
) -> None:
    errors, seconds, peak = _supplement_check(tmp_path, data)
    assert [(p.line, p.field) for p in errors] == [(line, "YAML")]
    assert errors[0].message.startswith(message)
    assert seconds < 1.0, seconds
    assert peak < 20 * 2**20, peak


def test_a_yaml_file_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    data = b"# " + b"x" * (MAX_YAML_BYTES + 10) + b"\nthemenfelder: {}\n"
    errors, seconds, _ = _supplement_check(tmp_path, data)
    assert [(p.line, p.field) for p in errors] == [(0, "Datei")]
    assert errors[0].message == "Datei zu groß: 2,0 MB (höchstens 2,0 MB); ist das die richtige Datei?"
    assert seconds < 1.0


# -- 6. absurdly large tables ------------------------------------------------------------------


def test_a_50_mb_csv_is_refused_before_parsing(tmp_path: Path) -> None:
    folder = _catalogue(tmp_path, _lines(HEADER, ROWS[0]))
    with (folder / "k.csv").open("r+b") as handle:  # sparse: costs nothing to write
        handle.truncate(50 * 2**20)
    started = time.perf_counter()
    [error] = _errors(folder)
    assert time.perf_counter() - started < 1.0
    assert MAX_TABLE_BYTES == 32 * 2**20
    assert (error.line, error.field, error.message) == (
        0,
        "Datei",
        "Datei zu groß: 50,0 MB (höchstens 32,0 MB); ist das die richtige Datei?",
    )
