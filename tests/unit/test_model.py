"""The domain model: immutability, vocabularies, months, roadmap order and the catalogue views."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from ozgwiki.domain.model import (
    Catalogue,
    EfaTyp,
    Groessenklasse,
    Lage,
    LeikaLeistung,
    Monat,
    OzgLeistung,
    Phase,
    Prioritaet,
    Reifegrad,
    Themenfeld,
    Umsetzungsstatus,
    Zeitplan,
    Zustaendigkeit,
    split_efa,
)


def _catalogue() -> Catalogue:
    return Catalogue(
        themenfelder=(Themenfeld("Bauen & Wohnen"), Themenfeld("Basisdienste")),
        lagen=(Lage("Bauen & Immobilien", "Bauen & Wohnen"), Lage("Wohnen & Umzug", "Bauen & Wohnen")),
        ozg_leistungen=(
            OzgLeistung(
                "10513", "Abbruchgenehmigung", "Bauen & Immobilien", "Bauen & Wohnen",
                groessenklassen=frozenset({Groessenklasse.MITTLERE_KREISANGEHOERIGE_STADT}),
                leika_schluessel=("99012001000000", "99012001001000"),
            ),
            OzgLeistung(
                "10110", "Abfallentsorgung", "Wohnen & Umzug", "Bauen & Wohnen",
                groessenklassen=frozenset({Groessenklasse.KREISFREIE_STADT}),
                leika_schluessel=("99001001000000",),
            ),
        ),
        leika_leistungen=(
            LeikaLeistung("99012001000000", "Abbruchgenehmigung", ozg_id="10513"),
            LeikaLeistung("99012001001000", "Abbruchgenehmigung Erteilung", ozg_id="10513"),
            LeikaLeistung("99001001000000", "Abfallgebühr", ozg_id="10110"),
            LeikaLeistung("99089003000000", "Anzeige"),
        ),
        retired_keys=frozenset({"99001001000000"}),
    )  # fmt: skip


def test_dataclasses_are_frozen_and_hashable() -> None:
    lage = Lage("Schule", "Bildung")
    with pytest.raises(dataclasses.FrozenInstanceError):
        lage.name = "Studium"  # type: ignore[misc]
    c = _catalogue()
    first = c.ozg_leistungen[0]
    twin = dataclasses.replace(first)  # an equal but distinct object: hashing must agree
    assert twin is not first and hash(twin) == hash(first) and {first, twin} == {first}
    assert isinstance(c.ozg_leistungen[0].leika_schluessel, tuple)
    assert isinstance(c.ozg_leistungen[0].groessenklassen, frozenset)


@pytest.mark.parametrize(
    ("enum", "text", "expected"),
    [
        (Zustaendigkeit, "kommunal", Zustaendigkeit.KOMMUNAL),
        (Zustaendigkeit, " Land ", Zustaendigkeit.LAND),
        (Prioritaet, 1, Prioritaet.HOECHSTE),
        (Prioritaet, "3", Prioritaet.NIEDRIGE),
        (Prioritaet, "2 - hohe Umsetzungspriorität für die Kommunen in NRW", Prioritaet.HOHE),
        (Groessenklasse, "Mittlere kreisangehoerige Stadt", Groessenklasse.MITTLERE_KREISANGEHOERIGE_STADT),
        (Groessenklasse, "regionsangehörige Stadt Aachen", Groessenklasse.REGIONSANGEHOERIGE_STADT_AACHEN),
        (Umsetzungsstatus, "Start Roll-out NRW", Umsetzungsstatus.INBETRIEBNAHME_NRW),
        (Phase, "Pilotierung", Phase.PILOTIERUNG_NRW),
        (EfaTyp, 4, EfaTyp.ENTWICKLUNG_KDN),
        (Reifegrad, 0, Reifegrad.STUFE_0),
    ],
)
def test_vocabulary_parse_accepts_codes_labels_and_spellings(enum, text, expected) -> None:  # type: ignore[no-untyped-def]
    assert enum.parse(text) is expected


def test_vocabulary_parse_rejects_unknown_and_lists_choices() -> None:
    with pytest.raises(ValueError, match="erlaubt: Bund, Land, Kommunal"):
        Zustaendigkeit.parse("Gemeinde")
    with pytest.raises(ValueError):
        Prioritaet.parse(4)


def test_labels_are_german_and_str_gives_label() -> None:
    assert str(Prioritaet.HOECHSTE) == "1 - höchste Umsetzungspriorität für die Kommunen in NRW"
    assert Prioritaet.HOHE.stufe == 2
    assert str(Groessenklasse.GROSSE_KREISANGEHOERIGE_STADT) == "Große kreisangehörige Stadt"
    assert Umsetzungsstatus.PILOTIERUNG_NRW.kdn_id == 9


def test_aachen_implements_what_a_kreisfreie_stadt_implements() -> None:
    aachen = Groessenklasse.REGIONSANGEHOERIGE_STADT_AACHEN
    assert aachen.leistungen_wie is Groessenklasse.KREISFREIE_STADT
    c = _catalogue()
    assert [o.ozg_id for o in c.ozg_leistungen_for(aachen)] == ["10110"]
    assert Groessenklasse.KREIS.ist_kreisebene and not aachen.ist_kreisebene


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-01", Monat(2020, 1)),
        ("Januar 2020", Monat(2020, 1)),
        ("März 2021", Monat(2021, 3)),
        ("Maerz 2021", Monat(2021, 3)),
        ("Dez. 2021", Monat(2021, 12)),
        ("06/2021", Monat(2021, 6)),
        (dt.date(2021, 8, 15), Monat(2021, 8)),
    ],
)
def test_monat_parse(text: object, expected: Monat) -> None:
    assert Monat.parse(text) == expected


@pytest.mark.parametrize("text", ["Frühjahr 2021", "2021-13", "Q4 2019", ""])
def test_monat_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        Monat.parse(text)


def test_monat_formats_in_german_and_orders() -> None:
    assert str(Monat(2020, 3)) == "März 2020"
    assert Monat(2021, 3).iso == "2021-03"
    assert Monat(2021, 6) < Monat(2021, 12) < Monat(2022, 1)


def test_zeitplan_keeps_roadmap_order_and_finds_backwards_months() -> None:
    plan = Zeitplan(
        {
            Phase.INBETRIEBNAHME_NRW: Monat(2021, 6),
            Phase.VORBEREITUNG: Monat(2021, 2),
            Phase.UMSETZUNG: Monat(2021, 12),
        }
    )
    assert list(plan) == [Phase.VORBEREITUNG, Phase.UMSETZUNG, Phase.INBETRIEBNAHME_NRW]
    assert plan[Phase.UMSETZUNG] == Monat(2021, 12)
    assert Phase.KONZEPTION not in plan
    backwards = (Phase.UMSETZUNG, Monat(2021, 12), Phase.INBETRIEBNAHME_NRW, Monat(2021, 6))
    assert plan.out_of_order() == (backwards,)
    assert hash(plan) == hash(Zeitplan(dict(plan)))
    same_month = Zeitplan({Phase.VORBEREITUNG: Monat(2020, 1), Phase.KONZEPTION: Monat(2020, 1)})
    assert same_month.out_of_order() == ()


_EFA_1 = "EfA gemäß erster Liste vom BMI, nachnutzbare Lösung bereitgestellt bis Juni 2021"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            f"Abbruchgenehmigung ({_EFA_1})",
            ("Abbruchgenehmigung", _EFA_1),
        ),
        ("Adoption (EfA gemäß erster Liste vom BMI)", ("Adoption", "EfA gemäß erster Liste vom BMI")),
        ("Ausbildungsförderung (BAföG)", ("Ausbildungsförderung (BAföG)", None)),
        ("Abfallentsorgung", ("Abfallentsorgung", None)),
    ],
)
def test_split_efa(name: str, expected: tuple[str, str | None]) -> None:
    assert split_efa(name) == expected


def test_catalogue_lookups_and_views() -> None:
    c = _catalogue()
    assert c.ozg_leistung(10513) is c.ozg_leistung("10513")
    assert c.ozg_leistung("99999") is None
    assert [lage.name for lage in c.lagen_of("Bauen & Wohnen")] == ["Bauen & Immobilien", "Wohnen & Umzug"]
    assert c.lagen_of("Basisdienste") == ()
    assert [o.ozg_id for o in c.ozg_leistungen_of("Bauen & Immobilien")] == ["10513"]
    assert c.leika_count("10513") == 2 and c.leika_count("4711") == 0
    assert [x.schluessel for x in c.leika_leistungen_of("10513")] == ["99012001000000", "99012001001000"]
    mittlere = c.leika_leistungen_for(Groessenklasse.MITTLERE_KREISANGEHOERIGE_STADT)
    assert [x.schluessel for x in mittlere] == ["99012001000000", "99012001001000"]
    assert c.leika_leistung("99089003000000").ozg_id is None  # type: ignore[union-attr]


def test_known_keys_exclude_retired_keys() -> None:
    c = _catalogue()
    assert "99001001000000" in c.retired_keys
    assert "99001001000000" not in c.known_keys
    assert c.known_keys == {"99012001000000", "99012001001000", "99089003000000"}
    assert c.leika_leistung("99001001000000") is not None
