"""One export: read the wiki, build the records, write the files into a folder, each atomically.

A reader of the folder (a cron job copying it to KDN, a portal's import) never sees half a file:
each file is written to a temporary name beside it and renamed over the old one, which POSIX makes
atomic within one file system. Files of formats not asked for are left as they are.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ozgwiki.errors import ConfigError
from ozgwiki.export import formats, roadmap
from ozgwiki.export.reading import read_pages
from ozgwiki.export.records import DATASETS, UMSETZUNGSPROJEKTE, Export, build
from ozgwiki.files import write_atomic
from ozgwiki.wiki.site import Site

FORMATS = ("csv", "json", "svg")
JSON_FILE = "ozgwiki-export.json"
SVG_FILE = "roadmap.svg"


@dataclass(frozen=True)
class ExportResult:
    """What one export wrote, and what it left out."""

    out_dir: Path
    files: tuple[str, ...]
    export: Export

    @property
    def exit_code(self) -> int:
        """1 when pages had to be skipped (an admin should look at them), else 0."""
        return 1 if self.export.skipped else 0

    def summary(self) -> str:
        """One line for the terminal and cron mail."""
        counts = ", ".join(f"{self.export.count(d)} {d.filename.removesuffix('.csv')}" for d in DATASETS)
        line = (
            f"export: {counts}; {self.export.invalid_keys} invalid LeiKa keys not exported; "
            f"{len(self.export.skipped)} pages skipped; {len(self.files)} files in {self.out_dir}"
        )
        if self.export.skipped:
            line += " (skipped: " + ", ".join(self.export.skipped) + ")"
        return line

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--report json``."""
        return {
            "name": "export",
            "out_dir": str(self.out_dir),
            "files": list(self.files),
            "counts": {d.name: self.export.count(d) for d in DATASETS},
            "invalid_keys": self.export.invalid_keys,
            "skipped": list(self.export.skipped),
            "exit_code": self.exit_code,
        }


def contents(
    export: Export, wanted: Collection[str], *, source: str, sitename: str, exported_at: datetime
) -> dict[str, bytes]:
    """File name -> bytes for the formats in ``wanted`` (a subset of :data:`FORMATS`). Pure."""
    unknown = set(wanted) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown export format(s): {', '.join(sorted(unknown))}")
    out: dict[str, bytes] = {}
    if "csv" in wanted:
        for dataset in DATASETS:
            out[dataset.filename] = formats.to_csv(dataset, export.records.get(dataset.name, ()))
    if "json" in wanted:
        out[JSON_FILE] = formats.to_json(export, source=source, exported_at=exported_at)
    if "svg" in wanted:
        picture = roadmap.roadmap_of(export.pages.get(UMSETZUNGSPROJEKTE.template, ()))
        svg = roadmap.to_svg(picture, stand=exported_at.date(), source=sitename or source)
        out[SVG_FILE] = svg.encode("utf-8")
    return out


def write_files(out_dir: Path, files: Mapping[str, bytes]) -> tuple[str, ...]:
    """Write every file into ``out_dir`` (created if needed); the names written, in order.

    A folder that cannot be created or written is a configuration error (exit 2), in one line.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            write_atomic(out_dir / name, data)  # readers see the old file or the new one
    except OSError as exc:
        raise ConfigError(f"export folder {out_dir}: {exc.strerror or exc}") from None
    return tuple(files)


def run(site: Site, out_dir: Path, wanted: Collection[str], *, now: datetime) -> ExportResult:
    """Read the wiki through ``site``, build the export and write the files of ``wanted`` formats."""
    export = build(read_pages(site))
    files = contents(export, wanted, source=site.api_url, sitename=site.siteinfo.sitename, exported_at=now)
    return ExportResult(out_dir, write_files(out_dir, files), export)
