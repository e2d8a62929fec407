"""What users name as the catalogue, recognised by what it is (``ozgwiki.catalogue.source.resolve``).

A manifest, the Umsetzungskatalog table itself (.csv, .xlsx), a folder (with catalogue.yaml, or the
KDN files), a shipped name (sample, nrw) -- and beside it a Kommunen file and supplements. A file of
the wrong kind is one German problem naming what was expected, never a YAML or CSV parse error.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from ozgwiki.catalogue import (
    CatalogueSource,
    check,
    load,
    load_from_config,
    resolve,
    sample_path,
    shipped_path,
)
from ozgwiki.config import Config, WikiConfig
from ozgwiki.errors import CatalogueError

SAMPLE = sample_path().parent
SHEET = SAMPLE / "umsetzungskatalog.csv"
KOMMUNEN = SAMPLE / "kommunen.csv"
WHAT = (
    "ist weder ein Katalog-Manifest (.yaml), eine Tabelle (.csv, .xlsx), ein Ordner mit den KDN-Dateien "
    "noch ein mitgelieferter Katalog (sample, nrw)"
)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _problems(spec: object, **kw: object) -> list[str]:
    with pytest.raises(CatalogueError) as info:
        resolve(spec, **kw)  # type: ignore[arg-type]
    return [str(p) for p in info.value.problems]


# -- shipped names ---------------------------------------------------------------------------------


def test_nothing_and_sample_are_the_shipped_sample() -> None:
    for spec in (None, "sample"):
        source = resolve(spec)
        assert (source.kind, source.manifest, source.name) == ("shipped", sample_path(), "sample")
    nrw = resolve("nrw")
    assert (nrw.kind, nrw.manifest) == ("shipped", shipped_path("nrw"))


def test_an_existing_folder_of_a_shipped_name_wins(tmp_path: Path) -> None:
    (tmp_path / "nrw").mkdir()
    shutil.copy(SHEET, tmp_path / "nrw" / "ozg_umsetzungskatalog.csv")
    source = resolve("nrw")
    assert source.kind == "folder" and source.umsetzungskatalog == Path("nrw/ozg_umsetzungskatalog.csv")


def test_an_unknown_name_lists_the_shipped_ones() -> None:
    assert _problems("nrv") == ["nrv:0: Datei: Datei nicht gefunden (mitgelieferte Kataloge: sample, nrw)"]
    assert _problems("weg/catalogue.yaml") == ["weg/catalogue.yaml:0: Datei: Datei nicht gefunden"]


# -- manifests and tables ----------------------------------------------------------------------------


def test_a_manifest_and_its_folder(tmp_path: Path) -> None:
    shutil.copytree(SAMPLE, tmp_path / "kat")
    assert resolve("kat/catalogue.yaml") == CatalogueSource(
        "kat/catalogue.yaml", "manifest", manifest=Path("kat/catalogue.yaml")
    )
    assert resolve("kat").manifest == Path("kat/catalogue.yaml")
    assert check("kat").counts == check(sample_path()).counts


def test_the_table_alone_is_a_catalogue_without_kommunen_and_supplement() -> None:
    source = resolve(SHEET)
    assert (source.kind, source.umsetzungskatalog, source.kommunen, source.ergaenzungen) == (
        "table", SHEET, None, (),
    )  # fmt: skip
    result = check(SHEET)
    assert result.manifest == str(SHEET) and result.errors == ()
    assert (result.counts["OZG-Leistungen"], result.counts["Kommunen"], result.counts["Themenfelder"]) == (
        31,
        0,
        9,
    )


def test_a_csv_named_yaml_is_read_as_the_table_it_is(tmp_path: Path) -> None:
    shutil.copy(SHEET, tmp_path / "katalog.yaml")
    assert resolve("katalog.yaml").kind == "table"
    assert check("katalog.yaml").counts["LeiKa-Leistungen"] == 290


def test_a_csv_of_unknown_columns_goes_to_the_table_reader(tmp_path: Path) -> None:
    (tmp_path / "liste.csv").write_text("a;b;c\n1;2;3\n", encoding="utf-8")
    errors = [p.message for p in check("liste.csv").errors]
    assert errors and all(m == "Pflichtspalte fehlt in der Kopfzeile" for m in errors)


def test_an_xlsx_table_is_a_catalogue(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Themenfeld", "Lage", "OZG-Leistung", "OZG-ID", "LeiKa-Schlüssel", "LeiKa-Bezeichnung"])
    ws.append(
        ["Bauen & Wohnen", "Bauen & Immobilien", "Abbruchgenehmigung", 10513, 99012001001000, "Abbruch"]
    )
    wb.save(tmp_path / "Umsetzungskatalog 2021.xlsx")
    assert resolve("Umsetzungskatalog 2021.xlsx").kind == "table"
    assert load("Umsetzungskatalog 2021.xlsx").known_keys == {"99012001001000"}
    (tmp_path / "kdn").mkdir()
    shutil.move(tmp_path / "Umsetzungskatalog 2021.xlsx", tmp_path / "kdn")
    assert resolve("kdn").umsetzungskatalog == Path("kdn/Umsetzungskatalog 2021.xlsx")


# -- the wrong kind of file ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "detail"),
    [
        ("handbuch.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "die Datei ist ein PDF-Dokument"),
        (
            "notizen.txt",
            "Katalog kommt später.\n".encode(),
            "die Datei ist Text ohne Tabellenkopf oder Manifest-Einträge",
        ),
        ("leer.txt", b"", "die Datei ist leer"),
        ("bild.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "die Datei ist eine Binärdatei"),
        ("katalog", b"Hallo", "die Datei ist Text ohne Tabellenkopf oder Manifest-Einträge"),
    ],
    ids=["pdf", "txt", "empty-txt", "png", "no-extension"],
)
def test_a_file_of_no_catalogue_kind_gets_one_message(
    tmp_path: Path, name: str, data: bytes, detail: str
) -> None:
    (tmp_path / name).write_bytes(data)
    assert _problems(name) == [f"{name}:0: Datei: „{name}“ {WHAT}; {detail}"]
    result = check(name)  # check never raises: the message is its one error
    assert [str(p) for p in result.errors] == [f"{name}:0: Datei: „{name}“ {WHAT}; {detail}"]
    assert result.manifest == name and result.counts["Fehler"] == 1


def test_a_zip_that_is_no_workbook(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    assert _problems("export.zip") == [
        f"export.zip:0: Datei: „export.zip“ {WHAT}; die Datei ist ein ZIP-Archiv ohne Tabellenblatt"
    ]


def test_a_supplement_or_a_kommunen_list_given_as_the_catalogue_says_where_it_belongs() -> None:
    supplement = SAMPLE / "ergaenzungen.yaml"
    assert _problems(supplement) == [
        f"{supplement}:0: Datei: ist eine Ergänzungsdatei (YAML), kein Katalog-Manifest: als --supplement "
        "neben dem Katalog angeben oder im Manifest unter ergaenzungen:"
    ]
    assert _problems(KOMMUNEN) == [
        f"{KOMMUNEN}:0: Datei: ist eine Kommunenliste, keine Umsetzungskatalog-Tabelle: als --kommunen "
        "neben dem Katalog angeben oder im Manifest unter kommunen:"
    ]


def test_a_broken_manifest_is_still_the_manifest_readers_business(tmp_path: Path) -> None:
    (tmp_path / "catalogue.yaml").write_text("- nur\n- eine Liste\n", encoding="utf-8")
    assert resolve("catalogue.yaml").kind == "manifest"
    assert [p.field for p in check("catalogue.yaml").errors] == ["YAML"]
    (tmp_path / "bomb.yaml").write_text('a: &a ["x"]\numsetzungskatalog: *a\n', encoding="utf-8")
    assert resolve("bomb.yaml").kind == "manifest"  # scanned as text: the alias is never expanded here
    assert check("bomb.yaml").errors[0].message.startswith("Anker (&a) sind nicht erlaubt")


# -- folders without manifest ----------------------------------------------------------------------------


def test_a_folder_with_kdn_names(tmp_path: Path) -> None:
    kdn = tmp_path / "kdn"
    kdn.mkdir()
    shutil.copy(SHEET, kdn / "ozg_umsetzungskatalog.csv")
    shutil.copy(KOMMUNEN, kdn / "nrw_gemeinden_kreise.csv")
    (kdn / "PROVENANCE.md").write_text("# notes\n", encoding="utf-8")
    source = resolve("kdn")
    assert (source.kind, source.umsetzungskatalog, source.kommunen) == (
        "folder", Path("kdn/ozg_umsetzungskatalog.csv"), Path("kdn/nrw_gemeinden_kreise.csv"),
    )  # fmt: skip
    result = check("kdn")
    assert result.manifest == "kdn" and result.counts["Kommunen"] == 8 and result.errors == ()


def test_a_folder_with_other_names_by_pattern_and_by_header(tmp_path: Path) -> None:
    shutil.copy(SHEET, tmp_path / "Export_Umsetzungskatalog_2021.CSV")
    shutil.copy(KOMMUNEN, tmp_path / "kommunen_nrw.csv")
    source = resolve(".")
    assert source.umsetzungskatalog == Path("Export_Umsetzungskatalog_2021.CSV")
    assert source.kommunen == Path("kommunen_nrw.csv")
    (tmp_path / "Export_Umsetzungskatalog_2021.CSV").rename(tmp_path / "katalog.csv")
    assert resolve(".").umsetzungskatalog == Path("katalog.csv")  # the one CSV with the catalogue's header


def test_a_folder_with_two_candidates_or_none(tmp_path: Path) -> None:
    shutil.copy(SHEET, tmp_path / "a_umsetzungskatalog.csv")
    shutil.copy(SHEET, tmp_path / "b_umsetzungskatalog.csv")
    assert _problems(".") == [
        ".:0: Ordner: mehrere Umsetzungskatalog-Tabellen (a_umsetzungskatalog.csv, b_umsetzungskatalog.csv): "
        "bitte die gemeinte Datei angeben"
    ]
    (tmp_path / "leer").mkdir()
    assert _problems("leer") == [
        "leer:0: Ordner: enthält weder catalogue.yaml noch eine Umsetzungskatalog-Tabelle "
        "(ozg_umsetzungskatalog.csv, *umsetzungskatalog*.csv/.xlsx)"
    ]


# -- Kommunen and supplements beside the catalogue -------------------------------------------------------


def test_kommunen_and_supplements_beside_a_table(tmp_path: Path) -> None:
    (tmp_path / "retired.yaml").write_text('aufgehobene_schluessel: ["99012001000000"]\n', encoding="utf-8")
    c = load(SHEET, kommunen=KOMMUNEN, supplement=[SAMPLE / "ergaenzungen.yaml", "retired.yaml"])
    assert len(c.kommunen) == 8 and len(c.themenfelder) == 15
    assert "99012001000000" in c.retired_keys and "99012001000000" not in c.known_keys


def test_kommunen_replace_the_manifests_and_supplements_come_after_its_own(tmp_path: Path) -> None:
    lines = KOMMUNEN.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    (tmp_path / "zwei.csv").write_text("".join(lines[:3]), encoding="utf-8")
    (tmp_path / "retired.yaml").write_text('aufgehobene_schluessel: ["99012001000000"]\n', encoding="utf-8")
    result = check("sample", kommunen="zwei.csv", supplement="retired.yaml")
    assert [s.file for s in result.sources][1:3] == ["zwei.csv", str(SAMPLE / "ergaenzungen.yaml")]
    assert result.sources[-1].file == "retired.yaml"
    assert result.counts["Kommunen"] == 2
    # the sample's Steckbriefe name Ahaus, which the two-line list lacks: checked against the given list
    assert any("05554004" in p.message for p in result.errors)


def test_wrong_files_beside_the_catalogue_are_all_reported_at_once(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4\n")
    assert _problems(
        "nrw", kommunen="a.pdf", supplement=[str(KOMMUNEN), "fehlt.yaml", str(sample_path())]
    ) == [
        "a.pdf:0: kommunen: ist keine Tabelle (.csv, .xlsx) mit der Kommunenliste; "
        "die Datei ist ein PDF-Dokument",
        f"{KOMMUNEN}:0: ergaenzungen: ist eine Tabelle, keine YAML-Ergänzungsdatei (.yaml)",
        "fehlt.yaml:0: ergaenzungen: Datei nicht gefunden",
        f"{sample_path()}:0: ergaenzungen: ist ein Katalog-Manifest, keine Ergänzungsdatei: "
        "als Katalog angeben",
    ]
    assert _problems("nrw", kommunen=str(SHEET)) == [
        f"{SHEET}:0: kommunen: ist die Umsetzungskatalog-Tabelle, keine Kommunenliste: als Katalog angeben"
    ]


# -- the configuration -----------------------------------------------------------------------------------


def test_the_configured_catalogue_is_relative_to_the_config_and_may_be_a_table(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    shutil.copy(SHEET, tmp_path / "etc" / "katalog.csv")
    wiki = WikiConfig(api_url="http://127.0.0.1:8091/w/api.php", username="OzgBot@ozgwiki")
    config = Config(
        wiki=wiki, path=tmp_path / "etc" / "ozgwiki.yaml", raw={"catalogue": {"manifest": "katalog.csv"}}
    )
    assert len(load_from_config(config).ozg_leistungen) == 31
    bad = Config(
        wiki=wiki, path=tmp_path / "etc" / "ozgwiki.yaml", raw={"catalogue": {"manifest": "ozgwiki.yaml"}}
    )
    (tmp_path / "etc" / "ozgwiki.yaml").write_text("wiki:\n  api_url: x\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_from_config(bad)
    assert "kein Katalog-Manifest" not in str(info.value)  # a YAML of neither shape: the manifest reader's
    assert "Pflichteintrag fehlt" in str(info.value)
