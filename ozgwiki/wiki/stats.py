"""Counters of one site session, read by run summaries and benchmarks.

Every HTTP request is counted by ``action`` (retries included; retries also separately), and every
:meth:`~ozgwiki.wiki.site.Site.edit` and :meth:`~ozgwiki.wiki.site.Site.move` outcome once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ozgwiki.wiki.pages import Outcome


@dataclass
class SiteStats:
    """Mutable counters; the site client is their only writer."""

    requests: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    retry_reasons: Counter[str] = field(default_factory=Counter)
    relogins: int = 0
    token_refreshes: int = 0
    edits_sent: int = 0
    created: int = 0
    changed: int = 0
    moved: int = 0
    unchanged: int = 0
    conflicts: int = 0
    skipped: int = 0
    errors: int = 0
    dry_run: bool = False

    @property
    def total_requests(self) -> int:
        """All HTTP requests sent, retries included."""
        return sum(self.requests.values())

    def count_outcome(self, outcome: Outcome) -> None:
        """Count one edit or move outcome under its own counter."""
        name = {
            Outcome.CREATED: "created",
            Outcome.CHANGED: "changed",
            Outcome.MOVED: "moved",
            Outcome.UNCHANGED: "unchanged",
            Outcome.SKIPPED: "skipped",
            Outcome.CONFLICT: "conflicts",
            Outcome.ERROR: "errors",
        }[outcome]
        setattr(self, name, getattr(self, name) + 1)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON reports and benchmarks."""
        return {
            "requests": dict(self.requests),
            "total_requests": self.total_requests,
            "retries": self.retries,
            "retry_reasons": dict(self.retry_reasons),
            "relogins": self.relogins,
            "token_refreshes": self.token_refreshes,
            "edits_sent": self.edits_sent,
            "created": self.created,
            "changed": self.changed,
            "moved": self.moved,
            "unchanged": self.unchanged,
            "conflicts": self.conflicts,
            "skipped": self.skipped,
            "errors": self.errors,
            "dry_run": self.dry_run,
        }

    def summary(self) -> str:
        """One line for the log."""
        mode = " (dry-run: nothing written)" if self.dry_run else ""
        return (
            f"{self.created} created, {self.changed} changed, {self.moved} moved, "
            f"{self.unchanged} unchanged, {self.skipped} skipped, {self.conflicts} conflicts, "
            f"{self.errors} errors; "
            f"{self.edits_sent} edits sent, {self.total_requests} API requests "
            f"({self.retries} retries){mode}"
        )

    def summary_de(self) -> str:
        """One German line for run reports on the wiki."""
        mode = " (Probelauf: nichts gespeichert)" if self.dry_run else ""
        return (
            f"{self.created} angelegt, {self.changed} geändert, {self.moved} verschoben, "
            f"{self.unchanged} unverändert, {self.skipped} übersprungen, "
            f"{self.conflicts} Bearbeitungskonflikte, {self.errors} Fehler; "
            f"{self.total_requests} API-Anfragen ({self.retries} Wiederholungen){mode}"
        )
