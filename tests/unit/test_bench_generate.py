"""The synthetic catalogue of bench/generate.py: deterministic, loads cleanly, scales, valid keys.

Small factors keep this fast; the 10× and Germany catalogues are the bench's business (bench/scale.py).
"""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from bench.generate import Sizes, facts_count, generate, generate_sizes
from ozgwiki.catalogue import check, load, load_result
from ozgwiki.domain import leika
from ozgwiki.domain.titles import named_things, normalized

REAL = load("nrw")


def _files(manifest: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(manifest.parent.iterdir())}


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    a = generate(1.3, tmp_path / "a", seed=7)
    b = generate(1.3, tmp_path / "b", seed=7)
    c = generate(1.3, tmp_path / "c", seed=8)
    assert _files(a) == _files(b)
    assert _files(a) != _files(c)


def test_loads_without_errors_and_checks_pass(tmp_path: Path) -> None:
    manifest = generate(2.2, tmp_path / "g", seed=1)
    result = check(manifest)
    assert result.errors == ()
    # The same two kinds of warnings as the real catalogue: placeholder rows, rows without OZG-Leistung.
    assert len(result.warnings) == 2
    assert load_result(manifest).catalogue.kommunen


def test_sizes_scale_with_the_factor(tmp_path: Path) -> None:
    one = load(generate(1.0, tmp_path / "one", supplement=False))
    three = load(generate(3.0, tmp_path / "three", supplement=False))
    assert len(one.ozg_leistungen) == len(REAL.ozg_leistungen)
    assert len(one.leika_leistungen) == len(REAL.leika_leistungen)
    assert len(one.kommunen) == len(REAL.kommunen)
    assert len(three.ozg_leistungen) == 3 * len(REAL.ozg_leistungen)
    assert len(three.leika_leistungen) == 3 * len(REAL.leika_leistungen)
    assert len(three.kommunen) == 3 * len(REAL.kommunen)
    # Themenfelder and Lagen stay the real ones.
    assert {t.name for t in three.themenfelder} == {t.name for t in REAL.themenfelder}
    assert {x.name for x in three.lagen} == {x.name for x in REAL.lagen}


def test_partial_copies_and_kommunen_factor(tmp_path: Path) -> None:
    cat = load(generate(0.2, tmp_path / "small", kommunen_factor=1.5))
    gemeinden = [k for k in cat.kommunen if not k.groessenklasse.ist_kreisebene]
    assert abs(len(cat.ozg_leistungen) - round(557 * 0.2)) <= 1
    assert round(396 * 1.5) <= len(gemeinden) <= round(396 * 1.5) + 60  # whole Kreise are taken
    for k in cat.kommunen:  # every Kreis reference resolves (the loader checks it, too)
        assert k.kreis is None or cat.kommune(k.kreis) is not None


def test_keys_and_codes_are_valid_and_unique(tmp_path: Path) -> None:
    cat = load(generate(2.5, tmp_path / "k"))
    keys = [x.schluessel for x in cat.leika_leistungen]
    assert len(keys) == len(set(keys))
    for key in keys:
        assert len(key) == 14 and key.startswith("99")
        assert leika.format_problem(key) is None, key
    ags = [k.ags for k in cat.kommunen]
    assert len(ags) == len(set(ags)) and all(len(a) == 8 and a.isdigit() for a in ags)
    ars = [k.ars for k in cat.kommunen]
    assert len(ars) == len(set(ars))
    ids = [o.ozg_id for o in cat.ozg_leistungen]
    assert len(ids) == len(set(ids)) and all(len(i) == 5 for i in ids)


def test_shared_names_like_the_real_catalogue(tmp_path: Path) -> None:
    def share(cat: object) -> float:
        things = [t for t in named_things(cat) if t.kind in ("leika", "ozg")]  # type: ignore[arg-type]
        counts = collections.Counter(normalized(t.name) for t in things)
        return sum(1 for t in things if counts[normalized(t.name)] > 1) / len(things)

    generated = load(generate(4.0, tmp_path / "n"))
    assert share(generated) == pytest.approx(share(REAL), abs=0.01)
    # Kommune titles (a Kreis is "Kreis …") are unique in NRW, and nearly so here.
    titles = [normalized(t.name) for t in named_things(generated) if t.kind == "kommune"]
    assert len(set(titles)) > 0.99 * len(titles)


def test_text_lengths_follow_the_real_rows(tmp_path: Path) -> None:
    cat = load(generate(3.0, tmp_path / "t"))

    def mean(values: list[int]) -> float:
        return sum(values) / len(values)

    real = mean([len(x.bezeichnung) for x in REAL.leika_leistungen])
    made = mean([len(x.bezeichnung) for x in cat.leika_leistungen])
    assert made == pytest.approx(real, rel=0.1)


def test_supplement_gives_every_kommune_leistungen(tmp_path: Path) -> None:
    cat = load(generate(0.5, tmp_path / "s", kommunen_factor=0.3))
    assert facts_count(cat) > 0.8 * len(cat.kommunen) * len(cat.ozg_leistungen) * 0.7
    assert facts_count(load(generate(0.5, tmp_path / "plain", supplement=False))) == 0


def test_too_many_copies_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="copies"):
        generate_sizes(Sizes(ozg=10, gemeinden=396 * 40), tmp_path / "x")
