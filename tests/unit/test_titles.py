"""Names first: the title scheme (ozgwiki.domain.titles.TitleScheme) on made-up things and the catalogues.

Each rule of the scheme's docstring has a test here that breaks when the rule does.
"""

from __future__ import annotations

import random

import pytest

from ozgwiki import catalogue
from ozgwiki.definitions import schema
from ozgwiki.domain import titles
from ozgwiki.domain.model import Groessenklasse
from ozgwiki.domain.titles import Named, TitleScheme, kommune_name, normalized, usable
from ozgwiki.render import plans


def scheme(*things: Named, reserved: tuple[str, ...] = ()) -> TitleScheme:
    return TitleScheme(things, reserved)


def test_a_name_claimed_once_is_the_title_and_the_id_title_redirects_to_it() -> None:
    s = scheme(Named("kommune", "05554004", "Ahaus"))
    assert s.title("kommune", "05554004") == "Ahaus"
    assert s.redirects() == {"Kommune 05554004": "Ahaus"}
    assert s.resolve("Kommune 05554004") == "Ahaus"
    assert s.resolve("Ahaus") == "Ahaus"
    assert s.disambiguations() == {}


def test_a_shared_name_gives_each_thing_its_kind_and_the_name_a_disambiguation_page() -> None:
    s = scheme(
        Named("ozg", "10513", "Abbruchgenehmigung"), Named("leika", "99012001000000", "Abbruchgenehmigung")
    )
    assert s.title("ozg", "10513") == "Abbruchgenehmigung (OZG-Leistung)"
    assert s.title("leika", "99012001000000") == "Abbruchgenehmigung (LeiKa-Leistung)"
    assert s.disambiguations() == {
        "Abbruchgenehmigung": ("Abbruchgenehmigung (OZG-Leistung)", "Abbruchgenehmigung (LeiKa-Leistung)")
    }
    assert s.resolve("OZG-Leistung 10513") == "Abbruchgenehmigung (OZG-Leistung)"


def test_two_of_one_kind_with_one_name_are_told_apart_by_their_id() -> None:
    s = scheme(
        Named("leika", "99001", "Impfung"), Named("leika", "99002", "Impfung"), Named("ozg", "1", "Impfung")
    )
    assert s.title("leika", "99001") == "Impfung (LeiKa-Leistung 99001)"
    assert s.title("leika", "99002") == "Impfung (LeiKa-Leistung 99002)"
    assert s.title("ozg", "1") == "Impfung (OZG-Leistung)"
    assert len(set(s.titles())) == 4  # three pages and the Begriffsklärung


def test_a_reserved_title_is_never_given_to_a_thing_and_gets_no_disambiguation_page() -> None:
    s = scheme(Named("leika", "99003", "Roadmap"), reserved=("Roadmap",))
    assert s.title("leika", "99003") == "Roadmap (LeiKa-Leistung)"
    assert s.disambiguations() == {}


@pytest.mark.parametrize(
    "name",
    [
        "Hilfe: Antrag",
        "w:Wohngeld",
        ":Wohngeld",
        "Antrag [neu]",
        "a|b",
        "Gebühr ~~~",
        "x" * 230,
        "%C3%A4rger",
        "&amp;",
    ],
)
def test_a_name_that_cannot_be_a_title_keeps_the_id_title(name: str) -> None:
    assert not usable(name)
    s = scheme(Named("leika", "99004", name))
    assert s.title("leika", "99004") == "LeiKa 99004"
    assert s.redirects() == {}


def test_a_colon_inside_a_name_is_no_prefix() -> None:
    assert usable("Branntweinsteuer (neu:Alkoholsteuer)")


def test_titles_are_compared_as_mediawiki_compares_them() -> None:
    assert normalized("  abfall_gebühr   festsetzung ") == "Abfall gebühr festsetzung"
    s = scheme(Named("leika", "99005", "abfallgebühr"), Named("ozg", "2", "Abfallgebühr"))
    assert s.title("leika", "99005") == "Abfallgebühr (LeiKa-Leistung)"  # one name to MediaWiki
    assert s.title("ozg", "2") == "Abfallgebühr (OZG-Leistung)"


def test_a_kreis_is_called_kreis_and_does_not_collide_with_its_kreisstadt() -> None:
    assert kommune_name("Kleve", Groessenklasse.KREIS) == "Kreis Kleve"
    assert kommune_name("Städteregion Aachen", Groessenklasse.STAEDTEREGION) == "Städteregion Aachen"
    assert kommune_name("Kleve", Groessenklasse.MITTLERE_KREISANGEHOERIGE_STADT) == "Kleve"


def test_a_kreis_whose_name_says_kreis_keeps_its_name_alone() -> None:
    # Ten of the 30 Kreise of NRW are named so; "Kreis Hochsauerlandkreis" is nobody's name.
    assert kommune_name("Rhein-Kreis Neuss", Groessenklasse.KREIS) == "Rhein-Kreis Neuss"
    assert kommune_name("Hochsauerlandkreis", Groessenklasse.KREIS) == "Hochsauerlandkreis"
    assert kommune_name("Oberbergischer Kreis", Groessenklasse.KREIS) == "Oberbergischer Kreis"
    nrw = catalogue.load("nrw")
    s = plans.title_scheme(nrw, schema.load())
    kreise = [s.title("kommune", k.ags) for k in nrw.kommunen if k.groessenklasse is Groessenklasse.KREIS]
    assert len(kreise) == 30 and not [t for t in kreise if t.casefold().count("kreis") > 1]


def test_a_name_that_equals_another_things_id_title_is_refused() -> None:
    with pytest.raises(ValueError, match="claimed twice"):
        scheme(Named("kommune", "05554004", "Ahaus"), Named("lage", "Kommune 05554004", "Kommune 05554004"))


def test_titles_do_not_depend_on_the_order_of_the_catalogue() -> None:
    cat = catalogue.load("sample")
    things = titles.named_things(cat)
    shuffled = list(things)
    random.Random(7).shuffle(shuffled)
    a, b = TitleScheme(things), TitleScheme(shuffled)
    assert {(t.kind, t.key): a.title(t.kind, t.key) for t in things} == {
        (t.kind, t.key): b.title(t.kind, t.key) for t in things
    }


@pytest.mark.parametrize("spec", ["sample", "nrw"])
def test_every_thing_of_the_shipped_catalogues_gets_one_title_of_its_own(spec: str) -> None:
    cat = catalogue.load(spec)
    things = titles.named_things(cat)
    s = TitleScheme(things)
    given = [s.title(t.kind, t.key) for t in things]
    assert len(set(given)) == len(given), "two things share a title"
    assert not set(given) & set(s.disambiguations()), "a page and a Begriffsklärung share a title"
    by_name = sum(1 for t, g in zip(things, given, strict=True) if g != t.id_title)
    assert by_name / len(things) > 0.95  # nearly everything is titled by name
    for name, shared in s.disambiguations().items():
        assert len(shared) >= 2 and all(g.startswith(f"{name} (") for g in shared)
