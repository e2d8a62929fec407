"""The CLI's promises: every subcommand has --help, errors are one line with a documented exit code."""

from __future__ import annotations

import argparse

import pytest

from ozgwiki import cli
from ozgwiki.commands import COMMANDS
from ozgwiki.errors import ConfigError, WikiUnreachable


def test_help_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for name in ("run", "deploy", "import", "validate", "regenerate", "catalogue", "leika", "localwiki"):
        assert f"    {name} " in out


@pytest.mark.parametrize("name", [c if c != "importing" else "import" for c in COMMANDS])
def test_every_subcommand_has_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main([name, "--help"])
    assert exit_.value.code == 0
    assert f"usage: ozgwiki {name}" in capsys.readouterr().out


def _failing(exc: BaseException):
    def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
        p = sub.add_parser("boom")

        def fail(args: argparse.Namespace) -> int:
            raise exc

        p.set_defaults(func=fail)

    return register


@pytest.mark.parametrize(
    ("exc", "code", "words"),
    [
        (ConfigError("wiki.api_url is required"), 2, "ozgwiki: error: wiki.api_url is required"),
        (WikiUnreachable("no answer from http://127.0.0.1:9/w/api.php"), 3, "ozgwiki: error: no answer"),
        (KeyError("Lage"), 2, "ozgwiki: internal error: KeyError: 'Lage' (this is a bug"),
    ],
    ids=["config", "unreachable", "bug"],
)
def test_errors_are_one_line_with_their_exit_code(
    exc: BaseException, code: int, words: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    build = cli.build_parser

    def parser() -> argparse.ArgumentParser:
        p = build()
        sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
        _failing(exc)(sub)
        return p

    monkeypatch.setattr(cli, "build_parser", parser)
    assert cli.main(["boom"]) == code
    err = capsys.readouterr().err
    assert err.startswith(words)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_bug_shows_its_traceback_with_vv(monkeypatch: pytest.MonkeyPatch) -> None:
    build = cli.build_parser

    def parser() -> argparse.ArgumentParser:
        p = build()
        sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
        _failing(KeyError("Lage"))(sub)
        return p

    monkeypatch.setattr(cli, "build_parser", parser)
    with pytest.raises(KeyError):
        cli.main(["-vv", "boom"])
