"""Broken catalogues in tests/golden/catalogue/: every problem, exactly, all at once, nothing loaded."""

from __future__ import annotations

from pathlib import Path

import golden
import pytest

from ozgwiki.catalogue import Severity, check, load, load_result
from ozgwiki.errors import CatalogueError

GOLDEN = golden.ROOT / "catalogue"
#: Each case: a catalogue.yaml manifest, the files it names, and expected.txt (tests/golden/catalogue/).
CASES = [case.name for case in golden.cases("catalogue")]


def _expected(case: str) -> list[str]:
    return golden.read(GOLDEN / case / "expected.txt").splitlines()


def test_there_are_golden_cases() -> None:
    assert {"crossref", "missing_files", "broken_yaml", "bad_header"} <= set(CASES)
    assert all((GOLDEN / case / "expected.txt").is_file() for case in CASES)


@pytest.mark.parametrize("case", CASES)
def test_check_reports_exactly_the_expected_problems(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOLDEN / case)
    result = check("catalogue.yaml")
    got = [f"{p.severity.value} {p}" for p in result.problems]
    golden.check(GOLDEN / case / "expected.txt", "".join(f"{line}\n" for line in got))


@pytest.mark.parametrize("case", CASES)
def test_load_raises_with_every_problem_and_returns_nothing(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(GOLDEN / case)
    with pytest.raises(CatalogueError) as info:
        load("catalogue.yaml")
    # all problems at once (warnings included, so the editor sees the whole picture), in order
    assert [f"{p.severity.value} {p}" for p in info.value.problems] == _expected(case)
    for line in _expected(case):
        assert line.split(" ", 1)[1] in str(info.value)


def test_crossref_case_has_errors_from_every_source_in_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOLDEN / "crossref")
    problems = check("catalogue.yaml").problems
    files_with_errors = {p.file for p in problems if p.severity is Severity.ERROR}
    assert files_with_errors == {"umsetzungskatalog.csv", "kommunen.csv", "ergaenzungen.yaml"}


def test_problem_str_is_file_line_field_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOLDEN / "crossref")
    p = next(p for p in check("catalogue.yaml").problems if p.line == 8 and p.file == "umsetzungskatalog.csv")
    assert (p.file, p.line, p.field) == ("umsetzungskatalog.csv", 8, "LeiKa-Schlüssel")
    assert str(p) == (
        "umsetzungskatalog.csv:8: LeiKa-Schlüssel: „9900100100200“: Falsche Länge: 13 statt 14 Ziffern."
    )
    assert p.as_dict()["severity"] == "error"


def test_paths_in_problems_follow_the_manifest_location() -> None:
    result = check(GOLDEN / "broken_yaml")  # a directory: its catalogue.yaml
    assert [str(p) for p in result.problems] == [
        f"{GOLDEN / 'broken_yaml' / 'ergaenzungen.yaml'}:5: YAML: ungültiges YAML: expected ',' or ']', "
        "but got ':' (while parsing a flow sequence in Zeile 4)"
    ]


def test_a_catalogue_with_only_warnings_loads_and_returns_them(tmp_path: Path) -> None:
    (tmp_path / "catalogue.yaml").write_text("umsetzungskatalog: k.csv\nunbekannt: 1\n", encoding="utf-8")
    (tmp_path / "k.csv").write_text(
        "Themenfeld;Lage;OZG-Leistung;OZG-ID;LeiKa-Schlüssel;LeiKa-Bezeichnung;Spalte X\n"
        "Bauen & Wohnen;Bauen & Immobilien;Abbruchgenehmigung;10513;nicht im LeiKa;Abbruch;\n"
        "Bauen & Wohnen;Bauen & Immobilien;Abbruchgenehmigung;10513;99012001001000;Abbruch Erteilung;\n",
        encoding="utf-8",
    )
    result = load_result(tmp_path)
    assert [p.field for p in result.warnings] == ["unbekannt", "Spalte X", "LeiKa-Schlüssel"]
    assert result.catalogue.known_keys == {"99012001001000"}
    assert result.catalogue.ozg_leistung("10513").leika_schluessel == ("99012001001000",)  # type: ignore[union-attr]
