"""The installed wheel — not only the checkout — carries templates/, semantic/, the bots, the sample
and the real NRW catalogue.

The wheel is built from a copy of the files git would ship (so stale ``build/`` leftovers cannot hide
a missing package) and unpacked into a temporary folder; a Python started with
``-S`` (so the editable install's path hook is not loaded) and run outside the checkout must then find
everything through ``importlib.resources`` and the ``ozgwiki.*`` package names alone.

It is also installed, alone, into a fresh virtual environment (``venv``, no pip, no checkout on
``sys.path``; the dependencies come from this environment's site-packages through a ``.pth`` line,
whose own ``.pth`` files -- the editable install's hook -- are not run), and the ``ozgwiki`` console
script there must check the shipped ``nrw`` catalogue: 557 OZG-Leistungen, 4,813 keys, 427 Kommunen.
``tests/integration/test_packaging_wiki.py`` runs that installation's import against the local wiki.
"""

from __future__ import annotations

import json
import os
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
from ozgwiki import catalogue
from ozgwiki.definitions import schema
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


WHERE = "import json, ozgwiki, sys; print(ozgwiki.__file__); print(json.dumps(sys.path))"


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


def build_wheel(out: Path, source: Path) -> Path:
    """Build the wheel from a copy of the shipped files (see :func:`_source_copy`) into ``out``."""
    _source_copy(source)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(source)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = out.glob("ozgwiki-*.whl")
    return wheel


def install_in_fresh_venv(wheel: Path, target: Path) -> Path:
    """A new virtual environment at ``target`` with nothing but the wheel installed; returns its bin/.

    The runtime dependencies (mwclient, PyYAML, ...) are this environment's: its site-packages folder
    is named in a ``.pth`` file, which puts the folder on ``sys.path`` without running the ``.pth``
    files inside it -- so the editable install of the checkout is not active there.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(target)], check=True)
    python = target / "bin" / "python"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
         "--no-index", str(wheel)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    site_packages = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    Path(site_packages, "zz_test_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    return target / "bin"


def clean_env(**extra: str) -> dict[str, str]:
    """No PYTHONPATH, no config from the environment, a PATH without this environment's bin/."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "OZGWIKI_", "VIRTUAL_ENV"))}
    env["PATH"] = "/usr/bin:/bin"
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def wheel_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"), tmp_path_factory.mktemp("source"))


@pytest.fixture(scope="module")
def unpacked_wheel(wheel_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    wheel = wheel_file
    target = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert not [n for n in names if n.startswith("bots/")], "a top-level 'bots' package would collide"
        packages = {str(p.relative_to(REPO)) for p in (REPO / "ozgwiki").glob("**/__init__.py")}
        assert packages - set(names) == set(), "every sub-package of the checkout is in the wheel"
        zf.extractall(target)
    return target


def test_wheel_finds_its_data_and_bots_without_the_checkout(unpacked_wheel: Path, tmp_path: Path) -> None:
    bots = sorted(p.stem for p in (REPO / "ozgwiki" / "bots").glob("*.py") if p.stem != "__init__")
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


def test_wheel_ships_the_nrw_catalogue_with_its_provenance(wheel_file: Path) -> None:
    with zipfile.ZipFile(wheel_file) as zf:
        names = set(zf.namelist())
        for name in (
            "catalogue.yaml",
            "ozg_umsetzungskatalog.csv",
            "nrw_gemeinden_kreise.csv",
            "PROVENANCE.md",
        ):
            assert f"ozgwiki/data/nrw/{name}" in names
            assert (
                zf.read(f"ozgwiki/data/nrw/{name}") == (REPO / "ozgwiki" / "data" / "nrw" / name).read_bytes()
            )
        assert "ozgwiki/catalogue/source.py" in names


@pytest.fixture(scope="module")
def fresh_venv(wheel_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install_in_fresh_venv(wheel_file, tmp_path_factory.mktemp("venv") / "env")


def test_installed_wheel_checks_the_shipped_nrw_catalogue(fresh_venv: Path, tmp_path: Path) -> None:
    env = clean_env(OZGWIKI_LOCALWIKI_DIR=str(tmp_path / "none"))  # no config to find: the name decides
    where = subprocess.run(
        [str(fresh_venv / "python"), "-c", WHERE],
        capture_output=True, text=True, check=True, cwd=tmp_path, env=env,
    ).stdout.splitlines()  # fmt: skip
    assert Path(where[0]).is_relative_to(fresh_venv.parent), where[0]
    assert str(REPO) not in [p.rstrip("/") for p in json.loads(where[1])]  # the checkout is not on sys.path
    proc = subprocess.run(
        [str(fresh_venv / "ozgwiki"), "catalogue", "check", "nrw", "--format", "json"],
        capture_output=True, text=True, check=False, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert Path(report["manifest"]).is_relative_to(fresh_venv.parent)
    counts = report["counts"]
    assert (counts["OZG-Leistungen"], counts["LeiKa-Schlüssel (verschieden)"], counts["Kommunen"]) == (
        557,
        4813,
        427,
    )
    assert counts["Fehler"] == 0
    text = subprocess.run(
        [str(fresh_venv / "ozgwiki"), "catalogue", "check", "nrw"],
        capture_output=True, text=True, check=False, cwd=tmp_path, env=env,
    ).stdout  # fmt: skip
    for line in ("OZG-Leistungen 557", "LeiKa-Schlüssel (verschieden) 4813", "Kommunen 427"):
        assert line in [" ".join(row.split()) for row in text.splitlines()]
