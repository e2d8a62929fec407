"""``ozgwiki export`` against the real local wiki: the sample catalogue imported, one editor Steckbrief
with a valid and an invalid key, the console script run as cron would run it, and every file checked
against what the wiki holds, read back through the site client.

The shared wiki holds other tests' pages, and some of them change while this test runs, so the
files are checked for the sample's pages and this test's own Steckbrief; counts are checked against
the files themselves. Pages are found by template, never by title, here as in the export.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from test_import_wiki import run_import
from wikitables import bot_wiki_config

from ozgwiki.catalogue import load
from ozgwiki.errors import PageTextError
from ozgwiki.wiki.site import Site
from ozgwiki.wikitext.escape import unescape
from ozgwiki.wikitext.params import get_template_params

pytestmark = pytest.mark.wiki

OZGWIKI = [str(Path(sys.executable).parent / "ozgwiki")]
SECRET_ENV = "OZGWIKI_IT_EXPORT_SECRET"
VALID = "99012001001000"  # Abbruchgenehmigung Erteilung: in the sample, aktiv
INVALID = "99102001001000"  # the same with two digits swapped: well-formed, no LeiKa page
CONTACT = 'Bauordnungsamt; Zimmer "3"'  # a separator and quotes: the CSV must quote it


def steckbrief(name: str) -> str:
    return f"""{{{{Steckbrief
| Titel = {name}
| Kommunen = 05554004
| Themenfeld = Bauen & Wohnen
| LeiKa-Schlüssel = {VALID}; {INVALID}
| URL = https://www.example.org/export
| Status = umgesetzt
| Reifegrad = 3
| Kontakt = {CONTACT}
}}}}
Von der Redaktion für den Export-Test geschrieben.
"""


def template_pages(site: Site, template: str) -> dict[str, dict[str, str]]:
    """Title -> parameters of every article that uses ``Vorlage:<template>`` at top level."""
    titles = list(site.embeddedin(f"Vorlage:{template}", namespaces=[0]))
    out = {}
    for state in site.read_pages(titles).values():
        try:
            params = get_template_params(state.text, template) if state.exists else None
        except PageTextError:
            continue
        if params is not None:
            out[state.title] = {k: unescape(v).strip() for k, v in params.items()}
    return out


def csv_rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: no BOM"
    text = raw.decode("utf-8-sig")
    assert text.splitlines(keepends=True)[0].endswith("\r\n")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


@pytest.fixture
def config(tmp_path: Path, accounts: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(SECRET_ENV, accounts["bot"]["secret"])
    path = tmp_path / "ozgwiki.yaml"
    data = {"wiki": bot_wiki_config(accounts, SECRET_ENV), "state": {"dir": str(tmp_path / "state")}}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_export_writes_what_the_wiki_holds(
    bot_site: Site, editor_site: Site, config: Path, tmp_path: Path, unique: str
) -> None:
    sample = load()
    run_import(bot_site, sample)  # the shared wiki may start anywhere: bring it to the sample state
    # Not titled "Steckbrief …": the export finds the page by its template.
    title, name = f"{unique} Export", f"Export-Test {unique}"
    saved = editor_site.edit(title, lambda _old: steckbrief(name), "Steckbrief für den Export-Test")
    assert saved.outcome.value == "created", saved

    out = tmp_path / "export"
    done = subprocess.run(
        [*OZGWIKI, "--config", str(config), "export", "--out", str(out), "--report", "json"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=tmp_path, env=os.environ.copy(),
        timeout=600,
    )  # fmt: skip
    # Exit 1 only when pages were skipped: other tests leave Steckbriefe with the template twice.
    assert done.returncode in (0, 1), done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert (done.returncode == 1) == bool(report["skipped"]) and title not in report["skipped"]
    assert report["invalid_keys"] >= 1
    assert sorted(p.name for p in out.iterdir()) == sorted(report["files"]) and len(report["files"]) == 7

    # --- the wiki as it is now, read back through the site client
    leika_wiki = template_pages(bot_site, "LeiKa-Leistung")
    active = {p["Schlüssel"] for p in leika_wiki.values() if p.get("Status") != "ausgemustert"}
    assert VALID in active and INVALID not in active

    # --- our Steckbrief: only the valid key, the values as written, the page's real address
    steckbriefe = {r["Seite"]: r for r in csv_rows(out / "steckbriefe.csv")}
    ours = steckbriefe[title]
    assert ours["LeiKa-Schlüssel"] == VALID
    assert (ours["Titel"], ours["Kommunen"], ours["Themenfeld"]) == (name, "05554004", "Bauen & Wohnen")
    assert (ours["Status"], ours["Reifegrad"], ours["Kontakt"]) == ("umgesetzt", "3", CONTACT)
    assert ours["URL"] == "https://www.example.org/export"
    assert f'"{CONTACT.replace(chr(34), chr(34) * 2)}"'.encode() in (out / "steckbriefe.csv").read_bytes()
    page = requests.get(ours["Seiten-URL"], timeout=30)
    assert page.status_code == 200 and name in page.text

    # --- the catalogue's pages: every one exported, with the values its page holds
    leika_rows = {r["Schlüssel"]: r for r in csv_rows(out / "leika-leistungen.csv")}
    for x in sample.leika_leistungen:
        wiki_title, params = next((t, p) for t, p in leika_wiki.items() if p["Schlüssel"] == x.schluessel)
        row = leika_rows[x.schluessel]
        assert (row["Seite"], row["Bezeichnung"], row["Status"]) == (
            wiki_title,
            params["Bezeichnung"],
            "aktiv",
        )

    exported_active = {k for k, r in leika_rows.items() if r["Status"] == "aktiv"}
    ozg_wiki = {p["OZG-ID"]: p for p in template_pages(bot_site, "OZG-Leistung").values()}
    ozg_rows = {r["OZG-ID"]: r for r in csv_rows(out / "ozg-leistungen.csv")}
    for o in sample.ozg_leistungen:
        row, params = ozg_rows[o.ozg_id], ozg_wiki[o.ozg_id]
        assert (row["Name"], row["Lage"], row["Themenfeld"]) == (
            params["Name"],
            params["Lage"],
            params["Themenfeld"],
        )
        # Within one export: a written key is carried over exactly when its LeiKa page is aktiv there
        # (another test may retire a sample key for a moment, so the live wiki is not compared here).
        written = [k.strip() for k in params["LeiKa-Schlüssel"].split(",") if k.strip()]
        assert row["LeiKa-Schlüssel"] == ", ".join(k for k in written if k in exported_active), o.ozg_id
    assert ozg_rows["10513"]["LeiKa-Schlüssel"] == f"99012001000000, {VALID}"

    kommunen_wiki = {p["AGS"]: p for p in template_pages(bot_site, "Kommune").values()}
    kommunen_rows = {r["AGS"]: r for r in csv_rows(out / "kommunen.csv")}
    for k in sample.kommunen:
        row, params = kommunen_rows[k.ags], kommunen_wiki[k.ags]
        wanted = (params["Name"], params["Größenklasse"], params.get("Kreis", ""))
        assert (row["Name"], row["Größenklasse"], row["Kreis"]) == wanted, k.ags

    projects_wiki = {p["Name"]: p for p in template_pages(bot_site, "Umsetzungsprojekt").values()}
    project_rows = {r["Name"]: r for r in csv_rows(out / "umsetzungsprojekte.csv")}
    for p in sample.umsetzungsprojekte:
        row, params = project_rows[p.name], projects_wiki[p.name]
        for phase in ("Vorbereitung", "Konzeption", "Umsetzung", "Inbetriebnahme NRW"):
            assert row[phase] == params.get(phase, ""), (p.name, phase)

    # --- the JSON: the same records as the CSV files, counts that match them
    doc = json.loads((out / "ozgwiki-export.json").read_text(encoding="utf-8"))
    assert doc["format"] == "ozgwiki-export" and doc["quelle"] == bot_site.api_url
    for dataset, rows in (
        ("steckbriefe", steckbriefe),
        ("ozg_leistungen", ozg_rows),
        ("kommunen", kommunen_rows),
    ):
        assert doc["anzahl"][dataset] == len(doc[dataset]) == len(rows), dataset
    mine = next(s for s in doc["steckbriefe"] if s["seite"] == title)
    assert mine["leika_schluessel"] == [VALID] and mine["reifegrad"] == 3 and mine["kommunen"] == ["05554004"]

    # --- the SVG: well-formed, every sample project, the legend, the wiki's warning
    svg = ET.parse(out / "roadmap.svg").getroot()
    shown = {"".join(t.itertext()) for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {p.name for p in sample.umsetzungsprojekte} <= shown and "Legende:" in shown
    assert any("Sprengstofferlaubnis: Inbetriebnahme NRW (Juni 2021) liegt vor Umsetzung" in t for t in shown)
