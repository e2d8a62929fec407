"""The project's exceptions.

Every error a user can cause or meet is one of these, so the CLI can print one clear line and exit
with a documented code instead of a traceback::

    OzgwikiError                    exit 2 unless a subclass says otherwise
    ├── ConfigError                 bad or missing configuration, secret file too open, ...
    ├── CatalogueError              catalogue files do not load; carries every problem at once
    ├── LocalWikiError              the local wiki could not be installed, started or stopped
    ├── PageTextError               a page cannot be edited safely; the bot skips it and reports it (exit 1)
    ├── SchemaError                 templates/ or semantic/ are inconsistent (a packaging bug)
    ├── VariantError                a source file's SMW / Page Forms variant markers are malformed
    ├── StateError                  a state file is unusable, or another run holds its lock
    ├── RunLocked                   another `ozgwiki run` holds the run lock (exit 3: try again later)
    ├── RunBudgetExceeded           the run outlasted run.budget_minutes (exit 3)
    └── WikiError                   anything that went wrong talking to a wiki
        ├── LoginError              wrong user name or bot password, account locked, ...
        ├── WikiUnreachable         refused, DNS, TLS, no route, timeouts, 5xx after all retries (exit 3)
        ├── RetryBudgetExceeded     maxlag / ratelimited / readonly outlasted the budget (exit 3)
        ├── DryRunWriteBlocked      a write was attempted in dry-run mode (a bug, never a user error)
        ├── BotStopped              the on-wiki switch page says the bot must not write now (exit 3)
        └── ApiError                the wiki answered with an error code we do not handle

Messages never contain secrets: exceptions are built from API codes and infos, never from request
parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_CONFIG = 2
EXIT_UNREACHABLE = 3


class OzgwikiError(Exception):
    """Root of all project errors."""

    exit_code: int = EXIT_CONFIG


class ConfigError(OzgwikiError):
    """The configuration (YAML, environment, secret file) is missing or wrong."""


class CatalogueError(OzgwikiError):
    """The catalogue did not load. ``problems`` holds every ``file:line: field: message`` at once."""

    def __init__(self, problems: Sequence[object]) -> None:
        self.problems = list(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"the catalogue has {len(self.problems)} problem(s):\n{lines}")


class SafetyRailError(OzgwikiError):
    """A run would destroy too much at once (retire most keys, blank generated tables); nothing was
    written. Exit 2: the input is wrong until an admin says otherwise (``--allow-mass-retire``)."""


class ReportNotPublished(OzgwikiError):
    """The maintenance page could not be saved: nobody sees the findings. Exit 2 (not 1), so a
    scheduler that counts findings as success still raises the alarm."""


class LocalWikiError(OzgwikiError):
    """Installing, starting or stopping the local wiki failed."""


class PageTextError(OzgwikiError):
    """The page cannot be edited safely (ambiguous template, broken markers, broken wikitext, ...).

    The message names the page problem; callers skip the page and report it, they never guess.
    """

    exit_code = EXIT_FINDINGS


class SchemaError(OzgwikiError):
    """The definitions in ``templates/`` or ``semantic/`` are inconsistent; ``problems`` lists each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the wiki definitions:\n" + "\n".join(problems))


class VariantError(OzgwikiError):
    """A source file's variant markers are malformed (unknown, nested or unbalanced)."""


class StateError(OzgwikiError):
    """A state file cannot be used (corrupt, unreadable) or another run holds its lock."""


class RunLocked(OzgwikiError):
    """Another run holds the lock. Exit code 3: "could not run now" -- the next cron tick tries again.

    ``holder`` is the :class:`ozgwiki.engine.lock.LockHolder` read from the lock file (None when the other run
    has not written it yet).
    """

    exit_code = EXIT_UNREACHABLE

    def __init__(self, path: object, holder: Any | None) -> None:
        self.path = path
        self.holder = holder
        who = holder.describe() if holder else "PID unknown, it has not written the lock file yet"
        super().__init__(f"another run ({who}) is still running; lock file {path}. Not started.")


class RunBudgetExceeded(OzgwikiError):
    """The run outlasted ``run.budget_minutes``; it stopped after the current page or step (exit 3)."""

    exit_code = EXIT_UNREACHABLE


class WikiError(OzgwikiError):
    """Talking to a wiki failed."""


class LoginError(WikiError):
    """The wiki refused the login (wrong user name or bot password, missing grants)."""


class WikiUnreachable(WikiError):
    """The wiki could not be reached or kept failing (network, TLS, timeouts, HTTP 5xx).

    After retries the message is one line: what failed and where, what to check, then the retry
    reason for grep -- ``cannot reach the wiki at URL action=query: connection refused (is the web
    server running ...?); gave up after 6 attempts, 31.2 s: connection (ConnectionError)``.
    """

    exit_code = EXIT_UNREACHABLE


class RetryBudgetExceeded(WikiError):
    """A request kept being refused for a retryable reason (maxlag, ratelimited, readonly)."""

    exit_code = EXIT_UNREACHABLE


class DryRunWriteBlocked(WikiError):
    """Something tried to write while the client runs in dry-run mode."""


class BotStopped(WikiError):
    """An admin set the on-wiki switch page: the bot must not write now.

    Exit code 3, like a wiki in read-only mode: nothing is wrong with the configuration or the content,
    the wiki refuses bot writes for now, and the next scheduled run proceeds once the page says ``an``.
    """

    exit_code = EXIT_UNREACHABLE


class ApiError(WikiError):
    """The API answered with an error code. ``code`` and ``info`` are the wiki's own words."""

    def __init__(self, code: str | None, info: str, *, action: str | None = None) -> None:
        self.code = code
        self.info = info
        self.action = action
        where = f" (action={action})" if action else ""
        super().__init__(f"wiki API error {code or '(no code)'}{where}: {info}")
