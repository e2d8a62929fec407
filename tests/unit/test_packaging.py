"""The installed wheel — not only the checkout — carries templates/, semantic/, the bots and the sample.

The wheel is built from a copy of the files git would ship (so stale ``build/`` leftovers cannot hide
a missing package) and unpacked into a temporary folder; a Python started with
``-S`` (so the editable install's path hook is not loaded) and run outside the checkout must then find
everything through ``importlib.resources`` and the ``ozgwiki.*`` package names alone.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

CHECK = r"""
import importlib, importlib.resources as r, io, contextlib, pathlib, sys
import ozgwiki
assert pathlib.Path(ozgwiki.__file__).is_relative_to(sys.argv[1]), ozgwiki.__file__
for name in filter(None, sys.argv[2].split(",")):
    importlib.import_module("ozgwiki.bots." + name)
assert r.files("ozgwiki.templates").joinpath("LeiKa.wiki").is_file()
assert r.files("ozgwiki.templates").joinpath("Modul-LeiKa.lua").is_file()
assert r.files("ozgwiki.semantic").joinpath("properties.yaml").is_file()
from ozgwiki import catalogue, schema
s = schema.load()
cat = catalogue.load()
out = io.StringIO()
from ozgwiki.cli import main
with contextlib.redirect_stdout(out):
    try:
        main(["--help"])
    except SystemExit:
        pass
print(len(s.templates), len(cat.ozg_leistungen), out.getvalue())
"""


def _source_copy(target: Path) -> Path:
    """The files git would ship (tracked, plus new ones not ignored), without build/ leftovers."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    source = _source_copy(tmp_path_factory.mktemp("source"))
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(source)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = out.glob("ozgwiki-*.whl")
    target = out / "unpacked"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert not [n for n in names if n.startswith("bots/")], "a top-level 'bots' package would collide"
        zf.extractall(target)
    return target


def test_wheel_finds_its_data_and_bots_without_the_checkout(unpacked_wheel: Path, tmp_path: Path) -> None:
    bots = sorted(p.stem for p in (REPO / "bots").glob("*.py") if p.stem != "__init__")
    site_packages = sysconfig.get_paths()["purelib"]  # mwclient, yaml, ... — but not the editable hook
    proc = subprocess.run(
        [sys.executable, "-S", "-c", CHECK, str(unpacked_wheel), ",".join(bots)],
        capture_output=True, text=True, check=False, cwd=tmp_path,
        env={"PYTHONPATH": f"{unpacked_wheel}:{site_packages}", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    templates, ozg_leistungen, help_text = proc.stdout.split(" ", 2)
    assert int(templates) >= 10
    assert int(ozg_leistungen) > 0
    for command in ("run", "deploy", "import", "validate", "regenerate", "catalogue", "leika", "localwiki"):
        assert f"    {command} " in help_text
