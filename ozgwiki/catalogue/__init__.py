"""Read and validate the catalogue sources into one :class:`~ozgwiki.model.Catalogue`.

One loader checks everything before anything is used: every problem is collected as
``file:line: field: message`` (all at once, never the first only), and on any error the whole load
fails with :class:`~ozgwiki.errors.CatalogueError`. There is no half-loaded catalogue. Warnings
travel beside a loaded catalogue (:func:`load_result`).

Sources (see ``docs/catalogue.md``): the manifest ``catalogue.yaml`` names the Umsetzungskatalog
spreadsheet (CSV/XLSX), the municipality list (CSV/XLSX) and YAML supplements.

Public API::

    load(path=None) -> Catalogue                  # raises CatalogueError on any error
    load_result(path=None) -> LoadResult          # catalogue + warnings + how each file was read
    load_from_config(config) -> Catalogue         # the catalogue named in config: catalogue.manifest
    check(path=None) -> CheckResult               # never raises for catalogue problems: for the CLI
    sample_path() -> Path                         # the sample catalogue shipped with the package
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ozgwiki.catalogue.kommunen import KommunenData, read_kommunen
from ozgwiki.catalogue.manifest import MANIFEST_NAME, read_manifest
from ozgwiki.catalogue.problems import Problem, Problems, Severity
from ozgwiki.catalogue.spreadsheet import SheetData, read_umsetzungskatalog
from ozgwiki.catalogue.supplement import Supplement, read_supplement
from ozgwiki.catalogue.tables import SourceInfo
from ozgwiki.catalogue.validate import build
from ozgwiki.config import Config
from ozgwiki.errors import CatalogueError, ConfigError
from ozgwiki.model import Catalogue

__all__ = [
    "MANIFEST_NAME",
    "CheckResult",
    "LoadResult",
    "Problem",
    "Severity",
    "SourceInfo",
    "check",
    "load",
    "load_from_config",
    "load_result",
    "manifest_from_config",
    "sample_path",
]

log = logging.getLogger(__name__)

PathArg = str | os.PathLike[str] | None


def sample_path() -> Path:
    """The manifest of the sample catalogue in ``ozgwiki/data/sample/`` (shipped in the wheel)."""
    return Path(str(resources.files("ozgwiki.data").joinpath("sample", MANIFEST_NAME)))


@dataclass(frozen=True)
class LoadResult:
    """A loaded catalogue, the warnings found on the way, and how each source file was read."""

    catalogue: Catalogue
    warnings: tuple[Problem, ...]
    sources: tuple[SourceInfo, ...]


@dataclass(frozen=True)
class CheckResult:
    """What ``ozgwiki catalogue check`` prints: counts (of what could be read) and every problem."""

    manifest: str
    counts: dict[str, int]
    problems: tuple[Problem, ...]
    sources: tuple[SourceInfo, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)


def _collect(path: PathArg) -> tuple[str, Catalogue | None, Problems, tuple[SourceInfo, ...]]:
    problems = Problems()
    manifest_file = Path(path) if path is not None else sample_path()
    manifest = read_manifest(manifest_file, problems)
    if manifest is None:
        return str(manifest_file), None, problems, ()
    sheet = (
        read_umsetzungskatalog(manifest.umsetzungskatalog.path, manifest.umsetzungskatalog.file, problems)
        if manifest.umsetzungskatalog
        else SheetData()
    )
    kommunen: KommunenData | None = (
        read_kommunen(manifest.kommunen.path, manifest.kommunen.file, problems)
        if manifest.kommunen
        else KommunenData()  # named but not found: unreadable, its error says so
        if manifest.kommunen_named
        else None
    )
    supplement = Supplement()
    for ref in manifest.ergaenzungen:
        read_supplement(ref.path, ref.file, problems, supplement)
    catalogue = build(sheet, kommunen, supplement, problems)
    sources = [s for s in (sheet.info, kommunen.info if kommunen else None) if s is not None]
    sources += [SourceInfo(ref.file, "yaml", "UTF-8") for ref in manifest.ergaenzungen]
    return manifest.file, catalogue, problems, tuple(sources)


def load_result(path: PathArg = None) -> LoadResult:
    """Load a catalogue: ``path`` is a manifest, a directory holding ``catalogue.yaml``, or None
    for the shipped sample. Raises :class:`CatalogueError` with every problem if any is an error."""
    _, catalogue, problems, sources = _collect(path)
    if problems.has_errors or catalogue is None:
        raise CatalogueError(list(problems.in_file_order()))
    for w in problems.warnings:
        log.info("%s", w)
    warnings = tuple(p for p in problems.in_file_order() if not p.is_error)
    return LoadResult(catalogue, warnings, sources)


def load(path: PathArg = None) -> Catalogue:
    """Load a catalogue (see :func:`load_result`); warnings are logged at INFO level."""
    return load_result(path).catalogue


def check(path: PathArg = None) -> CheckResult:
    """Read and validate without raising: counts of what could be read, and every problem."""
    manifest, catalogue, problems, sources = _collect(path)
    c = catalogue or Catalogue()
    counts = {
        "Themenfelder": len(c.themenfelder),
        "Lagen": len(c.lagen),
        "OZG-Leistungen": len(c.ozg_leistungen),
        "LeiKa-Leistungen": len(c.leika_leistungen),
        "LeiKa-Schlüssel (verschieden)": len({x.schluessel for x in c.leika_leistungen}),
        "Kommunen": len(c.kommunen),
        "Umsetzungsprojekte": len(c.umsetzungsprojekte),
        "Steckbriefe": len(c.steckbriefe),
        "Warnungen": len(problems.warnings),
        "Fehler": len(problems.errors),
    }
    return CheckResult(manifest, counts, problems.in_file_order(), sources)


def manifest_from_config(config: Config) -> Path | None:
    """The manifest named by ``catalogue: {manifest: PATH}`` (relative to the config file), or None."""
    section = config.section("catalogue")
    value = section.get("manifest")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{config.path}: catalogue.manifest must be a path to catalogue.yaml")
    return config.resolve(value.strip())


def load_from_config(config: Config) -> Catalogue:
    """Load the configured catalogue, or the shipped sample when the config names none."""
    return load(manifest_from_config(config))
