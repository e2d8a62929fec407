"""One LeiKa key rule for Python and the wiki: ozgwiki.domain.leika and Modul:LeiKa judge every key alike.

``ozgwiki leika check``, ``leika scan`` and the validate bot call :func:`ozgwiki.domain.leika.classify`; the
wiki shows what Modul:LeiKa (``templates/Modul-LeiKa.lua``) makes of ``{{LeiKa|…}}``. Both implement
the same rule — :func:`~ozgwiki.domain.leika.normalize` / ``p.normalise`` turns a candidate into a key,
:func:`~ozgwiki.domain.leika.format_problem` / ``p.formatProblem`` says why it is malformed, in the same
words — with the same explicit character classes (Lua 5.1 has no Unicode tables) and counting
characters, not bytes. Digits of other scripts are reported, never converted.

* ``tests/golden/templates/key_rules.json`` is the case table: every case runs through the Python
  checker (the value as one key, and on a page through the validate bot's path) and through the
  module under the real ``lua5.1`` (``tests/unit/test_templates.py``'s stand-in for Scribunto's
  ``mw``), and on the real wiki in ``tests/integration/test_templates_wiki.py``;
* every character of every class, and seeded random input, go through both implementations, which
  must give the same key and the same reason (and, for page text, the same candidates).
"""

from __future__ import annotations

import html
import json
import random
import sys
import unicodedata

import pytest
from test_templates import GOLDEN, run_lua

from ozgwiki.domain import leika
from ozgwiki.domain.keyrules import KeyRules
from ozgwiki.domain.leika import KeyStatus, classify, format_problem, normalize
from ozgwiki.render.maintenance import check_page
from ozgwiki.wikitext.extract import extract_keys

CASES = json.loads((GOLDEN / "key_rules.json").read_text(encoding="utf-8"))["cases"]
MALFORMED = {KeyStatus.NOT_A_KEY, KeyStatus.IMPOSSIBLE}
SEED = 20240611
PROPERTY = "LeiKa-Schlüssel"


def lua_string(text: str) -> str:
    """A Lua string literal for any text (every byte as a decimal escape)."""
    return '"' + "".join(f"\\{b}" for b in text.encode("utf-8")) + '"'


_HEX = (
    "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x', c:byte()) end)) end "
)


def _unhex(text: str) -> str | None:
    return None if text == "-" else bytes.fromhex(text).decode("utf-8")


def lua_rule(texts: list[str]) -> list[tuple[str, str | None]]:
    """Modul:LeiKa's key and reason for each text taken as one candidate (no splitting)."""
    call = (
        f"(function() {_HEX}local L = require('Modul:LeiKa') local out = {{}} "
        f"for _, s in ipairs({{{','.join(lua_string(t) for t in texts)}}}) do "
        "local k = L.normalise(s) local r = L.formatProblem(k) "
        "out[#out + 1] = hex(k) .. ':' .. (r and hex(r) or '-') end "
        "return table.concat(out, ';') end)()"
    )
    out, _ = run_lua(call, smw=True)
    pairs = [item.split(":") for item in out.split(";")] if texts else []
    return [(_unhex(k) or "", _unhex(r)) for k, r in pairs]


def lua_entries(texts: list[str]) -> list[list[tuple[str, str, str | None]]]:
    """Modul:LeiKa's candidates of each list text: (raw, key, reason) for each."""
    call = (
        f"(function() {_HEX}local L = require('Modul:LeiKa') local out = {{}} "
        f"for _, s in ipairs({{{','.join(lua_string(t) for t in texts)}}}) do local e = {{}} "
        "for _, entry in ipairs(L.entries(s)) do local r = L.formatProblem(entry.key) "
        "e[#e + 1] = hex(entry.raw) .. ':' .. hex(entry.key) .. ':' .. (r and hex(r) or '-') end "
        "out[#out + 1] = table.concat(e, ',') end "
        "return table.concat(out, ';') end)()"
    )
    out, _ = run_lua(call, smw=True)
    result = []
    for item in out.split(";") if texts else []:
        entries = []
        for entry in item.split(",") if item else []:
            raw, key, reason = entry.split(":")
            entries.append((_unhex(raw) or "", _unhex(key) or "", _unhex(reason)))
        result.append(entries)
    return result


def python_rule(text: str) -> tuple[str, str | None]:
    key = normalize(text).key
    return key, format_problem(key)


def python_entries(text: str) -> list[tuple[str, str, str | None]]:
    return [(f.raw, *python_rule(f.raw)) for f in extract_keys("{{LeiKa|" + text + "}}")]


# ------------------------------------------------------------------------------------ the case table


def test_the_case_table_covers_every_normalisation() -> None:
    assert len(CASES) >= 40
    assert len({c["id"] for c in CASES}) == len(CASES)
    texts = "".join(c["text"] for c in CASES)
    for chars in (
        leika.PLAIN_SPACES, {"\xa0", "\u2009", "\u202f"}, {".", "\u00b7"}, {"-", "\u2013", "\u2212"},
        {"\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"},
        {"\u2066", "\u2067", "\u2068", "\u2069", "\ufeff", "\u200b"}, {"„", "“", "(", ")"},
    ):  # fmt: skip
        assert set(chars) <= set(texts), sorted(set(chars) - set(texts))
    assert any(ch in leika.FULLWIDTH_DIGITS for ch in texts)
    assert any(ch in leika.FOREIGN_DIGITS and ch not in leika.FULLWIDTH_DIGITS for ch in texts)
    assert any(ord(ch) > 0xFFFF and leika.is_digit(ch) for ch in texts)  # 4-byte UTF-8
    assert any(c["id"].startswith("prefix-") for c in CASES)
    reasons = [c["reason"] or "" for c in CASES]
    assert any("statt 14 Ziffern" in r for r in reasons)
    assert {c["reason"] is None for c in CASES} == {True, False}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_python_checker(case: dict) -> None:
    """``ozgwiki leika check`` (the value as one key) and the validate bot (the value on a page)."""
    text, key, reason = case["text"], case["key"], case["reason"]
    check = classify(text)
    assert (check.key or "") == key
    assert format_problem(key) == reason
    if reason is None:
        assert check.status not in MALFORMED
    else:
        assert check.status in MALFORMED and not check.ok
        assert reason in check.message

    page = "{{LeiKa|" + text + "}}"
    assert [python_rule(f.raw) for f in extract_keys(page)] == [(key, reason)]
    (finding,) = check_page("Testseite", page, rules=KeyRules())  # an empty catalogue: all unknown
    assert (finding.key or "") == key
    if reason is None:
        assert finding.status in (KeyStatus.UNKNOWN, KeyStatus.REGIONAL)
    else:
        assert finding.status in MALFORMED and reason in finding.message


def test_lua_module_passes_the_case_table() -> None:
    """Modul:LeiKa under lua5.1: one candidate, the key, the reason; shown, linked and stored."""
    texts = [c["text"] for c in CASES]
    assert lua_rule(texts) == [(c["key"], c["reason"]) for c in CASES]
    entries = lua_entries(texts)
    for case, found in zip(CASES, entries, strict=True):
        assert [(key, reason) for _raw, key, reason in found] == [(case["key"], case["reason"])], case["id"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_lua_module_shows_and_stores_the_case(case: dict) -> None:
    """What an editor sees with ``{{LeiKa|…}}``: a malformed key is marked with the shared reason and
    never stored; a well-formed one is looked up as ``LeiKa <key>``, linked and stored when known."""
    key, reason = case["key"], case["reason"]
    call = (
        "require('Modul:LeiKa').inline(makeFrame({attribut='LeiKa-Schlüssel'}, "
        f"{{{lua_string(case['text'])}}}))"
    )
    existing = () if reason is not None else (f"LeiKa {key}",)
    out, sets = run_lua(call, smw=True, existing=existing)
    if reason is not None:
        assert f"(ungültiger LeiKa-Schlüssel: {reason})" in html.unescape(out)
        assert "[[Kategorie:Seiten mit ungültigen LeiKa-Schlüsseln]]" in out
        assert sets == [] and "[[LeiKa " not in out
    else:
        assert out == f"[[LeiKa {key}|{key}]]"
        assert sets == [f"#set {PROPERTY}={key}"]


# -------------------------------------------------------------- every character, and random input


def _class_chars() -> list[str]:
    """Every character of every class, the digits of every script, and neighbours of the classes."""
    chars: set[str] = set()
    for cls in (
        leika.WHITESPACE, leika.SPACES, leika.DOTS, leika.DASHES, leika.FORMAT_CHARS, leika.OPENERS,
        leika.CLOSERS, leika.EDGE_PUNCT, leika.FOREIGN_DIGITS,
    ):  # fmt: skip
        chars |= cls
    for first, last in ((0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x24F), (0x1E00, 0x1EFF)):
        chars |= {chr(first - 1), chr(first), chr(last), chr(last + 1)}
    for zero in leika.FOREIGN_DIGIT_ZEROS:
        chars |= {chr(zero - 1), chr(zero + 10)}
    chars |= set("AZaz_ÄÖÜäöüß×÷€#%&*+/<=>@\\^`|~\x7f") | {"\u0600", "\ufff9", "\U0001d173", "\u2065", "😀"}
    chars |= {chr(cp) for cp in range(0x2000, 0x2070)} | {chr(cp) for cp in range(0xE0000, 0xE0081)}
    return sorted(chars)


def _shapes(ch: str) -> list[str]:
    return [
        ch,
        f"99{ch}012001001000",
        f"{ch}99012001001000",
        f"99012001001000{ch}",
        f"99 012{ch}001 001 000",
        f"LeiKa{ch}99012001001000",
        f"Leika-Schl{ch}ssel: 99012001001000",
        f"nicht{ch}im LeiKa",
        f"nicht im LeiKa{ch}",
        f"{ch}{ch}",
        f"9.9{ch}E+13",
    ]


def test_every_character_of_every_class_is_judged_alike() -> None:
    texts = [shape for ch in _class_chars() for shape in _shapes(ch)]
    python = [python_rule(t) for t in texts]
    lua = lua_rule(texts)
    differ = [(t, p, lu) for t, p, lu in zip(texts, python, lua, strict=True) if p != lu]
    assert differ == []


_TOKENS = [
    *"0123456789" * 6, "99", "012", "001", "000", "9", " ", " ", "  ", "\t", "\xa0", "\u2009", "\u202f",
    "\u3000", "\u2028", "\x85", ".", "·", "．", "-", "–", "—", "\u2011", "−", "－", "\u200b", "\u200e",
    "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
    "\ufeff", "\u00ad", "\u2060", "\U000e0041", "\u0600", "„", "“", "”", '"', "(", ")", "«", "»", "「", "」",
    ",", ";", ":", "!", "?", "/", "+", "&", "#", "_", "=", "９", "０", "٣", "۹", "९", "০", "𝟗", "ä", "Ü", "ß",
    "é", "ſ", "K", "İ", "α", "Я", "中", "€", "😀", "A", "E", "e", "x", "LeiKa", "leika", "LEIKA", "Lei Ka",
    "Lei\u00a0Ka", "Leika-", "LeiKa:", "LeiKa-ID", "Nr.", "nr", "Nummer", "Key", "Code", "Schlüssel",
    "schluessel", "SCHLÜSSEL", "Leistungs", "Leistungsschlüssel", "nicht", "Nicht", "im", "in", "der",
    "nicht im LeiKa", "nicht in der Leika", "E+", "e+13", "9,9012E+13", "25323525", "3233", "10513",
    "10999", "11000", "und", "UND", "sowie", "oder", "bzw.",
]  # fmt: skip
#: Markup is left out of page text: the splitting of tags, links and entities has its own case table.
_MARKUP = set("|{}[]<>&='\n\r")


_KEYS = ["99012001001000", "99008001012009", "99012001000000", "77000000000316", "99000001001000"]
_SEPARATORS = [" ", " ", "", "", "", ".", "-", "–", "\xa0", "\u2009", "\u202f", "\u200b", "\xad", "  ", "\t"]
_AROUND = [
    "", "", "", "„", "“", "(", ")", "«", "»", '"', ".", ",", ":", "\u202e", "\u200e", "\ufeff", "\u2066",
]  # fmt: skip
_PREFIXES = [
    "", "", "", "LeiKa:", "LeiKa: ", "Leika-Schlüssel ", "LEIKA-NR.", "Lei Ka ", "Schlüssel ", "LeiKa-ID",
]  # fmt: skip


def _key_like(rng: random.Random) -> str:
    """A key as editors mangle it: groups, separators, a prefix, quotes, now and then a wrong digit."""
    digits = list(rng.choice(_KEYS) if rng.random() < 0.8 else "".join(rng.choices("0123456789", k=14)))
    if rng.random() < 0.15:
        digits.pop(rng.randrange(len(digits)))
    if rng.random() < 0.15:
        at = rng.randrange(len(digits))
        digits[at] = chr(rng.choice(leika.FOREIGN_DIGIT_ZEROS) + int(digits[at]))
    out = []
    for i, digit in enumerate(digits):
        out.append(digit)
        if i < len(digits) - 1 and rng.random() < 0.3:
            out.append(rng.choice(_SEPARATORS))
    core = "".join(out)
    return rng.choice(_AROUND) + rng.choice(_PREFIXES) + rng.choice(_AROUND) + core + rng.choice(_AROUND)


def _random_texts(rng: random.Random, n: int, *, page: bool) -> list[str]:
    """Half token soup (every class, prefix words, placeholders, ...), half mangled keys."""
    tokens = [t for t in _TOKENS if not (page and set(t) & _MARKUP)]
    texts = []
    for i in range(n):
        if i % 2:
            text = _key_like(rng)
            if page and rng.random() < 0.3:
                text += rng.choice([", ", " und ", " / ", " "]) + _key_like(rng)
        else:
            text = "".join(rng.choice(tokens) for _ in range(rng.randint(0, 9)))
        texts.append(text)
    return texts


def test_random_input_is_judged_alike() -> None:
    texts = _random_texts(random.Random(SEED), 3000, page=False)
    python = [python_rule(t) for t in texts]
    lua = lua_rule(texts)
    differ = [(t, p, lu) for t, p, lu in zip(texts, python, lua, strict=True) if p != lu]
    assert differ[:5] == []


def test_random_page_text_gives_the_same_candidates_keys_and_reasons() -> None:
    texts = _random_texts(random.Random(SEED + 1), 1500, page=True)
    python = [python_entries(t) for t in texts]
    lua = lua_entries(texts)
    differ = [(t, p, lu) for t, p, lu in zip(texts, python, lua, strict=True) if p != lu]
    assert differ[:5] == []


# ----------------------------------------------------------- the explicit classes against Unicode


def _all_chars() -> list[str]:
    return [chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF]


def test_digit_blocks_cover_every_decimal_digit_python_knows() -> None:
    """Nothing ``str.isdecimal`` accepts is misnamed: each digit of another script gets its reason."""
    decimal = {ch for ch in _all_chars() if ch.isdecimal()}
    listed = leika.FOREIGN_DIGITS | leika.ASCII_DIGITS
    assert decimal - listed == set(), (
        "add the missing digit blocks to ozgwiki/domain/leika.py and Modul:LeiKa"
    )
    newer = {ch for ch in listed - decimal if unicodedata.category(ch) != "Cn"}
    assert newer == set()  # listed but not decimal: only digits of a newer Unicode than this Python's
    known = [chr(zero) for zero in leika.FOREIGN_DIGIT_ZEROS if chr(zero).isdecimal()]
    assert {unicodedata.decimal(zero) for zero in known} == {0}


def test_character_classes_are_what_their_names_say() -> None:
    every = _all_chars()
    assert {ch for ch in every if ch.isspace()} == leika.WHITESPACE
    assert {ch for ch in every if unicodedata.category(ch) == "Zs"} == leika.SPECIAL_SPACES | {" "}
    assert {ch for ch in every if unicodedata.category(ch) == "Pd"} | {"\u2212"} == leika.DASHES
    assert {unicodedata.category(ch) for ch in leika.FORMAT_CHARS} == {"Cf"}
    assert all(ch.isalpha() for ch in leika.LETTERS)
    assert not leika.FORMAT_CHARS & (leika.WHITESPACE | leika.DASHES | leika.DOTS | leika.LETTERS)
