"""One template-name rule: the bots' own template (params), key extraction and the opt-out agree.

A Steckbrief that validate counts must also be the one the sync and the overview read, so every
spelling MediaWiki resolves to ``Vorlage:Steckbrief`` is found by both, and no other one is.
"""

from __future__ import annotations

import pytest

from ozgwiki.wikitext.extract import extract_keys
from ozgwiki.wikitext.optout import bot_may_edit
from ozgwiki.wikitext.params import get_template_params
from ozgwiki.wikitext.parse import template_title

KEY = "99012001001000"


def page(name: str) -> str:
    return f"Text davor.\n{{{{{name}\n| Name = Wohngeld\n| LeiKa-Schlüssel = {KEY}\n}}}}\nText danach.\n"


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Steckbrief", id="plain"),
        pytest.param(":Vorlage:Steckbrief", id="colon-vorlage"),
        pytest.param(": template : steckbrief", id="colon-template-spaces"),
        pytest.param("\u200eSteckbrief", id="left-to-right-mark"),
        pytest.param("Steck\u200fbrief\u202a", id="right-to-left-mark-and-embedding"),
        pytest.param("\u202b\u202c\u202d\u202eVorlage:Steckbrief", id="bidi-controls"),
        pytest.param("Vorlage_:_steckbrief<!-- Infobox -->", id="underscores-comment"),
        pytest.param("\xa0Steckbrief\u3000", id="title-white-space"),
    ],
)
def test_every_spelling_of_the_template_is_found_by_params_and_extraction(name: str) -> None:
    text = page(name)
    assert get_template_params(text, "Steckbrief") == {"Name": "Wohngeld", "LeiKa-Schlüssel": KEY}
    assert [(f.raw, f.parameter) for f in extract_keys(text)] == [(KEY, "LeiKa-Schlüssel")]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(":Steckbrief", id="article"),
        pytest.param(": Steckbrief", id="article-space"),
        pytest.param("Benutzer:Steckbrief", id="other-namespace"),
        pytest.param("subst:Steckbrief", id="subst"),
        pytest.param("Vorlage:", id="namespace-only"),
    ],
)
def test_what_is_no_call_of_the_template_is_found_by_neither(name: str) -> None:
    text = page(name)
    assert get_template_params(text, "Steckbrief") is None
    assert extract_keys(text) == []


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("\u200e vorlage : steck_brief <!-- x -->\n", "Steck brief"),
        (":Vorlage:Steckbrief", "Steckbrief"),
        ("ßteckbrief", "ßteckbrief"),  # "ß".upper() is "SS": the first letter stays
        (":Steckbrief", None),
        (":", None),
        ("", None),
        ("<!-- nur ein Kommentar -->", None),
        ("Benutzer:steckbrief", "Benutzer:steckbrief"),
    ],
)
def test_template_title(name: str, title: str | None) -> None:
    assert template_title(name) == title


def test_a_bots_own_template_must_be_a_template() -> None:
    with pytest.raises(ValueError, match="not a template name"):
        get_template_params(page("Steckbrief"), ":Steckbrief")


def test_the_opt_out_resolves_names_the_same_way() -> None:
    assert bot_may_edit("{{\u200enobots}}", "OzgBot") is False
    assert bot_may_edit("{{:Vorlage:Keine_Bots}}", "OzgBot") is False
    assert bot_may_edit("{{:nobots}}", "OzgBot") is True  # transcludes the article "Nobots"
