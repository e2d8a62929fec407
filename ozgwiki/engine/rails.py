"""Safety rails for destructive runs: stop before writing when a run would destroy too much. Pure.

A catalogue that lost its rows (a stray quote, a truncated export, the wrong file) looks to the import
like a catalogue in which most keys were abolished; an overview renderer fed such a catalogue blanks
every table. Both are legal operations one key or one table at a time, so the rails do not forbid
them: they compare the run's destruction with what the wiki holds and stop the whole run, before
its first write, when it exceeds a share (default 10 %). ``--allow-mass-retire`` lets an admin who
means it proceed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ozgwiki.config import ImportSettings
from ozgwiki.errors import SafetyRailError

#: ``import.max_retire_share`` when not configured (the default lives with the config's other defaults).
DEFAULT_SHARE = ImportSettings().max_retire_share
#: Below this many affected pages a run is never stopped (a small wiki, a few abolished keys).
MIN_PAGES = 5
OVERRIDE = "--allow-mass-retire"


@dataclass(frozen=True)
class Rail:
    """The largest share of pages one run may retire or blank, and whether an admin lifted it."""

    share: float = DEFAULT_SHARE
    allowed: bool = False

    @classmethod
    def of(cls, settings: ImportSettings, *, allowed: bool = False) -> Rail:
        """From the checked ``import:`` section (``max_retire_share``, in [0, 1]: see ozgwiki.config)."""
        return cls(settings.max_retire_share, allowed)

    def limit(self, total: int) -> int:
        """How many of ``total`` pages one run may affect."""
        return max(MIN_PAGES - 1, math.floor(self.share * total))

    def check(self, affected: int, total: int, what: str) -> None:
        """Raise :class:`SafetyRailError` when ``affected`` of ``total`` pages exceed the limit."""
        if self.allowed or affected <= self.limit(total):
            return
        percent = 100 * affected / total if total else 100.0
        raise SafetyRailError(
            f"abgebrochen, nichts geschrieben: {what}: {affected} von {total} ({percent:.0f} %) – mehr als "
            f"die erlaubten {self.share:.0%}. Ist der Katalog vollständig (Anführungszeichen, leere oder "
            f"abgeschnittene Datei, falsche Datei)? `ozgwiki catalogue check` zeigt ihn. Wenn es so gewollt "
            f"ist: mit {OVERRIDE} wiederholen."
        )


def retiring(statuses: Mapping[str, str | None], active_total: int, rail: Rail) -> None:
    """The import rail: ``statuses`` maps each key about to be retired to its page's current Status
    (None: no readable template); only active ones count against the wiki's active keys."""
    newly = sum(1 for s in statuses.values() if (s or "").strip() != "ausgemustert")
    rail.check(newly, active_total, "aktive LeiKa-Schlüssel würden ausgemustert")


def blanking(sections: Iterable[tuple[bool, bool]], rail: Rail) -> None:
    """The overview rail: each item is (had rows before, has rows after) of one generated table."""
    pairs = list(sections)
    filled = sum(1 for before, _after in pairs if before)
    blanked = sum(1 for before, after in pairs if before and not after)
    rail.check(blanked, filled, "gefüllte Übersichtstabellen würden geleert")
