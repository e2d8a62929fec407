"""plan_pages: the pages the sample catalogue asks for, with the exact owned parameter values."""

from __future__ import annotations

import re
from collections import Counter
from importlib import resources

import pytest

from ozgwiki.catalogue import load
from ozgwiki.domain.model import Catalogue, LeikaLeistung
from ozgwiki.render.plans import KINDS, PagePlan, plan_pages, workshop_value


def test_one_page_per_object_and_kind(sample_catalogue: Catalogue) -> None:
    counts = Counter(p.kind for p in plan_pages(sample_catalogue))
    assert counts == {
        "Themenfeld": 15,  # the 14 OZG-Themenfelder + Basisdienste
        "Lage": 16,
        "LeiKa-Leistung": 290,
        "OZG-Leistung": 31,
        "Kommune": 8,
        "Umsetzungsprojekt": 7,
    }
    assert "Steckbrief" not in counts  # editors' pages


def test_titles_are_unique_and_order_is_deterministic(sample_catalogue: Catalogue) -> None:
    first = plan_pages(sample_catalogue)
    assert [p.title for p in first] == [p.title for p in plan_pages(load())]
    assert len({p.title for p in first}) == len(first)
    kinds = [p.kind for p in first]
    assert kinds == sorted(kinds, key=KINDS.index)  # grouped by kind, in KINDS order


def test_ozg_leistung_10513(sample_plans: dict[str, PagePlan]) -> None:
    p = sample_plans["Abbruchgenehmigung (OZG-Leistung)"]
    assert (p.kind, p.template) == ("OZG-Leistung", "OZG-Leistung")
    assert dict(p.params) == {
        "OZG-ID": "10513",
        "Name": "Abbruchgenehmigung",
        "EfA": "EfA gemäß erster Liste vom BMI, nachnutzbare Lösung bereitgestellt bis Juni 2021",
        "Lage": "Bauen & Immobilien",  # raw: the bot escapes when writing
        "Themenfeld": "Bauen & Wohnen",
        "Zuständigkeiten": "Kommunal",
        "Priorität": "1",
        "Größenklassen": "Mittlere kreisangehörige Stadt",
        "LeiKa-Schlüssel": "99012001000000, 99012001001000",
    }


def test_leika_99012001001000(sample_plans: dict[str, PagePlan]) -> None:
    p = sample_plans["Abbruchgenehmigung Erteilung"]
    assert p.template == "LeiKa-Leistung"
    assert dict(p.params) == {
        "Schlüssel": "99012001001000",
        "Bezeichnung": "Abbruchgenehmigung Erteilung",
        "Typ": "4",
        "OZG-ID": "10513",
        "Rechtsgrundlage": "",
        "Gesetze": "",
        "Gesetzeskürzel": "",
        "SDG1": "nein",
        "SDG2": "nein",
        "Status": "aktiv",
    }


def test_kommune_ahaus(sample_plans: dict[str, PagePlan]) -> None:
    assert dict(sample_plans["Ahaus"].params) == {
        "AGS": "05554004",
        "ARS": "055540004004",
        "Name": "Ahaus",
        "Kreis": "05554000",  # the Kreis's AGS, not its name
        "Regierungsbezirk": "Münster",
        "Größenklasse": "Mittlere kreisangehörige Stadt",
        "Einwohner": "39381",
    }
    kreis = sample_plans["Kreis Borken"].params
    assert (kreis["Kreis"], kreis["Einwohner"], kreis["Größenklasse"]) == ("", "", "Kreis")


def test_umsetzungsprojekt_sprengstofferlaubnis_months(sample_plans: dict[str, PagePlan]) -> None:
    assert dict(sample_plans["Umsetzungsprojekt Sprengstofferlaubnis"].params) == {
        "Name": "Sprengstofferlaubnis",
        "Themenfelder": "Umwelt",
        "Status": "Vorbereitung",
        "Vorbereitung": "2021-02",
        "Konzeption": "2021-04",
        "Umsetzung": "2021-12",
        "Pilotierung NRW": "",
        "Inbetriebnahme NRW": "2021-06",  # before Umsetzung, as on the slide
        "Start bundesweiter Roll-out": "",
        "EfA": "keine Angabe",
        "OZG-IDs": "10480",
        "LeiKa-Schlüssel": "",
    }
    assert sample_plans["Umsetzungsprojekt Urkundenausgabe"].params["Themenfelder"] == (
        "Querschnitt, Familie & Kind, Gesundheit"
    )


def test_lage_and_themenfeld(sample_plans: dict[str, PagePlan]) -> None:
    assert dict(sample_plans["Schule"].params) == {
        "Name": "Schule",
        "Art": "Lebenslage",
        "Themenfeld": "Bildung",
    }
    assert sample_plans["Bauen & Immobilien"].params["Art"] == ""
    basis = sample_plans["Basisdienste"].params
    assert basis["Beschreibung"].startswith("Basiskomponenten des Kommunalportal.NRW")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (None, ""),
        ("2019-12-12", "2019-12-12"),
        ("12.12.2019", "2019-12-12"),
        ("Dezember 2019", "2019-12"),
        ("2019-12", "2019-12"),
        ("Q4 2019, voraussichtlich 12.12.", "Q4 2019, voraussichtlich 12.12."),  # not a date: as it is
    ],
)
def test_workshop_value(text: str | None, value: str) -> None:
    assert workshop_value(text) == value


def test_retired_key_of_the_catalogue_is_planned_ausgemustert() -> None:
    x = LeikaLeistung("99012001001000", "Abbruchgenehmigung Erteilung")
    c = Catalogue(leika_leistungen=(x,), retired_keys=frozenset({"99012001001000"}))
    (plan,) = plan_pages(c)
    assert plan.params["Status"] == "ausgemustert"


def test_plan_params_are_read_only_and_follow_the_order(sample_plans: dict[str, PagePlan]) -> None:
    p = sample_plans["Ahaus"]
    assert tuple(p.params) == p.param_order
    with pytest.raises(TypeError):
        p.params["Name"] = "x"  # type: ignore[index]


def _template_params(name: str) -> set[str]:
    text = resources.files("ozgwiki.templates").joinpath(f"{name}.wiki").read_text(encoding="utf-8")
    include = text.split("<noinclude>")[0]
    return set(re.findall(r"\{\{\{([^|{}]+)\|", include))


@pytest.mark.parametrize("kind", KINDS)
def test_owned_parameters_are_exactly_what_the_template_reads(
    sample_plans: dict[str, PagePlan], kind: str
) -> None:
    plan = next(p for p in sample_plans.values() if p.kind == kind)
    assert set(plan.param_order) == _template_params(plan.template)
