"""The fact store holds what the templates store with #set: page titles, labels, dates, valid keys."""

from __future__ import annotations

import dataclasses

import pytest

from ozgwiki import catalogue
from ozgwiki.render import facts
from ozgwiki.render import plans as catalogue_pages
from ozgwiki.render.facts import Facts, Subject


def test_ozg_leistung_values_are_what_the_template_stores(sample_facts: Facts) -> None:
    s = sample_facts.subject("Erschließungsbeitrag und Anliegerbescheinigung")
    assert s is not None and s.categories == {"OZG-Leistung"}
    assert s.get("Lage") == ("Bauen & Immobilien",)
    assert s.get("Themenfeld") == ("Bauen & Wohnen",)
    assert s.get("Zuständigkeit") == ("Land", "Kommunal")  # vocabulary order
    assert s.get("Priorität") == ("3",)
    assert s.get("Größenklasse") == ("Mittlere kreisangehörige Stadt",)
    assert s.get("OZG-ID") == ("10515",)


def test_project_phases_are_iso_months_and_status_is_the_label(sample_facts: Facts) -> None:
    s = sample_facts.subject("Umsetzungsprojekt Sprengstofferlaubnis")
    assert s is not None
    assert s.get("Beginn Umsetzung") == ("2021-12",) and s.get("Inbetriebnahme NRW") == ("2021-06",)
    assert s.get("Umsetzungsstatus") == ("Vorbereitung",)
    assert s.get("Themenfeld") == ("Umwelt",)


def test_workshop_date_is_stored_and_free_text_is_not(
    sample_facts: Facts, sample_catalogue: catalogue.Catalogue
) -> None:
    bildung = sample_facts.subject("Bildung")
    assert bildung is not None and bildung.get("Workshop") == ("2019-12-12",)
    themenfelder = tuple(
        dataclasses.replace(t, workshop="Q4 2019, voraussichtlich 12.12.") if t.name == "Bildung" else t
        for t in sample_catalogue.themenfelder
    )
    free = facts.build(dataclasses.replace(sample_catalogue, themenfelder=themenfelder))
    bildung = free.subject("Bildung")
    assert bildung is not None and bildung.get("Workshop") == ()


def test_leika_pages_point_to_their_ozg_leistung_and_counts_match_the_catalogue(
    sample_facts: Facts, sample_catalogue: catalogue.Catalogue
) -> None:
    names = catalogue_pages.title_scheme(sample_catalogue)
    for o in sample_catalogue.ozg_leistungen:
        # The template stores "OZG-Leistung <id>"; SMW (and the facts) the page it redirects to.
        pointing = sample_facts.pointing_to("LeiKa-Leistung", "OZG-Leistung", names.title("ozg", o.ozg_id))
        assert len(pointing) == sample_catalogue.leika_count(o.ozg_id), o.ozg_id


STECKBRIEF = """Einleitung.
{{Steckbrief
| Titel = Hortanmeldung online
| Kommunen = 05554004, 05554008; 0555|x
| Themenfeld = Bildung, Familie & Kind
| LeiKa-Schlüssel = 99012001001000, 99012001001001, 12345, 99 012 002 000 000
| Status = fertig
| Reifegrad = 3
| URL = ftp://example.org
| Kontakt = Schulamt
}}
"""


def test_steckbrief_page_stores_only_valid_keys_and_allowed_values(
    sample_catalogue: catalogue.Catalogue,
) -> None:
    f = facts.build(sample_catalogue, {"Steckbrief Hortanmeldung online": STECKBRIEF})
    s = f.subject("Steckbrief Hortanmeldung online")
    assert s is not None and s.categories == {"Steckbrief"}
    assert s.get("Name") == ("Hortanmeldung online",)
    assert s.get("Themenfeld") == ("Bildung", "Familie & Kind")
    assert s.get("LeiKa-Schlüssel") == ("99012001001000", "99012002000000")
    assert s.get("Umsetzungsstand") == ()  # "fertig" is not in the vocabulary
    assert s.get("Reifegrad") == ("3",)
    assert s.get("URL") == ()
    assert s.get("Kontakt") == ("Schulamt",)
    assert "Ahaus" in s.get("Kommune") and "Bocholt" in s.get("Kommune")


def test_alle_kommunen_stores_no_kommune(sample_catalogue: catalogue.Catalogue) -> None:
    s = facts.steckbrief_subject("Steckbrief X", {"Kommunen": "alle", "Titel": "X"}, [])
    assert s.get("Kommune") == ()


def test_page_without_the_template_or_with_two_is_left_out(sample_catalogue: catalogue.Catalogue) -> None:
    f = facts.build(
        sample_catalogue,
        {"Steckbrief A": "kein Steckbrief", "Steckbrief B": "{{Steckbrief|Titel=a}}{{Steckbrief|Titel=b}}"},
    )
    assert f.subject("Steckbrief A") is None and f.subject("Steckbrief B") is None


def test_key_filter_is_swappable(sample_catalogue: catalogue.Catalogue) -> None:
    f = facts.build(
        sample_catalogue, {"Steckbrief A": STECKBRIEF}, valid_keys=lambda _text: ["99000000000000"]
    )
    s = f.subject("Steckbrief A")
    assert s is not None and s.get("LeiKa-Schlüssel") == ("99000000000000",)


def test_label_is_the_name_or_the_title_without_prefix(sample_facts: Facts) -> None:
    assert sample_facts.label("Ahaus") == "Ahaus"
    assert sample_facts.label("Schule") == "Schule"
    assert sample_facts.label("Themenfeld Gibt es nicht") == "Gibt es nicht"


def test_duplicate_subjects_are_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        Facts([Subject("A", frozenset()), Subject("A", frozenset())])


def test_holding_answers_as_a_scan_of_the_category_would() -> None:
    """The index behind ``holding`` / ``pointing_to`` must give exactly the subjects a scan finds, in
    insertion order, each once (a subject may hold a value twice)."""
    import random

    rng = random.Random(13)
    subjects = [
        Subject(
            f"S{i}",
            frozenset(rng.sample(["A", "B", "C"], rng.randint(0, 2))),
            {"P": tuple(rng.choice("xyz") for _ in range(rng.randint(0, 3)))},
        )
        for i in range(300)
    ]
    f = Facts(subjects)
    for category in ("A", "B", "C", "D"):
        for value in ("x", "y", "z", "w"):
            scan = tuple(s for s in subjects if category in s.categories and value in s.get("P"))
            assert f.holding(category, "P", value) == scan
            assert f.pointing_to(category, "P", value) == scan
        assert f.in_category(category) == tuple(s for s in subjects if category in s.categories)
    assert f.holding("A", "Q", "x") == ()  # a property nobody stores
