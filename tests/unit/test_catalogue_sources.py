"""What spreadsheet programs really write: encodings, delimiters, line ends, headers, XLSX."""

from __future__ import annotations

import builtins
import shutil
from pathlib import Path

import pytest

from ozgwiki.catalogue import check, load_result, sample_path
from ozgwiki.errors import CatalogueError

HEADER = ["Themenfeld", "Lage", "OZG-Leistung", "OZG-ID", "LeiKa-Schlüssel", "LeiKa-Bezeichnung",
          "LeiKa-Typ", "Rechtsgrundlage(n)", "Gesetz(e)", "Gesetzeskürzel",
          "SDG1-Relevanz", "SDG2-Relevanz"]  # fmt: skip
ROWS = [
    ["Bauen & Wohnen", "Bauen & Immobilien", "Abbruchgenehmigung", "10513", "99012001000000",
     "Abbruchgenehmigung", "4", "§ 62 BauO NRW", "Bauordnung", "BauO NRW", "ja", "nein"],
    ["Bauen & Wohnen", "Wohnen & Umzug", "Abfallentsorgung", "10110", "99001001002000",
     "Abfallgebühr Festsetzung", "5", "", "", "", "nein", "ja"],
    ["Bildung", "Schule", "Schülerbeförderung", "10042", "99097001000000",
     "Schülerfahrkosten; Übernahme", "2/3", "", "", "", "0", "1"],
]  # fmt: skip


def _csv(header: list[str], rows: list[list[str]], delimiter: str, newline: str) -> str:
    def cell(c: str) -> str:
        return f'"{c}"' if delimiter in c or '"' in c else c

    return "".join(delimiter.join(cell(c) for c in r) + newline for r in [header, *rows])


def _write(tmp_path: Path, data: bytes, name: str = "katalog.csv") -> Path:
    (tmp_path / name).write_bytes(data)
    (tmp_path / "catalogue.yaml").write_text(f"umsetzungskatalog: {name}\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("encoding", "delimiter", "newline", "reported"),
    [
        ("utf-8-sig", ";", "\r\n", "UTF-8 mit BOM"),
        ("utf-8", ";", "\n", "UTF-8"),
        ("utf-8", ",", "\r\n", "UTF-8"),
        ("cp1252", ";", "\r\n", "Windows-1252"),
        ("cp1252", ",", "\n", "Windows-1252"),
        ("utf-8", "\t", "\r", "UTF-8"),
    ],
    ids=[
        "bom-semicolon-crlf",
        "utf8-semicolon-lf",
        "utf8-comma-crlf",
        "cp1252-semicolon",
        "cp1252-comma",
        "tab-cr",
    ],
)
def test_the_same_sheet_loads_from_every_export_variant(
    tmp_path: Path, encoding: str, delimiter: str, newline: str, reported: str
) -> None:
    text = _csv(HEADER, ROWS, delimiter, newline)
    result = load_result(_write(tmp_path, text.encode(encoding)))
    c = result.catalogue
    assert result.sources[0].encoding == reported
    assert result.sources[0].delimiter == delimiter
    assert result.warnings == ()
    assert [o.ozg_id for o in c.ozg_leistungen] == ["10513", "10110", "10042"]
    schule = c.leika_leistung("99097001000000")
    assert schule is not None and schule.bezeichnung == "Schülerfahrkosten; Übernahme"
    assert (schule.typ, schule.sdg1, schule.sdg2) == ("2/3", False, True)
    abbruch = c.leika_leistung("99012001000000")
    assert abbruch is not None
    assert (abbruch.rechtsgrundlage, abbruch.gesetze, abbruch.gesetzeskuerzel) == (
        "§ 62 BauO NRW", "Bauordnung", "BauO NRW",
    )  # fmt: skip


def test_line_numbers_are_physical_lines_even_with_multiline_cells(tmp_path: Path) -> None:
    text = (
        "Themenfeld;Lage;OZG-Leistung;OZG-ID;LeiKa-Schlüssel;LeiKa-Bezeichnung;Rechtsgrundlage(n)\r\n"
        'Bauen & Wohnen;Bauen & Immobilien;Abbruchgenehmigung;10513;99012001000000;Abbruch;"§ 62\r\nBauO"\r\n'
        "\r\n"
        "Bauen & Wohnen;Bauen & Immobilien;Abbruchgenehmigung;10513;9901200100100;Abbruch Erteilung;\r\n"
    )
    result = check(_write(tmp_path, text.encode("utf-8")))
    assert [(p.line, p.field) for p in result.errors] == [(5, "LeiKa-Schlüssel")]


def test_undecodable_file_is_one_problem_with_its_line(tmp_path: Path) -> None:
    # 0x81 is undefined in Windows-1252 and invalid UTF-8: no encoding we accept can read it
    data = _csv(HEADER, ROWS, ";", "\n").encode("utf-8") + b"Bauen;Lage;Abbruch\x81;10513;1;2\n"
    result = check(_write(tmp_path, data))
    assert [str(p) for p in result.problems] == [
        f"{tmp_path / 'katalog.csv'}:5: Kodierung: weder als UTF-8 noch als Windows-1252 lesbar (Byte 0x81); "
        "bitte als „CSV UTF-8“ speichern"
    ]
    with pytest.raises(CatalogueError):
        load_result(tmp_path)


def test_utf16_export_is_reported_not_misread(tmp_path: Path) -> None:
    result = check(_write(tmp_path, _csv(HEADER, ROWS, "\t", "\r\n").encode("utf-16")))
    assert [p.message for p in result.errors] == [
        "Binärdatei, keine CSV-Tabelle (UTF-16? als CSV UTF-8 speichern)"
    ]


@pytest.mark.parametrize(
    "header",
    [
        "THEMENFELD;lage;ozg leistung;ozg_id;Leika Schluessel;leika-bezeichnung;Leika Typ;"
        "Rechtsgrundlagen;Gesetze;"
        "Gesetzeskuerzel;SDG 1 Relevanz;SDG2",
        "Themenfeld;Lebenslage;OZG-Leistungen;OZG-ID;Leika-ID;LeiKa-Bezeichnung;Typisierung;Rechtsgrundlage(n);"
        "Gesetz(e);Gesetzeskürzel;SDG1-Relevanz;SDG2-Relevanz",
        " Themenfeld ; Lage ; OZG‐Leistung ; OZG-ID ; LeiKa-Schlüssel ; LeiKa-Bezeichnung ; LeiKa-Typ ; "
        "Rechtsgrundlage(n) ; Gesetz(e) ; Gesetzeskürzel ; SDG1-Relevanz ; SDG2-Relevanz ",
    ],
    ids=["case-and-spelling", "kdn-aliases", "spaces-and-unicode-hyphen"],
)
def test_headers_are_matched_tolerantly(tmp_path: Path, header: str) -> None:
    text = header + "\n" + "".join(";".join(r) + "\n" for r in ROWS[:2])
    result = load_result(_write(tmp_path, text.encode("utf-8")))
    assert result.warnings == ()
    leistung = result.catalogue.leika_leistung("99012001000000")
    assert leistung is not None
    assert (leistung.typ, leistung.gesetzeskuerzel, leistung.sdg1) == ("4", "BauO NRW", True)
    assert result.catalogue.lage("Bauen & Immobilien") is not None


def test_leika_id_yields_to_leika_schluessel_when_both_exist(tmp_path: Path) -> None:
    text = (
        "Themenfeld;Lage;OZG-Leistung;OZG-ID;Leika-ID;LeiKa-Schlüssel;LeiKa-Bezeichnung\n"
        "Bauen & Wohnen;Bauen & Immobilien;Abbruchgenehmigung;10513;123;99012001000000;Abbruch\n"
    )
    result = load_result(_write(tmp_path, text.encode("utf-8")))
    assert result.catalogue.known_keys == {"99012001000000"}
    assert [p.message for p in result.warnings] == [
        "ignoriert, weil die Spalte „LeiKa-Schlüssel“ vorhanden ist"
    ]


def test_keys_are_normalised_and_efa_is_split_off_the_name(tmp_path: Path) -> None:
    text = (
        "Themenfeld;Lage;OZG-Leistung;OZG-ID;LeiKa-Schlüssel;LeiKa-Bezeichnung\n"
        "Bauen & Wohnen;Bauen & Immobilien;Abbruchgenehmigung (EfA gemäß erster Liste vom BMI);10513;"
        "99 012 001 001 000;Abbruch Erteilung\n"
        "Bauen & Wohnen;Bauen & Immobilien;Abbruchgenehmigung;10513;99.012.001-000000;Abbruch\n"
    )
    c = load_result(_write(tmp_path, text.encode("utf-8"))).catalogue
    o = c.ozg_leistung("10513")
    assert o is not None
    assert (o.name, o.efa) == ("Abbruchgenehmigung", "EfA gemäß erster Liste vom BMI")
    assert o.leika_schluessel == ("99012001001000", "99012001000000")


def _xlsx(path: Path, rows: list[list[object]]) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)


def test_xlsx_is_read_with_numbers_as_text(tmp_path: Path) -> None:
    rows: list[list[object]] = [HEADER, *ROWS]
    rows[1] = [*ROWS[0][:3], 10513, 99012001000000, *ROWS[0][5:10], True, False]
    _xlsx(tmp_path / "katalog.xlsx", rows)
    (tmp_path / "catalogue.yaml").write_text("umsetzungskatalog: katalog.xlsx\n", encoding="utf-8")
    result = load_result(tmp_path)
    assert result.sources[0].kind == "xlsx"
    leistung = result.catalogue.leika_leistung("99012001000000")
    assert leistung is not None and leistung.ozg_id == "10513" and leistung.sdg1 and not leistung.sdg2
    assert len(result.catalogue.known_keys) == 3


def test_xlsx_without_openpyxl_is_a_clear_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_openpyxl(name: str, *args: object, **kwargs: object) -> object:
        if name == "openpyxl":
            raise ImportError("No module named 'openpyxl'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    (tmp_path / "katalog.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (tmp_path / "catalogue.yaml").write_text("umsetzungskatalog: katalog.xlsx\n", encoding="utf-8")
    monkeypatch.setattr(builtins, "__import__", no_openpyxl)
    result = check(tmp_path)
    assert [p.message for p in result.errors] == [
        "XLSX-Dateien brauchen das Paket openpyxl (pip install openpyxl) "
        "oder die Tabelle als CSV UTF-8 speichern"
    ]


def test_broken_xlsx_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    (tmp_path / "katalog.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (tmp_path / "catalogue.yaml").write_text("umsetzungskatalog: katalog.xlsx\n", encoding="utf-8")
    [problem] = check(tmp_path).errors
    assert problem.message.startswith("keine lesbare XLSX-Datei")


def test_yaml_duplicate_keys_and_non_utf8_yaml_are_reported(tmp_path: Path) -> None:
    _write(tmp_path, _csv(HEADER, ROWS, ";", "\n").encode("utf-8"))
    (tmp_path / "catalogue.yaml").write_text(
        "umsetzungskatalog: katalog.csv\nergaenzungen: [a.yaml, b.yaml]\n", encoding="utf-8"
    )
    (tmp_path / "a.yaml").write_text("themenfelder:\n  Basisdienste:\n  Basisdienste:\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_bytes("themenfelder:\n  Bildung:\n    workshop: Dezember\n".encode("cp1252")
                                      + b"  \xc4nderung:\n")  # fmt: skip
    assert [str(p) for p in check(tmp_path / "catalogue.yaml").problems] == [
        f"{tmp_path / 'a.yaml'}:3: Basisdienste: doppelt (schon in Zeile 2)",
        f"{tmp_path / 'b.yaml'}:4: Kodierung: YAML muss UTF-8 sein (Byte 0xC4)",
    ]


def test_themenfelder_declared_in_two_files_are_an_error(tmp_path: Path) -> None:
    _write(tmp_path, _csv(HEADER, ROWS, ";", "\n").encode("utf-8"))
    (tmp_path / "catalogue.yaml").write_text(
        "umsetzungskatalog: katalog.csv\nergaenzungen: [a.yaml, b.yaml]\n", encoding="utf-8"
    )
    (tmp_path / "a.yaml").write_text("themenfelder:\n  Basisdienste:\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("themenfelder:\n  Basisdienste:\n", encoding="utf-8")
    assert [str(p) for p in check(tmp_path).problems] == [
        f"{tmp_path / 'b.yaml'}:2: Basisdienste: Themenfeld doppelt (schon in {tmp_path / 'a.yaml'}:2)"
    ]


def test_duplicate_projects_and_steckbriefe_are_errors_naming_the_first(tmp_path: Path) -> None:
    sample = sample_path().parent
    for name in ("umsetzungskatalog.csv", "kommunen.csv", "ergaenzungen.yaml"):
        shutil.copy(sample / name, tmp_path / name)
    (tmp_path / "extra.yaml").write_text(
        "umsetzungsprojekte:\n"
        "  - name: Reitkennzeichen\n    themenfelder: [Engagement & Hobby]\n    status: Umsetzung\n"
        "  - name: Reitkennzeichen\n    themenfelder: [Engagement & Hobby]\n    status: Umsetzung\n"
        "steckbriefe:\n"
        "  - titel: Hundesteuer online\n    kommunen: ['05554004']\n"
        "  - titel: Hundesteuer online\n    kommunen: ['05554004']\n",
        encoding="utf-8",
    )
    (tmp_path / "catalogue.yaml").write_text(
        "umsetzungskatalog: umsetzungskatalog.csv\nkommunen: kommunen.csv\n"
        "ergaenzungen: [ergaenzungen.yaml, extra.yaml]\n",
        encoding="utf-8",
    )
    errors = [str(p) for p in check(tmp_path).errors]
    extra = tmp_path / "extra.yaml"
    assert errors == [
        f"{extra}:5: name: Umsetzungsprojekt „Reitkennzeichen“ doppelt (Kurzname reitkennzeichen, "
        f"schon in {extra}:2)",
        f"{extra}:11: titel: Steckbrief „Hundesteuer online“ doppelt (schon in {extra}:9)",
    ]


def test_lines_cut_from_the_text_end_at_cr_lf_and_crlf() -> None:
    from ozgwiki.catalogue.csvrecords import Lines

    lines = Lines("a;b\r\nc\rd\n\ne")
    assert [lines[i] for i in range(len(lines))] == ["a;b\r\n", "c\r", "d\n", "\n", "e"]
    assert lines.span(1, 3) == "c\rd\n"
    with pytest.raises(IndexError):
        lines[5]


def test_equal_cells_of_a_table_are_one_string(tmp_path: Path) -> None:
    """The model keeps the table's texts for the whole run: equal ones are shared, not copied."""
    from ozgwiki.catalogue.problems import Problems
    from ozgwiki.catalogue.tables import read_table

    path = _write(tmp_path, _csv(HEADER, ROWS, ";", "\n").encode("utf-8")) / "katalog.csv"
    table = read_table(path, "katalog.csv", Problems())
    assert table is not None
    first, second = table.rows[0][1], table.rows[1][1]
    assert first[0] == second[0] == "Bauen & Wohnen" and first[0] is second[0]
    assert [r[1] for r in table.rows] == ROWS  # sharing changes no text
