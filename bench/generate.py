"""A synthetic catalogue of any size, in exactly the format of the real one (``ozgwiki/data/nrw/``).

    python -m bench.generate FACTOR FOLDER [--seed N] [--germany] [--no-supplement]

Why synthetic: the bench must measure the bot at 10× the real catalogue and at Germany scale, and no
such catalogue exists. So the real NRW tables are the template, copied as often as the size asks and
mutated so that every copy looks like real data to the loader, the title scheme and the renderers:

* **Copy 0 is the real data** (for a factor below 1 a seeded subset of it); every further copy is
  derived row by row from the real rows, so the distribution of rows per OZG-Leistung, of text lengths,
  LeiKa-Typ, SDG flags, Rechtsgrundlagen and Gesetze is the real one. The last copy is partial: a
  seeded sample of whole OZG-Leistungen (with all their rows) and whole Kreise (with their Gemeinden).
* **Names** of a copy are the real names with one word blended with a word of the real vocabulary
  (``Abfallgebühr Festsetzung`` → ``Abfallgebühr Festbescheinigung``), unique across the catalogue,
  except where the real data shares a name: an OZG-Leistung named like one of its LeiKa-Leistungen
  (207 of the 215 shared names in NRW) keeps that in every copy, so the share of shared names, and
  with it the number of Begriffsklärung pages and suffixed titles, stays the real one (≈ 7 %).
  Kommune names are blended from real Kommune names the same way and unique, as in NRW.
* **Keys** keep the real keys' Verrichtung and detail and get a fresh Leistungsgruppierung /
  Leistungskennung pair per copy: valid (no ``000`` group or Kennung), unique, all ``99…``.
  **OZG-IDs** are the real ones plus 1,000 per copy (five digits up to copy 89).
* **AGS/ARS** of copy *c* replace the Land code (``05``, then ``01`` … ``16``) and, from copy 16 on,
  flip the Regierungsbezirk digit to the even one; Kreis references follow. Themenfelder, Lagen,
  Größenklassen and Regierungsbezirke stay the real ones (so every overview definition, also
  "Kommunen in NRW" with its five Regierungsbezirke, selects every generated row).
* **Größenklassen**: the real catalogue assigns none (that is the NRW supplement's job), so no
  Kommune would have a Leistung. With ``supplement=True`` (default) an ``ergaenzungen.yaml`` gives
  every OZG-Leistung Zuständigkeiten, a Priorität and Größenklassen from four profiles (all classes
  60 %, Gemeinde level 28 %, Kreis level 5 %, none 7 %), which makes ≈ 6 million Leistung × Kommune
  facts at Germany scale (:func:`facts_count`).

Deterministic for a given factor and seed; :func:`generate` returns the manifest, which
``ozgwiki.catalogue.load`` reads without errors (with the same two kinds of warnings as the real data).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ozgwiki.catalogue import shipped_path
from ozgwiki.domain.model import Catalogue, Groessenklasse

NRW = shipped_path("nrw").parent
SHEET = "ozg_umsetzungskatalog.csv"
KOMMUNEN = "nrw_gemeinden_kreise.csv"
SUPPLEMENT = "ergaenzungen.yaml"
MANIFEST = "catalogue.yaml"

#: Land codes in the order copies use them: NRW's own first.
LAENDER = ("05", "01", "02", "03", "04", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16")
MAX_COPIES = 2 * len(LAENDER)  # odd and even Regierungsbezirk digit per Land
OZG_ID_STEP = 1000

# Column positions of the sheet (its header is copied from the real file).
_TF, _LAGE, _OZG, _OZG_ID, _KEY, _BEZ = range(6)
# Columns of the municipality list used here.
_AGS, _ARS, _NAME, _KURZ, _EBENE, _KLASSE, _KREIS_AGS, _KREIS_NAME = range(8)

_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]{4,}")

#: Germany: ≈ 11,000 Gemeinden, ≈ 600 OZG-Leistungen, the real catalogue's ≈ 4,800 keys (× 600/557).
GERMANY_GEMEINDEN = 11_000
GERMANY_OZG = 600

_NRW_OZG = 557
_NRW_GEMEINDEN = 396

_GEMEINDE_LEVEL = (
    Groessenklasse.KREISFREIE_STADT,
    Groessenklasse.GROSSE_KREISANGEHOERIGE_STADT,
    Groessenklasse.MITTLERE_KREISANGEHOERIGE_STADT,
    Groessenklasse.KREISANGEHOERIGE_STADT,
    Groessenklasse.KREISANGEHOERIGE_GEMEINDE,
)
_KREIS_LEVEL = (Groessenklasse.KREIS, Groessenklasse.STAEDTEREGION, Groessenklasse.KREISFREIE_STADT)
#: (share, Größenklassen, Zuständigkeiten choices) of the supplement's profiles.
PROFILES: tuple[tuple[float, tuple[Groessenklasse, ...], tuple[tuple[str, ...], ...]], ...] = (
    (0.60, tuple(dict.fromkeys(_GEMEINDE_LEVEL + _KREIS_LEVEL)), (("Kommunal",), ("Land", "Kommunal"))),
    (0.28, _GEMEINDE_LEVEL, (("Kommunal",), ("Land", "Kommunal"))),
    (0.05, _KREIS_LEVEL, (("Kommunal",),)),
    (0.07, (), (("Bund",), ("Land",), ("Bund", "Land"))),
)


@dataclass(frozen=True)
class Sizes:
    """How many OZG-Leistungen and Gemeinden to generate (the rest follows from the real rows)."""

    ozg: int
    gemeinden: int

    @classmethod
    def of(cls, factor: float, kommunen_factor: float | None = None) -> Sizes:
        k = factor if kommunen_factor is None else kommunen_factor
        if factor <= 0 or k <= 0:
            raise ValueError("factors must be positive")
        return cls(max(1, round(_NRW_OZG * factor)), max(1, round(_NRW_GEMEINDEN * k)))


GERMANY = Sizes(GERMANY_OZG, GERMANY_GEMEINDEN)


# ------------------------------------------------------------------------------ reading the template


@dataclass(frozen=True)
class _Template:
    header: list[str]
    groups: list[list[list[str]]]  # rows of each OZG-Leistung, in file order
    loose: list[list[str]]  # rows without OZG-Leistung
    units: list[list[list[str]]]  # municipality list: a kreisfreie Stadt alone, a Kreis with its Gemeinden
    kommunen_header: list[str]
    vocabulary: list[str]
    kommune_names: list[str]


def _read_template() -> _Template:
    with (NRW / SHEET).open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    header, body = rows[0], rows[1:]
    groups: dict[str, list[list[str]]] = {}
    loose: list[list[str]] = []
    for row in body:
        if row[_OZG_ID]:
            groups.setdefault(row[_OZG_ID], []).append(row)
        else:
            loose.append(row)
    with (NRW / KOMMUNEN).open(encoding="utf-8", newline="") as f:
        krows = list(csv.reader(f))
    kheader, kbody = krows[0], krows[1:]
    members: dict[str, list[list[str]]] = {}
    for row in kbody:
        members.setdefault(row[_KREIS_AGS] or row[_AGS], []).append(row)
    units = [members[row[_AGS]] for row in kbody if not row[_KREIS_AGS]]
    words = {w for row in body for text in (row[_OZG], row[_BEZ]) for w in _WORD.findall(text)}
    return _Template(
        header=header,
        groups=list(groups.values()),
        loose=loose,
        units=units,
        kommunen_header=kheader,
        vocabulary=sorted(words),
        kommune_names=sorted({row[_KURZ] for row in kbody}),
    )


# ------------------------------------------------------------------------------ names


def _fold(name: str) -> str:
    """What the title scheme compares (first letter case, spaces); close enough to normalized()."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def _blend(a: str, b: str, rng: random.Random) -> str:
    """The start of ``a`` and the end of ``b``, cut at letters: a German-looking new word."""
    i = rng.randint(max(2, len(a) // 3), max(2, len(a) - 2))
    j = rng.randint(1, max(1, len(b) - 3))
    tail = b[j:]
    return a[:i] + (tail if a[:i][-1:].islower() else tail[:1].upper() + tail[1:])


class _Names:
    """Unique new names made from real ones; ``taken`` holds every name given out (folded)."""

    def __init__(self, rng: random.Random, taken: set[str]) -> None:
        self.rng = rng
        self.taken = taken

    def claim(self, name: str) -> None:
        self.taken.add(_fold(name))

    def mutate(self, text: str, vocabulary: Sequence[str]) -> str:
        """``text`` with one of its words blended with a vocabulary word; unique."""
        spans = [m.span() for m in _WORD.finditer(text)]
        for attempt in range(50):
            if spans:
                start, end = self.rng.choice(spans)
                word = _blend(text[start:end], self.rng.choice(vocabulary), self.rng)
                candidate = text[:start] + word + text[end:]
            else:
                candidate = f"{text} {self.rng.choice(vocabulary)}"
            if attempt >= 40:
                candidate = f"{candidate} {attempt - 39}"
            if _fold(candidate) not in self.taken:
                self.claim(candidate)
                return candidate
        raise RuntimeError(f"no unique variant of {text!r}")  # pragma: no cover - 50 tries never fail


# ------------------------------------------------------------------------------ keys and codes


class _Keys:
    """Fresh valid keys: the real key's Verrichtung and detail, a new group/Kennung pair per copy."""

    def __init__(self, real: set[str]) -> None:
        self.used = set(real)

    def derive(self, key: str, copy: int) -> str:
        gruppe, kennung, rest = int(key[2:5]), int(key[5:8]), key[8:]
        g = (gruppe - 1 + 157 * copy) % 999 + 1
        k = kennung
        while True:
            candidate = f"99{g:03d}{k:03d}{rest}"
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate
            k = k % 999 + 1
            if k == kennung:
                g = g % 999 + 1


def _ags(ags: str, copy: int) -> str:
    """The AGS of copy ``copy``: another Land code, from copy 16 on the even Regierungsbezirk digit."""
    if not ags:
        return ags
    land = LAENDER[copy % len(LAENDER)]
    flip = copy // len(LAENDER)
    return land + str((int(ags[2]) + flip) % 10) + ags[3:]


def _ars(ars: str, copy: int) -> str:
    return _ags(ars[:8], copy) + ars[8:]


def _take(items: Sequence[list[list[str]]], count: int, weight: int, rng: random.Random) -> list[int]:
    """Indices of a seeded sample of whole units, in file order, until ``count`` is reached."""
    order = list(range(len(items)))
    rng.shuffle(order)
    chosen, total = [], 0
    for i in order:
        if total >= count:
            break
        chosen.append(i)
        total += weight if weight else sum(1 for r in items[i] if r[_EBENE] == "Gemeinde")
    return sorted(chosen)


def _copies(wanted: int, per_copy: int) -> Iterator[tuple[int, int | None]]:
    """(copy, None) for each full copy, then (copy, rest) for the partial last one."""
    full, rest = divmod(wanted, per_copy)
    if full + (1 if rest else 0) > MAX_COPIES:
        raise ValueError(f"at most {MAX_COPIES} copies of the real data (AGS ranges)")
    for c in range(full):
        yield c, None
    if rest:
        yield full, rest


# ------------------------------------------------------------------------------ generating


def _sheet_rows(t: _Template, sizes: Sizes, rng: random.Random, names: _Names) -> list[list[str]]:
    keys = _Keys({r[_KEY] for g in t.groups for r in g if r[_KEY].isdigit()} | {r[_KEY] for r in t.loose})
    out: list[list[str]] = []
    for copy, rest in _copies(sizes.ozg, len(t.groups)):
        chosen = range(len(t.groups)) if rest is None else _take(t.groups, rest, 1, rng)
        loose = t.loose if rest is None else rng.sample(t.loose, round(len(t.loose) * rest / len(t.groups)))
        for i in chosen:
            out += _copy_group(t.groups[i], copy, t.vocabulary, keys, names)
        out += _copy_group(loose, copy, t.vocabulary, keys, names)
    return out


def _copy_group(
    rows: list[list[str]], copy: int, vocabulary: Sequence[str], keys: _Keys, names: _Names
) -> list[list[str]]:
    """One OZG-Leistung's rows (or the rows without one) in copy ``copy``."""
    if copy == 0:
        for row in rows:
            names.claim(row[_OZG])
            names.claim(row[_BEZ])
        return [list(row) for row in rows]
    renamed: dict[str, str] = {}  # equal texts stay equal within the group (shared names)

    def rename(text: str) -> str:
        if not text:
            return text
        if _fold(text) not in renamed:
            renamed[_fold(text)] = names.mutate(text, vocabulary)
        return renamed[_fold(text)]

    out = []
    for row in rows:
        new = list(row)
        if row[_OZG_ID]:
            new[_OZG_ID] = str(int(row[_OZG_ID]) + OZG_ID_STEP * copy)
            new[_OZG] = rename(row[_OZG])
        if row[_KEY].isdigit():
            new[_KEY] = keys.derive(row[_KEY], copy)
        new[_BEZ] = rename(row[_BEZ])
        out.append(new)
    return out


def _kommunen_rows(t: _Template, sizes: Sizes, rng: random.Random, names: _Names) -> list[list[str]]:
    per_copy = sum(1 for u in t.units for r in u if r[_EBENE] == "Gemeinde")
    kommune_names = _Names(rng, {_fold(n) for n in t.kommune_names})
    out: list[list[str]] = []
    for copy, rest in _copies(sizes.gemeinden, per_copy):
        chosen = range(len(t.units)) if rest is None else _take(t.units, rest, 0, rng)
        for i in chosen:
            unit = t.units[i]
            kreis_name = ""
            for row in unit:
                new = list(row)
                new[_AGS], new[_ARS] = _ags(row[_AGS], copy), _ars(row[_ARS], copy)
                new[_KREIS_AGS] = _ags(row[_KREIS_AGS], copy)
                if copy:
                    kurz = _kommune_name(row[_KURZ], t.kommune_names, kommune_names, rng)
                    new[_NAME] = row[_NAME].replace(row[_KURZ], kurz, 1) if row[_KURZ] else kurz
                    new[_KURZ] = kurz
                    if not row[_KREIS_AGS]:
                        kreis_name = kurz
                    new[_KREIS_NAME] = kreis_name if row[_KREIS_AGS] else ""
                out.append(new)
    return out


def _kommune_name(name: str, real: Sequence[str], names: _Names, rng: random.Random) -> str:
    prefix = next((p for p in ("Städteregion ", "Rhein-Kreis ", "Bad ") if name.startswith(p)), "")
    base = name[len(prefix) :]
    for _ in range(50):
        other = rng.choice(real)
        candidate = prefix + _blend(base, other.split()[-1], rng)
        if _fold(candidate) not in names.taken and len(candidate) > 2:
            names.claim(candidate)
            return candidate
    return names.mutate(name, real)


def _supplement(ozg_ids: Sequence[str], rng: random.Random) -> str:
    lines = [
        "# Synthetische Ergänzungen (bench/generate.py): Zuständigkeiten, Priorität und Größenklassen",
        "# jeder OZG-Leistung, damit jede Kommune die Leistungen ihrer Größenklasse hat.",
        "ozg_leistungen:",
    ]
    shares = [p[0] for p in PROFILES]
    for ozg_id in ozg_ids:
        _share, klassen, zust = rng.choices(PROFILES, weights=shares)[0]
        z = ", ".join(rng.choice(zust))
        g = ", ".join(k.label for k in klassen)
        lines.append(
            f"  {ozg_id}: {{zustaendigkeiten: [{z}], prioritaet: {rng.choice((1, 2, 2, 3))}, "
            f"groessenklassen: [{g}]}}"
        )
    return "\n".join(lines) + "\n"


def _csv_text(rows: Sequence[Sequence[str]], delimiter: str, lineterminator: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator).writerows(rows)
    return buf.getvalue()


def generate_sizes(sizes: Sizes, folder: Path, *, seed: int = 0, supplement: bool = True) -> Path:
    """Write a catalogue of ``sizes`` into ``folder`` (created); returns its manifest."""
    t = _read_template()
    rng = random.Random(seed)
    names = _Names(rng, set())
    sheet = _sheet_rows(t, sizes, rng, names)
    kommunen = _kommunen_rows(t, sizes, rng, names)
    folder.mkdir(parents=True, exist_ok=True)
    # The real sheet's spelling: UTF-8 with BOM, semicolons, CRLF; the municipality list: plain CSV, LF.
    (folder / SHEET).write_bytes(("\ufeff" + _csv_text([t.header, *sheet], ";", "\r\n")).encode("utf-8"))
    (folder / KOMMUNEN).write_text(_csv_text([t.kommunen_header, *kommunen], ",", "\n"), encoding="utf-8")
    n_leika = len({r[_KEY] for r in sheet if r[_KEY].isdigit()})
    manifest = [
        "# Synthetischer Katalog im Format des echten NRW-Katalogs (bench/generate.py).",
        f"name: Synthetischer OZG-Katalog ({sizes.ozg} OZG-Leistungen, {sizes.gemeinden} Gemeinden, "
        f"Seed {seed})",
        f"umsetzungskatalog: {SHEET}   # {len(sheet)} Zeilen, {n_leika} LeiKa-Schlüssel",
        f"kommunen: {KOMMUNEN}   # {len(kommunen)} Gemeinden und Kreise",
    ]
    if supplement:
        ozg_ids = list(dict.fromkeys(r[_OZG_ID] for r in sheet if r[_OZG_ID]))
        (folder / SUPPLEMENT).write_text(_supplement(ozg_ids, rng), encoding="utf-8")
        manifest.append(f"ergaenzungen: {SUPPLEMENT}")
    elif (folder / SUPPLEMENT).exists():
        (folder / SUPPLEMENT).unlink()
    path = folder / MANIFEST
    path.write_text("\n".join(manifest) + "\n", encoding="utf-8")
    return path


def generate(
    factor: float,
    folder: Path,
    *,
    seed: int = 0,
    kommunen_factor: float | None = None,
    supplement: bool = True,
) -> Path:
    """The real catalogue scaled by ``factor`` (OZG-Leistungen with their keys, and Kommunen; the
    Kommunen by ``kommunen_factor`` when given) into ``folder``; returns the manifest path."""
    return generate_sizes(Sizes.of(factor, kommunen_factor), folder, seed=seed, supplement=supplement)


def germany(folder: Path, *, seed: int = 0) -> Path:
    """The Germany-scale preset: ≈ 11,000 Gemeinden, ≈ 600 OZG-Leistungen (keys as in the real
    catalogue, × 600/557), Größenklassen from the supplement's profiles."""
    return generate_sizes(GERMANY, folder, seed=seed)


def facts_count(catalogue: Catalogue) -> int:
    """Leistung × Kommune facts: every Kommune times the OZG-Leistungen of its Größenklasse (what the
    Kommune pages list, see ``semantic/pages/kommune.yaml``)."""
    per_class: dict[Groessenklasse, int] = {}
    total = 0
    for k in catalogue.kommunen:
        klasse = k.groessenklasse.leistungen_wie
        if klasse not in per_class:
            per_class[klasse] = len(catalogue.ozg_leistungen_for(klasse))
        total += per_class[klasse]
    return total


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n")[0])
    parser.add_argument("factor", type=float, help="size relative to the real NRW catalogue (10 = 10×)")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--germany", action="store_true", help="the Germany preset (ignores FACTOR)")
    parser.add_argument("--no-supplement", action="store_true", help="no ergaenzungen.yaml (like nrw)")
    args = parser.parse_args(argv)
    if args.germany:
        path = germany(args.folder, seed=args.seed)
    else:
        path = generate(args.factor, args.folder, seed=args.seed, supplement=not args.no_supplement)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["GERMANY", "Sizes", "facts_count", "generate", "generate_sizes", "germany"]
