"""Configuration: where it is found, what it refuses, and how the secret is kept out of it."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
import yaml

from ozgwiki.config import PASSWORD_ENV, find_config, load_config, parse_config
from ozgwiki.errors import ConfigError

SECRET = "0123456789abcdefghijklmnopqrstuvw"


def write_config(tmp_path: Path, wiki: dict, name: str = "ozgwiki.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"wiki": wiki}), encoding="utf-8")
    return path


def secret_file(tmp_path: Path, mode: int = 0o600) -> Path:
    path = tmp_path / "bot.secret"
    path.write_text(SECRET + "\n", encoding="utf-8")
    os.chmod(path, mode)
    return path


BASE = {"api_url": "http://127.0.0.1:8091/w/api.php", "username": "OzgBot@ozgwiki"}


def test_password_file_is_resolved_relative_to_the_config(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    secret_file(tmp_path)
    cfg = load_config(write_config(tmp_path, {**BASE, "password_file": "bot.secret"}))
    assert cfg.wiki.password_file == tmp_path / "bot.secret"
    assert cfg.wiki.password() == SECRET


def test_environment_wins_over_the_file(tmp_path: Path, monkeypatch) -> None:
    secret_file(tmp_path)
    monkeypatch.setenv(PASSWORD_ENV, "fromtheenvironment0123456789abcdef")
    cfg = load_config(write_config(tmp_path, {**BASE, "password_file": "bot.secret"}))
    assert cfg.wiki.password() == "fromtheenvironment0123456789abcdef"


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660], ids=oct)
def test_secret_file_readable_by_others_is_refused(tmp_path: Path, monkeypatch, mode: int) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    secret_file(tmp_path, mode)
    cfg = load_config(write_config(tmp_path, {**BASE, "password_file": "bot.secret"}))
    with pytest.raises(ConfigError, match="chmod 600") as err:
        cfg.wiki.password()
    assert SECRET not in str(err.value)


@pytest.mark.parametrize("key", ["password", "bot_password", "secret"])
def test_secret_in_the_yaml_is_refused_without_echoing_it(tmp_path: Path, key: str) -> None:
    path = write_config(tmp_path, {**BASE, key: SECRET})
    with pytest.raises(ConfigError, match=f"wiki.{key} is not allowed") as err:
        load_config(path)
    assert SECRET not in str(err.value)


def test_missing_secret_names_both_ways_to_give_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    cfg = load_config(write_config(tmp_path, BASE))
    with pytest.raises(ConfigError, match=rf"\${PASSWORD_ENV}.*password_file"):
        cfg.wiki.password()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param([], "expected a mapping", id="not-a-mapping"),
        pytest.param({}, "missing section 'wiki'", id="no-wiki"),
        pytest.param({"wiki": {"username": "X@y"}}, "wiki.api_url is required", id="no-url"),
        pytest.param({"wiki": {**BASE, "api_url": "127.0.0.1/w"}}, "full URL of api.php", id="bad-url"),
        pytest.param({"wiki": {**BASE, "maxlag": "five"}}, "'maxlag' must be a number", id="bad-maxlag"),
        pytest.param({"wiki": {**BASE, "retry": [1]}}, "wiki.retry must be a mapping", id="bad-retry"),
    ],
)
def test_bad_config_gives_a_clear_error(data: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(data, Path("/etc/ozgwiki/ozgwiki.yaml"))


def test_retry_settings_are_read(tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path, {**BASE, "retry": {"max_attempts": 2, "budget_seconds": 9}}))
    assert (cfg.wiki.retry.max_attempts, cfg.wiki.retry.budget_seconds) == (2, 9.0)
    assert cfg.wiki.retry.base_delay == 1.0


def test_lookup_order(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OZGWIKI_CONFIG", raising=False)
    monkeypatch.setenv("OZGWIKI_LOCALWIKI_DIR", str(tmp_path / "lw"))
    with pytest.raises(ConfigError, match="no configuration found"):
        find_config()
    (tmp_path / "lw").mkdir()
    local = write_config(tmp_path / "lw", BASE)
    assert find_config() == local
    here = write_config(tmp_path, BASE)
    assert find_config().resolve() == here.resolve()
    other = write_config(tmp_path, BASE, name="other.yaml")
    monkeypatch.setenv("OZGWIKI_CONFIG", str(other))
    assert find_config() == other
    assert find_config(here) == here


def test_explicit_missing_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        find_config(tmp_path / "nope.yaml")


def test_secret_given_in_code_is_used_and_never_shown(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "fromtheenvironment0123456789abcdef")
    cfg = load_config(write_config(tmp_path, BASE))
    wiki = dataclasses.replace(cfg.wiki, secret=SECRET)
    assert wiki.password() == SECRET
    assert SECRET not in repr(wiki) and SECRET not in repr(cfg)
