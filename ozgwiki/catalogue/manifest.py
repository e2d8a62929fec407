"""The manifest ``catalogue.yaml``: which files make up a catalogue.

::

    umsetzungskatalog: umsetzungskatalog.csv    # required; CSV or XLSX
    kommunen: kommunen.csv                      # optional
    ergaenzungen:                               # optional; one file or a list
      - ergaenzungen.yaml
      - umsetzungsprojekte.yaml

Paths are relative to the manifest, so a catalogue folder can be moved or shipped as a whole. A
missing file is reported at the manifest line that names it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ozgwiki.catalogue.problems import Problems
from ozgwiki.catalogue.yamlfile import Y, read_yaml

MANIFEST_NAME = "catalogue.yaml"
_KEYS = ("name", "umsetzungskatalog", "kommunen", "ergaenzungen")


@dataclass(frozen=True)
class SourceRef:
    """A file named in the manifest: where it is, how messages call it."""

    path: Path
    file: str


@dataclass
class Manifest:
    file: str
    name: str | None = None
    umsetzungskatalog: SourceRef | None = None
    kommunen: SourceRef | None = None
    kommunen_named: bool = False  # named, even if the entry was broken: then AGS are not checked
    ergaenzungen: list[SourceRef] = field(default_factory=list)


def manifest_path(path: Path) -> Path:
    """A directory means the ``catalogue.yaml`` inside it."""
    return path / MANIFEST_NAME if path.is_dir() else path


def read_manifest(path: Path, problems: Problems) -> Manifest | None:
    """Read the manifest; every problem is reported, None only if nothing usable was found."""
    path = manifest_path(path)
    file = str(path)
    root = read_yaml(path, file, problems)
    if root is None:
        return None
    manifest = Manifest(file)
    if not root.is_map:
        problems.error(file, root.line, "YAML", "erwartet umsetzungskatalog:, kommunen:, ergaenzungen:")
        return None
    base = path.parent

    def source(y: Y, key: str) -> SourceRef | None:
        if not isinstance(y.value, str) or not y.value.strip():
            problems.error(file, y.line, key, "erwartet einen Dateipfad (relativ zum Manifest)")
            return None
        target = base / y.value.strip()
        if not target.is_file():
            problems.error(file, y.line, key, f"Datei nicht gefunden: {y.value.strip()}")
            return None
        return SourceRef(target, str(target))

    for key, y in root.value.items():
        if key not in _KEYS:
            problems.warning(
                file, y.line, key, f"unbekannter Eintrag, wird ignoriert (bekannt: {', '.join(_KEYS)})"
            )
    if (y := root.get("name")) is not None and y.value is not None:
        manifest.name = str(y.value)
    sheet = root.get("umsetzungskatalog")
    if sheet is None:
        problems.error(file, 1, "umsetzungskatalog", "Pflichteintrag fehlt (Pfad zur Katalogtabelle)")
    else:
        manifest.umsetzungskatalog = source(sheet, "umsetzungskatalog")
    if (y := root.get("kommunen")) is not None and y.value is not None:
        manifest.kommunen_named = True
        manifest.kommunen = source(y, "kommunen")
    if (y := root.get("ergaenzungen")) is not None and y.value is not None:
        for item in y.value if y.is_list else [y]:
            ref = source(item, "ergaenzungen")
            if ref is not None:
                manifest.ergaenzungen.append(ref)
    return manifest
