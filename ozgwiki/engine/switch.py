"""The on-wiki emergency switch ("Notaus"): a page an admin edits to stop every bot write at once.

Cron admins are not always at hand when a bot misbehaves; wiki admins are. So the bot obeys a page in
its own user space (``run.stop_page``, default ``Benutzer:<bot>/Notaus``). The rule is deliberately
one-sided -- only one exact word lets the bot write, everything else stops it:

=========================================================  ===========
page text (HTML comments and surrounding space removed)     bot writes
=========================================================  ===========
``an`` (any case)                                           allowed
anything else: ``aus``, ``stopp``, empty, a typo, a         **stopped**
sentence, a redirect left by a move
page missing, never deleted or moved (not set up yet)       allowed; ``ozgwiki run`` creates it with
                                                            ``an`` and German instructions
page missing after it was deleted or moved away             **stopped**
=========================================================  ===========

Why fail-closed: an admin in a hurry writes "Stop!", "AUS", "bitte anhalten" or blanks the page; each
of these must stop the bot. Deleting the page must stop it too, which is why a missing page only counts
as "not set up yet" when the log shows it never existed under that title.

The check is enforced at the site client's write choke point (:attr:`ozgwiki.wiki.site.Site.write_guard`),
so no code path can write while the switch is off. :class:`WriteGuard` reads the page before the first
write and then at most every ``run.stop_check_seconds`` (default 60); once it has seen "stopped" it
stays stopped for the rest of the process.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ozgwiki.errors import BotStopped, ConfigError

log = logging.getLogger(__name__)

DEFAULT_STOP_PAGE = "Benutzer:{bot}/Notaus"
DEFAULT_CHECK_SECONDS = 60.0
#: The one word that lets the bot write.
RUN_WORD = "an"

#: Text of the switch page when ``ozgwiki run`` creates it. German: admins read it on the wiki.
INITIAL_TEXT = """an
<!--
Notaus für den Bot {bot}.

Solange auf dieser Seite nur das Wort „an“ steht, darf der Bot das Wiki bearbeiten.
Um ALLE Bearbeitungen des Bots sofort anzuhalten: „an“ durch „aus“ ersetzen und speichern.
Jeder andere Text, eine leere Seite oder das Löschen der Seite hält den Bot ebenfalls an.
Der Bot liest diese Seite vor seiner ersten Bearbeitung und danach spätestens alle {seconds} Sekunden.
Zum Weiterlaufenlassen wieder nur „an“ hinschreiben; der nächste geplante Lauf arbeitet dann weiter.
-->
"""
CREATE_SUMMARY = "Bot: Notaus-Seite angelegt (Inhalt „an“: Bot darf schreiben)"

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)


class SwitchState(StrEnum):
    """What the switch page says."""

    RUNNING = "running"
    STOPPED = "stopped"
    NOT_SET_UP = "not_set_up"  # missing, never deleted or moved: writes allowed, the run creates it


@dataclass(frozen=True)
class SwitchReading:
    """One reading of the switch page, with the reason in words for logs and messages."""

    state: SwitchState
    reason: str

    @property
    def allows_writes(self) -> bool:
        return self.state is not SwitchState.STOPPED


def visible_text(text: str) -> str:
    """The page text an admin means: HTML comments (also an unclosed one) and outer whitespace removed."""
    return _COMMENT.sub("", text).strip()


def decide(*, exists: bool, text: str = "", gone_before: bool = False) -> SwitchReading:
    """Apply the switch rule (see the module docstring) to one reading of the page.

    ``gone_before`` is True when the wiki's log shows the page was deleted or moved away.
    """
    if not exists:
        if gone_before:
            return SwitchReading(SwitchState.STOPPED, "die Notaus-Seite wurde gelöscht oder verschoben")
        return SwitchReading(SwitchState.NOT_SET_UP, "die Notaus-Seite gibt es noch nicht")
    word = visible_text(text)
    if word.casefold() == RUN_WORD:
        return SwitchReading(SwitchState.RUNNING, f"die Notaus-Seite sagt „{RUN_WORD}“")
    if not word:
        return SwitchReading(SwitchState.STOPPED, "die Notaus-Seite ist leer")
    shown = word if len(word) <= 60 else word[:57] + "..."
    shown = " ".join(shown.split())
    return SwitchReading(SwitchState.STOPPED, f"die Notaus-Seite sagt „{shown}“")


def stop_page_title(run_section: Mapping[str, Any], bot_user: str) -> str:
    """The configured switch page (``run.stop_page``), or ``Benutzer:<bot>/Notaus``."""
    configured = run_section.get("stop_page")
    if configured:
        return str(configured).replace("{bot}", bot_user)
    return DEFAULT_STOP_PAGE.format(bot=bot_user)


class SwitchReader:
    """Reads the switch page through a site client (reads only: safe to call from the write guard)."""

    def __init__(self, site: Any, title: str) -> None:
        self.site = site
        self.title = title

    def read(self) -> SwitchReading:
        state = self.site.read_pages([self.title])[self.title]
        if state.invalid:
            # A broken config must not silently let the bot run without its switch.
            return SwitchReading(SwitchState.STOPPED, f"ungültiger Titel der Notaus-Seite: {state.invalid}")
        if state.exists:
            return decide(exists=True, text=state.text)
        return decide(exists=False, gone_before=self._gone_before(state.title))

    def _gone_before(self, title: str) -> bool:
        """True when the log shows a deletion or move of the title (then "missing" means "stopped")."""
        return any(e.get("type") in ("delete", "move") for e in self.site.logevents(title, limit=50))


class WriteGuard:
    """The site client's ``write_guard``: refuses writes while the switch page is not ``an``.

    Reads the page on the first write and again when ``interval`` seconds have passed since the last
    reading (``clock`` is injectable). A stop is sticky: the run ends, the next run reads afresh.
    """

    def __init__(
        self,
        read: Callable[[], SwitchReading],
        *,
        title: str,
        interval: float = DEFAULT_CHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        extra_checks: tuple[Callable[[], None], ...] = (),
    ) -> None:
        self._read = read
        self.title = title
        self.interval = interval
        self.clock = clock
        self.extra_checks = extra_checks
        self.last: SwitchReading | None = None
        self._read_at: float | None = None
        self.readings = 0

    def __call__(self, action: str = "edit") -> None:
        for check in self.extra_checks:
            check()
        reading = self.current()
        if not reading.allows_writes:
            raise BotStopped(
                f"bot writes are stopped by the switch page [[{self.title}]]: {reading.reason}; "
                f"refused action={action}. Write only 'an' on that page to let the bot run again."
            )

    def current(self) -> SwitchReading:
        """The latest reading, re-read when it is older than ``interval`` (never after a stop)."""
        now = self.clock()
        stale = self._read_at is None or now - self._read_at >= self.interval
        if self.last is None or (stale and self.last.allows_writes):
            self.last = self._read()
            self._read_at = now
            self.readings += 1
            log.info("switch page %s: %s (%s)", self.title, self.last.state.value, self.last.reason)
        return self.last


def check_seconds(run_section: Mapping[str, Any]) -> float:
    """``run.stop_check_seconds`` (default 60); 0 re-reads before every write."""
    value = run_section.get("stop_check_seconds", DEFAULT_CHECK_SECONDS)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"run.stop_check_seconds must be a number >= 0, got {value!r}")
    return float(value)
