"""Fresh local wikis for the bench: one installed and deployed wiki, kept as a snapshot, copied back
before every contender's run so each one starts from the same empty wiki.

The snapshot is taken with the server stopped (the SQLite file is consistent), after ``ozgwiki deploy``
and a drained job queue: the templates and modules are in place, so every page a contender writes is
parsed with the same templates (and Lua ``#invoke``\\ s) a production wiki would parse. The wiki lives
at the same path every time, because its ``LocalSettings.php`` names its own folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.measure import JobsCost, run_jobs_cpu
from ozgwiki.localwiki import LocalWiki, read_accounts

CONFIG_NAME = "bench.yaml"

#: The bench's (c) row makes 1,000 editor edits in a minute or two from one account: in a real wiki
#: those are many editors over days. MediaWiki's default edit limit for a user (90 a minute, 8 for a
#: newbie) would make that loop wait, or fail with ``ratelimited``, so the bench wiki lifts it. The bot
#: account is unaffected (its ``noratelimit`` right already exempts it).
EDITOR_RATE_LIMIT = """<?php
// Written by bench/wikis.py: one editor account stands for many in the validate-after-edits row.
$wgRateLimits['edit']['user'] = [ 100000, 60 ];
$wgRateLimits['edit']['newbie'] = [ 100000, 60 ];
"""


@dataclass(frozen=True)
class Credentials:
    """What a contender needs to log in: the API and a bot-password login."""

    api_url: str
    login: str
    password: str


def bench_config(wiki_dir: Path, *, manifest: str | None) -> Path:
    """The wiki's own ``ozgwiki.yaml`` plus a state folder inside the wiki folder (so a fresh copy of
    the wiki has a fresh state too) and, for the real data, the catalogue manifest."""
    text = (wiki_dir / "ozgwiki.yaml").read_text(encoding="utf-8")
    text += f"state:\n  dir: {wiki_dir / 'bench-state'}\n"
    if manifest:
        text += f"catalogue:\n  manifest: {manifest}\n"
    path = wiki_dir / (f"bench-{manifest}.yaml" if manifest else CONFIG_NAME)
    path.write_text(text, encoding="utf-8")
    return path


class BenchWiki:
    """A local wiki at ``root/wiki`` on ``port`` with a pristine snapshot at ``root/snapshot``."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.directory = root / "wiki"
        self.snapshot = root / "snapshot"
        self.wiki = LocalWiki(self.directory, port)

    def prepare(self, python: str = sys.executable) -> None:
        """Install a wiki from scratch, deploy the definitions, drain the jobs, keep it as the snapshot."""
        self.wiki.down()
        shutil.rmtree(self.directory, ignore_errors=True)
        shutil.rmtree(self.snapshot, ignore_errors=True)
        self.wiki.up()
        (self.directory / "LocalSettings.extra.php").write_text(EDITOR_RATE_LIMIT, encoding="utf-8")
        config = bench_config(self.directory, manifest=None)
        proc = subprocess.run(
            [python, "-m", "ozgwiki", "--config", str(config), "deploy"],
            capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        if proc.returncode != 0:
            raise RuntimeError(f"ozgwiki deploy failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        self.wiki.run_jobs()
        self.wiki.down()
        shutil.rmtree(self.directory / "bench-state", ignore_errors=True)
        shutil.copytree(self.directory, self.snapshot, symlinks=True, ignore=shutil.ignore_patterns(".lock"))

    def fresh(self) -> int:
        """Stop the server, put the snapshot back, start it; returns the server's pid."""
        self.wiki.down()
        self.wiki._wipe()  # the local wiki's own wipe: everything but the folder and its lock file
        shutil.copytree(self.snapshot, self.directory, symlinks=True, dirs_exist_ok=True)
        (self.directory / "server.json").unlink(missing_ok=True)
        self.wiki.up()
        return self.server_pid()

    def server_pid(self) -> int:
        server = self.wiki._server()
        if server is None:
            raise RuntimeError(f"the bench wiki in {self.directory} is not running")
        return server[0]

    def credentials(self, *, editor: bool = False) -> Credentials:
        accounts = read_accounts(self.wiki.path("accounts.json"))
        account = accounts.editor if editor else accounts.bot
        return Credentials(accounts.api_url, account.login, account.password)

    def drain_jobs(self) -> JobsCost:
        """Run the job queue the run left behind, as a child process, and measure its CPU."""
        env = self.wiki._php_env()
        return run_jobs_cpu(self.wiki.php, self.wiki.mediawiki_dir, env, self.directory)

    def software(self) -> dict[str, str]:
        """MediaWiki, PHP and Scribunto engine as the running wiki reports them."""
        import requests

        query = requests.get(
            self.wiki.api_url,
            params={"action": "query", "meta": "siteinfo", "siprop": "general|extensions",
                    "format": "json", "formatversion": "2"},
            timeout=30,
        ).json()["query"]  # fmt: skip
        general = query["general"]
        engine = self._scribunto_engine()
        names = {e.get("name", "") for e in query.get("extensions", [])}
        return {
            "mediawiki": str(general.get("generator", "")),
            "php": str(general.get("phpversion", "")),
            "database": f"{general.get('dbtype', '')} {general.get('dbversion', '')}".strip(),
            "scribunto_engine": engine if "Scribunto" in names else "no Scribunto",
        }

    def _scribunto_engine(self) -> str:
        """``$wgScribuntoDefaultEngine`` as the wiki's own settings resolve it (eval.php), or "n/a"."""
        proc = subprocess.run(
            [self.wiki.php, str(self.wiki.mediawiki_dir / "maintenance" / "eval.php")],
            input="echo $wgScribuntoDefaultEngine;\n", capture_output=True, text=True,
            env=self.wiki._php_env(), cwd=self.directory, check=False, timeout=60,
        )  # fmt: skip
        words = proc.stdout.split()
        return words[-1] if proc.returncode == 0 and words else "n/a"

    def down(self) -> None:
        self.wiki.down()


def venv_python() -> str:
    """The interpreter of the bench environment (the one running the bench)."""
    return os.environ.get("OZGWIKI_BENCH_PYTHON", sys.executable)
