"""`ozgwiki leika check` and `ozgwiki leika scan`, run through the real CLI entry point."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ozgwiki.cli import main
from ozgwiki.commands import leika as leika_command

A, B = "99012001001000", "99008001012009"

PAGE = f"""Einleitung
{{{{Steckbrief
|LeiKa-Schlüssel={A}, 9901200100100
|LeiKa-Schlüssel={B}
}}}}
{{{{LeiKa|99 023 001 012 002}}}}
"""


def _json(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    out = capsys.readouterr().out
    data = json.loads(out)
    assert isinstance(data, list)
    return data


@pytest.fixture
def catalogue(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """Replace the catalogue seam; records the paths it was asked for."""
    asked: list[str | None] = []

    def fake(path: str | None, config_path: str | None = None, *, use: bool = True) -> leika_command._KeySets:
        asked.append(path)
        if not use:
            return leika_command._KeySets(frozenset(), frozenset(), given=False)
        return leika_command._KeySets(frozenset({A, B}), frozenset({"99008001015000"}), given=True)

    monkeypatch.setattr(leika_command, "_load_catalogue", fake)
    return asked


# --- check ---------------------------------------------------------------------------------------


def test_check_valid_keys_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leika", "check", "--no-catalogue", A, B]) == 0
    out = capsys.readouterr().out
    assert f"„{A}“: gültig" in out
    assert "2 Schlüssel geprüft: 2 in Ordnung, 0 mit Befund." in out


def test_check_any_invalid_key_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leika", "check", "--no-catalogue", A, "10513"]) == 1
    out = capsys.readouterr().out
    assert "„10513“: kein Schlüssel – 10513 ist eine OZG-ID" in out
    assert "1 mit Befund" in out


def test_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--no-catalogue", "--format", "json", "99 012 001 001 000", "9901200A001000"]
    assert main(["leika", "check", *args]) == 1
    first, second = _json(capsys)
    assert first == {
        "key": "99 012 001 001 000",
        "normalized": A,
        "status": "valid",
        "ok": True,
        "message": first["message"],
        "suggestion": A,
        "changes": ["Leerzeichen entfernt"],
    }
    assert second["status"] == "not_a_key"
    assert second["suggestion"] is None
    assert "Buchstaben" in str(second["message"])


def test_check_regional_needs_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leika", "check", "--no-catalogue", "77000000000316"]) == 1
    assert "nicht erlaubt" in capsys.readouterr().out
    assert main(["leika", "check", "--no-catalogue", "--allow-regional", "77000000000316"]) == 0
    assert "regional" in capsys.readouterr().out


def test_check_against_a_catalogue(catalogue: list[str | None], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leika", "check", "--catalogue", "kat.csv", "--format", "json", A, "99021001001000"]) == 1
    assert catalogue == ["kat.csv"]
    known, typo = _json(capsys)
    assert known["status"] == "valid"
    assert typo["status"] == "unknown"
    assert typo["suggestion"] == A


def test_no_catalogue_checks_the_format_only(
    catalogue: list[str | None], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["leika", "check", "--no-catalogue", "99021001001000"]) == 0
    assert catalogue == [None]
    assert "nicht gegen einen Katalog geprüft" in capsys.readouterr().out


def test_without_options_the_sample_is_the_catalogue_when_nothing_is_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no ./ozgwiki.yaml, no ./.localwiki
    monkeypatch.delenv("OZGWIKI_CONFIG", raising=False)
    monkeypatch.setenv("OZGWIKI_LOCALWIKI_DIR", str(tmp_path / "none"))
    # 99012001001000 is in the sample; 99021001001000 is its neighbour with two digits swapped
    assert main(["leika", "check", "--format", "json", A, "99021001001000"]) == 1
    known, typo = _json(capsys)
    assert known["status"] == "valid"
    assert typo["status"] == "unknown" and typo["suggestion"] == A


def test_check_unloadable_catalogue_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Real seam: whether ozgwiki.catalogue is missing or refuses the file, it is a project error.
    assert main(["leika", "check", "--catalogue", str(tmp_path / "fehlt.csv"), A]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ozgwiki: error: ")


def test_check_needs_at_least_one_key(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["leika", "check"])
    assert exc.value.code == 2


def test_leika_needs_a_subcommand() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["leika"])
    assert exc.value.code == 2


# --- scan ----------------------------------------------------------------------------------------


def test_scan_file_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "seite.wiki"
    page.write_text(PAGE, encoding="utf-8")
    assert main(["leika", "scan", "--no-catalogue", str(page)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"Zeile 3, {{{{Steckbrief}}}}, Parameter „LeiKa-Schlüssel“: „{A}“: gültig")
    assert lines[1].startswith("    Der Parameter kommt in dieser Vorlage später noch einmal vor")
    assert "„9901200100100“: kein Schlüssel – Falsche Länge: 13 statt 14 Ziffern." in lines[2]
    # the shadowed valid key counts as a finding: the page does not show it
    assert lines[-1] == "4 Schlüssel geprüft: 2 in Ordnung, 2 mit Befund."


def test_scan_json_from_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PAGE))
    assert main(["leika", "scan", "--no-catalogue", "-", "--format", "json"]) == 1
    records = _json(capsys)
    rows = [(r["line"], r["template"], r["parameter"], r["key"], r["status"], r["shadowed"]) for r in records]
    assert rows == [
        (3, "Steckbrief", "LeiKa-Schlüssel", A, "valid", True),
        (3, "Steckbrief", "LeiKa-Schlüssel", "9901200100100", "not_a_key", True),
        (4, "Steckbrief", "LeiKa-Schlüssel", B, "valid", False),
        (6, "LeiKa", "1", "99 023 001 012 002", "valid", False),
    ]
    assert records[3]["normalized"] == "99023001012002"
    assert records[3]["suggestion"] == "99023001012002"
    assert PAGE[int(str(records[2]["offset"])) :].startswith(B)


def test_scan_clean_page_exits_0(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{{{{OZG-Leistung|LeiKa-Schlüssel={A}, {B}}}}}"))
    assert main(["leika", "scan", "--no-catalogue", "-"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "2 Schlüssel geprüft: 2 in Ordnung, 0 mit Befund."


def test_scan_page_without_keys_exits_0(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Nur Text mit 99012001001000 im Fließtext."))
    assert main(["leika", "scan", "--no-catalogue", "-", "--format", "json"]) == 0
    assert _json(capsys) == []


def test_scan_with_catalogue(
    catalogue: list[str | None], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("{{LeiKa|99008001015000|99023001012002}}"))
    assert main(["leika", "scan", "-", "--catalogue", "k.yaml", "--format", "json"]) == 1
    assert [r["status"] for r in _json(capsys)] == ["retired", "unknown"]


def test_scan_missing_file_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leika", "scan", str(tmp_path / "fehlt.wiki")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "kann nicht gelesen werden" in captured.err


def test_scan_non_utf8_file_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "latin1.wiki"
    page.write_bytes("{{LeiKa|99012001001000}} Schlüssel".encode("latin-1"))
    assert main(["leika", "scan", str(page)]) == 2
    assert "UTF-8" in capsys.readouterr().err


def test_check_against_the_real_sample_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    """The real seam: ozgwiki.catalogue.load with the sample shipped in the package."""
    from ozgwiki.catalogue import load, sample_path

    path = sample_path()
    key = min(load(path).known_keys)
    assert main(["leika", "check", "--catalogue", str(path), "--format", "json", key]) == 0
    assert _json(capsys)[0]["status"] == "valid"
    assert main(["leika", "check", "--catalogue", str(path), "--format", "json", "99999999999000"]) == 1
    assert _json(capsys)[0]["status"] == "unknown"
