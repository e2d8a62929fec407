"""Specification of ozgwiki.domain.leika: how keys are normalised and classified (DOMAIN.md §3)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ozgwiki.domain.keyrules import KeyRules
from ozgwiki.domain.leika import (
    KeyLevel,
    KeyStatus,
    classify,
    format_problem,
    normalize,
    parse_key,
    suggest_transposition,
)
from ozgwiki.domain.model import Catalogue, LeikaLeistung

#: The real NRW catalogue, shipped as package data (ozgwiki/data/nrw/PROVENANCE.md).
REAL_SHEET = Path(__file__).resolve().parents[2] / "ozgwiki" / "data" / "nrw" / "ozg_umsetzungskatalog.csv"

KNOWN = frozenset(
    {
        "99012001000000",
        "99012001001000",
        "99008001012000",
        "99008001012009",
        "99023001012002",
        "99001001002000",
        "77000000000317",
    }
)
RETIRED = frozenset({"99008001015000", "99023001012002"})
CAT: dict[str, Any] = {"known": KNOWN, "retired": RETIRED}
K = "99012001001000"

V, U, R, G, IMP, N = (
    KeyStatus.VALID,
    KeyStatus.UNKNOWN,
    KeyStatus.RETIRED,
    KeyStatus.REGIONAL,
    KeyStatus.IMPOSSIBLE,
    KeyStatus.NOT_A_KEY,
)

# raw, classify kwargs, status, normalised key, ok, suggestion, text expected in message or changes
CASES = [
    # -- DOMAIN.md §3.5 examples
    pytest.param("99012001001000", {}, V, K, True, None, "gültiges Format", id="domain-valid-abbruch"),
    pytest.param("99008001012009", {}, V, "99008001012009", True, None, "", id="domain-valid-perso-u16"),
    pytest.param("99023001012002", {}, V, "99023001012002", True, None, "", id="domain-valid-fuehrerschein"),
    pytest.param("77000000000316", {}, G, "77000000000316", False, None, "nicht erlaubt",
                 id="domain-regional"),
    pytest.param("9901200100100", {}, N, "9901200100100", False, None, "13 statt 14 Ziffern",
                 id="domain-13-digits"),
    pytest.param("990120010010000", {}, N, "990120010010000", False, None, "15 statt 14 Ziffern",
                 id="domain-15-digits"),
    pytest.param("99012001000001", {}, IMP, "99012001000001", False, None, "ohne Verrichtung",
                 id="domain-detail-without-verrichtung"),
    pytest.param("99000001001000", {}, IMP, "99000001001000", False, None, "Leistungsgruppierung",
                 id="domain-group-000"),
    pytest.param("9901200A001000", {}, N, "9901200A001000", False, None, "Buchstaben „A“ an Stelle 8",
                 id="domain-letter"),
    pytest.param("10513", {}, N, "10513", False, None, "OZG-ID", id="domain-ozg-id"),
    pytest.param("nicht im LeiKa", {}, N, "nicht im LeiKa", False, None, "Platzhalter",
                 id="domain-placeholder"),
    pytest.param("25323525", {}, N, "25323525", False, None, "Testeintrag", id="domain-kdn-test-key"),
    # -- valid levels
    pytest.param("99012001000000", {}, V, "99012001000000", True, None, "", id="object-key"),
    pytest.param("99151001080001", {}, V, "99151001080001", True, None, "", id="detail-key-high-group"),
    # -- every normalisation: result valid, suggestion is the clean key
    pytest.param("99 012 001 001 000", {}, V, K, True, K, "Leerzeichen entfernt", id="norm-spaces"),
    pytest.param("99  012 001 001\t000", {}, V, K, True, K, "Leerzeichen entfernt", id="norm-space-runs"),
    pytest.param("99.012.001.001.000", {}, V, K, True, K, "Punkte entfernt", id="norm-dots"),
    pytest.param("99-012-001-001-000", {}, V, K, True, K, "Bindestriche entfernt", id="norm-hyphens"),
    pytest.param("99–012–001–001–000", {}, V, K, True, K, "Bindestriche entfernt", id="norm-en-dash"),
    pytest.param("99—012—001—001—000", {}, V, K, True, K, "Bindestriche entfernt", id="norm-em-dash"),
    pytest.param("99\u2011012\u2011001\u2011001\u2011000", {}, V, K, True, K, "Bindestriche entfernt",
                 id="norm-non-breaking-hyphen"),
    pytest.param("99\u2212012\u2212001\u2212001\u2212000", {}, V, K, True, K, "Bindestriche entfernt",
                 id="norm-minus-sign"),
    pytest.param("99\u00a0012\u00a0001\u00a0001\u00a0000", {}, V, K, True, K,
                 "geschützte/schmale Leerzeichen entfernt", id="norm-nbsp"),
    pytest.param("99\u202f012\u202f001\u202f001\u202f000", {}, V, K, True, K,
                 "geschützte/schmale Leerzeichen entfernt", id="norm-narrow-nbsp"),
    pytest.param("99\u2009012\u2009001\u2009001\u2009000", {}, V, K, True, K,
                 "geschützte/schmale Leerzeichen entfernt", id="norm-thin-space"),
    pytest.param("9901200\u200b1001000", {}, V, K, True, K, "unsichtbare Zeichen entfernt",
                 id="norm-zero-width-space"),
    pytest.param("\ufeff99012001001000", {}, V, K, True, K, "unsichtbare Zeichen entfernt", id="norm-bom"),
    pytest.param("990120\u00ad01001000", {}, V, K, True, K, "unsichtbare Zeichen entfernt",
                 id="norm-soft-hyphen"),
    pytest.param("\u200e99012001001000\u200f", {}, V, K, True, K, "unsichtbare Zeichen entfernt",
                 id="norm-bidi-marks"),
    pytest.param("\u202e99012001001000", {}, V, K, True, K, "unsichtbare Zeichen entfernt",
                 id="norm-right-to-left-override"),
    pytest.param("\u2067\u202b99012001001000\u202c\u2069", {}, V, K, True, K, "unsichtbare Zeichen entfernt",
                 id="norm-bidi-embedding-and-isolate"),
    # -- digits of other scripts are never converted (Modul:LeiKa does the same, see key_rules.json)
    pytest.param("９９０１２００１００１０００", {}, N, "９９０１２００１００１０００", False, None,
                 "enthält an Stelle 1 die vollbreite Ziffer „９“; erlaubt sind nur die Ziffern 0–9",
                 id="full-width-digits-are-reported"),
    pytest.param("٩٩٠١٢٠٠١٠٠١٠٠٠", {}, N, "٩٩٠١٢٠٠١٠٠١٠٠٠", False, None,
                 "die Ziffer „٩“ aus einer anderen Schrift", id="arabic-indic-digits-are-reported"),
    pytest.param("99012001001０00", CAT, N, "99012001001０00", False, None, "an Stelle 12 die vollbreite",
                 id="one-full-width-digit-no-suggestion"),
    pytest.param("\u202e９９０１２００１００１０００", {}, N, "９９０１２００１００１０００", False, None,
                 "vollbreite Ziffer", id="full-width-digits-behind-override"),
    pytest.param("LeiKa:99012001001000", {}, V, K, True, K, "Präfix „LeiKa:“ entfernt", id="prefix-leika"),
    pytest.param("LeiKa: 99012001001000", {}, V, K, True, K, "Präfix „LeiKa:“ entfernt",
                 id="prefix-leika-space"),
    pytest.param("Leika-Schlüssel: 99012001001000", {}, V, K, True, K, "Präfix „Leika-Schlüssel:“ entfernt",
                 id="prefix-leika-schluessel"),
    pytest.param("LeiKa-ID 99012001001000", {}, V, K, True, K, "Präfix „LeiKa-ID“ entfernt",
                 id="prefix-leika-id"),
    pytest.param("Leistungsschlüssel: 99012001001000", {}, V, K, True, K, "Präfix „Leistungsschlüssel:“",
                 id="prefix-leistungsschluessel"),
    pytest.param("LEIKA-Nr. 99012001001000", {}, V, K, True, K, "Präfix „LEIKA-Nr.“", id="prefix-nr"),
    pytest.param("„99012001001000“", {}, V, K, True, K, "Anführungszeichen/Klammern entfernt",
                 id="german-quotes"),
    pytest.param('"99012001001000"', {}, V, K, True, K, "Anführungszeichen/Klammern entfernt",
                 id="straight-quotes"),
    pytest.param("(99012001001000)", {}, V, K, True, K, "Anführungszeichen/Klammern entfernt",
                 id="round-brackets"),
    pytest.param("[99012001001000]", {}, V, K, True, K, "Anführungszeichen/Klammern entfernt",
                 id="square-brackets"),
    pytest.param("99012001001000.", {}, V, K, True, K, "Satzzeichen am Rand entfernt", id="trailing-period"),
    pytest.param("LeiKa: „99 012 001 001 000“", {}, V, K, True, K, "Leerzeichen entfernt",
                 id="prefix-quotes-spaces-combined"),
    pytest.param("  99012001001000 \n", {}, V, K, True, None, "", id="surrounding-whitespace-silent"),
    # -- not a key
    pytest.param("", {}, N, None, False, None, "leer", id="empty"),
    pytest.param("   ", {}, N, None, False, None, "leer", id="blank"),
    pytest.param("Nicht im Leika", {}, N, "Nicht im Leika", False, None, "Platzhalter",
                 id="placeholder-other-case"),
    pytest.param("3233", {}, N, "3233", False, None, "Testeintrag", id="kdn-test-key-short"),
    pytest.param("10000", {}, N, "10000", False, None, "OZG-ID", id="ozg-id-first"),
    pytest.param("10601", {}, N, "10601", False, None, "OZG-ID", id="ozg-id-last"),
    pytest.param("20513", {}, N, "20513", False, None, "5 statt 14 Ziffern", id="five-digits-not-ozg"),
    pytest.param("99 012 001 001 00", {}, N, "9901200100100", False, None, "13 statt 14",
                 id="spaced-wrong-length-no-suggestion"),
    pytest.param("99012001#001000", {}, N, "99012001#001000", False, None, "Zeichen „#“ an Stelle 9",
                 id="other-character"),
    pytest.param("Erteilung", {}, N, "Erteilung", False, None, "Buchstaben „E“ an Stelle 1", id="word"),
    pytest.param("9,9012E+13", {}, N, "9,9012E+13", False, None, "Exponentialschreibweise",
                 id="excel-exponent"),
    pytest.param("9.9012E+13", {}, N, "99012E+13", False, None, "Exponentialschreibweise",
                 id="excel-exponent-dot"),
    # -- impossible
    pytest.param("99012000001000", {}, IMP, "99012000001000", False, None, "Leistungskennung",
                 id="leistungskennung-000"),
    pytest.param("99000000000000", {}, IMP, "99000000000000", False, None, "Leistungsgruppierung",
                 id="all-zero-after-99"),
    # -- regional
    pytest.param("77000000000316", {"allow_regional": True}, G, "77000000000316", True, None,
                 "regionale Schlüssel sind erlaubt", id="regional-allowed"),
    pytest.param("77 000 000 000 316", {"allow_regional": True}, G, "77000000000316", True,
                 "77000000000316", "Leerzeichen entfernt", id="regional-allowed-normalised"),
    pytest.param("77000000000000", {}, G, "77000000000000", False, None, "beginnt nicht mit 99",
                 id="regional-no-structure-rules"),
    # -- against a catalogue
    pytest.param(K, CAT, V, K, True, None, "ist gültig", id="catalogue-known"),
    pytest.param("77000000000317", CAT, V, "77000000000317", True, None, "ist gültig",
                 id="catalogue-lists-regional-key"),
    pytest.param("99 012 001 001 000", CAT, V, K, True, K, "Bitte so schreiben",
                 id="catalogue-known-normalised"),
    pytest.param("99012001002000", CAT, U, "99012001002000", False, None, "nicht im LeiKa-Katalog",
                 id="catalogue-unknown"),
    pytest.param("99021001001000", CAT, U, "99021001001000", False, K, "Meinten Sie 99012001001000",
                 id="catalogue-transposition"),
    pytest.param("99012001000100", CAT, IMP, "99012001000100", False, K, "Meinten Sie",
                 id="impossible-transposition"),
    pytest.param("90912001001000", CAT, G, "90912001001000", False, K, "Meinten Sie",
                 id="regional-transposition"),
    pytest.param("99008001015000", CAT, R, "99008001015000", False, None, "aufgehoben", id="retired"),
    pytest.param("99023001012002", CAT, R, "99023001012002", False, None, "aufgehoben",
                 id="retired-beats-known"),
    pytest.param(K, {"known": frozenset(), "catalogue_given": True}, U, K, False, None, "nicht im LeiKa",
                 id="empty-catalogue-given-explicitly"),
    pytest.param(K, {"known": {"99102001001000", "99010201001000"}}, U, K, False, None, "nicht im",
                 id="ambiguous-transposition-no-suggestion"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "kwargs", "status", "key", "ok", "suggestion", "text"), CASES)
def test_classify(
    raw: str,
    kwargs: dict[str, Any],
    status: KeyStatus,
    key: str | None,
    ok: bool,
    suggestion: str | None,
    text: str,
) -> None:
    check = classify(raw, **kwargs)
    assert check.raw == raw
    assert check.status is status
    assert check.key == key
    assert check.ok is ok
    assert check.suggestion == suggestion
    assert text in check.message + " | " + " | ".join(check.changes)


def test_there_are_enough_cases_and_every_status_is_covered() -> None:
    assert len(CASES) >= 60
    assert {p.values[2] for p in CASES} == set(KeyStatus)


def test_status_values_are_the_json_contract() -> None:
    assert {s.value for s in KeyStatus} == {
        "valid", "unknown", "retired", "regional", "impossible", "not_a_key"
    }  # fmt: skip
    assert KeyStatus.NOT_A_KEY.label == "kein Schlüssel"


def test_normalize_reports_nothing_for_a_clean_key() -> None:
    assert normalize(K).changes == ()
    assert normalize(K).key == K


def test_normalize_keeps_spaces_that_are_not_between_digits() -> None:
    assert normalize("nicht im LeiKa").key == "nicht im LeiKa"


def test_prefix_must_be_a_whole_word() -> None:
    assert normalize("Leikasystem 99012001001000").key == "Leikasystem 99012001001000"


def test_digits_of_other_scripts_are_left_as_written() -> None:
    assert normalize("９９ ０１２").key == "９９ ０１２"  # not digits 0-9: nothing to join either
    assert normalize("９９ ０１２").changes == ()


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("99012001001000", None),
        ("77000000000316", None),
        ("9901200100100", "13 statt 14 Ziffern"),
        ("9901200100100ü", "enthält den Buchstaben „ü“ an Stelle 14"),
        (
            "𝟗9012001001000",
            "enthält an Stelle 1 die Ziffer „𝟗“ aus einer anderen Schrift; erlaubt sind nur die Ziffern 0–9",
        ),
        ("99000001001000", "die Leistungsgruppierung (Stellen 3–5) ist 000"),
        ("", "das Feld ist leer"),
    ],
)
def test_format_problem_is_the_short_reason_of_the_message(key: str, reason: str | None) -> None:
    assert format_problem(key) == reason
    if reason is not None:
        assert reason in classify(key).message


_MESSY = st.text(
    alphabet=st.sampled_from(
        list("0123456789 .-–—\u00a0\u202f\u2009\u200b\ufeff９０٣„“\"'()[]:;,LeiKa-Schlüsselnr#E+")
    ),
    max_size=40,
)


@given(st.one_of(_MESSY, st.text(max_size=40)))
def test_normalize_is_idempotent(raw: str) -> None:
    once = normalize(raw)
    twice = normalize(once.key)
    assert twice.key == once.key
    assert twice.changes == ()


@given(st.one_of(_MESSY, st.text(max_size=40)))
def test_classify_never_raises_and_ok_matches_status(raw: str) -> None:
    check = classify(raw, known=KNOWN, retired=RETIRED)
    assert check.ok == (check.status is KeyStatus.VALID)
    if check.suggestion is not None:
        assert classify(check.suggestion, known=KNOWN, retired=RETIRED).status is KeyStatus.VALID


@given(st.text(alphabet="0123456789", min_size=14, max_size=14))
def test_fourteen_ascii_digits_are_never_not_a_key(key: str) -> None:
    assert classify(key).status is not KeyStatus.NOT_A_KEY


@pytest.mark.parametrize(
    ("key", "level", "parent"),
    [
        pytest.param("99012001000000", KeyLevel.OBJECT, None, id="object"),
        pytest.param("99012001001000", KeyLevel.VERRICHTUNG, "99012001000000", id="verrichtung"),
        pytest.param("99008001012009", KeyLevel.DETAIL, "99008001012000", id="detail"),
    ],
)
def test_parse_key_levels_and_parents(key: str, level: KeyLevel, parent: str | None) -> None:
    parts = parse_key(key)
    assert parts.level is level
    assert parts.parent == parent


def test_parse_key_names_the_positions() -> None:
    parts = parse_key("99008001012009")
    assert (parts.prefix, parts.gruppe, parts.leistungskennung, parts.verrichtung, parts.detail) == (
        "99", "008", "001", "012", "009"
    )  # fmt: skip
    assert parts.objekt == "99008001"
    assert parts.is_bundesweit
    assert not parse_key("77000000000316").is_bundesweit


@pytest.mark.parametrize("bad", ["9901200100100", "9901200A001000", "９９０１２００１００１０００", ""])
def test_parse_key_refuses_non_keys(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_key(bad)


def test_suggest_transposition() -> None:
    assert suggest_transposition("99021001001000", KNOWN) == K
    assert suggest_transposition(K, KNOWN) is None  # no swap of a known key gives another known key
    assert suggest_transposition("11111111111111", KNOWN) is None


# --- the real data: the format rules must not reject real keys -----------------------------------


def _real_rows() -> list[str]:
    with REAL_SHEET.open(encoding="utf-8-sig", newline="") as fh:
        return [row["LeiKa-Schlüssel"] for row in csv.DictReader(fh, delimiter=";")]


def test_every_real_key_is_valid_against_the_full_set() -> None:
    rows = _real_rows()
    keys = {k for k in rows if len(k) == 14 and k.isdigit()}
    assert len(keys) == 4813  # ozgwiki/data/nrw/PROVENANCE.md
    bad = [k for k in sorted(keys) if classify(k, known=keys).status is not KeyStatus.VALID]
    assert bad == []
    # and the format rules alone (no catalogue) accept them too
    assert [k for k in sorted(keys) if not classify(k).ok] == []


def test_real_placeholder_rows_are_not_keys() -> None:
    placeholders = [k for k in _real_rows() if not k.isdigit()]
    assert len(placeholders) == 436
    assert {classify(k).status for k in placeholders} == {KeyStatus.NOT_A_KEY}


def test_real_key_levels_match_domain_counts() -> None:
    keys = {k for k in _real_rows() if len(k) == 14 and k.isdigit()}
    levels = Counter(parse_key(k).level for k in keys)
    assert levels == {KeyLevel.OBJECT: 1812, KeyLevel.VERRICHTUNG: 2025, KeyLevel.DETAIL: 976}


# --- KeyRules: the three things a key is judged by, in one value ------------------------------------


@given(raw=st.text(max_size=30) | st.sampled_from([*sorted(KNOWN | RETIRED), "77000000000316", "99 012"]))
def test_key_rules_classify_is_classify_with_a_catalogue(raw: str) -> None:
    for allow in (False, True):
        rules = KeyRules(KNOWN, RETIRED, allow_regional=allow)
        expected = classify(raw, known=KNOWN, retired=RETIRED, allow_regional=allow, catalogue_given=True)
        assert rules.classify(raw) == expected


def test_key_rules_of_a_catalogue_and_an_empty_one() -> None:
    cat = Catalogue(
        leika_leistungen=(
            LeikaLeistung(schluessel=K, bezeichnung="a"),  # type: ignore[call-arg]
            LeikaLeistung(schluessel="99008001015000", bezeichnung="b"),  # type: ignore[call-arg]
        ),
        retired_keys=frozenset({"99008001015000"}),
    )
    rules = KeyRules.of(cat, allow_regional=True)
    assert rules == KeyRules(frozenset({K}), frozenset({"99008001015000"}), allow_regional=True)
    assert rules.classify("99008001015000").status is KeyStatus.RETIRED
    assert rules.classify("77000000000316").ok
    assert not KeyRules.of(cat).classify("77000000000316").ok
    # An empty catalogue is still a catalogue: a well-formed key it does not list is unknown, never
    # "valid because nothing was checked" (that is classify's format-only mode, not a rule set).
    assert KeyRules().classify(K).status is KeyStatus.UNKNOWN
    assert KeyRules(known={K}).known == frozenset({K})  # plain sets are frozen, the value stays hashable
    assert hash(KeyRules(known={K})) == hash(KeyRules(known=frozenset({K})))
