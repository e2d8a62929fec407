"""The embedded local wiki against the real thing.

Most tests use the shared wiki every integration test uses (started by ``make test`` /
``ozgwiki localwiki up``) and never change it beyond running its job queue. They FAIL, never skip, when
it is not running. The lifecycle test builds its own wiki in a temporary folder on a free port, so
``down`` and ``reset`` can be exercised without disturbing anybody.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from ozgwiki import localwiki as lw
from ozgwiki.config import LOCALWIKI_DIR_ENV, load_config
from ozgwiki.errors import LocalWikiError

pytestmark = pytest.mark.wiki

REPO = Path(__file__).resolve().parents[2]


def _shared_wiki() -> lw.LocalWiki:
    return lw.LocalWiki(os.environ.get(LOCALWIKI_DIR_ENV) or REPO / ".localwiki")


@pytest.fixture(scope="module")
def wiki() -> lw.LocalWiki:
    """The shared local wiki; a clear failure when it is not running."""
    shared = _shared_wiki()
    status = shared.status()
    if not status.running or not shared.is_set_up():
        pytest.fail(
            f"the local wiki in {shared.directory} is not running at {shared.api_url} "
            f"({status.error or 'no server'}): start it with `make wiki` or `ozgwiki localwiki up`"
        )
    return shared


@pytest.fixture(scope="module")
def accounts(wiki: lw.LocalWiki) -> lw.Accounts:
    return lw.read_accounts(wiki.path("accounts.json"))


def _login(api_url: str, account: lw.Account) -> requests.Session:
    """A raw bot-password login: one request for the token, one for the login."""
    session = requests.Session()
    token = session.get(
        api_url,
        params={"action": "query", "meta": "tokens", "type": "login", "format": "json", "formatversion": "2"},
        timeout=30,
    ).json()["query"]["tokens"]["logintoken"]
    answer = session.post(
        api_url,
        data={
            "action": "login",
            "lgname": account.login,
            "lgpassword": account.password,
            "lgtoken": token,
            "format": "json",
            "formatversion": "2",
        },
        timeout=30,
    ).json()
    assert answer["login"]["result"] == "Success", f"login as {account.login} failed: {answer['login']}"
    return session


def _whoami(session: requests.Session, api_url: str, titles: str) -> dict[str, Any]:
    return dict(
        session.get(
            api_url,
            params={
                "action": "query",
                "meta": "userinfo",
                "uiprop": "groups|rights",
                "prop": "info",
                "intestactions": "edit",
                "titles": titles,
                "format": "json",
                "formatversion": "2",
            },
            timeout=30,
        ).json()["query"]
    )


def _can_edit(query: dict[str, Any]) -> dict[str, bool]:
    return {page["title"]: page["actions"]["edit"] for page in query["pages"]}


def _fingerprint(wiki: lw.LocalWiki) -> tuple[int, int, int]:
    db = wiki.db_file.stat()
    settings = wiki.path("LocalSettings.php").stat()
    return db.st_ino, settings.st_ino, settings.st_mtime_ns


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the shared wiki -----------------------------------------------------------------------------------


def test_up_on_a_running_wiki_changes_nothing(wiki: lw.LocalWiki, accounts: lw.Accounts) -> None:
    before = _fingerprint(wiki)
    pid = wiki.status().pid
    result = wiki.up()
    assert (result.installed, result.started) == (False, False)
    assert result.pid == pid
    assert _fingerprint(wiki) == before, "up reinstalled the wiki (database or LocalSettings.php replaced)"
    assert lw.read_accounts(wiki.path("accounts.json")) == accounts


def test_status_reports_a_plain_mediawiki(wiki: lw.LocalWiki) -> None:
    status = wiki.status()
    assert status.running and status.set_up
    assert status.generator is not None and status.generator.startswith("MediaWiki 1.")
    assert "ParserFunctions" in status.extensions
    assert not status.extensions.smw
    assert not status.extensions.pageforms
    assert "ParserFunctions" in status.extensions


def test_status_command_exits_0_and_says_no_smw(wiki: lw.LocalWiki) -> None:
    env = {**os.environ, LOCALWIKI_DIR_ENV: str(wiki.directory), lw.PORT_ENV: str(wiki.port)}
    proc = subprocess.run(
        [sys.executable, "-m", "ozgwiki", "localwiki", "status"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"running:            yes, pid {wiki.status().pid}" in proc.stdout
    assert "Semantic MediaWiki: not installed" in proc.stdout


def test_templates_can_use_parserfunctions(wiki: lw.LocalWiki) -> None:
    answer = requests.get(
        wiki.api_url,
        params={
            "action": "expandtemplates",
            "text": "{{#if: x | ja | nein}} {{#expr: 6*7}} {{#switch: b | a=1 | b=2}}",
            "prop": "wikitext",
            "format": "json",
            "formatversion": "2",
        },
        timeout=30,
    ).json()
    assert answer["expandtemplates"]["wikitext"] == "ja 42 2"


def test_content_language_is_german(wiki: lw.LocalWiki) -> None:
    general = requests.get(
        wiki.api_url,
        params={"action": "query", "meta": "siteinfo", "format": "json", "formatversion": "2"},
        timeout=30,
    ).json()["query"]["general"]
    assert general["lang"] == "de"
    assert general["server"] == wiki.base_url
    assert general["scriptpath"] == "/w"


def test_bot_logs_in_with_its_bot_password_and_is_a_bot(wiki: lw.LocalWiki, accounts: lw.Accounts) -> None:
    assert accounts.bot.login == "OzgBot@ozgwiki"
    assert lw.BOT_PASSWORD_RE.fullmatch(accounts.bot.password)
    session = _login(wiki.api_url, accounts.bot)
    query = _whoami(session, wiki.api_url, "MediaWiki:Sidebar|Vorlage:Ozgwiki-Test|MediaWiki:Common.js")
    user = query["userinfo"]
    assert user["name"] == "OzgBot"
    assert "bot" in user["groups"]
    assert "sysop" not in user["groups"], "the bot should not need sysop"
    assert {"noratelimit", "apihighlimits", "editinterface", "bot"} <= set(user["rights"])
    assert _can_edit(query) == {
        "MediaWiki:Sidebar": True,
        "Vorlage:Ozgwiki-Test": True,
        "MediaWiki:Common.js": False,  # no editsiteconfig grant: site JS stays out of reach
    }


def test_editor_is_an_ordinary_user(wiki: lw.LocalWiki, accounts: lw.Accounts) -> None:
    assert accounts.editor.login == "Redakteurin@ozgwiki"
    session = _login(wiki.api_url, accounts.editor)
    query = _whoami(session, wiki.api_url, "MediaWiki:Sidebar|Ozgwiki-Test")
    user = query["userinfo"]
    assert user["name"] == "Redakteurin"
    assert "bot" not in user["groups"]
    assert "bot" not in user["rights"] and "noratelimit" not in user["rights"]
    assert _can_edit(query) == {"MediaWiki:Sidebar": False, "Ozgwiki-Test": True}


def test_admin_logs_in_with_its_password(wiki: lw.LocalWiki, accounts: lw.Accounts) -> None:
    session = _login(wiki.api_url, accounts.admin)
    assert "sysop" in _whoami(session, wiki.api_url, "Hauptseite")["userinfo"]["groups"]


def test_secret_files_are_private_and_agree(wiki: lw.LocalWiki, accounts: lw.Accounts) -> None:
    for name in ("bot.secret", "accounts.json", "LocalSettings.php"):
        mode = stat.S_IMODE(wiki.path(name).stat().st_mode)
        assert mode == 0o600, f"{name} has mode {mode:04o}"
    config = load_config(wiki.path("ozgwiki.yaml"))
    assert config.wiki.api_url == accounts.api_url == wiki.api_url
    assert config.wiki.username == accounts.bot.login
    env_password = os.environ.pop(config.wiki.password_env, None)
    try:
        assert config.wiki.password() == accounts.bot.password
    finally:
        if env_password is not None:
            os.environ[config.wiki.password_env] = env_password


def test_generated_settings_are_valid_php(wiki: lw.LocalWiki) -> None:
    proc = subprocess.run(
        ["php", "-l", str(wiki.path(lw.SETTINGS_FILE))], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_run_jobs_drains_the_queue(wiki: lw.LocalWiki) -> None:
    result = wiki.run_jobs()
    assert result.failed == 0
    assert wiki.run_jobs().jobs == 0  # nothing left: the queue really was run


# -- a wiki of its own: down, start again, reset -----------------------------------------------------------


def test_lifecycle_in_a_separate_folder(tmp_path: Path) -> None:
    port = _free_port()
    own = lw.LocalWiki(tmp_path / "wiki", port)
    try:
        first = own.up()
        assert (first.installed, first.started) == (True, True)
        assert own.status().running
        before = _fingerprint(own)
        old_secret = lw.read_accounts(own.path("accounts.json")).bot.password

        with pytest.raises(LocalWikiError, match=f"already runs on port {port}"):
            lw.LocalWiki(own.directory, _free_port()).up()

        assert own.down() is True
        assert not own.status().running
        assert not own.path("server.json").exists()
        assert own.down() is False

        again = own.up()
        assert (again.installed, again.started) == (False, True)
        assert again.pid != first.pid
        assert _fingerprint(own) == before

        fresh = own.reset()
        assert (fresh.installed, fresh.started) == (True, True)
        new_accounts = lw.read_accounts(own.path("accounts.json"))
        assert new_accounts.bot.password != old_secret
        _login(own.api_url, new_accounts.bot)
    finally:
        own.down()
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, "the server still listens after down"


def test_bot_edits_and_jobs_run_only_when_asked(tmp_path: Path) -> None:
    """On a wiki of its own: the bot edits the sidebar and a template; the template's new category reaches
    the page that uses it only through run_jobs (api.php never runs jobs, page views don't either)."""
    own = lw.LocalWiki(tmp_path / "wiki", _free_port())
    try:
        own.up()
        session = _login(own.api_url, lw.read_accounts(own.path("accounts.json")).bot)
        token = session.get(
            own.api_url, params={"action": "query", "meta": "tokens", "format": "json"}, timeout=30
        ).json()["query"]["tokens"]["csrftoken"]

        def edit(title: str, text: str) -> None:
            answer = session.post(
                own.api_url,
                data={
                    "action": "edit",
                    "title": title,
                    "text": text,
                    "bot": "1",
                    "token": token,
                    "format": "json",
                },
                timeout=30,
            ).json()
            assert answer.get("edit", {}).get("result") == "Success", answer

        def members(category: str) -> set[str]:
            query = session.get(
                own.api_url,
                params={
                    "action": "query",
                    "list": "categorymembers",
                    "cmtitle": category,
                    "format": "json",
                    "formatversion": "2",
                },
                timeout=30,
            ).json()["query"]
            return {m["title"] for m in query["categorymembers"]}

        edit("MediaWiki:Sidebar", "* navigation\n** mainpage|mainpage-description\n** Kommunen|Kommunen")
        edit("Vorlage:Ozgwiki-Test", "[[Kategorie:Alt]]")
        edit("Testseite", "{{Ozgwiki-Test}}")
        own.run_jobs()
        assert "Testseite" in members("Kategorie:Alt")

        edit("Vorlage:Ozgwiki-Test", "[[Kategorie:Neu]]")
        assert "Testseite" not in members("Kategorie:Neu"), "jobs ran without being asked"
        result = own.run_jobs()
        assert result.jobs > 0 and result.failed == 0
        assert "Testseite" in members("Kategorie:Neu")
    finally:
        own.down()
