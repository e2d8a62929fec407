"""`ozgwiki export` without a real wiki: page texts -> records (valid keys only, pages found by template),
records -> CSV a German spreadsheet opens and JSON that matches docs/export.schema.json, the files
written atomically, and the command's summary line; reading and the command run the real site client
on the fake wiki (tests/fakewiki.py)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fakewiki import API_URL, FakeWiki

from ozgwiki import catalogue, cli
from ozgwiki.definitions import storage
from ozgwiki.domain import model
from ozgwiki.errors import ConfigError
from ozgwiki.export import formats, reading, records, run
from ozgwiki.export.records import DATASETS, Page
from ozgwiki.render.plans import plan_pages, title_scheme
from ozgwiki.wiki.site import Site
from ozgwiki.wikitext import escape
from ozgwiki.wikitext.params import set_template_params

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "docs" / "export.schema.json").read_text(encoding="utf-8"))
NOW = datetime(2026, 11, 29, 10, 30, tzinfo=UTC)

KNOWN = "99012001001000"  # Abbruchgenehmigung Erteilung, in the sample
KNOWN_2 = "99012001000000"  # Abbruchgenehmigung
RETIRED = "99012002000000"  # a sample key whose LeiKa page the test marks ausgemustert
UNKNOWN = "99999000001000"  # well-formed, no LeiKa page


def importer_text(template: str, params: Mapping[str, str], order: Iterable[str]) -> str:
    """A page as the importer writes it (values escaped)."""
    escaped = {k: escape.param_value(v) for k, v in params.items()}
    return set_template_params("", template, escaped, param_order=tuple(order))


def sample_pages() -> dict[str, list[Page]]:
    """The sample catalogue's pages as the importer writes them, RETIRED marked ausgemustert."""
    out: dict[str, list[Page]] = {}
    for plan in plan_pages(catalogue.load(catalogue.sample_path())):
        params = dict(plan.params)
        if plan.template == "LeiKa-Leistung" and params["Schlüssel"] == RETIRED:
            params["Status"] = "ausgemustert"
        text = importer_text(plan.template, params, plan.param_order)
        url = f"https://wiki.example/{plan.title.replace(' ', '_')}"
        out.setdefault(plan.template, []).append(Page(plan.title, text, url))
    return out


EDITOR_STECKBRIEF = f"""Einleitung der Redaktion.
{{{{Steckbrief
| Titel = Online-Abbruch; "schnell"
| Kommunen = Kommune 05554004, 05554008
| Themenfeld = Bauen &amp; Wohnen
| LeiKa-Schlüssel = {KNOWN}, {UNKNOWN}, 99 012 001 000 000, {RETIRED}, 9901200100100
| URL = keine Adresse
| Status = fertig
| Reifegrad = 3
| Kontakt = Bauamt
}}}}
Mehr Text. <!-- {UNKNOWN} im Kommentar zählt nicht -->
"""


@pytest.fixture(scope="module")
def pages() -> dict[str, list[Page]]:
    found = sample_pages()
    found["Steckbrief"] = [Page("Redaktion Abbruch online", EDITOR_STECKBRIEF, None)]
    return found


@pytest.fixture(scope="module")
def export(pages: dict[str, list[Page]]) -> records.Export:
    return records.build(pages)


def by_page(export: records.Export, dataset: records.Dataset) -> dict[str, records.Record]:
    return {str(r["seite"]): r for r in export.records[dataset.name]}


# ------------------------------------------------------------------------------ records


def test_every_page_of_the_sample_becomes_one_record(export: records.Export) -> None:
    sample = catalogue.load(catalogue.sample_path())
    assert export.count(records.OZG_LEISTUNGEN) == len(sample.ozg_leistungen)
    assert export.count(records.LEIKA_LEISTUNGEN) == len(sample.leika_leistungen)
    assert export.count(records.KOMMUNEN) == len(sample.kommunen)
    assert export.count(records.UMSETZUNGSPROJEKTE) == len(sample.umsetzungsprojekte)
    assert export.count(records.STECKBRIEFE) == 1 and export.skipped == ()


def test_an_ozg_leistung_carries_the_page_values_unescaped(export: records.Export) -> None:
    r = by_page(export, records.OZG_LEISTUNGEN)["Abbruchgenehmigung (OZG-Leistung)"]  # its name is shared
    assert r["seite_url"] == "https://wiki.example/Abbruchgenehmigung_(OZG-Leistung)"
    assert (r["ozg_id"], r["name"], r["lage"]) == ("10513", "Abbruchgenehmigung", "Bauen & Immobilien")
    assert r["themenfeld"] == "Bauen & Wohnen" and r["prioritaet"] == 1
    assert r["zustaendigkeiten"] == ("Kommunal",)
    assert r["groessenklassen"] == ("Mittlere kreisangehörige Stadt",)
    assert r["leika_schluessel"] == (KNOWN_2, KNOWN)


def test_retired_keys_are_not_carried_over_but_the_leika_page_is(export: records.Export) -> None:
    leika = {r["schluessel"]: r for r in export.records["leika_leistungen"]}
    assert leika[RETIRED]["status"] == "ausgemustert" and leika[KNOWN]["status"] == "aktiv"
    assert leika[KNOWN]["sdg1"] is False and isinstance(leika[KNOWN]["sdg2"], bool)
    sample = catalogue.load(catalogue.sample_path())
    holder = next(o for o in sample.ozg_leistungen if RETIRED in o.leika_schluessel)
    r = by_page(export, records.OZG_LEISTUNGEN)[title_scheme(sample).title("ozg", holder.ozg_id)]
    assert RETIRED not in r["leika_schluessel"]
    assert set(r["leika_schluessel"]) == set(holder.leika_schluessel) - {RETIRED}


def test_an_editors_steckbrief_keeps_only_its_valid_keys(export: records.Export) -> None:
    r = by_page(export, records.STECKBRIEFE)["Redaktion Abbruch online"]
    # spaced spelling normalised; unknown, retired and the 13-digit key left out; the comment ignored
    assert r["leika_schluessel"] == (KNOWN, KNOWN_2)
    assert r["titel"] == 'Online-Abbruch; "schnell"'
    assert r["kommunen"] == ("05554004", "05554008")  # the form's page title "Kommune …" as the AGS
    assert r["themenfelder"] == ("Bauen & Wohnen",)
    # values the template does not store (not an address, not a Status) are not exported either
    assert (r["url"], r["status"], r["reifegrad"], r["kontakt"]) == (None, None, 3, "Bauamt")
    assert r["seite_url"] is None
    # unknown, retired, malformed on the Steckbrief, and the retired key on one sample OZG-Leistung
    assert export.invalid_keys == 4


def test_pages_are_identified_by_their_template_not_their_title() -> None:
    kommune = importer_text(
        "Kommune",
        {"AGS": "05554004", "Name": "Ahaus", "Regierungsbezirk": "Münster", "Einwohner": "39381"},
        ("AGS", "Name", "Regierungsbezirk", "Einwohner"),
    )
    found = records.build(
        {
            "Kommune": [Page("Ahaus", kommune), Page("Kommune 05554008", "Nur Text, keine Vorlage.")],
            "LeiKa-Leistung": [Page("Abbruch (Erteilung)", f"{{{{LeiKa-Leistung|Schlüssel={KNOWN}}}}}")],
            "Steckbrief": [Page("Irgendwas", f"{{{{Steckbrief|LeiKa-Schlüssel={KNOWN}}}}}")],
        }
    )
    (ahaus,) = found.records["kommunen"]
    assert (ahaus["seite"], ahaus["ags"], ahaus["name"], ahaus["einwohner"]) == (
        "Ahaus",
        "05554004",
        "Ahaus",
        39381,
    )
    assert ahaus["regierungsbezirk"] == "Münster"
    assert found.records["leika_leistungen"][0]["schluessel"] == KNOWN
    assert found.records["steckbriefe"][0]["leika_schluessel"] == (KNOWN,)  # known by the page's key


def test_key_rules_come_from_the_wikis_leika_pages() -> None:
    rules = records.key_rules(
        [
            Page("A", f"{{{{LeiKa-Leistung|Schlüssel={KNOWN}|Status=aktiv}}}}"),
            Page("B", f"{{{{LeiKa-Leistung|Schlüssel={RETIRED}|Status = ausgemustert <!-- seit 2025 -->}}}}"),
            Page("C", "{{LeiKa-Leistung|Schlüssel=99 012 001 000 000}}"),
            Page("D", "{{LeiKa-Leistung|Schlüssel=kein Schlüssel}}"),
        ]
    )
    assert rules.known == {KNOWN, KNOWN_2} and rules.retired == {RETIRED}
    assert not rules.allow_regional


def test_a_leika_page_with_a_malformed_key_is_left_out_and_counted() -> None:
    found = records.build({"LeiKa-Leistung": [Page("LeiKa kaputt", "{{LeiKa-Leistung|Schlüssel=99-1}}")]})
    assert found.records["leika_leistungen"] == () and found.invalid_keys == 1


def test_a_page_whose_template_is_ambiguous_is_skipped_and_named() -> None:
    twice = "{{Steckbrief|Titel=A}}\n{{Steckbrief|Titel=B}}"
    nested = "{{Rahmen|{{Steckbrief|Titel=C}}}}"  # the template only inside another one
    wrapped = "{{Mein Steckbrief|Titel=D}}"  # embeds Vorlage:Steckbrief through its own template
    pages = [Page("Doppelt", twice), Page("Verschachtelt", nested), Page("Umhüllt", wrapped)]
    found = records.build({"Steckbrief": pages})
    assert found.records["steckbriefe"] == () and found.skipped == ("Doppelt", "Verschachtelt")


def test_invalid_dates_and_vocabulary_are_not_exported() -> None:
    text = (
        "{{Umsetzungsprojekt|Name=Test|Status=Fertig|Vorbereitung=2020-13|Konzeption=2020-05-17"
        "|Umsetzung=Mai 2021|EfA=Kein EfA|OZG-IDs=10513; 10514|Themenfelder=Themenfeld Bildung, Umwelt}}"
    )
    (r,) = records.build({"Umsetzungsprojekt": [Page("P", text)]}).records["umsetzungsprojekte"]
    assert (r["status"], r["vorbereitung"], r["konzeption"], r["umsetzung"]) == (
        None,
        None,
        "2020-05-17",
        None,
    )
    assert (r["efa"], r["ozg_ids"], r["themenfelder"]) == (
        "Kein EfA",
        ("10513", "10514"),
        ("Bildung", "Umwelt"),
    )


def test_every_column_reads_a_parameter_its_template_stores() -> None:
    """A typo in a parameter name would export an empty column forever; the template is the truth."""
    for dataset in DATASETS:
        stored = storage.stored_params(dataset.template)
        for column in dataset.columns[len(records.PAGE_COLUMNS) :]:
            assert column.param in stored, (dataset.name, column.param)
        assert len(set(dataset.keys)) == len(dataset.keys)
        assert dataset.sort_by in dataset.keys


# ------------------------------------------------------------------------------ CSV


def test_csv_has_bom_semicolons_crlf_and_the_german_headers(export: records.Export) -> None:
    data = formats.to_csv(records.KOMMUNEN, export.records["kommunen"])
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    header = text.split("\r\n", 1)[0]
    assert header == "Seite;Seiten-URL;AGS;ARS;Name;Kreis;Regierungsbezirk;Größenklasse;Einwohner"
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert len(rows) == 1 + len(export.records["kommunen"])
    ahaus = next(row for row in rows if row[2] == "05554004")  # leading zero kept
    assert ahaus[4] == "Ahaus" and ahaus[8] == "39381"


def test_a_value_with_separator_quote_and_line_break_round_trips() -> None:
    nasty = 'Bauamt; Zimmer 3\n"Bürgerbüro" & Co'
    text = f"{{{{Steckbrief\n| Titel = A;B\n| Kontakt = {escape.param_value(nasty)}\n}}}}"
    found = records.build({"Steckbrief": [Page('Steckbrief "A;B"', text)]})
    data = formats.to_csv(records.STECKBRIEFE, found.records["steckbriefe"])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    header, row = rows
    got = dict(zip(header, row, strict=True))
    assert got["Kontakt"] == nasty and got["Titel"] == "A;B" and got["Seite"] == 'Steckbrief "A;B"'
    assert '"Bauamt; Zimmer 3\n""Bürgerbüro"" & Co"' in data.decode("utf-8-sig")  # quoted, "" doubled


def test_lists_are_joined_with_comma_space_and_booleans_are_ja_nein(export: records.Export) -> None:
    data = formats.to_csv(records.OZG_LEISTUNGEN, export.records["ozg_leistungen"]).decode("utf-8-sig")
    assert f";{KNOWN_2}, {KNOWN}\r\n" in data
    leika = formats.to_csv(records.LEIKA_LEISTUNGEN, export.records["leika_leistungen"]).decode("utf-8-sig")
    title = title_scheme(catalogue.load(catalogue.sample_path())).title("leika", KNOWN)
    assert re.search(rf"^{re.escape(title)};[^\r]*;(ja|nein);(ja|nein);aktiv\r$", leika, re.MULTILINE)
    assert formats.csv_value(None) == "" and formats.csv_value(True) == "ja" and formats.csv_value(0) == "0"


# ------------------------------------------------------------------------------ JSON and its schema


def _resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    node: Any = SCHEMA
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return _resolve(node)


_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def schema_errors(value: Any, schema: Mapping[str, Any], where: str = "$") -> list[str]:
    """The JSON Schema keywords docs/export.schema.json uses, checked by hand (no dependency)."""
    schema = _resolve(schema)
    errors: list[str] = []
    types = schema.get("type")
    if types is not None:
        allowed = [types] if isinstance(types, str) else types
        if not any(_TYPES[t](value) for t in allowed):
            return [f"{where}: {value!r} is not {allowed}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{where}: {value!r} != {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} not in enum")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            errors.append(f"{where}: too short")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{where}: {value!r} does not match {schema['pattern']}")
        if schema.get("format") == "date-time":
            datetime.fromisoformat(value)
    number = isinstance(value, int) and not isinstance(value, bool)
    if number and not schema.get("minimum", value) <= value <= schema.get("maximum", value):
        errors.append(f"{where}: {value} out of range")
    if isinstance(value, list):
        if schema.get("uniqueItems") and len({json.dumps(v) for v in value}) != len(value):
            errors.append(f"{where}: items not unique")
        for i, item in enumerate(value):
            errors += schema_errors(item, schema.get("items", {}), f"{where}[{i}]")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        errors += [f"{where}: {k} missing" for k in schema.get("required", []) if k not in value]
        if schema.get("additionalProperties") is False:
            errors += [f"{where}: unexpected {k}" for k in value if k not in props]
        for k, v in value.items():
            if k in props:
                errors += schema_errors(v, props[k], f"{where}.{k}")
    return errors


def test_the_json_matches_the_documented_schema(export: records.Export) -> None:
    data = formats.to_json(export, source="https://wiki.example/w/api.php", exported_at=NOW)
    assert not data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\n")
    doc = json.loads(data)
    assert schema_errors(doc, SCHEMA) == []
    assert doc["exportiert_am"] == "2026-11-29T10:30:00+00:00" and doc["version"] == 1
    assert doc["anzahl"]["nicht_uebertragene_schluessel"] == export.invalid_keys
    steckbrief = doc["steckbriefe"][0]
    assert steckbrief["leika_schluessel"] == [KNOWN, KNOWN_2] and steckbrief["url"] is None
    assert "kreisangehörige Stadt".encode() in data  # German text as is, not \u-escaped


def test_the_schema_checker_finds_what_is_wrong(export: records.Export) -> None:
    doc = json.loads(formats.to_json(export, source="x", exported_at=NOW))
    doc["kommunen"][0]["einwohner"] = "39381"
    doc["steckbriefe"][0]["leika_schluessel"].append("9901200100100")
    doc["ozg_leistungen"][0]["extra"] = 1
    del doc["umsetzungsprojekte"][0]["umsetzung"]
    doc["leika_leistungen"][0]["status"] = "alt"
    errors = schema_errors(doc, SCHEMA)
    assert len(errors) == 5, errors


def test_the_schema_names_exactly_the_exported_fields() -> None:
    """docs/export.schema.json and the column table cannot drift apart."""
    assert set(SCHEMA["required"]) >= {d.name for d in DATASETS}
    for dataset in DATASETS:
        item = _resolve(SCHEMA["properties"][dataset.name]["items"])
        assert list(item["properties"]) == list(dataset.keys), dataset.name
        assert item["required"] == list(dataset.keys) and item["additionalProperties"] is False


def test_the_documentation_lists_every_file_and_column() -> None:
    doc = (REPO / "docs" / "export.md").read_text(encoding="utf-8")
    for dataset in DATASETS:
        assert f"| `{dataset.filename}` |" in doc
        section = doc.split(f"`{dataset.filename}` — `Vorlage:{dataset.template}`", 1)[1].split("\n\n`", 1)[0]
        for column in dataset.columns[len(records.PAGE_COLUMNS) :]:
            assert f"| `{column.header}` | `{column.key}` |" in section, (dataset.name, column.key)
    for column in records.PAGE_COLUMNS:
        assert f"| `{column.header}` | `{column.key}` |" in doc


@pytest.mark.parametrize(
    ("dataset", "key", "vocabulary"),
    [
        ("ozg_leistungen", "zustaendigkeiten", model.Zustaendigkeit),
        ("ozg_leistungen", "groessenklassen", model.Groessenklasse),
        ("kommunen", "groessenklasse", model.Groessenklasse),
        ("steckbriefe", "status", model.Status),
        ("umsetzungsprojekte", "status", model.Umsetzungsstatus),
        ("umsetzungsprojekte", "efa", model.EfaTyp),
    ],
)
def test_the_schemas_vocabularies_are_the_wikis(dataset: str, key: str, vocabulary: type) -> None:
    spec = _resolve(_resolve(SCHEMA["properties"][dataset]["items"])["properties"][key])
    values = spec["items"]["enum"] if "items" in spec else [v for v in spec["enum"] if v is not None]
    assert values == [m.label for m in vocabulary]


# ------------------------------------------------------------------------------ reading, files, command


#: Where the fake wiki publishes its pages (its article path ``/w/index.php/$1``).
ARTICLES = API_URL.rsplit("/w/", 1)[0] + "/w/index.php/"


def seed_export_wiki(wiki: FakeWiki) -> None:
    """A LeiKa page and an editor's Steckbrief, plus a LeiKa page deleted after the listings and
    before the export reads the pages (the listing names it, the read finds it missing)."""
    leika = f"{{{{LeiKa-Leistung|Schlüssel={KNOWN}|Status=aktiv}}}}"
    wiki.seed({"LeiKa 1": leika, "Gelöscht": leika, "Redaktion Abbruch online": EDITOR_STECKBRIEF})
    wiki.before_next("revisions", lambda: wiki.delete("Gelöscht"))


@pytest.fixture
def site(fake_wiki: FakeWiki) -> Site:
    """The real site client on the fake wiki with the export's pages (:func:`seed_export_wiki`)."""
    seed_export_wiki(fake_wiki)
    return fake_wiki.site()


def test_pages_are_read_by_template_in_the_main_namespace_only(fake_wiki: FakeWiki, site: Site) -> None:
    found = reading.read_pages(site)
    calls = fake_wiki.requests_of("embeddedin")
    asked = [(c.params["eititle"], c.params.get("einamespace")) for c in calls]
    assert [a for a, _ns in asked] == [f"Vorlage:{t}" for t in records.TEMPLATES]
    assert {ns for _a, ns in asked} == {"0"}  # namespaces=(0,) as the request sends it
    listed = {c.params["eititle"]: [e["title"] for e in c.answer["query"]["embeddedin"]] for c in calls}
    assert listed["Vorlage:LeiKa-Leistung"] == ["LeiKa 1", "Gelöscht"]  # listed, deleted before the read
    assert [p.title for p in found["LeiKa-Leistung"]] == ["LeiKa 1"]  # the missing page is left out
    assert found["Steckbrief"][0].url == ARTICLES + "Redaktion_Abbruch_online"


def test_write_files_replaces_atomically_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "neu" / "export"
    run.write_files(out, {"a.csv": b"alt"})
    assert run.write_files(out, {"a.csv": b"neu", "b.json": b"{}"}) == ("a.csv", "b.json")
    assert (out / "a.csv").read_bytes() == b"neu" and sorted(p.name for p in out.iterdir()) == [
        "a.csv",
        "b.json",
    ]


def test_an_unwritable_folder_is_one_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "datei"
    blocker.write_text("kein Ordner")
    with pytest.raises(ConfigError, match="export folder"):
        run.write_files(blocker / "export", {"a.csv": b"x"})


def test_contents_writes_the_files_of_the_formats_asked_for(export: records.Export) -> None:
    every = run.contents(export, run.FORMATS, source="s", sitename="OZG-Wiki", exported_at=NOW)
    assert sorted(every) == sorted([*(d.filename for d in DATASETS), "ozgwiki-export.json", "roadmap.svg"])
    assert list(run.contents(export, ["svg"], source="s", sitename="", exported_at=NOW)) == ["roadmap.svg"]
    with pytest.raises(ValueError, match="xml"):
        run.contents(export, ["xml"], source="s", sitename="", exported_at=NOW)


@pytest.fixture
def command(fake_wiki: FakeWiki, site: Site, monkeypatch: pytest.MonkeyPatch) -> FakeWiki:
    """``ozgwiki export`` on the fake wiki with the export's pages: no config, the test's site."""
    from ozgwiki.commands import export as command_module

    monkeypatch.setattr(command_module, "load", lambda args: object())
    monkeypatch.setattr(command_module, "open_site", lambda config: site)
    return fake_wiki


def test_the_command_writes_every_file_and_prints_one_summary_line(
    command: FakeWiki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "export"
    assert cli.main(["export", "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("export: 0 ozg-leistungen, 1 leika-leistungen, 0 kommunen, 1 steckbriefe")
    assert "4 invalid LeiKa keys not exported; 0 pages skipped; 7 files in" in lines[0]
    assert len(list(out.iterdir())) == 7
    doc = json.loads((out / "ozgwiki-export.json").read_text(encoding="utf-8"))
    assert doc["steckbriefe"][0]["leika_schluessel"] == [KNOWN]  # KNOWN_2 has no LeiKa page here
    assert doc["quelle"] == API_URL


def test_the_command_writes_one_format_and_reports_json(
    command: FakeWiki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "export"
    assert cli.main(["export", "--format", "csv", "--out", str(out), "--report", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["files"] == [d.filename for d in DATASETS] and report["exit_code"] == 0
    assert report["counts"]["steckbriefe"] == 1 and report["invalid_keys"] == 4
    assert sorted(p.name for p in out.iterdir()) == sorted(d.filename for d in DATASETS)


def test_skipped_pages_make_exit_code_1_and_are_named(
    command: FakeWiki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command.edit_as("Doppelt", "{{Steckbrief|Titel=A}}{{Steckbrief|Titel=B}}")
    assert cli.main(["export", "--format", "json", "--out", str(tmp_path)]) == 1
    line = capsys.readouterr().out
    assert "1 pages skipped" in line and line.rstrip().endswith("(skipped: Doppelt)")


def test_a_steckbriefs_kommunen_are_exported_as_ags_however_the_page_names_them() -> None:
    """The forms now write the Kommune's page title, its name ("Ahaus"); older pages the AGS or the
    ID title: all three come out as the AGS, so the column joins kommunen.csv."""
    from types import MappingProxyType

    kommunen = [MappingProxyType({"seite": "Ahaus", "ags": "05554004"}),
                MappingProxyType({"seite": "Kreis Borken", "ags": "05554000"})]  # fmt: skip
    steckbrief = MappingProxyType({"seite": "S", "kommunen": ("Ahaus", "05554008", "Kreis Borken", "Ahaus")})
    (out,) = records._kommunen_by_ags([steckbrief], kommunen)
    assert out["kommunen"] == ("05554004", "05554008", "05554000")
    assert out["seite"] == "S"
