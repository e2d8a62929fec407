"""The retry policy: bounded exponential backoff with jitter, ``Retry-After`` and a wall-clock budget.

A bot runs from cron. Nobody watches it, so every wait must be bounded: a request is retried at most
``max_attempts`` times *and* never past ``budget_seconds`` of wall-clock time since its first attempt.
Afterwards the run stops with an error that names the cause instead of hanging.

Only transient refusals are retried:

* ``maxlag``, ``ratelimited``, ``readonly`` -- the wiki asks us to come back later; giving up raises
  :class:`~ozgwiki.errors.RetryBudgetExceeded`;
* ``http5xx``, ``timeout``, ``connection``, ``notjson`` -- the wiki or the network is in trouble (a
  ``notjson`` answer is an HTML page where JSON belongs: a proxy's error page with status 200); giving
  up raises :class:`~ozgwiki.errors.WikiUnreachable`.

Sleep, clock and random source are injected so tests can assert the exact delays without waiting.
"""

from __future__ import annotations

import logging
import random as _random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from ozgwiki.config import RetryConfig
from ozgwiki.errors import RetryBudgetExceeded, WikiError, WikiUnreachable

log = logging.getLogger(__name__)

#: The wiki asked us to wait: giving up raises RetryBudgetExceeded.
BACKOFF_REASONS = frozenset({"maxlag", "ratelimited", "readonly"})
#: The wiki or the network failed: giving up raises WikiUnreachable.
NETWORK_REASONS = frozenset({"http5xx", "timeout", "connection", "notjson"})
RETRY_REASONS = BACKOFF_REASONS | NETWORK_REASONS


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Read a ``Retry-After`` header (seconds or HTTP date) as seconds from now, or None.

    MediaWiki sends whole seconds; an HTTP date is accepted because proxies in front of a wiki may
    send one. Garbage is ignored (None) rather than trusted.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


@dataclass
class RetryPolicy:
    """How one logical request is retried. One policy per Site; one :class:`RetryRun` per request."""

    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    budget_seconds: float = 300.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    random: Callable[[], float] = field(default=_random.random, repr=False)

    @classmethod
    def from_config(
        cls,
        cfg: RetryConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        random: Callable[[], float] = _random.random,
    ) -> RetryPolicy:
        """Build the policy from the ``wiki.retry`` config section."""
        return cls(
            max_attempts=max(1, cfg.max_attempts),
            base_delay=cfg.base_delay,
            max_delay=cfg.max_delay,
            budget_seconds=cfg.budget_seconds,
            sleep=sleep,
            clock=clock,
            random=random,
        )

    def delay(self, failures: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``failures``-th failed attempt (1-based).

        Exponential backoff ``base * 2**(failures-1)`` capped at ``max_delay``, with "equal jitter"
        (a uniform value between half and all of it) so that several bots do not retry in lockstep.
        A ``Retry-After`` from the wiki is a lower bound, itself capped at ``max_delay`` so a
        misconfigured server cannot park the bot for hours.
        """
        backoff = min(self.max_delay, self.base_delay * 2 ** max(0, failures - 1))
        delay = backoff * (0.5 + 0.5 * self.random())
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_delay))
        return delay

    def start(self, what: str, *, quiet: bool = False) -> RetryRun:
        """Begin one logical request; ``what`` names it in log lines and errors (e.g. the URL).

        ``quiet``: giving up is logged at DEBUG, not INFO -- for requests whose failure the caller
        handles (the run goes on).
        """
        return RetryRun(self, what, self.clock(), quiet=quiet)


@dataclass
class RetryRun:
    """The retry state of one logical request: failures so far and when it started."""

    policy: RetryPolicy
    what: str
    started: float
    failures: int = 0
    waited: float = 0.0
    delays: list[float] = field(default_factory=list)
    quiet: bool = False

    def failed(
        self,
        reason: str,
        detail: str,
        retry_after: float | None = None,
        *,
        short: str | None = None,
        check: str | None = None,
    ) -> float:
        """Record a failed attempt; sleep before the next one, or raise if attempts or budget are spent.

        ``short`` says in a few words what went wrong (``connection refused``) for the one log line per
        retry; without it that line shows ``reason (detail)``. ``check`` (network reasons only) is what
        an admin should look at: with it the final error starts with what failed, where and what to
        check -- the line a cron mail shows -- and keeps ``reason (detail)`` at its end for grep.

        Returns the delay slept. Raises :class:`RetryBudgetExceeded` for the reasons in
        :data:`BACKOFF_REASONS`, :class:`WikiUnreachable` for the network reasons.
        """
        if reason not in RETRY_REASONS:
            raise ValueError(f"not a retryable reason: {reason!r}")
        p = self.policy
        self.failures += 1
        elapsed = p.clock() - self.started
        summary = short or f"{reason} ({detail})"
        if self.failures >= p.max_attempts:
            raise self._give_up(reason, detail, elapsed, f"{self.failures} attempts", summary, check)
        delay = p.delay(self.failures, retry_after)
        if elapsed + delay > p.budget_seconds:
            spent = f"the time budget of {p.budget_seconds:g} s ({self.failures} attempts)"
            raise self._give_up(reason, detail, elapsed, spent, summary, check)
        # One short line per retry: the cron mail of a wiki that is down shows why and when it goes on,
        # not library internals (the transport logs those at INFO, shown with -v).
        log.warning(
            "%s: %s; attempt %d/%d failed, next in %.1f s",
            self.what, summary, self.failures, p.max_attempts, delay,
        )  # fmt: skip
        self.delays.append(delay)
        self.waited += delay
        p.sleep(delay)
        return delay

    def _give_up(
        self, reason: str, detail: str, elapsed: float, spent: str, summary: str, check: str | None
    ) -> WikiError:
        tail = f"gave up after {spent}, {elapsed:.1f} s: {reason} ({detail})"
        if check is not None and reason in NETWORK_REASONS:
            msg = f"cannot reach the wiki at {self.what}: {summary} ({check}); {tail}"
        else:
            msg = f"{self.what}: {tail}"
        # The error carries this text and the CLI prints it as its one line; logged at ERROR as well it
        # would stand twice in every cron mail. INFO keeps it in the run log and shows it with -v.
        log.log(logging.DEBUG if self.quiet else logging.INFO, "%s", msg)
        if reason in BACKOFF_REASONS:
            return RetryBudgetExceeded(msg)
        return WikiUnreachable(msg)
