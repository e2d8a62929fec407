"""The pure parts of the local wiki: secrets, settings, files, accounts, apt plan, CLI without a wiki."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import string
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ozgwiki import localwiki as lw
from ozgwiki.cli import main
from ozgwiki.config import parse_config
from ozgwiki.errors import EXIT_UNREACHABLE, LocalWikiError


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Run with umask 0, so only the code itself can keep files private."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- secrets (^[0-9a-w]{32,}$ or the login fails) -----------------------------------------------------


def test_secret_alphabet_is_digits_and_a_to_w() -> None:
    assert set(lw.SECRET_ALPHABET) == set(string.digits + "abcdefghijklmnopqrstuvw")
    assert len(lw.SECRET_ALPHABET) == 33


@given(st.integers(min_value=32, max_value=80))
def test_generated_secrets_are_accepted_bot_passwords(length: int) -> None:
    secret = lw.generate_secret(length)
    assert len(secret) == length
    assert lw.BOT_PASSWORD_RE.fullmatch(secret)


def test_generated_secrets_differ() -> None:
    assert len({lw.generate_secret() for _ in range(50)}) == 50


def test_short_secrets_are_refused() -> None:
    with pytest.raises(ValueError):
        lw.generate_secret(31)


@pytest.mark.parametrize(
    ("secret", "ok"),
    [
        ("0" * 32, True),
        ("abcdefghijklmnopqrstuvw012345678", True),
        ("a" * 31, False),
        ("x" * 32, False),
        ("A" * 32, False),
        ("abcdefghijklmnopqrstuvw01234567-", False),
    ],
    ids=["digits", "a-w", "too-short", "x-not-allowed", "uppercase", "dash"],
)
def test_bot_password_pattern(secret: str, ok: bool) -> None:
    assert bool(lw.BOT_PASSWORD_RE.fullmatch(secret)) is ok


# -- port -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "port"),
    [({}, 8091), ({lw.PORT_ENV: ""}, 8091), ({lw.PORT_ENV: "8099"}, 8099), ({lw.PORT_ENV: " 80 "}, 80)],
    ids=["unset", "empty", "set", "spaces"],
)
def test_port_from_env(env: dict[str, str], port: int) -> None:
    assert lw.port_from_env(env) == port


@pytest.mark.parametrize("raw", ["abc", "0", "70000", "-1", "80.5"])
def test_bad_port_is_a_clear_error(raw: str) -> None:
    with pytest.raises(LocalWikiError, match=lw.PORT_ENV):
        lw.port_from_env({lw.PORT_ENV: raw})


# -- settings snippet -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "php"),
    [("plain", "'plain'"), ("it's", "'it\\'s'"), ("a\\b", "'a\\\\b'"), ("$wgX", "'$wgX'")],
    ids=["plain", "quote", "backslash", "dollar-stays-literal"],
)
def test_php_string(value: str, php: str) -> None:
    assert lw.php_string(value) == php


def _render(directory: Path = Path("/srv/wiki"), lag: int | None = None) -> str:
    return lw.render_settings(
        server="http://127.0.0.1:8099",
        directory=directory,
        extension_jsons=[
            Path("/usr/share/mediawiki/extensions-core/ParserFunctions/extension.json"),
            Path("/usr/share/mediawiki/extensions-core/Scribunto/extension.json"),
        ],
        lua_path="/usr/bin/lua5.1",
        job_queue_lag_factor=lag,
    )


def test_settings_fill_every_placeholder() -> None:
    text = _render()
    assert "@@" not in text
    assert text.startswith("<?php")


def test_settings_load_parserfunctions_and_scribunto_by_path() -> None:
    text = _render()
    assert (
        "wfLoadExtension( 'Scribunto', '/usr/share/mediawiki/extensions-core/Scribunto/extension.json' );"
        in text
    )
    assert "wfLoadExtension( 'ParserFunctions', " in text
    assert "$wgScribuntoEngineConf['luastandalone']['luaPath'] = '/usr/bin/lua5.1';" in text


def _engine_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.startswith("$wgScribuntoDefaultEngine")]
    assert len(lines) == 1
    return lines[0]


def test_settings_pick_luasandbox_only_when_php_has_it() -> None:
    """In-process Lua where php-luasandbox is loaded; luastandalone (lua5.1) on a PHP without it."""
    line = _engine_line(_render())
    assert "extension_loaded( 'luasandbox' )" in line
    assert "'luasandbox'" in line.split("?", 1)[1].split(":", 1)[0]
    assert "'luastandalone'" in line.rsplit(":", 1)[1]


@pytest.mark.skipif(not shutil.which("php"), reason="needs php")
def test_settings_engine_falls_back_on_a_php_without_the_extension() -> None:
    """``php -n`` loads no extension ini: the same line must then choose luastandalone."""
    line = _engine_line(_render())
    code = line.replace("$wgScribuntoDefaultEngine = ", "echo ", 1)
    proc = subprocess.run(["php", "-n", "-r", code], capture_output=True, text=True, check=True)
    assert proc.stdout == "luastandalone"


# php -n loads no extension; APCu's own function is stood in for, so the test needs no php-apcu.
WITH_APCU = "function apcu_enabled() { return true; } "


@pytest.mark.parametrize(("prelude", "wanted"), [("", "none"), (WITH_APCU, "apcu")], ids=["without", "with"])
def test_settings_use_apcu_as_object_cache_only_when_php_has_it(prelude: str, wanted: str) -> None:
    """With APCu loaded the object cache is APCu, without it none; sessions stay in the database."""
    text = _render()
    assert "$wgSessionCacheType = CACHE_DB;" in text
    [line] = [x for x in text.splitlines() if x.startswith("$wgMainCacheType")]
    code = prelude + "const CACHE_NONE = 'none'; const CACHE_ACCEL = 'apcu'; "
    code += line.replace("$wgMainCacheType = ", "echo ", 1)
    probe = subprocess.run(["php", "-n", "-r", code], capture_output=True, text=True, check=False)
    assert probe.stdout == wanted, probe.stderr


def test_a_wiki_may_go_without_object_cache() -> None:
    """The fault tests' wikis: counters a test clears in the database must not live in APCu."""
    text = lw.render_settings(
        server="http://127.0.0.1:8099", directory=Path("/srv/wiki"), extension_jsons=[],
        lua_path="/usr/bin/lua5.1", object_cache=False,
    )  # fmt: skip
    assert "$wgMainCacheType = CACHE_NONE;" in text.splitlines()


def test_apt_installs_luasandbox_without_requiring_it() -> None:
    from ozgwiki.localwiki import software

    assert "php-luasandbox" in software.APT_PACKAGES
    assert "luasandbox" not in software.PHP_MODULES
    assert "php-apcu" in software.APT_PACKAGES and "apcu" not in software.PHP_MODULES


def test_settings_keep_everything_in_the_folder() -> None:
    text = _render()
    assert "$wgServer = 'http://127.0.0.1:8099';" in text
    assert "$wgCacheDirectory = '/srv/wiki/cache';" in text
    assert "$wgDebugLogGroups['exception'] = '/srv/wiki/logs' . '/exception.log';" in text
    code = [line for line in text.splitlines() if not line.lstrip().startswith(("//", "*", "/*"))]
    assert not [line for line in code if "/var/" in line]


def test_settings_enable_parserfunctions_and_bot_without_rate_limit() -> None:
    text = _render()
    assert (
        "wfLoadExtension( 'ParserFunctions', "
        "'/usr/share/mediawiki/extensions-core/ParserFunctions/extension.json' );" in text
    )
    assert "$wgGroupPermissions['bot']['noratelimit'] = true;" in text
    assert "$wgJobRunRate = 0;" in text


@pytest.mark.parametrize(
    ("lag", "line"),
    [(None, "$wgJobQueueIncludeInMaxLagFactor = false;"), (10, "$wgJobQueueIncludeInMaxLagFactor = 10;")],
    ids=["off-by-default", "on"],
)
def test_settings_job_queue_lag(lag: int | None, line: str) -> None:
    assert line in _render(lag=lag)


def test_settings_escape_odd_folder_names() -> None:
    text = _render(Path("/tmp/it's"))
    assert "$wgCacheDirectory = '/tmp/it\\'s/cache';" in text


# -- config and accounts --------------------------------------------------------------------------------


def test_rendered_config_is_a_valid_bot_config(tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "ozgwiki.yaml"
    config = parse_config(yaml.safe_load(lw.render_config("http://127.0.0.1:8099/w/api.php")), path)
    assert config.wiki.api_url == "http://127.0.0.1:8099/w/api.php"
    assert config.wiki.username == "OzgBot@ozgwiki"
    assert config.wiki.password_file == tmp_path / "bot.secret"


def _accounts() -> lw.Accounts:
    return lw.Accounts(
        api_url="http://127.0.0.1:8091/w/api.php",
        index_url="http://127.0.0.1:8091/w/index.php",
        admin=lw.Account("Admin", "Admin", "a" * 32),
        bot=lw.Account("OzgBot", "OzgBot@ozgwiki", "b" * 32),
        editor=lw.Account("Redakteurin", "Redakteurin@ozgwiki", "c" * 32),
    )


def test_accounts_json_has_the_documented_shape() -> None:
    assert json.loads(_accounts().to_json()) == {
        "api_url": "http://127.0.0.1:8091/w/api.php",
        "index_url": "http://127.0.0.1:8091/w/index.php",
        "admin": {"username": "Admin", "password": "a" * 32},
        "bot": {"username": "OzgBot", "login": "OzgBot@ozgwiki", "secret": "b" * 32},
        "editor": {"username": "Redakteurin", "login": "Redakteurin@ozgwiki", "secret": "c" * 32},
    }


def test_accounts_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    lw.write_private(path, _accounts().to_json())
    assert lw.read_accounts(path) == _accounts()


def test_read_accounts_defaults_to_the_localwiki_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OZGWIKI_LOCALWIKI_DIR", str(tmp_path))
    lw.write_private(tmp_path / "accounts.json", _accounts().to_json())
    assert lw.read_accounts().bot.password == "b" * 32


def test_missing_accounts_file_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(LocalWikiError, match="ozgwiki localwiki up"):
        lw.read_accounts(tmp_path / "accounts.json")


@pytest.mark.parametrize("text", ["not json", "{}", '{"admin": 1}'], ids=["garbage", "empty", "wrong-type"])
def test_broken_accounts_file_is_a_clear_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "accounts.json"
    path.write_text(text)
    with pytest.raises(LocalWikiError, match="not a valid accounts file"):
        lw.read_accounts(path)


# -- private files ---------------------------------------------------------------------------------------


def test_private_files_are_0600_whatever_the_umask(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "bot.secret"
    lw.write_private(path, "s3cret\n")
    assert _mode(path) == 0o600
    assert path.read_text() == "s3cret\n"


def test_private_write_tightens_an_open_file_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    path.write_text("old")
    path.chmod(0o644)
    lw.write_private(path, "new")
    assert _mode(path) == 0o600
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["accounts.json"]


def test_unchanged_private_file_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "bot.secret"
    assert lw._write_if_changed(path, "x")
    inode = path.stat().st_ino
    assert not lw._write_if_changed(path, "x")
    assert path.stat().st_ino == inode


def test_same_content_but_open_mode_is_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "bot.secret"
    path.write_text("x")
    path.chmod(0o644)
    assert lw._write_if_changed(path, "x")
    assert _mode(path) == 0o600


# -- installing packages ----------------------------------------------------------------------------------


def test_apt_as_root_runs_update_then_install_noninteractively() -> None:
    update, install = lw.apt_commands(is_root=True, has_sudo=False)
    assert update == ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "update"]
    assert install[:6] == [
        "env",
        "DEBIAN_FRONTEND=noninteractive",
        "apt-get",
        "install",
        "-y",
        "--no-install-recommends",
    ]
    assert "php-sqlite3" in install and "mediawiki" in install


def test_apt_without_root_goes_through_noninteractive_sudo() -> None:
    for cmd in lw.apt_commands(is_root=False, has_sudo=True):
        assert cmd[:4] == ["sudo", "-n", "env", "DEBIAN_FRONTEND=noninteractive"]


def test_apt_without_root_or_sudo_is_a_clear_error() -> None:
    with pytest.raises(LocalWikiError, match="not root and no passwordless sudo"):
        lw.apt_commands(is_root=False, has_sudo=False)


def test_tail_keeps_the_last_lines() -> None:
    assert lw.tail("a\nb\nc\n", 2) == "b\nc"


# -- behaviour without a wiki ------------------------------------------------------------------------------


def test_status_of_an_empty_folder_is_not_running(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["localwiki", "status", "--dir", str(tmp_path / "wiki"), "--port", str(_free_port())])
    out = capsys.readouterr().out
    assert code == EXIT_UNREACHABLE
    assert "not set up" in out
    assert "running:            no" in out


def test_stale_pid_file_is_ignored_and_removed(tmp_path: Path) -> None:
    # Our own pid is alive but is not `php -S`: a PID file naming it must not make the wiki "running".
    (tmp_path / "server.json").write_text(json.dumps({"pid": os.getpid(), "port": 8091}))
    status = lw.LocalWiki(tmp_path, 8091).status()
    assert not status.running and status.pid is None
    assert not (tmp_path / "server.json").exists()


def test_up_refuses_a_port_taken_by_another_program(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = int(s.getsockname()[1])
        with pytest.raises(LocalWikiError, match=f"port {port} .* in use by another program"):
            lw.LocalWiki(tmp_path / "wiki", port).up()
    assert not (tmp_path / "wiki" / "LocalSettings.php").exists()


def test_down_without_a_server_is_a_no_op(tmp_path: Path) -> None:
    assert lw.LocalWiki(tmp_path, _free_port()).down() is False


def test_run_jobs_needs_a_set_up_wiki(tmp_path: Path) -> None:
    with pytest.raises(LocalWikiError, match="not set up"):
        lw.LocalWiki(tmp_path, _free_port()).run_jobs()


@pytest.mark.parametrize("action", ["up", "down", "status", "reset", "run-jobs"])
def test_every_action_has_help(action: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["localwiki", action, "--help"])
    assert exc.value.code == 0
    assert "--port" in capsys.readouterr().out


def test_install_failure_shows_the_tail_of_its_output(tmp_path: Path) -> None:
    """A fake php: every module is loaded, but install.php fails the way a broken setup would."""
    mediawiki = tmp_path / "mediawiki"
    (mediawiki / "maintenance").mkdir(parents=True)
    (mediawiki / "maintenance" / "install.php").touch()
    php = tmp_path / "php"
    php.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "-r" ]; then exit 0; fi\n'
        'echo "Datenbank wird eingerichtet"\n'
        'echo "Fehler: Das Datenverzeichnis ist nicht beschreibbar." >&2\n'
        "exit 1\n"
    )
    php.chmod(0o755)
    wiki = lw.LocalWiki(tmp_path / "wiki", _free_port(), mediawiki_dir=mediawiki, php=str(php))
    with pytest.raises(LocalWikiError, match=r"install\.php failed \(exit 1\)") as exc:
        wiki.up()
    assert "Datenverzeichnis ist nicht beschreibbar" in str(exc.value)
    assert not wiki.is_set_up()
    assert not (tmp_path / "wiki" / ".admin-password").exists(), "the admin password file must not linger"


def test_missing_software_without_root_or_sudo_says_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lw.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(lw.software, "_has_sudo", lambda: False)
    wiki = lw.LocalWiki(
        tmp_path / "wiki", _free_port(), mediawiki_dir=tmp_path / "no-mediawiki", php="no-such-php"
    )
    with pytest.raises(LocalWikiError, match="not root and no passwordless sudo") as exc:
        wiki.up()
    assert "apt-get install -y --no-install-recommends mediawiki php-sqlite3" in str(exc.value)
    assert not (tmp_path / "wiki" / "logs" / "apt.log").exists()
