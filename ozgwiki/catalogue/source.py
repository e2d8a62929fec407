"""What a user names as "the catalogue", recognised by what it is: :func:`resolve`.

Every command (``import``, ``catalogue check``, ``leika check``, ``run`` through the configuration)
and ``catalogue: {manifest: …}`` in the configuration go through this one function. It accepts

- a **manifest** ``catalogue.yaml`` (any ``.yaml``/``.yml`` whose top-level keys are manifest keys);
- a **table** — the OZG-Umsetzungskatalog itself as ``.csv`` or ``.xlsx``; then the catalogue has
  no Kommunen and no supplement unless they are given beside it;
- a **folder**: with a ``catalogue.yaml`` that manifest, else the KDN files in it
  (``ozg_umsetzungskatalog.csv`` / ``*umsetzungskatalog*.csv|xlsx``, ``nrw_gemeinden_kreise.csv`` /
  ``*kommunen*.csv|xlsx`` / ``*gemeinden*.csv|xlsx``; failing names, the one CSV whose header is the
  Umsetzungskatalog's);
- the name of a **shipped** catalogue: ``sample`` (the default) or ``nrw`` (``ozgwiki/data/``).
  An existing file or folder of that name wins (``./nrw`` and ``nrw`` are then the same thing).

The kind is decided by the extension *and* a sniff of the first bytes — a ZIP that holds
``xl/workbook.xml``, a CSV header with the catalogue's columns, YAML top-level keys — so a CSV named
``.yaml`` is read as the table it is, and a PDF, a ``.txt`` or a supplement given as the catalogue
gets one German message saying what was expected instead of a YAML or CSV parse error. Nothing is
parsed here beyond a header line and top-level keys (YAML is only scanned as text, so an alias bomb
costs nothing); reading and checking stay with the readers.

``kommunen`` (``--kommunen``) and ``supplement`` (``--supplement``, one or several) add to what the
spec names: the Kommunen file replaces the manifest's ``kommunen:``, supplements are read after the
manifest's ``ergaenzungen:``. A wrong kind or missing file there is refused the same way.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ozgwiki.catalogue import kommunen as kommunen_table
from ozgwiki.catalogue import spreadsheet
from ozgwiki.catalogue.manifest import MANIFEST_NAME, Manifest, SourceRef, read_manifest
from ozgwiki.catalogue.problems import Problem, Problems
from ozgwiki.catalogue.supplement import SECTIONS as SUPPLEMENT_SECTIONS
from ozgwiki.catalogue.tables import fold_header
from ozgwiki.errors import CatalogueError

__all__ = ["SHIPPED", "CatalogueSource", "resolve", "shipped_path"]

#: The catalogues in ``ozgwiki/data/``: the small sample (default, ``make demo``) and the real one.
SHIPPED = ("sample", "nrw")
DEFAULT = "sample"

PathLike = str | os.PathLike[str]
SupplementArg = PathLike | Sequence[PathLike] | None

_TABLE_EXT = (".csv", ".tsv", ".xlsx", ".xlsm")
_YAML_EXT = (".yaml", ".yml")
_MANIFEST_KEYS = frozenset({"umsetzungskatalog", "kommunen", "ergaenzungen"})
_SNIFF_BYTES = 64 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_YAML_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|$)")
#: KDN's file names, tried in this order inside a folder without catalogue.yaml.
_KDN_SHEET = ("ozg_umsetzungskatalog.csv", "*umsetzungskatalog*")
_KDN_KOMMUNEN = ("nrw_gemeinden_kreise.csv", "*kommunen*", "*gemeinden*")

_WHAT = (
    "ist weder ein Katalog-Manifest (.yaml), eine Tabelle (.csv, .xlsx), ein Ordner mit den "
    "KDN-Dateien noch ein mitgelieferter Katalog ({names})"
)


def shipped_path(name: str) -> Path:
    """The manifest of a catalogue shipped in the package (``sample``, ``nrw``)."""
    if name not in SHIPPED:
        raise ValueError(f"no shipped catalogue {name!r} (known: {', '.join(SHIPPED)})")
    return Path(str(resources.files("ozgwiki.data").joinpath(name, MANIFEST_NAME)))


@dataclass(frozen=True)
class CatalogueSource:
    """The files one catalogue is read from, as :func:`resolve` recognised them.

    ``kind`` is ``manifest``, ``table``, ``folder`` (KDN files without manifest) or ``shipped``.
    Exactly one of ``manifest`` and ``umsetzungskatalog`` is set. ``kommunen`` replaces the
    manifest's entry; ``ergaenzungen`` are read after the manifest's.
    """

    spec: str
    kind: str
    manifest: Path | None = None
    umsetzungskatalog: Path | None = None
    kommunen: Path | None = None
    ergaenzungen: tuple[Path, ...] = ()
    name: str | None = None  # the shipped catalogue's name

    @property
    def label(self) -> str:
        """What ``catalogue check`` prints after „Katalog:“: the manifest, the table or the folder."""
        if self.manifest is not None:
            return str(self.manifest)
        return self.spec if self.kind == "folder" else str(self.umsetzungskatalog)

    def read(self, problems: Problems) -> Manifest | None:
        """The manifest these files amount to (problems of a manifest file go to ``problems``)."""
        if self.manifest is not None:
            manifest = read_manifest(self.manifest, problems)
            if manifest is None:
                return None
        else:
            assert self.umsetzungskatalog is not None
            manifest = Manifest(self.label)
            manifest.umsetzungskatalog = _ref(self.umsetzungskatalog)
        if self.kommunen is not None:
            manifest.kommunen = _ref(self.kommunen)
            manifest.kommunen_named = True
        manifest.ergaenzungen += [_ref(p) for p in self.ergaenzungen]
        return manifest


def _ref(path: Path) -> SourceRef:
    return SourceRef(path, str(path))


def resolve(
    spec: PathLike | CatalogueSource | None = None,
    kommunen: PathLike | None = None,
    supplement: SupplementArg = None,
    *,
    base: Path | None = None,
) -> CatalogueSource:
    """Recognise what ``spec`` is (None: the sample) and add ``kommunen`` / ``supplement``.

    A relative ``spec`` starts from ``base`` (the configuration's folder, for ``catalogue.manifest``)
    or the working directory; ``kommunen`` and ``supplement`` (the command line's) from the latter.
    Raises :class:`~ozgwiki.errors.CatalogueError` with one German problem per wrong argument —
    all of them at once — when a file does not exist or is not the kind expected there.
    """
    problems: list[Problem] = []
    if isinstance(spec, CatalogueSource):
        source = spec
    else:
        source = _main(DEFAULT if spec is None else os.fspath(spec), base, problems)
    extra_kommunen = _kommunen(os.fspath(kommunen), problems) if kommunen is not None else None
    extra_supplements = tuple(
        p for p in (_supplement(os.fspath(s), problems) for s in _as_list(supplement)) if p is not None
    )
    if problems or source is None:
        raise CatalogueError(problems)
    if extra_kommunen is None and not extra_supplements:
        return source
    return CatalogueSource(
        source.spec,
        source.kind,
        source.manifest,
        source.umsetzungskatalog,
        extra_kommunen or source.kommunen,
        source.ergaenzungen + extra_supplements,
        source.name,
    )


def _as_list(supplement: SupplementArg) -> list[PathLike]:
    if supplement is None:
        return []
    if isinstance(supplement, str | os.PathLike):
        return [supplement]
    return list(supplement)


def _path(spec: str, base: Path | None) -> Path:
    path = Path(spec).expanduser()
    return path if base is None or path.is_absolute() else base / path


def _names() -> str:
    return ", ".join(SHIPPED)


# ------------------------------------------------------------------------------------ the catalogue


def _main(spec: str, base: Path | None, problems: list[Problem]) -> CatalogueSource | None:
    path = _path(spec, base)
    file = str(path)
    if not spec.strip():
        problems.append(Problem(spec, 0, "Katalog", "leere Angabe; erwartet " + _expected()))
        return None
    if path.is_dir():
        return _folder(spec, path, problems)
    if not path.exists():
        if spec in SHIPPED:
            return CatalogueSource(spec, "shipped", manifest=shipped_path(spec), name=spec)
        hint = "" if _looks_like_path(spec) else f" (mitgelieferte Kataloge: {_names()})"
        problems.append(Problem(file, 0, "Datei", f"Datei nicht gefunden{hint}"))
        return None
    kind, detail = sniff(path)
    if kind in ("manifest", "yaml"):
        return CatalogueSource(spec, "manifest", manifest=path)
    if kind in ("sheet", "table"):
        return CatalogueSource(spec, "table", umsetzungskatalog=path)
    if kind == "kommunen":
        problems.append(
            Problem(file, 0, "Datei", "ist eine Kommunenliste, keine Umsetzungskatalog-Tabelle: "
                    "als --kommunen neben dem Katalog angeben oder im Manifest unter kommunen:")
        )  # fmt: skip
    elif kind == "supplement":
        problems.append(
            Problem(file, 0, "Datei", "ist eine Ergänzungsdatei (YAML), kein Katalog-Manifest: als "
                    "--supplement neben dem Katalog angeben oder im Manifest unter ergaenzungen:")
        )  # fmt: skip
    else:
        problems.append(Problem(file, 0, "Datei", f"„{spec}“ {_WHAT.format(names=_names())}{detail}"))
    return None


def _expected() -> str:
    return f"ein Katalog-Manifest (.yaml), eine Tabelle (.csv, .xlsx), einen Ordner oder {_names()}"


def _looks_like_path(spec: str) -> bool:
    return os.sep in spec or "/" in spec or bool(Path(spec).suffix)


def _folder(spec: str, folder: Path, problems: list[Problem]) -> CatalogueSource | None:
    for name in (MANIFEST_NAME, "catalogue.yml"):
        if (folder / name).is_file():
            return CatalogueSource(spec, "manifest", manifest=folder / name)
    try:
        files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
    except OSError as exc:
        problems.append(Problem(str(folder), 0, "Ordner", f"nicht lesbar: {exc.strerror or exc}"))
        return None
    sheet = _pick(files, _KDN_SHEET, "Umsetzungskatalog-Tabellen", folder, problems)
    if sheet is None and not problems:
        by_header = [p for p in files if p.suffix.lower() in _TABLE_EXT and sniff(p)[0] == "sheet"]
        if len(by_header) == 1:
            sheet = by_header[0]
        elif len(by_header) > 1:
            _several(folder, "Umsetzungskatalog-Tabellen", by_header, problems)
    kommunen = _pick([p for p in files if p != sheet], _KDN_KOMMUNEN, "Kommunenlisten", folder, problems)
    if problems:
        return None
    if sheet is None:
        problems.append(
            Problem(str(folder), 0, "Ordner", f"enthält weder {MANIFEST_NAME} noch eine "
                    "Umsetzungskatalog-Tabelle (ozg_umsetzungskatalog.csv, *umsetzungskatalog*.csv/.xlsx)")
        )  # fmt: skip
        return None
    return CatalogueSource(spec, "folder", umsetzungskatalog=sheet, kommunen=kommunen)


def _pick(
    files: Sequence[Path], patterns: Iterable[str], what: str, folder: Path, problems: list[Problem]
) -> Path | None:
    """The first pattern (exact name, then globs) that matches tables in the folder; several: an error."""
    for pattern in patterns:
        found = [
            p for p in files
            if p.suffix.lower() in _TABLE_EXT and Path(p.name.casefold()).match(pattern.casefold())
        ]  # fmt: skip
        if len(found) == 1:
            return found[0]
        if found:
            _several(folder, what, found, problems)
            return None
    return None


def _several(folder: Path, what: str, found: Sequence[Path], problems: list[Problem]) -> None:
    names = ", ".join(p.name for p in found)
    problems.append(
        Problem(str(folder), 0, "Ordner", f"mehrere {what} ({names}): bitte die gemeinte Datei angeben")
    )


# ------------------------------------------------------------------------------- beside the catalogue


def _given_file(spec: str, field: str, expected: str, problems: list[Problem]) -> Path | None:
    """The file a ``--kommunen`` / ``--supplement`` option names, or None (with the problem noted)."""
    path = _path(spec, None)
    if path.is_dir():
        problems.append(Problem(str(path), 0, field, f"ist ein Ordner; erwartet {expected}"))
        return None
    if not path.is_file():
        problems.append(Problem(str(path), 0, field, "Datei nicht gefunden"))
        return None
    return path


def _kommunen(spec: str, problems: list[Problem]) -> Path | None:
    path = _given_file(spec, "kommunen", "die Kommunenliste (.csv, .xlsx)", problems)
    if path is None:
        return None
    file = str(path)
    kind, detail = sniff(path)
    if kind in ("kommunen", "table"):
        return path
    if kind == "sheet":
        message = "ist die Umsetzungskatalog-Tabelle, keine Kommunenliste: als Katalog angeben"
    else:
        message = f"ist keine Tabelle (.csv, .xlsx) mit der Kommunenliste{detail}"
    problems.append(Problem(file, 0, "kommunen", message))
    return None


def _supplement(spec: str, problems: list[Problem]) -> Path | None:
    path = _given_file(spec, "ergaenzungen", "eine YAML-Ergänzungsdatei", problems)
    if path is None:
        return None
    file = str(path)
    kind, detail = sniff(path)
    if kind in ("supplement", "yaml"):
        return path
    if kind == "manifest":
        message = "ist ein Katalog-Manifest, keine Ergänzungsdatei: als Katalog angeben"
    elif kind in ("sheet", "kommunen", "table"):
        message = "ist eine Tabelle, keine YAML-Ergänzungsdatei (.yaml)"
    else:
        message = f"ist keine YAML-Ergänzungsdatei (.yaml){detail}"
    problems.append(Problem(file, 0, "ergaenzungen", message))
    return None


# ----------------------------------------------------------------------------------------- sniffing


def sniff(path: Path) -> tuple[str, str]:
    """What a file is, from its first bytes and its extension, and a German detail for messages.

    Kinds: ``manifest``, ``supplement``, ``yaml`` (YAML of neither shape, or unreadable),
    ``sheet`` (the Umsetzungskatalog), ``kommunen`` (a municipality list), ``table`` (a CSV/XLSX
    of unknown columns: its reader reports them), ``other`` (none of these). An unreadable file is
    sniffed by its extension alone; the reader then reports why it cannot be read.
    """
    ext = path.suffix.lower()
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        head = None
    if head is None:
        return _by_extension(ext, path.name)
    if head.startswith(_ZIP_MAGIC):
        if _is_workbook(path) or ext in (".xlsx", ".xlsm"):
            return "table", ""
        return "other", "; die Datei ist ein ZIP-Archiv ohne Tabellenblatt"
    if head.startswith(b"%PDF"):
        return "other", "; die Datei ist ein PDF-Dokument"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        # UTF-16 or binary: a table name lets the CSV reader explain it ("als CSV UTF-8 speichern")
        return ("table", "") if ext in _TABLE_EXT else ("other", "; die Datei ist eine Binärdatei")
    text = _text(head)
    columns = _header_kind(text)
    if columns is not None:
        return columns, ""
    keys = _yaml_keys(text)
    if keys & _MANIFEST_KEYS:
        return "manifest", ""
    if keys & set(SUPPLEMENT_SECTIONS):
        return "supplement", ""
    if not keys and _csv_shaped(text):
        return "table", ""  # a CSV of unknown columns, whatever its name: its reader lists them
    if ext in _YAML_EXT or path.name == MANIFEST_NAME:
        return "yaml", ""  # read as manifest or supplement, whose readers say what they must hold
    if ext in _TABLE_EXT:
        return "table", ""
    if not text.strip():
        return "other", "; die Datei ist leer"
    return "other", "; die Datei ist Text ohne Tabellenkopf oder Manifest-Einträge"


def _by_extension(ext: str, name: str) -> tuple[str, str]:
    if ext in _YAML_EXT or name == MANIFEST_NAME:
        return "yaml", ""
    if ext in _TABLE_EXT:
        return "table", ""
    return "other", ""


def _is_workbook(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def _text(head: bytes) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # cut inside a character at the sniff limit
            return head[: exc.start].decode("utf-8")
        return head.decode("cp1252", errors="replace")


def _fold_lookup(spec: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {fold_header(s): name for name, spellings in spec.items() for s in (name, *spellings)}


_SHEET_COLUMNS = _fold_lookup(spreadsheet.COLUMNS)
_KOMMUNEN_COLUMNS = _fold_lookup(kommunen_table.COLUMNS)


def _header_kind(text: str) -> str | None:
    """``sheet`` or ``kommunen`` when the first line is a CSV header with that table's columns."""
    first = text.splitlines()[0] if text else ""
    delimiter = max((";", ",", "\t"), key=first.count)
    if not first.count(delimiter):
        return None
    folded = [fold_header(cell.strip().strip('"')) for cell in first.split(delimiter)]
    sheet = {_SHEET_COLUMNS[f] for f in folded if f in _SHEET_COLUMNS}
    kommunen = {_KOMMUNEN_COLUMNS[f] for f in folded if f in _KOMMUNEN_COLUMNS}
    if kommunen_table.AGS in kommunen and len(kommunen) >= 2 and len(kommunen) >= len(sheet):
        return "kommunen"
    if len(sheet) >= 3:
        return "sheet"
    return None


def _csv_shaped(text: str) -> bool:
    """The first two lines split into the same number (at least three) of cells by one delimiter."""
    lines = text.splitlines()[:2]
    if len(lines) < 2 or ":" in lines[0]:
        return False
    return any(lines[0].count(d) >= 2 and lines[0].count(d) == lines[1].count(d) for d in (";", ",", "\t"))


def _yaml_keys(text: str) -> set[str]:
    """Top-level mapping keys, read as text (never parsed: aliases and tags cost nothing here)."""
    return {m.group(1) for line in text.splitlines() if (m := _YAML_KEY.match(line))}
