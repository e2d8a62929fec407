"""Specification of ozgwiki.wikitext.extract: which key candidates a page holds, and where."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import golden
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ozgwiki.wikitext.extract import (
    DEFAULT_KEY_PARAMS,
    extract_keys,
    render_key_list,
)
from ozgwiki.wikitext.parse import template_title

#: tests/golden/extract/<case>/: ``page.wiki`` and the candidates it holds, ``expected.json``.
CASES = golden.cases("extract")


def test_golden_cases_exist() -> None:
    assert len(CASES) >= 12
    for case in CASES:
        assert (case / "page.wiki").is_file() and (case / "expected.json").is_file(), case.name


@pytest.mark.parametrize("case", CASES, ids=golden.case_id)
def test_golden(case: Path) -> None:
    found = [asdict(f) for f in extract_keys(golden.read(case / "page.wiki"))]
    golden.check(case / "expected.json", json.dumps(found, ensure_ascii=False, indent=1) + "\n")


def _raws(value: str, template: str = "OZG-Leistung", param: str = "LeiKa-Schlüssel") -> list[str]:
    return [f.raw for f in extract_keys(f"{{{{{template}|{param}={value}}}}}")]


A, B = "99012001001000", "99008001012009"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(f"{A}, {B}", [A, B], id="comma"),
        pytest.param(f"{A};{B}", [A, B], id="semicolon"),
        pytest.param(f"{A} {B}", [A, B], id="space-between-full-keys"),
        pytest.param(f"{A}\n{B}", [A, B], id="newline"),
        pytest.param(f"{A}<br>{B}", [A, B], id="br"),
        pytest.param(f"{A}<br/>{B}", [A, B], id="br-slash"),
        pytest.param(f"{A}<br />{B}", [A, B], id="br-space-slash"),
        pytest.param(f"{A} und {B}", [A, B], id="und"),
        pytest.param(f"{A} sowie {B}", [A, B], id="sowie"),
        pytest.param(f"{A}/{B}", [A, B], id="slash"),
        pytest.param(f"{A} - {B}", [A, B], id="spaced-dash"),
        pytest.param("99 012 001 001 000", ["99 012 001 001 000"], id="spaces-inside-key"),
        pytest.param("99.012.001.001.000", ["99.012.001.001.000"], id="dots-inside-key"),
        pytest.param("99 012 001 001 000 99 008 001 012 009", ["99 012 001 001 000", "99 008 001 012 009"],
                     id="two-spaced-keys"),
        pytest.param("99\u00a0012\u202f001\u2009001 000", ["99\u00a0012\u202f001\u2009001 000"],
                     id="special-spaces-inside-key"),
        pytest.param("99&nbsp;012&nbsp;001&nbsp;001&nbsp;000", ["99\u00a0012\u00a0001\u00a0001\u00a0000"],
                     id="nbsp-entity"),
        pytest.param("9901200100100 99008001012009", ["9901200100100", B], id="13-then-14-digits"),
        pytest.param(f"{A} 1", [A, "1"], id="stray-digit-not-joined"),
        pytest.param(f"{A} <!-- {B} -->", [A], id="comment"),
        pytest.param("990120<!-- x -->01001000", [A], id="comment-inside-key-joins-like-mediawiki"),
        pytest.param(f"<nowiki>{B}</nowiki> {A}", [A], id="nowiki"),
        pytest.param(f"<code>{A}</code>", [A], id="code-counts"),
        pytest.param(f"<s>{B}</s> {A}", [A], id="struck-out"),
        pytest.param(f"{A} https://example.org/{B}", [A], id="bare-url"),
        pytest.param(f"[https://example.org/{B} {B}] {A}", [A], id="external-link-with-title"),
        pytest.param(f"[[{A}]]", [A], id="wikilink-title"),
        pytest.param(f"[[Datei:{B}.png]] {A}", [A], id="file-link"),
        pytest.param(f"{A} (Erteilung)", [A], id="commentary-word"),
        pytest.param("nicht im LeiKa", ["nicht im LeiKa"], id="placeholder"),
        pytest.param(" – ", [], id="dash-only-is-empty"),
        pytest.param("", [], id="empty"),
        pytest.param("9901200A001000", ["9901200A001000"], id="mixed-word"),
        pytest.param(f"LeiKa:{A}", [f"LeiKa:{A}"], id="prefix-glued"),
        pytest.param(f"„{A}“", [f"„{A}“"], id="quotes-kept-for-normalize"),
    ],
)  # fmt: skip
def test_splitting(value: str, expected: list[str]) -> None:
    assert _raws(value) == expected


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        pytest.param("OZG-Leistung", "OZG-Leistung", id="plain"),
        pytest.param("oZG-Leistung", "OZG-Leistung", id="first-letter"),
        pytest.param("Vorlage:OZG-Leistung", "OZG-Leistung", id="vorlage"),
        pytest.param("vorlage : oZG-Leistung", "OZG-Leistung", id="vorlage-lower-spaces"),
        pytest.param("Template:OZG-Leistung", "OZG-Leistung", id="template"),
        pytest.param("Infobox__Lösung", "Infobox Lösung", id="underscores"),
        pytest.param("  Infobox \u00a0 Lösung\n", "Infobox Lösung", id="space-runs"),
        pytest.param(":Vorlage:OZG-Leistung", "OZG-Leistung", id="colon-vorlage"),
        pytest.param(":OZG-Leistung", None, id="colon-article"),
        pytest.param("", None, id="empty"),
    ],
)
def test_canonical_template_name(name: str, canonical: str | None) -> None:
    assert template_title(name) == canonical


def test_template_names_in_the_config_are_canonicalised_too() -> None:
    """First letter and underscores are free; the rest of a title is case-sensitive, as in MediaWiki."""
    text = "{{Infobox Lösung|Schlüssel=99012001001000}}{{infobox_Lösung|Schlüssel=99008001012009}}"
    found = extract_keys(text, key_params={"infobox_Lösung": ("Schlüssel",)})
    assert [(f.template, f.raw) for f in found] == [
        ("Infobox Lösung", A),
        ("infobox_Lösung", B),
    ]
    assert extract_keys(text, key_params={"Infobox lösung": ("Schlüssel",)}) == []


def test_default_key_params_follow_the_architecture_table() -> None:
    assert dict(DEFAULT_KEY_PARAMS) == {
        "LeiKa-Leistung": ("Schlüssel",),
        "OZG-Leistung": ("LeiKa-Schlüssel",),
        "Umsetzungsprojekt": ("LeiKa-Schlüssel",),
        "Steckbrief": ("LeiKa-Schlüssel",),
    }


def test_other_inline_template_names() -> None:
    text = "{{LeiKa|99012001001000}} {{Schlüssel|99008001012009}}"
    assert [f.raw for f in extract_keys(text, inline_templates=("Schlüssel",))] == [B]


def test_inline_template_named_parameters_are_not_keys() -> None:
    text = "{{LeiKa|99012001001000|text=99008001012009|02=1}}"
    assert [(f.parameter, f.raw) for f in extract_keys(text)] == [("1", A)]


def test_line_numbers_are_one_based_and_count_from_the_original_text() -> None:
    text = "a\n<!-- \n\n -->\n{{OZG-Leistung\n|LeiKa-Schlüssel=\n\n99012001001000}}"
    (finding,) = extract_keys(text)
    assert finding.line == 8
    assert text[finding.offset : finding.offset + 14] == A


def test_a_rendered_key_list_is_comma_separated() -> None:
    assert render_key_list([A, B]) == f"{A}, {B}"
    assert render_key_list([]) == ""


@pytest.mark.parametrize("bad", ["", "99 012", "9901200A001000", "٩٩"])
def test_render_key_list_refuses_unnormalised_keys(bad: str) -> None:
    with pytest.raises(ValueError):
        render_key_list([A, bad])


# --- properties ------------------------------------------------------------------------------------

_WIKI_PIECES = st.sampled_from(
    [
        "{{", "}}", "{{{", "}}}", "|", "=", "[[", "]]", "[", "]", "<", ">", "!", "-", "<!--", "-->",
        "<nowiki>", "</nowiki>", "<pre>", "<br>", "<br/>", "<ref>", "</ref>", "<s>", "</s>", "\n", " ",
        ",", ";", "/", "und", "LeiKa", "Steckbrief", "OZG-Leistung", "LeiKa-Schlüssel", "Schlüssel",
        "Vorlage:", ":", "http://x.de/", "99012001001000", "99 012", "001", "9", "0", "A", "ä",
        "\u00a0", "\u200b",
    ]
)  # fmt: skip
_WIKIISH = st.lists(_WIKI_PIECES, max_size=60).map("".join)
# The same junk inside a key parameter, so the splitting code is exercised, not only the parser.
_IN_KEY_PARAM = st.tuples(_WIKIISH, _WIKIISH, _WIKIISH).map(
    lambda t: f"{t[0]}{{{{Steckbrief|LeiKa-Schlüssel={t[1]}}}}}{t[2]}"
)


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=300), _WIKIISH, _IN_KEY_PARAM))
def test_extract_never_raises_and_positions_point_into_the_text(text: str) -> None:
    findings = extract_keys(text)
    for f in findings:
        assert 0 <= f.offset < len(text)
        assert f.line == text.count("\n", 0, f.offset) + 1
        assert f.raw
        if "&" not in text:  # entities are decoded, so only then is raw's first char literally there
            assert text[f.offset] == f.raw[0]
    assert [f.offset for f in findings] == sorted(f.offset for f in findings)


_KEY = st.text(alphabet="0123456789", min_size=14, max_size=14)


@given(st.lists(_KEY, max_size=8), st.sampled_from(sorted(DEFAULT_KEY_PARAMS)))
def test_a_rendered_key_list_extracts_back_to_the_same_keys(keys: list[str], template: str) -> None:
    param = DEFAULT_KEY_PARAMS[template][0]
    text = f"Vorher\n{{{{{template}\n|{param}={render_key_list(keys)}\n}}}}\nNachher"
    assert [f.raw for f in extract_keys(text)] == keys


@given(st.lists(st.text(alphabet="0123456789", min_size=1, max_size=20), max_size=6))
def test_any_digit_strings_round_trip(keys: list[str]) -> None:
    text = f"{{{{Steckbrief|LeiKa-Schlüssel={render_key_list(keys)}}}}}"
    assert [f.raw for f in extract_keys(text)] == keys
