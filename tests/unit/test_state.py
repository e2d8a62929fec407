"""ozgwiki.engine.state: atomic JSON state files, clear errors for corrupt ones, one run at a time."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from ozgwiki.config import Config, WikiConfig
from ozgwiki.engine.state import StateError, StateStore, state_dir
from ozgwiki.errors import ConfigError, RunLocked


def test_missing_state_is_none_and_creates_nothing(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state")
    assert store.load("validate") is None
    assert not (tmp_path / "state").exists()


def test_round_trip_keeps_german_text(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    data = {"pages": [{"title": "Steckbrief Größe", "n": 2}], "position": None}
    path = store.save("validate", data)
    assert path == tmp_path / "validate.json"
    assert store.load("validate") == data
    assert "Größe" in path.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["validate.json"]  # no temp files left


def test_crash_before_replace_leaves_the_old_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = StateStore(tmp_path)
    store.save("validate", {"version": 1, "n": 1})

    def crash(src: object, dst: object) -> None:
        raise KeyboardInterrupt  # the process dies between writing the temp file and renaming it

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        store.save("validate", {"version": 1, "n": 2})
    monkeypatch.undo()
    assert store.load("validate") == {"version": 1, "n": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["validate.json"]


def test_crash_while_writing_leaves_the_old_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = StateStore(tmp_path)
    store.save("validate", {"n": 1})

    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError, match="No space"):
        store.save("validate", {"n": 2})
    monkeypatch.undo()
    assert store.load("validate") == {"n": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["validate.json"]


@pytest.mark.parametrize(
    "content",
    [b'{"pages": [', b"", b"\xff\xfe", b"[1, 2]", b"null"],
    ids=["truncated", "empty", "not-utf8", "list", "null"],
)
def test_corrupt_state_is_a_clear_error(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "validate.json").write_bytes(content)
    with pytest.raises(StateError, match=r"validate\.json is corrupt"):
        StateStore(tmp_path).load("validate")


def test_quarantine_moves_the_corrupt_file_aside(tmp_path: Path) -> None:
    (tmp_path / "validate.json").write_bytes(b"{oops")
    store = StateStore(tmp_path)
    moved = store.quarantine("validate")
    assert moved == tmp_path / "validate.json.corrupt"
    assert moved.read_bytes() == b"{oops"
    assert store.load("validate") is None


def test_lock_refuses_a_second_run(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    with (
        store.lock("validate"),
        pytest.raises(RunLocked, match="another run") as refused,
        StateStore(tmp_path).lock("validate"),
    ):
        pass
    assert refused.value.exit_code == 3  # the same "try again later" as a second `ozgwiki run`
    assert refused.value.holder is not None and refused.value.holder.pid == os.getpid()
    with store.lock("validate"):  # released again
        pass


def test_names_are_plain_file_stems(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="state name"):
        StateStore(tmp_path).path("../etc/passwd")


def _config(path: Path | None, state: object = None) -> Config:
    raw = {} if state is None else {"state": state}
    return Config(WikiConfig(api_url="http://x/api.php", username="u"), path=path, raw=raw)


def test_state_dir_default_is_next_to_the_config(tmp_path: Path) -> None:
    assert state_dir(_config(tmp_path / "ozgwiki.yaml")) == tmp_path / "state"
    assert state_dir(_config(tmp_path / "ozgwiki.yaml", {"dir": "var/bot"})) == tmp_path / "var" / "bot"
    assert state_dir(_config(tmp_path / "ozgwiki.yaml", {"dir": "/srv/ozg"})) == Path("/srv/ozg")


def test_state_dir_must_be_a_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"section 'state': 'dir' must be a folder path, got 3"):
        state_dir(_config(tmp_path / "ozgwiki.yaml", {"dir": 3}))


def test_systemd_state_directory_is_the_default_but_state_dir_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATE_DIRECTORY", "/var/lib/ozgwiki:/var/lib/other")
    plain = Config(wiki=WikiConfig(api_url="http://x/w/api.php", username="B@a"), path=tmp_path / "c.yaml")
    assert state_dir(plain) == Path("/var/lib/ozgwiki")
    configured = dataclasses.replace(plain, raw={"state": {"dir": "mine"}})
    assert state_dir(configured) == tmp_path / "mine"
    monkeypatch.delenv("STATE_DIRECTORY")
    assert state_dir(plain) == tmp_path / "state"


def test_a_file_is_replaced_whole_or_not_at_all_and_a_private_one_is_never_readable_by_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ozgwiki import files

    target = tmp_path / "x.json"
    files.write_atomic(target, b"alt")
    files.write_atomic(target, b"neu", private=True)
    assert target.read_bytes() == b"neu" and (target.stat().st_mode & 0o777) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]  # no temporary file left behind

    def dies(fd: int) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(files.os, "fsync", dies)  # the write dies before the rename
    with pytest.raises(OSError, match="disk gone"):
        files.write_atomic(target, b"halb")
    assert target.read_bytes() == b"neu" and [p.name for p in tmp_path.iterdir()] == ["x.json"]
