"""The real NRW catalogue shipped as package data (``nrw``) and the shipped sample load, with their real
problems; the real catalogue is also read the ways users have it (the table alone, a folder of KDN files)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ozgwiki.catalogue import check, load, load_from_config, load_result, sample_path, shipped_path
from ozgwiki.config import Config, WikiConfig
from ozgwiki.domain.model import Groessenklasse, Phase, Prioritaet, Zustaendigkeit

NRW = shipped_path("nrw").parent
SHEET = NRW / "ozg_umsetzungskatalog.csv"
KOMMUNEN = NRW / "nrw_gemeinden_kreise.csv"


@pytest.fixture(scope="module")
def real_manifest() -> str:
    """The shipped catalogue by its name, as ``--catalogue nrw`` and ``catalogue.manifest: nrw`` give it."""
    return "nrw"


def test_real_catalogue_counts(real_manifest: str) -> None:
    result = load_result(real_manifest)
    c = result.catalogue
    assert len(c.ozg_leistungen) == 557
    assert len(c.known_keys) == 4813
    assert len(c.kommunen) == 427
    assert len(c.themenfelder) == 14
    assert len(c.lagen) == 55
    assert result.sources[0].encoding == "UTF-8 mit BOM" and result.sources[0].delimiter == ";"


def test_real_catalogue_reports_its_real_mess_as_warnings(real_manifest: str) -> None:
    result = check(real_manifest)
    assert result.errors == ()
    messages = [p.message for p in result.warnings]
    assert len(messages) == 2
    # sorted by line: the rows without OZG-Leistung start at line 2808, the placeholders at 4815
    assert messages[0].startswith(
        "26 Zeilen ohne OZG-Leistung: LeiKa-Leistungen ohne OZG-Zuordnung übernommen"
    )
    assert messages[1].startswith("436 Zeilen mit Platzhalter „nicht im LeiKa“ übersprungen (Zeilen 4815,")
    assert result.counts["LeiKa-Schlüssel (verschieden)"] == 4813


def test_real_catalogue_content(real_manifest: str) -> None:
    c = load(real_manifest)
    abbruch = c.ozg_leistung("10513")
    assert abbruch is not None
    assert (abbruch.name, abbruch.lage, abbruch.themenfeld) == (
        "Abbruchgenehmigung", "Bauen & Immobilien", "Bauen & Wohnen",
    )  # fmt: skip
    assert abbruch.leika_schluessel == ("99012001000000", "99012001001000")
    assert c.leika_count("10119") == 48  # Personalausweis: 48 rows, none a placeholder
    assert "nicht im LeiKa" not in c.known_keys
    without_ozg = [x for x in c.leika_leistungen if x.ozg_id is None]
    # 26 rows have no OZG-Leistung; 10 of them are placeholders, so 16 LeiKa-Leistungen stay unlinked
    assert len(without_ozg) == 16 and without_ozg[0].schluessel == "99089003000000"
    bildung = {lage.name for lage in c.lagen_of("Bildung")}
    assert bildung == {"Berufsausbildung", "Schule", "Studium", "Weiterbildung"}
    ahaus = c.kommune("05554004")
    assert ahaus is not None
    assert (ahaus.name, ahaus.ars, ahaus.kreis) == ("Ahaus", "055540004004", "05554000")
    assert (ahaus.regierungsbezirk, ahaus.amtlicher_name, ahaus.einwohner) == (
        "Münster",
        "Ahaus, Stadt",
        39381,
    )
    assert ahaus.groessenklasse is Groessenklasse.MITTLERE_KREISANGEHOERIGE_STADT
    assert len(c.gemeinden_of("05554000")) == 17
    assert c.kommune("05334002").groessenklasse.leistungen_wie is Groessenklasse.KREISFREIE_STADT  # type: ignore[union-attr]


def test_sample_loads_with_the_sprengstofferlaubnis_warning() -> None:
    result = load_result()  # None → the shipped sample
    assert result.sources[0].file == str(sample_path().parent / "umsetzungskatalog.csv")
    warnings = [str(p).split(": ", 1)[1] for p in result.warnings]
    assert warnings == [
        "LeiKa-Schlüssel: 1 Zeile mit Platzhalter „nicht im LeiKa“ übersprungen (Zeile 210)",
        "zeitplan: Umsetzungsprojekt „Sprengstofferlaubnis“: Inbetriebnahme NRW (Juni 2021) liegt vor "
        "Umsetzung (Dezember 2021)",
    ]


def test_sample_has_the_seed_facts() -> None:
    c = load()
    assert len(c.themenfelder) == 15 and c.themenfelder[-1].name == "Basisdienste"
    assert c.lagen_of("Basisdienste") == ()
    bildung = c.themenfeld("Bildung")
    assert bildung is not None
    assert bildung.workshop == "2019-12-12"  # "Q4 2019, voraussichtlich 12.12." on the slide
    assert bildung.beschreibung is not None and "Q4 2019" in bildung.beschreibung
    ahaus_table = c.ozg_leistungen_for(c.kommune("05554004").groessenklasse)  # type: ignore[union-attr]
    assert sorted(o.ozg_id for o in ahaus_table) == ["10011", "10110", "10111", "10513", "10514", "10515"]
    abbruch = c.ozg_leistung("10513")
    assert abbruch is not None
    assert abbruch.name == "Abbruchgenehmigung"
    assert abbruch.efa == "EfA gemäß erster Liste vom BMI, nachnutzbare Lösung bereitgestellt bis Juni 2021"
    assert abbruch.zustaendigkeiten == {Zustaendigkeit.KOMMUNAL}
    assert abbruch.prioritaet is Prioritaet.HOECHSTE
    assert c.ozg_leistung("10110").zustaendigkeiten == {Zustaendigkeit.LAND, Zustaendigkeit.KOMMUNAL}  # type: ignore[union-attr]
    assert c.ozg_leistung("10111").prioritaet is Prioritaet.HOHE  # type: ignore[union-attr]
    assert abbruch.leika_schluessel == ("99012001000000", "99012001001000")
    # Bildung overview: counts per bundle; where KDN lacks keys (placeholders) the real count is kept
    assert c.leika_count("10041") == 35 and c.leika_count("10056") == 28 and c.leika_count("10050") == 13
    assert len(c.umsetzungsprojekte) == 7
    spreng = c.umsetzungsprojekt("sprengstofferlaubnis")
    assert spreng is not None
    assert str(spreng.zeitplan[Phase.INBETRIEBNAHME_NRW]) == "Juni 2021"
    assert [p.label for p in spreng.zeitplan] == [
        "Vorbereitung",
        "Konzeption",
        "Umsetzung",
        "Inbetriebnahme NRW",
    ]
    einb = c.umsetzungsprojekt("einbuergerung")
    assert einb is not None and str(einb.zeitplan[Phase.START_BUNDESWEITER_ROLLOUT]) == "August 2021"
    assert all(s.beispiel for s in c.steckbriefe) and len(c.steckbriefe) == 2


def test_load_from_config_uses_the_manifest_relative_to_the_config(tmp_path: Path) -> None:
    folder = tmp_path / "katalog"
    folder.mkdir()
    (folder / "catalogue.yaml").write_text("umsetzungskatalog: k.csv\n", encoding="utf-8")
    (folder / "k.csv").write_text(
        "Themenfeld;Lage;OZG-Leistung;OZG-ID;LeiKa-Schlüssel;LeiKa-Bezeichnung\n"
        "Bauen & Wohnen;Bauen & Immobilien;Abbruchgenehmigung;10513;99012001001000;Abbruch Erteilung\n",
        encoding="utf-8",
    )
    wiki = WikiConfig(api_url="http://127.0.0.1:8091/w/api.php", username="OzgBot@ozgwiki")
    config = Config(wiki=wiki, path=tmp_path / "ozgwiki.yaml", raw={"catalogue": {"manifest": "katalog"}})
    assert load_from_config(config).known_keys == {"99012001001000"}
    assert len(load_from_config(Config(wiki=wiki)).umsetzungsprojekte) == 7  # no section → the sample


def test_the_shipped_nrw_catalogue_is_its_manifest_with_provenance() -> None:
    assert shipped_path("nrw") == NRW / "catalogue.yaml"
    result = check("nrw")
    assert result.manifest == str(NRW / "catalogue.yaml")
    assert [s.file for s in result.sources] == [str(SHEET), str(KOMMUNEN)]
    provenance = (NRW / "PROVENANCE.md").read_text(encoding="utf-8")
    for fact in (
        "d6dafea5e014b60455a5bd04d7ac26191379b998",
        "Copyright (c) 2020 Gert Hammes",
        "dl-de/by-2.0",
        "© Statistisches Bundesamt (Destatis)",
        "§ 4",
        "557 OZG-Leistungen",
        "4,813",
        "427 rows",
    ):
        assert fact in provenance


def test_the_real_table_alone_is_a_catalogue_without_kommunen() -> None:
    result = check(SHEET)
    assert result.errors == ()
    assert result.manifest == str(SHEET)
    counts = result.counts
    assert (counts["OZG-Leistungen"], counts["LeiKa-Schlüssel (verschieden)"], counts["Kommunen"]) == (
        557,
        4813,
        0,
    )
    assert len(result.warnings) == 2
    assert check(SHEET, kommunen=KOMMUNEN).counts["Kommunen"] == 427


def test_a_folder_of_kdn_files_without_manifest_is_the_real_catalogue(tmp_path: Path) -> None:
    for source in (SHEET, KOMMUNEN, NRW / "PROVENANCE.md"):
        shutil.copy(source, tmp_path / source.name)
    result = check(tmp_path)
    assert result.errors == ()
    assert [s.file for s in result.sources] == [str(tmp_path / SHEET.name), str(tmp_path / KOMMUNEN.name)]
    counts = result.counts
    assert (counts["OZG-Leistungen"], counts["LeiKa-Schlüssel (verschieden)"], counts["Kommunen"]) == (
        557,
        4813,
        427,
    )


def test_config_can_name_the_shipped_catalogue(tmp_path: Path) -> None:
    wiki = WikiConfig(api_url="http://127.0.0.1:8091/w/api.php", username="OzgBot@ozgwiki")
    config = Config(wiki=wiki, path=tmp_path / "ozgwiki.yaml", raw={"catalogue": {"manifest": "nrw"}})
    c = load_from_config(config)
    assert (len(c.ozg_leistungen), len(c.known_keys), len(c.kommunen)) == (557, 4813, 427)
