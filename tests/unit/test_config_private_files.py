"""The run log is private (0600 whatever the umask), the schema is the one table of allowed keys, and
file system trouble and URL credentials never reach stderr as a traceback or in clear text."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from ozgwiki import cli
from ozgwiki.config import SCHEMA, Config, WikiConfig, parse_config
from ozgwiki.engine import runner
from ozgwiki.errors import ConfigError

ROOT = Path(__file__).parents[2]
WIKI = {"api_url": "http://wiki.test/w/api.php", "username": "OzgBot@ozgwiki"}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask() -> Iterator[object]:
    old = os.umask(0o022)

    def set_(value: int) -> None:
        os.umask(value)

    yield set_
    os.umask(old)


# ---------------------------------------------------------------------------------- the run log


@pytest.mark.parametrize("value", [0o000, 0o022, 0o277], ids=oct)
def test_run_log_is_created_0600_whatever_the_umask(tmp_path: Path, umask, value: int) -> None:
    umask(value)
    path = tmp_path / "state" / "ozgwiki-run.log"
    with runner.file_logging(path):
        logging.getLogger("ozgwiki.test").info("hello")
    assert mode(path) == 0o600
    assert "hello" in path.read_text(encoding="utf-8")


def test_rotated_logs_are_0600_too(tmp_path: Path, umask, monkeypatch: pytest.MonkeyPatch) -> None:
    umask(0o000)
    monkeypatch.setattr(runner, "LOG_MAX_BYTES", 300)
    path = tmp_path / "ozgwiki-run.log"
    with runner.file_logging(path):
        for i in range(40):
            logging.getLogger("ozgwiki.test").info("line %d of a run that writes a lot", i)
    rotated = sorted(tmp_path.glob("ozgwiki-run.log.*"))
    assert rotated, "the log did not rotate"
    assert {mode(p) for p in [path, *rotated]} == {0o600}


def test_an_existing_readable_log_is_tightened(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "ozgwiki-run.log"
    path.write_text("old line\n", encoding="utf-8")
    os.chmod(path, 0o644)
    backup = tmp_path / "ozgwiki-run.log.3"
    backup.write_text("older\n", encoding="utf-8")
    os.chmod(backup, 0o664)
    with caplog.at_level(logging.WARNING, logger="ozgwiki.config"), runner.file_logging(path):
        logging.getLogger("ozgwiki.test").info("new line")
    assert (mode(path), mode(backup)) == (0o600, 0o600)
    assert path.read_text(encoding="utf-8").startswith("old line\n")
    assert f"the run log {path} was readable by others (mode 0644); it is 0600 now" in caplog.text
    assert f"the rotated run log {backup} was readable by others (mode 0664); it is 0600 now" in caplog.text


def test_a_readable_log_that_cannot_be_tightened_is_refused(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "ozgwiki-run.log"
    path.write_text("", encoding="utf-8")
    os.chmod(path, 0o644)

    def not_owner(*args: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fchmod", not_owner)
    with pytest.raises(ConfigError) as err, runner.file_logging(path):
        pass
    assert str(err.value) == (
        f"the run log {path} is readable by others (mode 0644) and this user cannot change that; "
        f"run: chmod 600 {path}"
    )


def test_a_log_below_a_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("", encoding="utf-8")
    path = tmp_path / "afile" / "ozgwiki-run.log"
    with (
        pytest.raises(ConfigError, match=r"cannot write the run log .* \(run\.log_file, or state\.dir"),
        runner.file_logging(path),
    ):
        pass


def test_the_line_of_a_refused_run_goes_into_a_private_log(tmp_path: Path, umask) -> None:
    umask(0o000)
    path = tmp_path / "ozgwiki-run.log"
    runner._append_line(path, "another run is still running")
    assert mode(path) == 0o600
    assert "another run is still running" in path.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------- paths at first use


def test_folders_that_cannot_be_written_are_found_at_first_use(tmp_path: Path, monkeypatch) -> None:
    """As root every folder is writable, so the refusal is shown with os.access saying no."""
    (tmp_path / "ro").mkdir()
    config = parse_config({"wiki": WIKI, "state": {"dir": "ro/state"}}, tmp_path / "ozgwiki.yaml")
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    with pytest.raises(ConfigError) as err:
        config.check_paths()
    assert str(err.value) == (
        f"{tmp_path / 'ozgwiki.yaml'}: state.dir: {tmp_path / 'ro' / 'state'} cannot be created: "
        f"{tmp_path / 'ro'} is not writable by this user"
    )
    with pytest.raises(ConfigError, match=r"state\.dir: the folder .*/ro is not writable by this user"):
        parse_config({"wiki": WIKI, "state": {"dir": "ro"}}, tmp_path / "ozgwiki.yaml")


# ---------------------------------------------------------------------------------- the schema


def test_every_section_the_code_reads_is_declared() -> None:
    """The code reads sections only as the typed values on Config (``config.validate``, ...): each is
    a section of SCHEMA with exactly the keys the schema checks, and no module reads raw sections."""
    sources = [*ROOT.glob("ozgwiki/**/*.py"), *ROOT.glob("bots/*.py")]
    readers = [
        str(p.relative_to(ROOT))
        for p in sources
        if p.name != "config.py" and re.search(r"\.section\(", p.read_text(encoding="utf-8"))
    ]
    assert readers == []
    config = Config(WikiConfig(api_url=WIKI["api_url"], username="u"))
    typed = {f.name: getattr(config, f.name) for f in dataclasses.fields(Config) if not f.init}
    assert typed, "no typed section found"
    for attribute, value in typed.items():
        name = "import" if attribute == "importing" else attribute  # `import` is a Python keyword
        assert name in SCHEMA[""] and name in SCHEMA, name
        assert {f.name for f in dataclasses.fields(value)} == set(SCHEMA[name]), name
    for name, setting in SCHEMA[""].items():
        assert setting.kind == "section" and name in SCHEMA


def test_an_undeclared_section_is_a_bug() -> None:
    config = Config(WikiConfig(api_url=WIKI["api_url"], username="u"))
    with pytest.raises(ValueError, match=r"not declared in ozgwiki\.config\.SCHEMA"):
        config.section("deploy")


def test_every_documented_key_loads(tmp_path: Path) -> None:
    """The keys docs/cron.md documents for state: and run: are in the schema (and load)."""
    text = (ROOT / "docs" / "cron.md").read_text(encoding="utf-8")
    example = (
        text.split("## Configuration: the `run:` section", 1)[1].split("```yaml\n", 1)[1].split("```")[0]
    )
    example = example.replace("/var/lib/ozgwiki", str(tmp_path / "st")).replace(
        "/var/log/ozgwiki", str(tmp_path)
    )
    path = tmp_path / "ozgwiki.yaml"
    path.write_text(
        "wiki: {api_url: 'http://wiki.test/w/api.php', username: B@b}\n" + example, encoding="utf-8"
    )
    from ozgwiki.config import load_config

    assert load_config(path).section("run")["budget_minutes"] == 60


# ---------------------------------------------------------------------------------- the CLI


def _parser_with(exc: BaseException):
    build = cli.build_parser

    def parser() -> argparse.ArgumentParser:
        p = build()
        sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
        boom = sub.add_parser("boom")

        def fail(args: argparse.Namespace) -> int:
            raise exc

        boom.set_defaults(func=fail)
        return p

    return parser


@pytest.mark.parametrize(
    ("exc", "line"),
    [
        pytest.param(
            PermissionError(13, "Permission denied", "/var/lib/ozgwiki/ozgwiki-run.lock"),
            "ozgwiki: error: Permission denied: /var/lib/ozgwiki/ozgwiki-run.lock",
            id="file-system",
        ),
        pytest.param(
            ConfigError("no answer from https://bot:hunter2@wiki.test/w/api.php"),
            "ozgwiki: error: no answer from https://***@wiki.test/w/api.php",
            id="credentials-redacted",
        ),
        pytest.param(
            ConfigError("first line\nsecond line"),
            "ozgwiki: error: first line second line",
            id="one-line",
        ),
    ],
)
def test_cli_error_lines(exc: BaseException, line: str, monkeypatch, capsys) -> None:
    monkeypatch.setattr(cli, "build_parser", _parser_with(exc))
    assert cli.main(["boom"]) == 2
    assert capsys.readouterr().err == line + "\n"
