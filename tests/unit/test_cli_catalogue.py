"""`ozgwiki catalogue check`: counts, every problem, exit 0/1, text and JSON, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import golden
import pytest

from ozgwiki.cli import main

GOLDEN = golden.ROOT / "catalogue"


@pytest.fixture(autouse=True)
def _no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty folder with no config to find, so PATH defaults to the sample."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OZGWIKI_CONFIG", raising=False)
    monkeypatch.setenv("OZGWIKI_LOCALWIKI_DIR", str(tmp_path / "no-localwiki"))
    return tmp_path


def test_sample_is_checked_by_default_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalogue", "check"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Katalog: ") and lines[0].endswith("sample/catalogue.yaml")
    counts = {}
    for line in lines:
        if line[-1:].isdigit() and not line.startswith(("/", " ")):
            name, value = line.rsplit(None, 1)
            counts[name.strip()] = value
    assert counts["Themenfelder"] == "15"
    assert counts["OZG-Leistungen"] == "31"
    assert counts["Umsetzungsprojekte"] == "7"
    assert counts["Fehler"] == "0" and counts["Warnungen"] == "2"
    assert "Warnungen:" in lines
    assert any(
        line.endswith("Inbetriebnahme NRW (Juni 2021) liegt vor Umsetzung (Dezember 2021)") for line in lines
    )
    assert lines[-1] == "Ergebnis: Katalog ladbar"


def test_errors_exit_1_and_every_problem_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalogue", "check", str(GOLDEN / "crossref")]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    expected = golden.read(GOLDEN / "crossref" / "expected.txt").splitlines()
    for line in expected:
        _severity, problem = line.split(" ", 1)
        assert f"{GOLDEN / 'crossref'}/{problem}" in out.splitlines()
    assert out.splitlines()[-1] == "Ergebnis: Katalog nicht ladbar"


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalogue", "check", str(GOLDEN / "broken_yaml"), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False
    assert data["counts"]["Fehler"] == 1
    assert data["problems"] == [
        {
            "file": str(GOLDEN / "broken_yaml" / "ergaenzungen.yaml"),
            "line": 5,
            "field": "YAML",
            "message": "ungültiges YAML: expected ',' or ']', but got ':' "
            "(while parsing a flow sequence in Zeile 4)",
            "severity": "error",
        }
    ]


def test_json_output_for_the_sample(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalogue", "check", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True
    assert data["counts"]["LeiKa-Leistungen"] == 290
    assert [p["severity"] for p in data["problems"]] == ["warning", "warning"]
    assert data["sources"][0]["encoding"] == "UTF-8 mit BOM"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "Datei: Datei nicht gefunden"),
        ({"catalogue.yaml": b"umsetzungskatalog: [unclosed\n"}, "YAML: ungültiges YAML"),
        ({"catalogue.yaml": b"umsetzungskatalog: k.csv\n", "k.csv": b"\x81\x8d\x00"}, "Binärdatei"),
        ({"catalogue.yaml": b"umsetzungskatalog: k.csv\n", "k.csv": b"OZG-ID\n\x81\x8d\n"}, "Kodierung"),
        ({"catalogue.yaml": b"umsetzungskatalog: k.csv\n", "k.csv": b""}, "Datei ist leer"),
        ({"catalogue.yaml": b"- nur\n- eine Liste\n"}, "YAML: erwartet"),
    ],
    ids=["missing", "broken-yaml", "binary", "undecodable", "empty", "wrong-shape"],
)
def test_unreadable_input_is_a_problem_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, bytes], message: str
) -> None:
    folder = tmp_path / "kat"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    assert main(["catalogue", "check", str(folder / "catalogue.yaml")]) == 1
    out, err = capsys.readouterr()
    assert err == "" and "Traceback" not in out
    assert any(message in line for line in out.splitlines() if line.startswith(str(folder)))


def test_configured_catalogue_is_the_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ozgwiki.yaml").write_text(
        "wiki: {api_url: 'http://127.0.0.1:8091/w/api.php', username: 'OzgBot@ozgwiki'}\n"
        f"catalogue: {{manifest: {GOLDEN / 'bad_header'}}}\n",
        encoding="utf-8",
    )
    assert main(["catalogue", "check"]) == 1
    assert "Pflichtspalte fehlt" in capsys.readouterr().out


def test_broken_explicit_config_is_a_config_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "c.yaml").write_text("catalogue: {manifest: x}\n", encoding="utf-8")
    assert main(["--config", str(tmp_path / "c.yaml"), "catalogue", "check"]) == 2
    assert capsys.readouterr().err.startswith("ozgwiki: error: ")


def _counts(out: str) -> dict[str, int]:
    counts = {}
    for line in out.splitlines():
        if line[-1:].isdigit() and not line.startswith(("/", " ")) and ":" not in line:
            name, value = line.rsplit(None, 1)
            counts[name.strip()] = int(value)
    return counts


def test_the_shipped_nrw_catalogue_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    from ozgwiki.catalogue import shipped_path

    assert main(["catalogue", "check", "nrw"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"Katalog: {shipped_path('nrw')}"
    counts = _counts(out)
    assert (counts["OZG-Leistungen"], counts["LeiKa-Schlüssel (verschieden)"], counts["Kommunen"]) == (
        557,
        4813,
        427,
    )
    assert (counts["Fehler"], counts["Warnungen"]) == (0, 2)


def test_the_table_itself_and_kommunen_beside_it(capsys: pytest.CaptureFixture[str]) -> None:
    from ozgwiki.catalogue import shipped_path

    sheet = shipped_path("nrw").parent / "ozg_umsetzungskatalog.csv"
    assert main(["catalogue", "check", str(sheet)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"Katalog: {sheet}"
    counts = _counts(out)
    assert (counts["OZG-Leistungen"], counts["LeiKa-Schlüssel (verschieden)"], counts["Kommunen"]) == (
        557,
        4813,
        0,
    )
    kommunen = shipped_path("nrw").parent / "nrw_gemeinden_kreise.csv"
    assert main(["catalogue", "check", str(sheet), "--kommunen", str(kommunen), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["Kommunen"] == 427


def test_a_pdf_is_one_problem_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "OZG.pdf").write_bytes(b"%PDF-1.5\n")
    assert main(["catalogue", "check", "OZG.pdf"]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    assert (
        "OZG.pdf:0: Datei: „OZG.pdf“ ist weder ein Katalog-Manifest (.yaml), eine Tabelle (.csv, .xlsx), "
        "ein Ordner mit den KDN-Dateien noch ein mitgelieferter Katalog (sample, nrw); "
        "die Datei ist ein PDF-Dokument"
    ) in out.splitlines()


def test_a_configured_shipped_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ozgwiki.yaml").write_text(
        "wiki: {api_url: 'http://127.0.0.1:8091/w/api.php', username: 'OzgBot@ozgwiki'}\n"
        "catalogue: {manifest: nrw}\n",
        encoding="utf-8",
    )
    assert main(["catalogue", "check", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["OZG-Leistungen"] == 557


def test_leika_check_with_the_nrw_catalogue_and_a_supplement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "99012001000000"  # Abbruchgenehmigung
    assert main(["leika", "check", "--catalogue", "nrw", "--format", "json", key]) == 0
    assert json.loads(capsys.readouterr().out)[0]["status"] == "valid"
    (tmp_path / "retired.yaml").write_text(f'aufgehobene_schluessel: ["{key}"]\n', encoding="utf-8")
    argv = ["leika", "check", "--catalogue", "nrw", "--supplement", "retired.yaml", "--format", "json", key]
    assert main(argv) == 1
    assert json.loads(capsys.readouterr().out)[0]["status"] == "retired"
    assert main(["leika", "check", "--no-catalogue", "--supplement", "retired.yaml", key]) == 2
    assert "--no-catalogue" in capsys.readouterr().err


def test_import_refuses_a_wrong_catalogue_before_logging_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ozgwiki.commands import importing

    monkeypatch.setattr(importing, "context", lambda args: pytest.fail("no login for a wrong catalogue"))
    (tmp_path / "liste.txt").write_text("nur Text\n", encoding="utf-8")
    assert main(["import", "--dry-run", "--catalogue", "liste.txt"]) == 2
    err = capsys.readouterr().err
    assert "liste.txt:0: Datei: „liste.txt“ ist weder ein Katalog-Manifest (.yaml)" in err
    assert main(["import", "--dry-run", "--catalogue", "nrw", "--kommunen", "liste.txt"]) == 2
    assert (
        "liste.txt:0: kommunen: ist keine Tabelle (.csv, .xlsx) mit der Kommunenliste"
        in capsys.readouterr().err
    )
