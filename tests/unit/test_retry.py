"""The retry policy on its own: exact delays, Retry-After, attempt and wall-clock bounds."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from ozgwiki.config import RetryConfig
from ozgwiki.errors import RetryBudgetExceeded, WikiUnreachable
from ozgwiki.wiki.retry import RetryPolicy, parse_retry_after


class Clock:
    def __init__(self) -> None:
        self.now = 50.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s


def policy(clock: Clock, *, jitter: float = 1.0, **kw: float) -> RetryPolicy:
    cfg = RetryConfig(
        **{"max_attempts": 6, "base_delay": 1.0, "max_delay": 60.0, "budget_seconds": 300.0, **kw}
    )
    return RetryPolicy.from_config(cfg, sleep=clock.sleep, clock=clock, random=lambda: jitter)


@pytest.mark.parametrize(
    ("failures", "jitter", "retry_after", "expected"),
    [
        pytest.param(1, 1.0, None, 1.0, id="first-full"),
        pytest.param(2, 1.0, None, 2.0, id="doubles"),
        pytest.param(4, 1.0, None, 8.0, id="exponential"),
        pytest.param(10, 1.0, None, 60.0, id="capped-at-max-delay"),
        pytest.param(3, 0.0, None, 2.0, id="jitter-low-end-is-half"),
        pytest.param(3, 0.5, None, 3.0, id="jitter-middle"),
        pytest.param(1, 1.0, 5.0, 5.0, id="retry-after-is-lower-bound"),
        pytest.param(4, 1.0, 5.0, 8.0, id="backoff-longer-than-retry-after"),
        pytest.param(1, 1.0, 3600.0, 60.0, id="retry-after-capped"),
    ],
)
def test_delay(failures: int, jitter: float, retry_after: float | None, expected: float) -> None:
    assert policy(Clock(), jitter=jitter).delay(failures, retry_after) == pytest.approx(expected)


def test_run_sleeps_the_computed_delays_then_gives_up_after_max_attempts() -> None:
    c = Clock()
    run = policy(c, max_attempts=4).start("http://w/api.php action=query")
    for _ in range(3):
        run.failed("http5xx", "HTTP 503")
    with pytest.raises(WikiUnreachable, match=r"gave up after 4 attempts.*http5xx \(HTTP 503\)"):
        run.failed("http5xx", "HTTP 503")
    assert c.sleeps == [1.0, 2.0, 4.0]


@pytest.mark.parametrize("reason", ["maxlag", "ratelimited", "readonly"])
def test_backoff_reasons_raise_budget_exceeded(reason: str) -> None:
    run = policy(Clock(), max_attempts=1).start("x")
    with pytest.raises(RetryBudgetExceeded, match=reason):
        run.failed(reason, "wait")


@pytest.mark.parametrize("reason", ["http5xx", "timeout", "connection"])
def test_network_reasons_raise_unreachable(reason: str) -> None:
    run = policy(Clock(), max_attempts=1).start("http://w/api.php")
    with pytest.raises(WikiUnreachable, match=re.escape("http://w/api.php")):
        run.failed(reason, "boom")


def test_budget_stops_before_sleeping_past_it() -> None:
    c = Clock()
    run = policy(c, max_attempts=100, budget_seconds=20.0).start("x")
    with pytest.raises(RetryBudgetExceeded, match="time budget of 20 s"):
        for _ in range(100):
            run.failed("maxlag", "lagged", retry_after=5.0)
    # 5, 5, 5 (backoff 1,2,4 < Retry-After 5) = 15; the next 8 would cross 20 -> give up without sleeping.
    assert c.sleeps == [5.0, 5.0, 5.0]
    assert sum(c.sleeps) <= 20.0


def test_budget_counts_time_spent_in_requests_too() -> None:
    c = Clock()
    run = policy(c, budget_seconds=10.0).start("x")
    c.now += 9.5  # a slow request that timed out
    with pytest.raises(WikiUnreachable, match="budget"):
        run.failed("timeout", "read timed out")
    assert c.sleeps == []


def test_unknown_reason_is_a_bug() -> None:
    with pytest.raises(ValueError):
        policy(Clock()).start("x").failed("editconflict", "no")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("5", 5.0),
        (" 120 ", 120.0),
        ("0", 0.0),
        ("-3", 0.0),
        ("", None),
        (None, None),
        ("soon", None),
        ("nan", None),
        ("Sun, 29 Nov 2026 01:01:30 GMT", 10.0),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    now = datetime(2026, 11, 29, 1, 1, 20, tzinfo=UTC)
    assert parse_retry_after(header, now=now) == expected
