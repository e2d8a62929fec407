"""The wheel alone, in a fresh virtual environment, imports the shipped NRW catalogue against the local
wiki as a dry run: the installed ``ozgwiki`` finds ``nrw`` in its own package data, logs in with the
local wiki's config, reads every page the catalogue makes and writes nothing.

The wheel is built and installed as in ``tests/unit/test_packaging.py`` (no checkout on ``sys.path``).
A real (writing) import of ``nrw`` does not belong on the shared wiki: it would mark the keys other
tests' pages use as ausgemustert. ``--allow-mass-retire`` is passed because those pages' keys are not
in the NRW catalogue, so the safety rail would stop the dry run before it reads anything; a dry run
writes nothing either way (enforced in the site client).
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from unit.test_packaging import build_wheel, clean_env, install_in_fresh_venv

from ozgwiki.config import localwiki_dir

pytestmark = pytest.mark.wiki

SUMMARY = re.compile(
    r"^import: (\d+) angelegt, (\d+) geändert, \d+ verschoben, \d+ Weiterleitungen und Begriffsklärungen, "
    r"(\d+) unverändert, (\d+) ausgemustert, 0 Konflikte, "
    r"0 übersprungen, 0 Fehler; Katalog: .* \(Probelauf: nichts gespeichert\)$"
)


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wheel = build_wheel(tmp_path_factory.mktemp("wheel"), tmp_path_factory.mktemp("source"))
    return install_in_fresh_venv(wheel, tmp_path_factory.mktemp("venv") / "env")


def test_installed_wheel_dry_runs_the_nrw_import_on_the_local_wiki(
    fresh_venv: Path, accounts: dict[str, Any], tmp_path: Path
) -> None:
    config = localwiki_dir() / "ozgwiki.yaml"
    assert config.is_file(), f"{config} is missing: start the local wiki with `ozgwiki localwiki up`"
    argv = [str(fresh_venv / "ozgwiki"), "--config", str(config), "import", "--catalogue", "nrw", "--dry-run",
            "--allow-mass-retire"]  # fmt: skip
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=tmp_path, env=clean_env())
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr[-3000:]
    [summary] = [line for line in proc.stdout.splitlines() if line.startswith("import: ")]
    match = SUMMARY.match(summary)
    assert match, summary
    created, changed, unchanged, _retired = (int(n) for n in match.groups())
    # every page of the real catalogue was planned: 4,813 LeiKa pages + 557 OZG-Leistungen + 427 Kommunen + …
    assert created + changed + unchanged >= 4813 + 557 + 427
    print(f"dry run of the nrw import from the installed wheel: {seconds:.1f} s; {summary}")
