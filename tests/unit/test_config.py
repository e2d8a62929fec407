"""Configuration: where it is found, what it refuses, and how the secret is kept out of it."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
import yaml

from ozgwiki.config import (
    DEFAULT_SKIP_PREFIXES,
    PASSWORD_ENV,
    Config,
    ImportSettings,
    RunOptions,
    ValidateSettings,
    WikiConfig,
    find_config,
    load_config,
    parse_config,
)
from ozgwiki.domain import titles
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


# ---------------------------------------------------------------------------------- typed sections


def test_the_bot_sections_are_typed_values_with_the_documented_defaults(tmp_path: Path) -> None:
    cfg = parse_config({"wiki": BASE}, tmp_path / "ozgwiki.yaml")
    assert cfg.validate == ValidateSettings()
    assert (
        cfg.validate.report_page == "Project:LeiKa-Schlüsselprüfung" and cfg.validate.allow_regional is False
    )
    assert cfg.importing == ImportSettings(max_retire_share=0.10)
    assert cfg.regenerate.mode is None and cfg.catalogue.manifest is None and cfg.state.dir is None
    assert (cfg.run.budget_minutes, cfg.run.stop_check_seconds, cfg.run.log_file) == (60.0, 60.0, None)


def test_the_bot_sections_are_read_once_in_their_types(tmp_path: Path) -> None:
    data = {
        "wiki": BASE,
        "validate": {"report_page": " Projekt:Prüfung ", "allow_regional": True, "namespaces": [0, 4],
                     "skip_prefixes": ["X "], "only_prefix": "Test"},
        "import": {"max_retire_share": 1},
        "regenerate": {"mode": "static"},
        "state": {"dir": "var/state"},
        "run": {"log_file": "/tmp/o.log", "budget_minutes": 5, "stop_page": "Benutzer:{bot}/Halt",
                "stop_check_seconds": 0, "state_dir": ""},
        "catalogue": {"manifest": "nrw"},
    }  # fmt: skip
    cfg = parse_config(data, tmp_path / "ozgwiki.yaml")
    assert cfg.validate == ValidateSettings(
        report_page="Projekt:Prüfung", allow_regional=True, namespaces=(0, 4), skip_prefixes=("X ",),
        only_prefix="Test",
    )  # fmt: skip
    assert cfg.importing.max_retire_share == 1.0 and isinstance(cfg.importing.max_retire_share, float)
    assert cfg.regenerate.mode == "static" and cfg.catalogue.manifest == "nrw"
    assert cfg.state.dir == tmp_path / "var" / "state"  # relative to the config file
    assert cfg.run == RunOptions(
        state_dir=None, log_file=Path("/tmp/o.log"), budget_minutes=5.0, stop_page="Benutzer:{bot}/Halt",
        stop_check_seconds=0.0,
    )  # fmt: skip


@pytest.mark.parametrize("text", ["no", "yes", "false", "ja", "0"])
def test_allow_regional_as_a_text_is_refused_not_read_as_true(text: str) -> None:
    """``bool("no")`` is True: a quoted "no" must be a configuration error, never a switched-on rule."""
    message = f"config: section 'validate': 'allow_regional' must be true or false, got '{text}'"
    with pytest.raises(ConfigError) as parsed:
        parse_config({"wiki": BASE, "validate": {"allow_regional": text}})
    assert str(parsed.value) == message
    # A Config made in code (tests, the demo) is held to the same rule, with the same message.
    with pytest.raises(ConfigError) as in_code:
        Config(WikiConfig(**BASE), raw={"validate": {"allow_regional": text}})
    assert str(in_code.value) == message


def test_unquoted_yaml_no_is_false(tmp_path: Path) -> None:
    path = tmp_path / "ozgwiki.yaml"
    path.write_text(yaml.safe_dump({"wiki": BASE}) + "validate:\n  allow_regional: no\n", encoding="utf-8")
    assert load_config(path).validate.allow_regional is False


def test_an_empty_only_prefix_keeps_its_message() -> None:
    with pytest.raises(ConfigError, match=r"^config: validate\.only_prefix must be a title beginning$"):
        parse_config({"wiki": BASE, "validate": {"only_prefix": ""}})


def test_replacing_raw_rebuilds_the_typed_sections() -> None:
    plain = Config(WikiConfig(**BASE))
    strict = dataclasses.replace(plain, raw={"import": {"max_retire_share": 0.05}})
    assert (plain.importing.max_retire_share, strict.importing.max_retire_share) == (0.10, 0.05)


def test_the_default_skip_prefixes_are_the_importer_title_prefixes() -> None:
    """config imports nothing but errors, so it spells out the prefixes of ozgwiki.domain.titles."""
    assert DEFAULT_SKIP_PREFIXES == (titles.LEIKA_PREFIX, titles.OZG_PREFIX)
