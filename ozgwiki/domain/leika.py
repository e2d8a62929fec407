"""Normalise and classify LeiKa keys (Leistungsschlüssel).

The rules come from ``DOMAIN.md`` §3: a bundesweit LeiKa key has 14 digits and starts with ``99``::

    99  012  001  001  000
    │    │    │    │    └─ pos 12-14 Verrichtungsdetail (000 = none)
    │    │    │    └────── pos 9-11  Verrichtungskennung (000 = none)
    │    │    └─────────── pos 6-8   Leistungskennung (never 000)
    │    └──────────────── pos 3-5   Leistungsgruppierung (never 000)
    └───────────────────── pos 1-2   "99"

A detail never exists without a Verrichtung. 14-digit keys without ``99`` exist in the wild (e.g.
``77000000000316``); they are regional keys whose structure we do not know, so the structure rules
are not applied to them.

Everything here is pure: no I/O, no catalogue loading. The catalogue is passed in as plain
containers of key strings, so callers (CLI, bots, tests) decide where it comes from.

Messages are German because editors read them on the wiki and in the bot's reports.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Container, Sized
from dataclasses import dataclass

KEY_LENGTH = 14
BUNDESWEIT_PREFIX = "99"

#: Test rows of the KDN development database (DOMAIN.md §3.5, PROVENANCE.md); never real keys.
KDN_TEST_KEYS: frozenset[str] = frozenset({"25323525", "3233"})

#: OZG-IDs in the KDN catalogue run from 10000 to 10601 (DOMAIN.md §4.3). We treat the whole
#: 10000-10999 block as OZG-IDs: no LeiKa key has five digits, so nothing valid is lost.
OZG_ID_RANGE = range(10000, 11000)


class KeyStatus(enum.StrEnum):
    """What a key candidate is. The values are stable: they appear in JSON output and reports."""

    VALID = "valid"
    UNKNOWN = "unknown"
    RETIRED = "retired"
    REGIONAL = "regional"
    IMPOSSIBLE = "impossible"
    NOT_A_KEY = "not_a_key"

    @property
    def label(self) -> str:
        """The German word an editor sees for this status."""
        return _STATUS_LABELS[self]


_STATUS_LABELS: dict[KeyStatus, str] = {
    KeyStatus.VALID: "gültig",
    KeyStatus.UNKNOWN: "unbekannt",
    KeyStatus.RETIRED: "aufgehoben",
    KeyStatus.REGIONAL: "regional",
    KeyStatus.IMPOSSIBLE: "unmöglich",
    KeyStatus.NOT_A_KEY: "kein Schlüssel",
}


class KeyLevel(enum.StrEnum):
    """The three kinds of LeiKa entries (DOMAIN.md §3.1)."""

    OBJECT = "object"
    VERRICHTUNG = "verrichtung"
    DETAIL = "detail"


@dataclass(frozen=True)
class Normalized:
    """The result of :func:`normalize`: the cleaned text and what was done to it, in German."""

    key: str
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeyCheck:
    """The verdict on one key candidate.

    ``ok`` is what callers act on: true for VALID, and for REGIONAL when regional keys are allowed.
    ``suggestion`` is set only when we are certain what the editor meant.
    """

    raw: str
    key: str | None
    status: KeyStatus
    message: str
    suggestion: str | None = None
    changes: tuple[str, ...] = ()
    ok: bool = False


@dataclass(frozen=True)
class KeyParts:
    """The positions of a 14-digit key, named as in DOMAIN.md §3.2."""

    key: str
    prefix: str
    gruppe: str
    leistungskennung: str
    verrichtung: str
    detail: str

    @property
    def objekt(self) -> str:
        """The first 8 digits: they identify the Leistungsobjekt."""
        return self.key[:8]

    @property
    def level(self) -> KeyLevel:
        """Object, object + Verrichtung, or object + Verrichtung + Detail."""
        if self.detail != "000":
            return KeyLevel.DETAIL
        if self.verrichtung != "000":
            return KeyLevel.VERRICHTUNG
        return KeyLevel.OBJECT

    @property
    def parent(self) -> str | None:
        """The key one level up (detail → Verrichtung, Verrichtung → object); None for an object."""
        level = self.level
        if level is KeyLevel.DETAIL:
            return self.key[:11] + "000"
        if level is KeyLevel.VERRICHTUNG:
            return self.objekt + "000000"
        return None

    @property
    def is_bundesweit(self) -> bool:
        """True for the federal "99er-Schlüssel"."""
        return self.prefix == BUNDESWEIT_PREFIX


def parse_key(key: str) -> KeyParts:
    """Split a normalised 14-digit key into its parts. Raises ValueError for anything else."""
    if len(key) != KEY_LENGTH or not key.isascii() or not key.isdigit():
        raise ValueError(f"not a 14-digit key: {key!r}")
    return KeyParts(
        key=key,
        prefix=key[0:2],
        gruppe=key[2:5],
        leistungskennung=key[5:8],
        verrichtung=key[8:11],
        detail=key[11:14],
    )


# --- the key rule, shared with Modul:LeiKa -------------------------------------------------------
#
# Modul:LeiKa (templates/Modul-LeiKa.lua) implements this rule a second time, in Lua 5.1 on the
# wiki, so that the page shows exactly what the validate bot and ``ozgwiki leika check`` report.
# Lua 5.1 has no Unicode tables, so every character class below is an explicit list (no
# ``unicodedata``, no ``\s``/``\w`` in patterns, no Unicode case folding) that the Lua module
# repeats character for character, and positions and lengths are counted in characters.
# tests/golden/templates/key_rules.json holds the cases both must pass (tests/unit/
# test_key_rules_shared.py runs them through Python and lua5.1 and compares both on random input;
# tests/integration/test_templates_wiki.py renders them on the real wiki).
#
# Digits of other scripts (full-width ９, Arabic-Indic ٩, Devanagari ९, ...) are *not* converted:
# a key is made of the ASCII digits 0-9, and anything else is reported with a reason of its own.
# Several of those digits look like a different ASCII digit (Bengali ৪ is 4, Arabic-Indic ٥ is 5),
# and a key stored in them is not found by a search for the key; an editor fixes it once.


def _chars(*spans: str | tuple[int, int]) -> frozenset[str]:
    """A character set from strings and inclusive code point ranges."""
    out: set[str] = set()
    for span in spans:
        if isinstance(span, tuple):
            out.update(chr(cp) for cp in range(span[0], span[1] + 1))
        else:
            out.update(span)
    return frozenset(out)


#: White space as ``str.isspace`` knows it (trimmed at the edges, and word gaps in ozgwiki.wikitext.extract).
WHITESPACE = _chars(
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680", (0x2000, 0x200A), "\u2028\u2029\u202f\u205f\u3000"
)
#: Spaces removed between digits: " " and tab ("Leerzeichen"), and the protected and narrow ones
#: editors paste from Word, PDFs and web pages (no-break, narrow no-break, thin, figure, hair, ...).
PLAIN_SPACES = _chars(" \t")
SPECIAL_SPACES = _chars("\xa0\u1680", (0x2000, 0x200A), "\u202f\u205f\u3000")
SPACES = PLAIN_SPACES | SPECIAL_SPACES
DOTS = _chars(".\u00b7\u2024\u2027\u30fb\uff0e")
#: Hyphen-minus, every dash of Unicode's category Pd, and the minus sign.
DASHES = _chars(
    "-\u058a\u05be\u1400\u1806", (0x2010, 0x2015), "\u2e17\u2e1a\u2e3a\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0",
    "\ufe31\ufe32\ufe58\ufe63\uff0d\U00010ead\u2212",
)  # fmt: skip
#: Invisible format characters, dropped anywhere: soft hyphen, Arabic letter mark, Mongolian vowel
#: separator, zero-width space/joiners, the bidi marks, embeddings, overrides and isolates
#: (U+200E/F, U+202A-E, U+2066-9), word joiner and invisible operators, BOM, and the tag characters.
FORMAT_CHARS = _chars(
    "\u00ad\u061c\u180e", (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), "\ufeff",
    "\U000e0001", (0xE0020, 0xE007F),
)  # fmt: skip
#: Quotes and brackets editors put around a key.
OPENERS = _chars("\"'„“”‚‘’«»‹›([{<（［「『")
CLOSERS = _chars("\"'„“”‚‘’«»‹›)]}>）］」』")
#: Sentence punctuation at the edges of a key: "… 99012001001000."
EDGE_PUNCT = _chars(".,;:!?")
ASCII_DIGITS = _chars("0123456789")
#: What counts as a letter (messages, prefix and placeholder word ends): Latin letters.
LETTERS = _chars((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x24F), (0x1E00, 0x1EFF))
#: The zeros of the decimal digit blocks of other scripts (each block is zero..nine), i.e. every
#: character ``str.isdecimal`` accepts beyond 0-9. Kawi (U+11F50) and Nag Mundari (U+1E4F0) are
#: Unicode 15 and not yet in the unicodedata of every Python we run on.
FOREIGN_DIGIT_ZEROS: tuple[int, ...] = (
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0,
    0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x11F50, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE,
    0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E950, 0x1FBF0,
)  # fmt: skip
FOREIGN_DIGITS = _chars(*((zero, zero + 9) for zero in FOREIGN_DIGIT_ZEROS))
FULLWIDTH_DIGITS = _chars((0xFF10, 0xFF19))

#: The prefixes editors write before a key ("LeiKa:", "Leika-Schlüssel:", "LeiKa-ID", ...).
_PREFIX_SUFFIXES = ("schlüssel", "schluessel", "id", "nr.", "nr", "nummer", "key", "code")
_PREFIX_WORDS = ("leistungsschlüssel", "leistungsschluessel", "schlüssel", "schluessel")
_PREFIX_LINK = _chars("-_") | WHITESPACE
_PREFIX_SEPARATORS = _chars(":=#-", (0x2010, 0x2015))


def is_digit(ch: str) -> bool:
    """A decimal digit of any script (ASCII or :data:`FOREIGN_DIGITS`), as ozgwiki.wikitext.extract counts
    them."""
    return ch in ASCII_DIGITS or ch in FOREIGN_DIGITS


def is_word_char(ch: str) -> bool:
    """A letter (:data:`LETTERS`) or a digit of any script."""
    return ch in LETTERS or is_digit(ch)


def _lower(ch: str) -> str:
    """Case folding for the prefix and placeholder words: ASCII letters and Ä, Ö, Ü only."""
    if "A" <= ch <= "Z":
        return chr(ord(ch) + 32)
    return {"Ä": "ä", "Ö": "ö", "Ü": "ü"}.get(ch, ch)


def _word_at(text: str, i: int, word: str) -> int | None:
    """The end of ``word`` (case-insensitively, see :func:`_lower`) when ``text`` has it at ``i``."""
    if len(text) - i < len(word):
        return None
    if all(_lower(text[i + k]) == c for k, c in enumerate(word)):
        return i + len(word)
    return None


def _word_end(text: str, i: int) -> bool:
    return i >= len(text) or text[i] not in LETTERS


def _skip(text: str, i: int, chars: frozenset[str]) -> int:
    while i < len(text) and text[i] in chars:
        i += 1
    return i


def _strip(text: str, chars: frozenset[str]) -> str:
    start, end = 0, len(text)
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return text[start:end]


def _leika_end(text: str, i: int) -> int | None:
    """After "lei ka" / "leika" at ``i`` (one white space allowed between the halves)."""
    lei = _word_at(text, i, "lei")
    if lei is None:
        return None
    if lei < len(text) and text[lei] in WHITESPACE:
        spaced = _word_at(text, lei + 1, "ka")
        if spaced is not None:
            return spaced
    return _word_at(text, lei, "ka")


def _prefix_end(text: str) -> int | None:
    """Where the key starts after a prefix such as "LeiKa:" at the start of ``text``, or None.

    The prefix is a whole word (not followed by a letter: "Leikasystem" is none): "LeiKa" (also
    "Lei Ka"), optionally joined by spaces, "-" or "_" to "Schlüssel", "Leistungsschlüssel", "ID",
    "Nr.", "Nummer", "Key" or "Code"; or "Leistungsschlüssel" or "Schlüssel" alone ("ue" for "ü"
    too, any case). Then white space, at most one of ``: = # -`` (or a dash), white space.
    """
    end: int | None = None
    leika = _leika_end(text, 0)
    if leika is not None:
        at = _skip(text, leika, _PREFIX_LINK)
        for lead in ("leistungs", ""):
            start = _word_at(text, at, lead) if lead else at
            if start is None:
                continue
            for suffix in _PREFIX_SUFFIXES:
                found = _word_at(text, start, suffix)
                if found is not None and _word_end(text, found):
                    end = found
                    break
            if end is not None:
                break
        if end is None and _word_end(text, leika):
            end = leika
    if end is None:
        for word in _PREFIX_WORDS:
            found = _word_at(text, 0, word)
            if found is not None and _word_end(text, found):
                end = found
                break
    if end is None:
        return None
    end = _skip(text, end, WHITESPACE)
    if end < len(text) and text[end] in _PREFIX_SEPARATORS:
        end += 1
    return _skip(text, end, WHITESPACE)


def _is_placeholder(text: str) -> bool:
    """KDN's "nicht im LeiKa" (also "nicht in (der) LeiKa", any case, "Lei Ka") at the start."""
    at = _word_at(text, 0, "nicht")
    if at is None or _skip(text, at, WHITESPACE) == at:
        return False
    at = _skip(text, at, WHITESPACE)
    for words in (("im",), ("in", "der"), ("in",)):
        pos: int | None = at
        for word in words:
            pos = _word_at(text, pos, word) if pos is not None else None
            if pos is None or _skip(text, pos, WHITESPACE) == pos:
                pos = None
                break
            pos = _skip(text, pos, WHITESPACE)
        if pos is None:
            continue
        end = _leika_end(text, pos)
        if end is not None and (end >= len(text) or not (is_word_char(text[end]) or text[end] == "_")):
            return True
    return False


def _separator_kind(ch: str) -> str | None:
    """The German change note for a separator character, or None if ``ch`` is no separator."""
    if ch in PLAIN_SPACES:
        return "Leerzeichen entfernt"
    if ch in SPECIAL_SPACES:
        return "geschützte/schmale Leerzeichen entfernt"
    if ch in DOTS:
        return "Punkte entfernt"
    if ch in DASHES:
        return "Bindestriche entfernt"
    return None


def _remove_separators_between_digits(text: str) -> tuple[str, list[str]]:
    """Drop runs of spaces, dots and dashes that stand between two ASCII digits.

    Only separators *between digits* go: "nicht im LeiKa" keeps its spaces, so the message about it
    still quotes what the editor wrote.
    """
    out: list[str] = []
    notes: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if _separator_kind(ch) is not None and out and out[-1] in ASCII_DIGITS:
            j = i
            while j < len(text) and _separator_kind(text[j]) is not None:
                j += 1
            if j < len(text) and text[j] in ASCII_DIGITS:
                for sep in text[i:j]:
                    note = _separator_kind(sep)
                    if note is not None and note not in notes:
                        notes.append(note)
                i = j
                continue
            out.append(text[i:j])
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out), notes


def _one_pass(text: str) -> tuple[str, list[str]]:
    """One round of every normalisation step; :func:`normalize` repeats it until nothing changes."""
    notes: list[str] = []

    visible = "".join(ch for ch in text if ch not in FORMAT_CHARS)
    if visible != text:
        notes.append("unsichtbare Zeichen entfernt")
    text = _strip(visible, WHITESPACE)

    stripped = text
    start = _skip(stripped, 0, OPENERS)
    stripped = stripped[start:]
    end = len(stripped)
    while end > 0 and stripped[end - 1] in CLOSERS:
        end -= 1
    stripped = _strip(stripped[:end], WHITESPACE)
    if stripped != text:
        notes.append("Anführungszeichen/Klammern entfernt")
        text = stripped

    end = _prefix_end(text)
    if end is not None and end < len(text):
        notes.append(f"Präfix „{_strip(text[:end], WHITESPACE)}“ entfernt")
        text = _strip(text[end:], WHITESPACE)

    text, sep_notes = _remove_separators_between_digits(text)
    notes += sep_notes

    trimmed = _strip(text, EDGE_PUNCT | SPACES)
    if trimmed != text and trimmed and (trimmed[0] in ASCII_DIGITS or trimmed[-1] in ASCII_DIGITS):
        notes.append("Satzzeichen am Rand entfernt")
        text = trimmed
    return text, notes


def normalize(raw: str) -> Normalized:
    """Turn what an editor typed into the plain key, and say in German what had to be cleaned.

    Handles: invisible format characters (zero-width, BOM, soft hyphen, bidi marks, embeddings,
    overrides and isolates), surrounding quotes and brackets, prefixes such as "LeiKa:",
    "Leika-Schlüssel:", "LeiKa-ID", "Leistungsschlüssel", spaces (also no-break, thin and narrow
    ones), dots and dashes between digits, and sentence punctuation at the edges. Digits of other
    scripts are left as they are (:func:`format_problem` names them). The steps are repeated until
    nothing changes, which makes the function idempotent: ``normalize(normalize(x).key).key ==
    normalize(x).key`` and the second call reports no changes.

    Surrounding white space is dropped silently: MediaWiki trims named parameters anyway, so it
    is nothing the editor needs to fix.
    """
    text = raw
    changes: list[str] = []
    # Every pass only deletes characters, so this terminates; the bound is a belt-and-braces guard.
    for _ in range(len(raw) + 2):
        new, notes = _one_pass(text)
        for note in notes:
            if note not in changes:
                changes.append(note)
        if new == text:
            break
        text = new
    return Normalized(key=text, changes=tuple(changes))


# --- classification ------------------------------------------------------------------------------

# What a spreadsheet makes of a 14-digit number: "9,9012E+13" (then the key is lost for good).
_EXPONENT_RE = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE]\+?[0-9]+")


def is_placeholder(raw: str) -> bool:
    """KDN's "nicht im LeiKa" (any case and spacing): a Leistung that has no key yet, not a key."""
    return _is_placeholder(_strip(raw, WHITESPACE))


def suggest_transposition(key: str, known: Container[str]) -> str | None:
    """The one known key that swapping two neighbouring digits of ``key`` gives, else None.

    Swapped neighbours are the commonest typing slip in long numbers. We only suggest when exactly
    one swap hits a known key: two candidates mean we would be guessing.
    """
    hits: set[str] = set()
    for i in range(len(key) - 1):
        if key[i] == key[i + 1]:
            continue
        swapped = key[:i] + key[i + 1] + key[i] + key[i + 2 :]
        if swapped in known:
            hits.add(swapped)
    return hits.pop() if len(hits) == 1 else None


def _has_catalogue(known: Container[str], catalogue_given: bool | None) -> bool:
    if catalogue_given is not None:
        return catalogue_given
    # An empty sized container (the default frozenset()) means: no catalogue was given.
    return not (isinstance(known, Sized) and len(known) == 0)


@dataclass(frozen=True)
class _Problem:
    """Why a normalised key is malformed.

    ``reason`` is short and word for word what Modul:LeiKa shows on the page („ungültiger
    LeiKa-Schlüssel: <reason>“); ``message`` is the full sentence of :func:`classify`, which always
    contains the reason.
    """

    reason: str
    message: str


def _character_problem(key: str) -> _Problem | None:
    for pos, ch in enumerate(key, start=1):
        if ch in ASCII_DIGITS:
            continue
        if ch in FOREIGN_DIGITS:
            what = "die vollbreite Ziffer" if ch in FULLWIDTH_DIGITS else "die Ziffer"
            script = "" if ch in FULLWIDTH_DIGITS else " aus einer anderen Schrift"
            reason = f"enthält an Stelle {pos} {what} „{ch}“{script}; erlaubt sind nur die Ziffern 0–9"
            return _Problem(reason, f"Kein LeiKa-Schlüssel: {reason}.")
        what = "den Buchstaben" if ch in LETTERS else "das Zeichen"
        reason = f"enthält {what} „{ch}“ an Stelle {pos}"
        return _Problem(
            reason, f"Kein LeiKa-Schlüssel: {reason}. Ein LeiKa-Schlüssel besteht nur aus 14 Ziffern."
        )
    return None


def _not_a_key(key: str) -> _Problem | None:
    """Why ``key`` (already normalised) cannot be a LeiKa key at all, or None if it has 14 digits."""
    if not key:
        return _Problem("das Feld ist leer", "Kein Schlüssel angegeben: das Feld ist leer.")
    if _is_placeholder(key):
        reason = "Platzhalter der KDN-Datenbank"
        return _Problem(reason, f"„{key}“ ist ein {reason}, kein LeiKa-Schlüssel.")
    if key in KDN_TEST_KEYS:
        reason = "Testeintrag aus der KDN-Datenbank"
        return _Problem(reason, f"„{key}“ ist ein {reason}, kein LeiKa-Schlüssel.")
    if _EXPONENT_RE.fullmatch(key):
        return _Problem(
            "Zahl in Exponentialschreibweise",
            "Das ist eine Zahl in Exponentialschreibweise (z. B. 9,9012E+13): "
            "die Tabellenkalkulation hat den "
            "Schlüssel verstümmelt. Bitte den Schlüssel aus dem LeiKa neu übernehmen.",
        )
    problem = _character_problem(key)
    if problem is not None:
        return problem
    if len(key) == 5 and int(key) in OZG_ID_RANGE:
        reason = "eine OZG-ID (eine OZG-Leistung)"
        return _Problem(
            reason,
            f"{key} ist {reason}, kein LeiKa-Schlüssel. "
            "LeiKa-Schlüssel haben 14 Ziffern und beginnen mit 99.",
        )
    if len(key) != KEY_LENGTH:
        reason = f"{len(key)} statt {KEY_LENGTH} Ziffern"
        return _Problem(reason, f"Falsche Länge: {reason}.")
    return None


def _impossible(parts: KeyParts) -> _Problem | None:
    """Structure rules of DOMAIN.md §3.2/§3.5 for bundesweit keys."""
    if parts.gruppe == "000":
        reason = "die Leistungsgruppierung (Stellen 3–5) ist 000"
    elif parts.leistungskennung == "000":
        reason = "die Leistungskennung (Stellen 6–8) ist 000"
    elif parts.detail != "000" and parts.verrichtung == "000":
        reason = f"Verrichtungsdetail {parts.detail} (Stellen 12–14) ohne Verrichtung (Stellen 9–11 sind 000)"
    else:
        return None
    return _Problem(reason, f"Unmöglicher Schlüssel: {reason}.")


def format_problem(key: str) -> str | None:
    """Why a normalised key is malformed, in the words Modul:LeiKa shows; None when it is well-formed.

    Malformed is what :func:`classify` calls NOT_A_KEY or IMPOSSIBLE without a catalogue; a
    well-formed key (also a regional one) is then looked up. ``format_problem(normalize(raw).key)``
    is the shared rule: Modul:LeiKa's ``formatProblem(normalise(raw))`` gives the same string.
    """
    problem = _not_a_key(key)
    if problem is None:
        parts = parse_key(key)
        problem = _impossible(parts) if parts.is_bundesweit else None
    return None if problem is None else problem.reason


def classify(
    raw: str,
    *,
    known: Container[str] = frozenset(),
    retired: Container[str] = frozenset(),
    allow_regional: bool = False,
    catalogue_given: bool | None = None,
) -> KeyCheck:
    """Say what ``raw`` is: a valid key, a typo, a placeholder, an OZG-ID, ...

    Order of the checks (first match wins):

    1. NOT_A_KEY — empty, placeholder "nicht im LeiKa", KDN test key, letters, digits of other
       scripts or other characters, an OZG-ID, wrong length.
    2. RETIRED — listed in ``retired``.
    3. VALID — listed in ``known``. The catalogue is the authority, so a regional key it lists is
       valid too.
    4. REGIONAL — 14 digits without "99". ``ok`` follows ``allow_regional``; the structure rules are
       not applied because we do not know the structure of regional keys.
    5. IMPOSSIBLE — group 000, Leistungskennung 000, or a detail without Verrichtung.
    6. UNKNOWN — well-formed, but a catalogue was given and does not list it.
    7. VALID — well-formed and no catalogue to check against (the message says so).

    ``catalogue_given`` says whether ``known`` is a real catalogue. Left at None it is inferred: an
    empty sized container means "no catalogue", so format-only checks never call a key UNKNOWN.

    A suggestion is made only when certain: the normalised key when cleaning changed something and
    the result is ok, or the single known key one neighbour swap away.
    """
    norm = normalize(raw)
    key = norm.key
    has_catalogue = _has_catalogue(known, catalogue_given)

    def verdict(
        status: KeyStatus, message: str, *, ok: bool = False, suggestion: str | None = None
    ) -> KeyCheck:
        if ok and norm.changes and suggestion is None:
            suggestion = key
            message += f" Bitte so schreiben: {key} ({', '.join(norm.changes)})."
        return KeyCheck(
            raw=raw,
            key=key if key else None,
            status=status,
            message=message,
            suggestion=suggestion,
            changes=norm.changes,
            ok=ok,
        )

    def with_transposition(status: KeyStatus, message: str) -> KeyCheck:
        guess = suggest_transposition(key, known) if has_catalogue else None
        if guess is not None:
            message += f" Meinten Sie {guess}? (zwei Ziffern vertauscht)"
        return verdict(status, message, suggestion=guess)

    not_a_key = _not_a_key(key)
    if not_a_key is not None:
        return verdict(KeyStatus.NOT_A_KEY, not_a_key.message)
    if key in retired:
        return verdict(
            KeyStatus.RETIRED, f"{key} ist im LeiKa aufgehoben und darf nicht mehr verwendet werden."
        )
    if has_catalogue and key in known:
        return verdict(KeyStatus.VALID, f"{key} ist gültig.", ok=True)

    parts = parse_key(key)
    if not parts.is_bundesweit:
        if allow_regional:
            return verdict(
                KeyStatus.REGIONAL,
                f"{key} ist ein regionaler Schlüssel (beginnt nicht mit 99); "
                "regionale Schlüssel sind erlaubt.",
                ok=True,
            )
        return with_transposition(
            KeyStatus.REGIONAL,
            f"{key} beginnt nicht mit 99: das ist kein bundesweiter LeiKa-Schlüssel, "
            "regionale Schlüssel sind hier nicht erlaubt.",
        )

    impossible = _impossible(parts)
    if impossible is not None:
        return with_transposition(KeyStatus.IMPOSSIBLE, impossible.message)
    if has_catalogue:
        return with_transposition(KeyStatus.UNKNOWN, f"{key} steht nicht im LeiKa-Katalog.")
    return verdict(
        KeyStatus.VALID, f"{key} hat ein gültiges Format (nicht gegen einen Katalog geprüft).", ok=True
    )
