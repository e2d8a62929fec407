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
import unicodedata
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


# --- normalisation -------------------------------------------------------------------------------

# Spaces editors paste from Word, PDFs and web pages. U+0020 and tabs are "Leerzeichen";
# the rest are the protected and narrow kinds (NBSP, narrow NBSP, thin, figure, hair, ...).
_PLAIN_SPACES = " \t"
_SPECIAL_SPACES = "\u00a0\u202f\u2007\u2008\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u205f\u3000\u1680"
_DOTS = ".\u00b7\u2024\u2027\u30fb\uff0e"
# Hyphen-minus, every Unicode dash (category Pd is checked as well), minus sign, full-width hyphen.
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"

# Leading and trailing quotes and brackets editors put around a key.
_OPENERS = "\"'„“”‚‘’«»‹›([{<（［「『"
_CLOSERS = "\"'„“”‚‘’«»‹›)]}>）］」』"
# Sentence punctuation after (or before) a key: "… 99012001001000." Dashes here are only the ones at
# the very edge, e.g. "99012001001000 -" left over from a list.
_EDGE_PUNCT = ".,;:!?"
_ASCII_DIGITS = frozenset("0123456789")

_PREFIX_RE = re.compile(
    r"""^(?P<prefix>
        (?:
            lei\s?ka(?:[\s\-_]*(?:leistungs)?(?:schlüssel|schluessel|id|nr\.?|nummer|key|code))?
          | leistungs(?:schlüssel|schluessel)
          | schlüssel | schluessel
        )
        (?![^\W\d_])                     # a whole word: "Leikasomething" is not a prefix
        \s*(?:[:=\#]|[\-\u2010-\u2015])?\s*
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def _is_dash(ch: str) -> bool:
    return ch in _DASHES or unicodedata.category(ch) == "Pd"


def _separator_kind(ch: str) -> str | None:
    """The German change note for a separator character, or None if ``ch`` is no separator."""
    if ch in _PLAIN_SPACES:
        return "Leerzeichen entfernt"
    if ch in _SPECIAL_SPACES or (unicodedata.category(ch) == "Zs" and ch != " "):
        return "geschützte/schmale Leerzeichen entfernt"
    if ch in _DOTS:
        return "Punkte entfernt"
    if _is_dash(ch):
        return "Bindestriche entfernt"
    return None


def _ascii_digits(text: str) -> tuple[str, list[str]]:
    """Map every Unicode decimal digit to ASCII (full-width ０-９, Arabic-Indic, Devanagari, ...)."""
    out: list[str] = []
    notes: list[str] = []
    for ch in text:
        if ch.isascii() or not ch.isdecimal():
            out.append(ch)
            continue
        out.append(str(unicodedata.decimal(ch)))
        note = (
            "Vollbreite Ziffern umgewandelt"
            if "\uff10" <= ch <= "\uff19"
            else "Ziffern aus einer anderen Schrift umgewandelt"
        )
        if note not in notes:
            notes.append(note)
    return "".join(out), notes


def _remove_separators_between_digits(text: str) -> tuple[str, list[str]]:
    """Drop runs of spaces, dots and dashes that stand between two digits.

    Only separators *between digits* go: "nicht im LeiKa" keeps its spaces, so the message about it
    still quotes what the editor wrote.
    """
    out: list[str] = []
    notes: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if _separator_kind(ch) is not None and out and out[-1] in _ASCII_DIGITS:
            j = i
            while j < len(text) and _separator_kind(text[j]) is not None:
                j += 1
            if j < len(text) and text[j] in _ASCII_DIGITS:
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

    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    if visible != text:
        notes.append("unsichtbare Zeichen entfernt")
    text = visible.strip()

    stripped = text.lstrip(_OPENERS).rstrip(_CLOSERS).strip()
    if stripped != text:
        notes.append("Anführungszeichen/Klammern entfernt")
        text = stripped

    match = _PREFIX_RE.match(text)
    if match and match.end() < len(text):
        notes.append(f"Präfix „{match.group('prefix').strip()}“ entfernt")
        text = text[match.end() :].strip()

    text, digit_notes = _ascii_digits(text)
    notes += digit_notes

    text, sep_notes = _remove_separators_between_digits(text)
    notes += sep_notes

    trimmed = text.strip(_EDGE_PUNCT + _PLAIN_SPACES + _SPECIAL_SPACES)
    if trimmed != text and trimmed and (trimmed[0] in _ASCII_DIGITS or trimmed[-1] in _ASCII_DIGITS):
        notes.append("Satzzeichen am Rand entfernt")
        text = trimmed
    return text, notes


def normalize(raw: str) -> Normalized:
    """Turn what an editor typed into the plain key, and say in German what had to be cleaned.

    Handles: invisible characters (zero-width, BOM, soft hyphen, bidi marks), surrounding quotes and
    brackets, prefixes such as "LeiKa:", "Leika-Schlüssel:", "LeiKa-ID", "Leistungsschlüssel",
    full-width and other Unicode digits, spaces (also no-break, thin and narrow ones), dots and
    dashes between digits, and sentence punctuation at the edges. The steps are repeated until
    nothing changes, which makes the function idempotent: ``normalize(normalize(x).key).key ==
    normalize(x).key`` and the second call reports no changes.

    Surrounding white space is dropped silently: MediaWiki trims named parameters anyway, so it
    is nothing the editor needs to fix.
    """
    text = raw
    changes: list[str] = []
    # Every pass only deletes characters or maps non-ASCII digits to ASCII, so this terminates;
    # the bound is a belt-and-braces guard.
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
_EXPONENT_RE = re.compile(r"^\d+(?:[.,]\d+)?[eE][+]?\d+$")
_PLACEHOLDER_RE = re.compile(r"^nicht\s+(?:im|in\s+der|in)\s+lei\s?ka\b", re.IGNORECASE)


def is_placeholder(raw: str) -> bool:
    """KDN's "nicht im LeiKa" (any case and spacing): a Leistung that has no key yet, not a key."""
    return bool(_PLACEHOLDER_RE.match(raw.strip()))


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


def _not_a_key_reason(key: str) -> str | None:
    """Why ``key`` (already normalised) cannot be a LeiKa key at all, or None if it has 14 digits."""
    if not key:
        return "Kein Schlüssel angegeben: das Feld ist leer."
    if _PLACEHOLDER_RE.match(key):
        return f"„{key}“ ist ein Platzhalter der KDN-Datenbank, kein LeiKa-Schlüssel."
    if key in KDN_TEST_KEYS:
        return f"„{key}“ ist ein Testeintrag aus der KDN-Datenbank, kein LeiKa-Schlüssel."
    if _EXPONENT_RE.match(key):
        return (
            "Das ist eine Zahl in Exponentialschreibweise (z. B. 9,9012E+13): "
            "die Tabellenkalkulation hat den "
            "Schlüssel verstümmelt. Bitte den Schlüssel aus dem LeiKa neu übernehmen."
        )
    for pos, ch in enumerate(key, start=1):
        if not (ch.isascii() and ch.isdigit()):
            what = "den Buchstaben" if ch.isalpha() else "das Zeichen"
            return (
                f"Kein LeiKa-Schlüssel: enthält {what} „{ch}“ an Stelle {pos}. "
                "Ein LeiKa-Schlüssel besteht nur aus 14 Ziffern."
            )
    if len(key) == 5 and int(key) in OZG_ID_RANGE:
        return (
            f"{key} ist eine OZG-ID (eine OZG-Leistung), kein LeiKa-Schlüssel. "
            "LeiKa-Schlüssel haben 14 Ziffern und beginnen mit 99."
        )
    if len(key) != KEY_LENGTH:
        return f"Falsche Länge: {len(key)} statt {KEY_LENGTH} Ziffern."
    return None


def _impossible_reason(parts: KeyParts) -> str | None:
    """Structure rules of DOMAIN.md §3.2/§3.5 for bundesweit keys."""
    if parts.gruppe == "000":
        return "Unmöglicher Schlüssel: die Leistungsgruppierung (Stellen 3–5) ist 000."
    if parts.leistungskennung == "000":
        return "Unmöglicher Schlüssel: die Leistungskennung (Stellen 6–8) ist 000."
    if parts.detail != "000" and parts.verrichtung == "000":
        return (
            f"Unmöglicher Schlüssel: Verrichtungsdetail {parts.detail} (Stellen 12–14) "
            "ohne Verrichtung (Stellen 9–11 sind 000)."
        )
    return None


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

    1. NOT_A_KEY — empty, placeholder "nicht im LeiKa", KDN test key, letters or other characters,
       an OZG-ID, wrong length.
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

    reason = _not_a_key_reason(key)
    if reason is not None:
        return verdict(KeyStatus.NOT_A_KEY, reason)
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

    impossible = _impossible_reason(parts)
    if impossible is not None:
        return with_transposition(KeyStatus.IMPOSSIBLE, impossible)
    if has_catalogue:
        return with_transposition(KeyStatus.UNKNOWN, f"{key} steht nicht im LeiKa-Katalog.")
    return verdict(
        KeyStatus.VALID, f"{key} hat ein gültiges Format (nicht gegen einen Katalog geprüft).", ok=True
    )
