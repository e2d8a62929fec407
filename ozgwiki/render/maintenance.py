"""Check the LeiKa keys editors wrote on wiki pages, and render the maintenance page that lists them.

„Nur gültige Leika-Schlüssel können übertragen werden“ — so every key on an editor's page is checked
against the catalogue, and every problem is shown to editors on one maintenance page. Everything here
is pure (text in, findings / wikitext out); :mod:`ozgwiki.bots.validate` does the reading and saving.

* :func:`check_page` — every key candidate of a page (:func:`ozgwiki.wikitext.extract.extract_keys`) judged by
  the run's :class:`ozgwiki.domain.keyrules.KeyRules`; a :class:`Finding` for each one that is not plainly
  valid.
* :func:`valid_keys_of` — the keys of a page that count downstream (Steckbriefe, overviews): valid,
  normalised, shown by MediaWiki (not shadowed by a duplicate parameter), each once.
* :func:`merge` — fold the pages checked in one run into the findings kept from earlier runs.
* :func:`render_report` / :func:`report_transform` — the maintenance page.
* :func:`fix_format` — the optional bot edit that only re-spells harmlessly mis-formatted keys.

Which pages are *editor content*: pages in the configured namespaces (main by default), except the
report page itself and pages whose title starts with one of ``validate.skip_prefixes`` (default
``LeiKa `` and ``OZG-Leistung ``): the importer writes those from the catalogue, whose keys
``ozgwiki catalogue check`` validates. Steckbriefe and Umsetzungsprojekte are checked: editors write
them. The selection is ``ozgwiki.config.ValidateSettings.is_editor_page``; the settings are read there.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from ozgwiki.domain.keyrules import KeyRules
from ozgwiki.domain.leika import KeyCheck, KeyStatus
from ozgwiki.wikitext import escape
from ozgwiki.wikitext.extract import KeyFinding, extract_keys
from ozgwiki.wikitext.sections import replace_section

SECTION = "leika-pruefung"
MAINTENANCE_CATEGORY = "Wartung"
FIX_SUMMARY = "Bot: LeiKa-Schlüssel vereinheitlicht"

#: Statuses of our own, beside :class:`ozgwiki.domain.leika.KeyStatus`: a valid key written with spaces,
#: dots or dashes, and a valid key MediaWiki does not show (a later parameter of the same name wins).
FORMAT = "format"
SHADOWED = "shadowed"
_LABELS = {FORMAT: "Schreibweise", SHADOWED: "wird nicht angezeigt"}

#: Normalisation steps that only remove separators: safe to apply to the page for the editor.
HARMLESS_CHANGES = frozenset(
    {
        "Leerzeichen entfernt",
        "geschützte/schmale Leerzeichen entfernt",
        "Punkte entfernt",
        "Bindestriche entfernt",
    }
)


# --- settings ------------------------------------------------------------------------------------


class PageSelection(Protocol):
    """Which pages the validate bot checks: the part of ``ozgwiki.config.ValidateSettings`` that decides
    a page's findings besides its text and the key rules (this layer does not import the config)."""

    @property
    def namespaces(self) -> tuple[int, ...]: ...

    @property
    def skip_prefixes(self) -> tuple[str, ...]: ...

    @property
    def only_prefix(self) -> str | None: ...


def fingerprint(rules: KeyRules, pages: PageSelection) -> str:
    """A hash of everything that decides a page's findings besides its text.

    Stored with the findings: when the catalogue or the rules change, findings of pages nobody
    edited may be wrong now, so the bot scans everything again. The parts and their order are those
    of earlier versions, so the same catalogue and settings keep the same stored value.
    """
    h = hashlib.sha256()
    for part in (
        sorted(rules.known),
        sorted(rules.retired),
        [str(rules.allow_regional)],
        sorted(pages.skip_prefixes),
        [pages.only_prefix or ""],
        [str(n) for n in sorted(pages.namespaces)],
    ):
        h.update("\x1f".join(part).encode("utf-8"))
        h.update(b"\x1e")
    return h.hexdigest()[:16]


# --- findings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One key on one page that is not plainly valid.

    ``raw`` is the key as written, ``key`` the normalised text, ``status`` a
    :class:`~ozgwiki.domain.leika.KeyStatus` value or :data:`FORMAT` / :data:`SHADOWED`, ``message`` the
    German explanation, ``suggestion`` a key only when we are certain. ``fixable`` is true when
    :func:`fix_format` may rewrite it (only separators differ and the key is valid).
    """

    page: str
    raw: str
    key: str | None
    status: str
    message: str
    suggestion: str | None
    template: str
    parameter: str
    line: int
    offset: int
    shadowed: bool = False
    fixable: bool = False

    @property
    def label(self) -> str:
        """The German word for the status."""
        if self.status in _LABELS:
            return _LABELS[self.status]
        return KeyStatus(self.status).label

    def as_dict(self) -> dict[str, Any]:
        """Plain data (JSON output, the state file)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass(frozen=True)
class PageRecord:
    """The findings of one page at one revision, with who edited it last and when."""

    title: str
    revid: int | None = None
    user: str | None = None
    timestamp: str | None = None
    findings: tuple[Finding, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "revid": self.revid,
            "user": self.user,
            "timestamp": self.timestamp,
            "findings": [f.as_dict() for f in self.findings],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PageRecord:
        return cls(
            title=str(data["title"]),
            revid=data.get("revid"),
            user=data.get("user"),
            timestamp=data.get("timestamp"),
            findings=tuple(Finding.from_dict(f) for f in data.get("findings", [])),
        )


def _shadow_note(kf: KeyFinding) -> str:
    return (
        f"Wird nicht angezeigt: der Parameter „{kf.parameter}“ steht mehrmals in der Vorlage "
        f"„{kf.template}“, und MediaWiki liest nur den letzten. Bitte die doppelte Angabe zusammenführen."
    )


def _finding(title: str, text: str, kf: KeyFinding, check: KeyCheck) -> Finding | None:
    """The finding for one candidate, or None when there is nothing to tell the editor."""
    format_only = check.ok and bool(check.changes)
    if check.ok and not format_only and not kf.shadowed:
        return None
    if check.ok and not format_only:
        status, message = SHADOWED, _shadow_note(kf)
    elif format_only:
        status = FORMAT
        message = check.message
        if kf.shadowed:
            status, message = SHADOWED, f"{_shadow_note(kf)} {check.message}"
    else:
        status = check.status.value
        message = check.message if not kf.shadowed else f"{check.message} {_shadow_note(kf)}"
    fixable = (
        format_only
        and not kf.shadowed
        and set(check.changes) <= HARMLESS_CHANGES
        and check.key is not None
        and text[kf.offset : kf.offset + len(kf.raw)] == kf.raw
    )
    return Finding(
        page=title,
        raw=kf.raw,
        key=check.key,
        status=status,
        message=message,
        suggestion=check.suggestion,
        template=kf.template,
        parameter=kf.parameter,
        line=kf.line,
        offset=kf.offset,
        shadowed=kf.shadowed,
        fixable=fixable,
    )


def _checks(text: str, rules: KeyRules) -> list[tuple[KeyFinding, KeyCheck]]:
    return [(kf, rules.classify(kf.raw)) for kf in extract_keys(text)]


def check_page(title: str, text: str, *, rules: KeyRules) -> tuple[Finding, ...]:
    """Every problem with the keys on one page, in document order.

    A plainly valid key (known, written in the normal form, shown by MediaWiki) is no finding. Keys in
    comments, ``<nowiki>``, footnotes and struck-out text do not count (see :mod:`ozgwiki.wikitext.extract`).
    """
    out = []
    for kf, check in _checks(text, rules):
        finding = _finding(title, text, kf, check)
        if finding is not None:
            out.append(finding)
    return tuple(out)


def valid_keys_of(text: str, rules: KeyRules) -> tuple[str, ...]:
    """The keys of a page that count downstream: valid, normalised, visible, each once, in page order.

    „Nur gültige Leika-Schlüssel können übertragen werden“: whatever reads keys from editor pages
    (the regeneration bot for Steckbriefe, overviews) takes them from here, so an unknown, retired or
    malformed key is never carried over anywhere. Keys MediaWiki does not show (an earlier duplicate
    parameter) do not count either.
    """
    out: dict[str, None] = {}
    for kf, check in _checks(text, rules):
        if check.ok and not kf.shadowed and check.key:
            out.setdefault(check.key)
    return tuple(out)


def merge(
    previous: Mapping[str, PageRecord],
    checked: Mapping[str, PageRecord | None],
    *,
    full: bool = False,
) -> dict[str, PageRecord]:
    """The findings after a run: pages checked now replace what was known about them.

    ``checked`` maps each page looked at in this run to its record, or None when it is gone (deleted,
    moved away, no longer editor content). Pages without findings drop out. ``full`` means the run
    looked at every relevant page, so nothing from ``previous`` is kept.
    """
    result = {} if full else {t: r for t, r in previous.items() if t not in checked}
    for title, record in checked.items():
        if record is not None and record.findings:
            result[title] = record
    return dict(sorted(result.items()))


def all_findings(records: Mapping[str, PageRecord]) -> list[Finding]:
    """Every finding, sorted by page, line and position."""
    return sorted((f for r in records.values() for f in r.findings), key=lambda f: (f.page, f.line, f.offset))


# --- the maintenance page ------------------------------------------------------------------------
# Every cell goes through ozgwiki.wikitext.escape, the rule the overviews and the roadmap use too.


def format_time(timestamp: str | None) -> str:
    """``2024-03-12T14:05:09Z`` → ``12.03.2024, 14:05 UTC`` (the wiki's timestamps are UTC)."""
    if not timestamp:
        return "unbekannt"
    try:
        when = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return escape.cell(timestamp)
    return when.strftime("%d.%m.%Y, %H:%M UTC")


def _where(f: Finding) -> str:
    param = f"Parameter {escape.cell(f.parameter)}"
    if f.parameter.isdigit():
        param = f"{f.parameter}. Schlüssel"
    return f"Vorlage {escape.cell(f.template)}, {param}, Zeile {f.line}"


#: The columns of the maintenance table (the integration test reads rows by these positions).
COLUMNS = ("Seite", "Schlüssel (wie geschrieben)", "Problem", "Vorschlag", "Fundstelle", "Zuletzt bearbeitet")


#: Rows the maintenance table lists per page and in all; the rest is counted. One editor page with
#: 10,000 unknown keys must not push the report past the wiki's page size ($wgMaxArticleSize, 2 MB by
#: default): then no finding at all would be published. 2,000 rows of at most ~600 bytes stay < 1.5 MB.
MAX_ROWS_PER_PAGE = 50
MAX_ROWS = 2000
#: Characters of a key "as written" shown in a cell (an editor may have pasted a whole paragraph).
MAX_RAW_CHARS = 80


def _shown_raw(raw: str) -> str:
    return raw if len(raw) <= MAX_RAW_CHARS else raw[: MAX_RAW_CHARS - 1] + "…"


def render_report(records: Mapping[str, PageRecord]) -> str:
    """The generated part of the maintenance page: a count, then one table row per finding.

    Depends only on the findings and the pages' own edit times, never on the time of the run, so an
    unchanged list produces no edit. At most :data:`MAX_ROWS_PER_PAGE` rows per page and
    :data:`MAX_ROWS` in all are listed; what is left out is counted per page below the table, so the
    page always fits the wiki and every page with findings is named.
    """
    findings = all_findings(records)
    lines: list[str] = []
    if not findings:
        lines.append("Zurzeit keine Funde: alle geprüften LeiKa-Schlüssel sind gültig.")
    else:
        pages = len({f.page for f in findings})
        newest = max((r.timestamp for r in records.values() if r.findings and r.timestamp), default=None)
        count = "1 Fund" if len(findings) == 1 else f"{len(findings)} Funde"
        where = "1 Seite" if pages == 1 else f"{pages} Seiten"
        stand = f" Stand: letzte Bearbeitung einer dieser Seiten am {format_time(newest)}." if newest else ""
        lines.append(f"'''{count} auf {where}.'''{stand}")
        lines.append("")
        lines.append('{| class="wikitable sortable"')
        lines.append(f"! {' !! '.join(COLUMNS)}")
        listed: Counter[str] = Counter()
        left_out: Counter[str] = Counter()
        for f in findings:
            if listed[f.page] >= MAX_ROWS_PER_PAGE or listed.total() >= MAX_ROWS:
                left_out[f.page] += 1
                continue
            listed[f.page] += 1
            record = records[f.page]
            editor = f", {escape.cell(record.user)}" if record.user else ""
            sort = escape.cell(record.timestamp or "")
            lines += [
                "|-",
                f"| {escape.page_link(f.page)}",
                f"| {escape.nowiki(_shown_raw(f.raw))}",
                f"| '''{escape.cell(f.label)}:''' {escape.cell(f.message)}",
                f"| {escape.cell(f.suggestion) if f.suggestion else '–'}",
                f"| {_where(f)}",
                f'| data-sort-value="{sort}" | {format_time(record.timestamp)}{editor}',
            ]
        lines.append("|}")
        if left_out:
            lines.append("")
            lines.append(f"Nicht in der Tabelle, um die Seite klein zu halten ({left_out.total()} Funde):")
            for page, n in left_out.items():
                lines.append(f"* {escape.page_link(page)}: {n} weitere {'Fund' if n == 1 else 'Funde'}")
            lines.append("Alle Funde: <code>ozgwiki validate --all --format json</code>.")
    lines.append("")
    lines.append(f"[[Kategorie:{MAINTENANCE_CATEGORY}]]")
    return "\n".join(lines)


INTRO = """\
Diese Seite listet LeiKa-Schlüssel im Wiki, die nicht stimmen. Ein Bot prüft regelmäßig alle Seiten, \
die Redakteurinnen und Redakteure bearbeitet haben, und schreibt die Funde in die Tabelle unten.

'''Nur gültige LeiKa-Schlüssel können übertragen werden.''' Ein gültiger LeiKa-Schlüssel hat 14 Ziffern, \
beginnt mit 99 und steht im LeiKa-Katalog (z. B. <code>99012001001000</code>). Mehrere Schlüssel pro Seite \
sind zulässig: bitte durch Komma trennen.

So beheben Sie einen Fund:
# Öffnen Sie die Seite aus der ersten Spalte und klicken Sie auf „Bearbeiten“.
# Suchen Sie den Schlüssel an der genannten Fundstelle (Vorlage, Parameter, Zeile).
# Korrigieren Sie ihn (steht ein Vorschlag in der Tabelle, ist er sicher) oder löschen Sie ihn, \
wenn die Leistung nicht im LeiKa steht.
# Speichern. Beim nächsten Lauf des Bots verschwindet der Fund von dieser Seite.

Der Bot ändert dafür nichts auf Ihren Seiten. Diesen Text können Sie bearbeiten; nur der Bereich \
zwischen den Markierungen <code>ozgwiki:begin</code> und <code>ozgwiki:end</code> wird vom Bot \
überschrieben.

"""


def report_transform(content: str) -> Callable[[str], str]:
    """The pure transform of the maintenance page: a new page gets the intro, every page the section."""

    def transform(text: str) -> str:
        if not text.strip():
            return replace_section(INTRO, SECTION, content, create="bottom")
        return replace_section(text, SECTION, content, create="bottom")

    return transform


# --- optional format fix -------------------------------------------------------------------------


@dataclass(frozen=True)
class FormatFix:
    """The result of :func:`fix_format`: the new text, the keys rewritten, and what was removed."""

    text: str
    fixed: tuple[Finding, ...]
    changes: tuple[str, ...] = field(default=())

    @property
    def summary(self) -> str:
        """The edit summary, in words an editor understands."""
        return f"{FIX_SUMMARY} ({', '.join(self.changes)})"


def _signature(kfs: Iterable[KeyFinding]) -> list[tuple[str, str, str, bool]]:
    return [(kf.raw, kf.template, kf.parameter, kf.shadowed) for kf in kfs]


def fix_format(title: str, text: str, *, rules: KeyRules) -> FormatFix | None:
    """Rewrite only harmlessly mis-formatted keys (``99 012 001 001 000`` → ``99012001001000``).

    Only keys whose normalised form is valid and that differ by spaces, dots or dashes alone are
    touched, each at its exact position; every other byte stays. The result is verified by extracting
    the keys again: the same candidates in the same templates and parameters, the rewritten ones now
    in normal form. Anything else (or nothing to fix) gives None.
    """
    before = extract_keys(text)
    fixes = [f for f in check_page(title, text, rules=rules) if f.fixable and f.key]
    if not fixes:
        return None
    new = text
    for f in sorted(fixes, key=lambda f: f.offset, reverse=True):
        assert f.key is not None
        new = new[: f.offset] + f.key + new[f.offset + len(f.raw) :]
    fixed_offsets = {f.offset: f.key for f in fixes}
    expected = [
        replace(kf, raw=fixed_offsets[kf.offset]) if kf.offset in fixed_offsets else kf  # type: ignore[arg-type]
        for kf in before
    ]
    if _signature(extract_keys(new)) != _signature(expected):
        return None
    changes: list[str] = []
    for f in fixes:
        for change in rules.classify(f.raw).changes:
            if change not in changes:
                changes.append(change)
    return FormatFix(text=new, fixed=tuple(fixes), changes=tuple(changes))


def records_from_state(data: Mapping[str, Any]) -> dict[str, PageRecord]:
    """The per-page findings kept in the state file."""
    return {r["title"]: PageRecord.from_dict(r) for r in data.get("pages", [])}


def records_to_state(records: Mapping[str, PageRecord]) -> list[dict[str, Any]]:
    """The per-page findings for the state file, sorted by title (stable diffs)."""
    return [records[t].as_dict() for t in sorted(records)]
