"""Read and validate the catalogue sources into one :class:`~ozgwiki.domain.model.Catalogue`.

One loader checks everything before anything is used: every problem is collected as
``file:line: field: message`` (all at once, never the first only), and on any error the whole load
fails with :class:`~ozgwiki.errors.CatalogueError`. There is no half-loaded catalogue. Warnings
travel beside a loaded catalogue (:func:`load_result`).

Sources (see ``docs/catalogue.md``): the manifest ``catalogue.yaml`` names the Umsetzungskatalog
spreadsheet (CSV/XLSX), the municipality list (CSV/XLSX) and YAML supplements. What a user names as
the catalogue -- a manifest, the spreadsheet itself, a folder of KDN files or a shipped name
(``sample``, ``nrw``) -- is recognised in one place, :func:`ozgwiki.catalogue.source.resolve`.

Public API (``spec`` is anything :func:`resolve` accepts; None is the sample)::

    load(spec=None, kommunen=None, supplement=None) -> Catalogue     # raises CatalogueError
    load_result(spec=None, …) -> LoadResult       # catalogue + warnings + how each file was read
    load_from_config(config, …) -> Catalogue      # the catalogue named in config: catalogue.manifest
    check(spec=None, …) -> CheckResult            # never raises for catalogue problems: for the CLI
    resolve(spec, kommunen=None, supplement=None) -> CatalogueSource
    source_from_config(config, …) -> CatalogueSource
    sample_path() -> Path                         # the sample catalogue shipped with the package
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from ozgwiki.catalogue.checks import build
from ozgwiki.catalogue.kommunen import KommunenData, read_kommunen
from ozgwiki.catalogue.manifest import MANIFEST_NAME
from ozgwiki.catalogue.problems import Problem, Problems, Severity
from ozgwiki.catalogue.source import SHIPPED, CatalogueSource, SupplementArg, resolve, shipped_path
from ozgwiki.catalogue.spreadsheet import SheetData, read_umsetzungskatalog
from ozgwiki.catalogue.supplement import Supplement, read_supplement
from ozgwiki.catalogue.tables import SourceInfo
from ozgwiki.config import Config
from ozgwiki.domain.model import Catalogue
from ozgwiki.errors import CatalogueError, ConfigError

__all__ = [
    "MANIFEST_NAME",
    "SHIPPED",
    "CatalogueSource",
    "CheckResult",
    "LoadResult",
    "Problem",
    "Severity",
    "SourceInfo",
    "check",
    "config_base",
    "load",
    "load_from_config",
    "load_result",
    "manifest_from_config",
    "resolve",
    "sample_path",
    "shipped_path",
    "source_from_config",
]

log = logging.getLogger(__name__)

PathArg = str | os.PathLike[str] | None
SpecArg = str | os.PathLike[str] | CatalogueSource | None


def sample_path() -> Path:
    """The manifest of the sample catalogue in ``ozgwiki/data/sample/`` (shipped in the wheel)."""
    return shipped_path("sample")


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


def _collect(
    spec: SpecArg, kommunen: PathArg, supplement: SupplementArg, base: Path | None = None
) -> tuple[str, Catalogue | None, Problems, tuple[SourceInfo, ...]]:
    problems = Problems()
    try:
        source = resolve(spec, kommunen, supplement, base=base)
    except CatalogueError as exc:
        for p in exc.problems:
            problems.error(p.file, p.line, p.field, p.message)
        label = spec.label if isinstance(spec, CatalogueSource) else os.fspath(spec or sample_path())
        return label, None, problems, ()
    manifest = source.read(problems)
    if manifest is None:
        return source.label, None, problems, ()
    sheet = (
        read_umsetzungskatalog(manifest.umsetzungskatalog.path, manifest.umsetzungskatalog.file, problems)
        if manifest.umsetzungskatalog
        else SheetData()
    )
    municipalities: KommunenData | None = (
        read_kommunen(manifest.kommunen.path, manifest.kommunen.file, problems)
        if manifest.kommunen
        else KommunenData()  # named but not found: unreadable, its error says so
        if manifest.kommunen_named
        else None
    )
    extras = Supplement()
    for ref in manifest.ergaenzungen:
        read_supplement(ref.path, ref.file, problems, extras)
    catalogue = build(sheet, municipalities, extras, problems)
    sources = [s for s in (sheet.info, municipalities.info if municipalities else None) if s is not None]
    sources += [SourceInfo(ref.file, "yaml", "UTF-8") for ref in manifest.ergaenzungen]
    return manifest.file, catalogue, problems, tuple(sources)


def load_result(
    spec: SpecArg = None, kommunen: PathArg = None, supplement: SupplementArg = None
) -> LoadResult:
    """Load a catalogue: ``spec`` is a manifest, a spreadsheet, a folder (with ``catalogue.yaml`` or
    the KDN files), a shipped name (``sample``, ``nrw``) or None for the sample; ``kommunen`` and
    ``supplement`` are read beside it (:func:`resolve`). Raises :class:`CatalogueError` with every
    problem if any is an error."""
    _, catalogue, problems, sources = _collect(spec, kommunen, supplement)
    if problems.has_errors or catalogue is None:
        raise CatalogueError(list(problems.in_file_order()))
    for w in problems.warnings:
        log.info("%s", w)
    warnings = tuple(p for p in problems.in_file_order() if not p.is_error)
    return LoadResult(catalogue, warnings, sources)


def load(spec: SpecArg = None, kommunen: PathArg = None, supplement: SupplementArg = None) -> Catalogue:
    """Load a catalogue (see :func:`load_result`); warnings are logged at INFO level."""
    return load_result(spec, kommunen, supplement).catalogue


def check(
    spec: SpecArg = None,
    kommunen: PathArg = None,
    supplement: SupplementArg = None,
    *,
    base: Path | None = None,
) -> CheckResult:
    """Read and validate without raising: counts of what could be read, and every problem (also a
    spec of the wrong kind, see :func:`resolve`; ``base`` is the folder relative paths start from)."""
    manifest, catalogue, problems, sources = _collect(spec, kommunen, supplement, base)
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


def manifest_from_config(config: Config) -> str | None:
    """What ``catalogue: {manifest: …}`` says, as written (a path or a shipped name), or None."""
    value = config.catalogue.manifest
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f"{config.path}: catalogue.manifest must name a catalogue: a manifest (.yaml), a table "
            f"(.csv, .xlsx), a folder with the KDN files or a shipped catalogue ({', '.join(SHIPPED)})"
        )
    return value.strip()


def config_base(config: Config) -> Path | None:
    """The folder relative catalogue paths in the configuration start from (the config file's)."""
    return config.path.parent if config.path is not None else None


def source_from_config(
    config: Config, kommunen: PathArg = None, supplement: SupplementArg = None
) -> CatalogueSource:
    """The configured catalogue (paths relative to the config file), or the sample when none is named.

    Anything :func:`resolve` accepts may be configured, e.g. ``manifest: nrw``. Raises
    :class:`CatalogueError` when the configured file is of the wrong kind or missing."""
    return resolve(manifest_from_config(config), kommunen, supplement, base=config_base(config))


def load_from_config(config: Config, kommunen: PathArg = None, supplement: SupplementArg = None) -> Catalogue:
    """Load the configured catalogue, or the shipped sample when the config names none."""
    return load(source_from_config(config, kommunen, supplement))
