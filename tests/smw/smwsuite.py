"""What the SMW suite's tests share: its config, the console-script runs, the job-queue wait.

(A module of its own, not ``conftest``: several conftest modules share that name on ``sys.path``.)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ozgwiki.config import Config, WikiConfig
from ozgwiki.wiki.site import Site


@dataclass(frozen=True)
class SuiteConfig:
    """Where the suite's wiki is and who writes there."""

    bot_config_path: Path
    bot: Config
    editor_login: str
    editor_password: str = ""

    def site(self, role: str = "bot") -> Site:
        wiki = self.bot.wiki
        if role == "editor":
            wiki = WikiConfig(
                api_url=wiki.api_url,
                username=self.editor_login,
                secret=self.editor_password,
                request_timeout=wiki.request_timeout,
                retry=wiki.retry,
            )
        site = Site(wiki)
        site.login()
        return site


@dataclass(frozen=True)
class CliRun:
    """One run of the real console script: exit code, its JSON document (or JSON Lines), wall time."""

    code: int
    data: dict[str, Any]
    lines: list[dict[str, Any]]
    seconds: float
    stderr: str


def wait_for_jobs(site: Site, *, timeout: float = 300) -> None:
    """Until the job queue is empty (SMW stores data and link tables in jobs)."""
    deadline = time.monotonic() + timeout
    while True:
        body = site.api("query", meta="siteinfo", siprop="statistics")
        if int(body["query"]["statistics"].get("jobs", 0)) == 0:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"the job queue of {site.api_url} did not drain in {timeout:.0f} s: no job runner?")
        time.sleep(1)  # polling an external queue, not synchronising with our own code
