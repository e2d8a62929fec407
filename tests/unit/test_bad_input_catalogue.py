"""Bad input for every catalogue file: one damaged file per case, one exact class of message each.

Every case copies the shipped sample (``ozgwiki/data/sample/``) into ``tmp_path``, damages one file
the way a spreadsheet program, an editor or an attacker would, and asserts

- the problem: file, line, field and a stable German fragment of the message;
- that loading fails as a whole: :func:`load` raises :class:`CatalogueError` carrying exactly the
  problems :func:`check` reports (all at once, nothing half-loaded), and nothing is an internal
  error or a traceback;
- for a few cases, the command line: ``ozgwiki catalogue check PATH`` prints the problem and exits
  1 (the documented exit code of ``catalogue check`` for a catalogue with errors), and a command that
  needs the catalogue (``ozgwiki leika check --catalogue PATH``) stops with exit 2 and the problem
  on stderr.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ozgwiki.catalogue import Problem, check, load, sample_path
from ozgwiki.cli import main
from ozgwiki.errors import EXIT_CONFIG, EXIT_FINDINGS, CatalogueError

BAD = Path(__file__).resolve().parents[1] / "data" / "bad_input"
SAMPLE = sample_path().parent

M = "catalogue.yaml"
U = "umsetzungskatalog.csv"
K = "kommunen.csv"
E = "ergaenzungen.yaml"
P = "umsetzungsprojekte.yaml"
S = "steckbriefe.yaml"

Damage = Callable[[Path], None]


# -- ways to damage one file of the copied sample ----------------------------------------------


def edit(name: str, old: str, new: str, *, count: int = 1) -> Damage:
    """Replace text (the first ``count`` occurrences; -1: all) in a UTF-8 file of the sample."""

    def damage(folder: Path) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"the sample changed: {old!r} is not in {name}"
        path.write_text(text.replace(old, new, count), encoding="utf-8", newline="")

    return damage


def edit_line(name: str, line: int, change: Callable[[str], str]) -> Damage:
    """Change one physical line (1-based, without its line end) of a sample file."""

    def damage(folder: Path) -> None:
        path = folder / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        body = lines[line - 1].rstrip("\r\n")
        changed = change(body)
        assert changed != body, f"line {line} of {name} did not change"
        lines[line - 1] = changed + lines[line - 1][len(body) :]
        path.write_text("".join(lines), encoding="utf-8", newline="")

    return damage


def append(name: str, text: str) -> Damage:
    def damage(folder: Path) -> None:
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8", newline="")

    return damage


def write(name: str, data: bytes) -> Damage:
    def damage(folder: Path) -> None:
        (folder / name).write_bytes(data)

    return damage


def transform(name: str, change: Callable[[bytes], bytes]) -> Damage:
    def damage(folder: Path) -> None:
        path = folder / name
        path.write_bytes(change(path.read_bytes()))

    return damage


def sparse(name: str, size: int) -> Damage:
    """Make the file ``size`` bytes long without writing them (a sparse file: cheap, not committed)."""

    def damage(folder: Path) -> None:
        with (folder / name).open("r+b") as handle:
            handle.truncate(size)

    return damage


def both(*damages: Damage) -> Damage:
    def damage(folder: Path) -> None:
        for d in damages:
            d(folder)

    return damage


def cell(index: int, change: Callable[[str], str], delimiter: str = ";") -> Callable[[str], str]:
    """Change one cell of a CSV line."""

    def apply(line: str) -> str:
        cells = line.split(delimiter)
        cells[index] = change(cells[index])
        return delimiter.join(cells)

    return apply


def quote(text: str) -> str:
    return '"' + text


def fullwidth(text: str) -> str:
    return "".join(chr(0xFF10 + int(c)) for c in text)


def arabic_indic(text: str) -> str:
    return "".join(chr(0x0660 + int(c)) for c in text)


def reencoded(wrong: str) -> Callable[[bytes], bytes]:
    """UTF-8 read as ``wrong`` and saved as UTF-8 again: what a careless round trip does."""
    return lambda data: data.decode("utf-8-sig").encode("utf-8").decode(wrong).encode("utf-8")


def row10(old: str, new: str) -> str:
    """Line 10 of the sample sheet with one change, as a new last row."""
    line = (SAMPLE / U).read_text(encoding="utf-8").splitlines()[9]
    assert old in line
    return line.replace(old, new) + "\r\n"


def _sample_header() -> str:
    return (SAMPLE / U).read_text(encoding="utf-8").splitlines()[0]


def _last_line(name: str) -> int:
    return len((SAMPLE / name).read_text(encoding="utf-8").splitlines())


# -- the cases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A damage and the problem it must cause: in ``file``, at ``line`` (None: any), ``field``."""

    id: str
    damage: Damage
    file: str
    line: int | None
    field: str
    fragment: str


KEY = "99012001000000"  # line 10 of the sample sheet, referenced nowhere else
LAST = _last_line(U)
HEADER = _sample_header()
BILLION_LAUGHS = (BAD / "billion_laughs.yaml").read_bytes()

CASES = [
    # wrong types in YAML
    Case("yaml-list-for-mapping", edit(E, "  Schule: {art: Lebenslage}", "  Schule: [Lebenslage]"),
         E, 30, "Schule", "erwartet eine Zuordnung (Feld: Wert)"),
    Case("yaml-list-for-section", append(S, "ozg_leistungen: [10513, 10110]\n"),
         S, 20, "ozg_leistungen", "erwartet eine Zuordnung (Name: Angaben)"),
    Case("yaml-mapping-for-list", edit(P, "ozg_ids: [10257]", "ozg_ids: {id: 10257}"),
         P, 14, "ozg_ids", "erwartet eine Liste"),
    Case("yaml-nested-list", edit(P, "ozg_ids: [10257]", "ozg_ids: [[10257]]"),
         P, 14, "ozg_ids", "erwartet einzelne Werte, keine verschachtelte Liste"),
    Case("yaml-number-for-ags", edit(S, 'kommunen: ["05554004"]', "kommunen: [5554004]"),
         S, 6, "kommunen", "„5554004“ ist kein AGS (8 Ziffern, in Anführungszeichen)"),
    Case("yaml-number-for-url", edit(S, "url: https://example.org/ozg/abbruchgenehmigung", "url: 42"),
         S, 10, "url", "„42“ ist keine http(s)-Adresse"),
    Case("yaml-mapping-for-text", edit(P, "- name: Einbürgerung", "- name: {de: Einbürgerung}"),
         P, 5, "name", "erwartet einen Text"),
    Case("yaml-bool-priority", edit(E, "prioritaet: 1", "prioritaet: yes"),
         E, 40, "prioritaet", "„yes“ ist ein Ja/Nein-Wert; erlaubt: 1 - höchste"),
    Case("yaml-bool-reifegrad", edit(S, "reifegrad: 2", "reifegrad: true"),
         S, 9, "reifegrad", "„true“ ist ein Ja/Nein-Wert; erlaubt:"),
    Case("yaml-list-for-status", edit(P, "    status: Umsetzung\n", "    status: [Umsetzung]\n"),
         P, 7, "status", "erwartet einen einzelnen Wert, keine Liste oder Zuordnung"),
    Case("yaml-text-for-flag", edit(S, "beispiel: true", "beispiel: nein"),
         S, 5, "beispiel", "„nein“ ist kein Ja/Nein-Wert (true oder false)"),
    Case("manifest-not-a-mapping", write(M, b"- umsetzungskatalog.csv\n- kommunen.csv\n"),
         M, 1, "YAML", "erwartet umsetzungskatalog:, kommunen:, ergaenzungen:"),
    Case("manifest-list-for-path", edit(M, "kommunen: kommunen.csv", "kommunen: [kommunen.csv, alt.csv]"),
         M, 5, "kommunen", "erwartet einen Dateipfad (relativ zum Manifest)"),
    # missing or doubled columns
    Case("csv-missing-ozg-id", edit(U, ";OZG-ID;", ";OZG-Nr;"),
         U, 1, "OZG-ID", "Pflichtspalte fehlt in der Kopfzeile"),
    Case("csv-missing-key-column", edit(U, ";LeiKa-Schlüssel;", ";Schlüssel;"),
         U, 1, "LeiKa-Schlüssel", "Pflichtspalte fehlt in der Kopfzeile"),
    Case("kommunen-missing-ags", edit(K, "ags,ars,", "gemeinde,ars,"),
         K, 1, "ags", "Pflichtspalte fehlt in der Kopfzeile"),
    Case("csv-column-twice", edit(U, ";LeiKa-Typ;", ";LeiKa-Bezeichnung;"),
         U, 1, "LeiKa-Bezeichnung", "Spalte doppelt (schon in Spalte 6"),
    # duplicate keys and IDs
    Case("yaml-duplicate-key", edit(E, "  Basisdienste:\n", "  Bildung:\n  Basisdienste:\n"),
         E, 21, "Bildung", "doppelt (schon in Zeile 7)"),
    Case("yaml-ozg-id-in-two-files", append(S, "ozg_leistungen:\n  10513:\n    prioritaet: 2\n"),
         S, 21, "10513", "OZG-ID doppelt (schon in "),
    Case("yaml-project-twice", append(P, "\n  - name: Reitkennzeichen\n    status: Neu\n"),
         P, _last_line(P) + 2, "name", "Umsetzungsprojekt „Reitkennzeichen“ doppelt (Kurzname reitk"),
    Case("csv-key-twice-other-data", append(U, row10(";Abbruchgenehmigung;4;", ";Abriss;4;")),
         U, LAST + 1, "LeiKa-Schlüssel", f"{KEY} doppelt (schon in Zeile 10, mit anderen Angaben)"),
    Case("csv-key-under-two-ozg-ids",
         append(U, row10("Abbruchgenehmigung;10513", "Abgeschlossenheitsbescheinigung für Wohnraum;10514")),
         U, LAST + 1, "LeiKa-Schlüssel", "ein Schlüssel gehört zu genau einer OZG-Leistung"),
    Case("csv-ozg-id-two-names",
         append(U, row10(";Abbruchgenehmigung;10513;99012001000000", ";Abriss;10513;99012001002000")),
         U, LAST + 1, "OZG-Leistung", "OZG-ID 10513 heißt in Zeile 10 „Abbruchgenehmigung“, hier „Abriss“"),
    Case("kommunen-ags-twice", append(K, (SAMPLE / K).read_text(encoding="utf-8").splitlines()[-1] + "\n"),
         K, 10, "ags", "05554024 doppelt (schon in Zeile 9)"),
    # stray quotes
    Case("stray-quote-bezeichnung", edit_line(U, 11, cell(5, quote)),
         U, 11, "LeiKa-Bezeichnung", "nicht geschlossenes Anführungszeichen vor "
         # up to the opening quote of the (real) quoted cell in line 190
         "„Abbruchgenehmigung Erteilung;4;;nein;nei…“ (ab Zeile 12 werden 179 Zeilen verschluckt)"),
    Case("stray-quote-first-column", edit_line(U, 8, cell(0, quote)),
         U, 8, "Themenfeld", "nicht geschlossenes Anführungszeichen vor „Arbeit & Ruhestand;Rente"),
    Case("stray-quote-last-line", edit_line(U, LAST, cell(5, quote)),
         U, LAST, "LeiKa-Bezeichnung", "(bis zum Dateiende)"),
    Case("stray-quote-kommunen", edit(K, '"Bocholt, Stadt",', '"Bocholt, Stadt,'),
         K, 7, "name", "nicht geschlossenes Anführungszeichen vor „Bocholt, Stadt,Bocholt,"),
    Case("stray-quote-header", edit_line(U, 1, cell(1, quote)),
         U, 1, "Kopfzeile", "nicht geschlossenes Anführungszeichen vor „Lage;OZG-Leistung;"),
    # mixed and wrong encodings
    Case("utf8-with-one-cp1252-byte",
         transform(U, lambda d: d.replace(b"verdiener Erteilung", b"verdiener \x96 Erteilung")),
         U, 5, "Kodierung", "gemischte Kodierung: die Datei ist UTF-8 mit BOM, enthält aber 1 ungültiges"),
    Case("ascii-header-utf8-one-cp1252-byte", both(
             edit(U, "\ufeff", ""), edit(U, "LeiKa-Schlüssel", "LeiKa-Schluessel"),
             edit(U, "Gesetzeskürzel", "Gesetzeskuerzel"),
             transform(U, lambda d: d.replace(b"Seniorenpass Erteilung", b"Seniorenpa\xdf Erteilung"))),
         U, 9, "Kodierung", "die Datei ist UTF-8, enthält aber 1 ungültiges Byte (zuerst 0xDF, wohl"),
    Case("double-encoded-cp1252", transform(U, reencoded("cp1252")),
         U, 1, "Kodierung", "doppelt kodiert: „Ã¼“ statt „ü“"),
    Case("double-encoded-latin-1", transform(U, reencoded("latin-1")),
         U, 1, "Kodierung", "doppelt kodiert: „Ã¼“ statt „ü“"),
    Case("utf-16-with-bom", transform(U, lambda d: d.decode("utf-8-sig").encode("utf-16")),
         U, 0, "Datei", "Binärdatei, keine CSV-Tabelle (UTF-16?"),
    Case("utf-16-be-without-bom", transform(K, lambda d: d.decode("utf-8").encode("utf-16-be")),
         K, 0, "Datei", "Binärdatei, keine CSV-Tabelle (UTF-16?"),
    Case("utf-16-bom-only", write(U, b"\xff\xfe"),
         U, 0, "Datei", "Binärdatei"),
    Case("byte-no-encoding-reads", transform(K, lambda d: d.replace(b"Heek,Heek", b"Heek\x81,Heek")),
         K, 9, "Kodierung", "weder als UTF-8 noch als Windows-1252 lesbar (Byte 0x81)"),
    Case("kommunen-utf8-with-one-cp1252-byte", transform(K, lambda d: d.replace(b",Heek,", b",He\xe9k,")),
         K, 9, "Kodierung", "gemischte Kodierung"),
    Case("yaml-in-windows-1252", transform(E, lambda d: d.decode("utf-8").encode("cp1252")),
         E, 1, "Kodierung", "YAML muss UTF-8 sein (Byte 0xE4)"),
    # empty, header only, too large
    Case("empty-file", write(U, b""), U, 1, "Kopfzeile", "Datei ist leer"),
    Case("bom-only", write(U, b"\xef\xbb\xbf"), U, 1, "Kopfzeile", "Datei ist leer"),
    Case("blank-lines-only", write(U, b"\r\n \r\n\t\r\n"), U, 1, "Kopfzeile", "Datei ist leer"),
    Case("header-only", write(U, ("\ufeff" + HEADER + "\r\n").encode()),
         U, 1, "Datei", "keine Datenzeilen: die Tabelle hat nur die Kopfzeile"),
    Case("header-and-empty-rows", write(U, (HEADER + "\r\n;;;;;;;;;\r\n\r\n").encode()),
         U, 1, "Datei", "keine Datenzeilen"),
    Case("kommunen-header-only", write(K, (SAMPLE / K).read_bytes().splitlines(keepends=True)[0]),
         K, 1, "Datei", "keine Datenzeilen"),
    Case("csv-50-mb", sparse(U, 50 * 2**20), U, 0, "Datei", "Datei zu groß: 50,0 MB (höchstens 32,0 MB)"),
    Case("kommunen-50-mb", sparse(K, 50 * 2**20), K, 0, "Datei", "Datei zu groß: 50,0 MB"),
    Case("yaml-3-mb", sparse(S, 3 * 2**20), S, 0, "Datei", "Datei zu groß: 3,0 MB (höchstens 2,0 MB)"),
    # YAML that is not data
    Case("billion-laughs", write(E, BILLION_LAUGHS), E, 2, "YAML", "Anker (&a) sind nicht erlaubt"),
    Case("billion-laughs-manifest", write(M, BILLION_LAUGHS), M, 2, "YAML", "Anker (&a) sind nicht erlaubt"),
    Case("recursive-alias", write(E, (BAD / "recursive_alias.yaml").read_bytes()),
         E, 3, "YAML", "Anker (&selbst) sind nicht erlaubt"),
    Case("undefined-alias", edit(E, "prioritaet: 1", "prioritaet: *eins"),
         E, 40, "YAML", "Verweise (*eins) sind nicht erlaubt"),
    Case("merge-key", write(E, (BAD / "merge_key.yaml").read_bytes()),
         E, 4, "YAML", "„<<“ hat in YAML eine Sonderbedeutung"),
    Case("merge-key-with-anchor", edit(E, "  10110:\n", "  10110: &basis\n", count=1),
         E, 43, "YAML", "Anker (&basis) sind nicht erlaubt"),
    Case("nesting-5000-flow", append(S, "extra: " + "[" * 5000 + "]" * 5000 + "\n"),
         S, 20, "YAML", "zu tief verschachtelt (mehr als 50 Ebenen)"),
    Case("nesting-5000-block", write(S, b"steckbriefe:\n" + b"- " * 5000 + b"x\n"),
         S, 2, "YAML", "zu tief verschachtelt (mehr als 50 Ebenen)"),
    Case("int-5000-digits", edit(E, "prioritaet: 1", "prioritaet: " + "1" * 5000),
         E, 40, "YAML", "Zahl mit 5000 Ziffern (höchstens 30)"),
    Case("python-object-tag", write(E, (BAD / "python_tag.yaml").read_bytes()),
         E, 5, "YAML", "Typangaben wie „tag:yaml.org,2002:python/object/apply:os.system“ sind nicht erlaubt"),
    Case("python-name-tag", edit(S, "status: offen", "status: !!python/name:os.system"),
         S, 17, "YAML", "Typangaben wie „tag:yaml.org,2002:python/name:os.system“"),
    Case("local-tag", edit(M, "kommunen: kommunen.csv", "kommunen: !Ref kommunen.csv"),
         M, 5, "YAML", "Typangaben wie „!Ref“"),
    Case("octal-ozg-id", edit(E, "  10513:", "  010513:"),
         E, 37, "YAML", "„010513“ ist als Zahl mehrdeutig (YAML liest 4427)"),
    Case("impossible-date", edit(E, "workshop: 2019-12-12", "workshop: 2019-13-45"),
         E, 8, "YAML", "„2019-13-45“ ist kein gültiges Datum"),
    # names that collide as page titles, or cannot be titles
    Case("title-underscore", edit(E, "  Bildung:\n", "  Bildung_:\n"),
         E, 7, "Bildung_", "ergibt denselben Seitentitel „Themenfeld Bildung“ wie „Bildung“"),
    Case("title-double-space", edit(E, "  Bauen & Wohnen:", "  Bauen  & Wohnen:"),
         E, 6, "Bauen  & Wohnen", "ergibt denselben Seitentitel „Themenfeld Bauen & Wohnen“"),
    Case("title-first-letter-case", edit(E, "  Gesundheit:", "  gesundheit:"),
         E, 14, "gesundheit", "ergibt denselben Seitentitel „Themenfeld Gesundheit“ wie „Gesundheit“"),
    Case("title-leading-space", edit(E, "  Umwelt:", '  " Umwelt":'),
         E, 19, " Umwelt", "ergibt denselben Seitentitel „Themenfeld Umwelt“"),
    Case("title-hash-in-lage", edit(U, "Bauen & Immobilien", "Bauen # Immobilien", count=-1),
         U, 10, "Lage", "Lage „Bauen # Immobilien“ kann kein Seitentitel sein: das Zeichen „#“"),
    Case("title-control-char", edit(U, "Tierhaltung", "Tier\x07haltung", count=-1),
         U, 210, "Lage", "„Tier<U+0007>haltung“ kann kein Seitentitel sein: das Zeichen U+0007"),
    Case("title-brackets-in-project", edit(P, "- name: Einbürgerung", "- name: Einbürgerung [alt]"),
         P, 5, "name", "„Einbürgerung [alt]“ kann kein Seitentitel sein: das Zeichen „[“"),
    Case("title-project-case", append(P, "\n  - name: einbürgerung\n    slug: neu\n    status: Neu\n"),
         P, _last_line(P) + 2, "name", "ergibt denselben Seitentitel „Umsetzungsprojekt Einbürgerung“"),
    # keys
    Case("key-fullwidth-digits", edit_line(U, 10, cell(4, fullwidth)),
         U, 10, "LeiKa-Schlüssel", "enthält die vollbreite Ziffer „９“; im Katalog nur Ziffern 0–9"),
    Case("key-arabic-indic-digits", edit_line(U, 12, cell(4, arabic_indic)),
         U, 12, "LeiKa-Schlüssel", "enthält die Ziffer aus einer anderen Schrift „٩“"),
    Case("key-fullwidth-in-yaml", edit(S, '["99012001001000"]', f'["{fullwidth("99012001001000")}"]'),
         S, 7, "leika_schluessel", "enthält die vollbreite Ziffer"),
    Case("key-13-digits", edit_line(U, 10, cell(4, lambda k: k[:-1])),
         U, 10, "LeiKa-Schlüssel", "Falsche Länge: 13 statt 14 Ziffern"),
    Case("key-15-digits", edit_line(U, 10, cell(4, lambda k: k + "0")),
         U, 10, "LeiKa-Schlüssel", "Falsche Länge: 15 statt 14 Ziffern"),
    Case("ags-arabic-indic-digits", edit_line(K, 9, cell(0, arabic_indic, ",")),
         K, 9, "ags", "ist kein AGS (8 Ziffern"),
    # unknown vocabulary values
    Case("vocab-project-status", edit(P, "    status: Umsetzung\n", "    status: Fertig\n"),
         P, 7, "status", "unbekannter Wert 'Fertig'; erlaubt: Neu"),
    Case("vocab-zustaendigkeit", edit(E, "zustaendigkeiten: [Kommunal]", "zustaendigkeiten: [Gemeinde]"),
         E, 39, "zustaendigkeiten", "unbekannter Wert 'Gemeinde'"),
    Case("vocab-lage-art", edit(E, "Schule: {art: Lebenslage}", "Schule: {art: Lebensabschnitt}"),
         E, 30, "art", "unbekannter Wert 'Lebensabschnitt'"),
    Case("vocab-groessenklasse", edit(K, "Mittlere kreisangehörige Stadt", "Mittelstadt"),
         K, 6, "groessenklasse_go_nrw", "unbekannter Wert 'Mittelstadt'"),
    Case("vocab-sdg-flag", edit_line(U, 10, cell(8, lambda _: "vielleicht")),
         U, 10, "SDG1-Relevanz", "„vielleicht“ ist kein Ja/Nein-Wert"),
    Case("vocab-phase", edit(P, "Vorbereitung: Januar 2020", "Vorbereiten: Januar 2020"),
         P, 9, "Vorbereiten", "unbekannter Wert 'Vorbereiten'"),
    Case("vocab-month", edit(P, "Umsetzung: Februar 2021", "Umsetzung: Sommer 2021"),
         P, 11, "Umsetzung", "kein Monat: 'Sommer 2021'"),
]  # fmt: skip

CLI_CASES = ["stray-quote-bezeichnung", "header-only", "utf8-with-one-cp1252-byte", "billion-laughs",
             "csv-50-mb", "title-underscore", "int-5000-digits"]  # fmt: skip


def _damaged(tmp_path: Path, case: Case) -> Path:
    folder = tmp_path / "kat"
    shutil.copytree(SAMPLE, folder)
    case.damage(folder)
    return folder


def _matching(problems: tuple[Problem, ...], folder: Path, case: Case) -> list[Problem]:
    return [
        p
        for p in problems
        if p.is_error
        and p.file == str(folder / case.file)
        and p.field == case.field
        and case.fragment in p.message
        and (case.line is None or p.line == case.line)
    ]


def test_there_are_at_least_forty_distinct_cases() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    assert set(CLI_CASES) <= {c.id for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_exact_problem_and_nothing_loads(tmp_path: Path, case: Case) -> None:
    folder = _damaged(tmp_path, case)
    result = check(folder)
    found = _matching(result.problems, folder, case)
    assert len(found) == 1, "\n".join(str(p) for p in result.problems) or "no problems at all"
    assert all("Traceback" not in p.message and "internal" not in p.message for p in result.problems)
    with pytest.raises(CatalogueError) as info:
        load(folder)
    assert info.value.problems == list(result.problems)  # every problem at once, in file order
    assert str(found[0]) in str(info.value)


def _for_the_cli(tmp_path: Path, case: Case, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, object]:
    """The damaged catalogue folder and its one problem, with no config around to interfere."""
    folder = _damaged(tmp_path, case)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OZGWIKI_CONFIG", raising=False)
    [problem] = _matching(check(folder).problems, folder, case)
    return folder, problem


@pytest.mark.parametrize("case", [c for c in CASES if c.id in CLI_CASES], ids=lambda c: c.id)
def test_catalogue_check_prints_the_problem_and_exits_1(
    tmp_path: Path, case: Case, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, problem = _for_the_cli(tmp_path, case, monkeypatch)
    assert main(["catalogue", "check", str(folder)]) == EXIT_FINDINGS
    out, err = capsys.readouterr()
    assert err == ""
    assert str(problem) in out.splitlines()
    assert out.splitlines()[-1] == "Ergebnis: Katalog nicht ladbar"


@pytest.mark.parametrize("case", [c for c in CASES if c.id in CLI_CASES], ids=lambda c: c.id)
def test_a_command_needing_the_catalogue_stops_with_exit_2_and_the_problem(
    tmp_path: Path, case: Case, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, problem = _for_the_cli(tmp_path, case, monkeypatch)
    assert main(["leika", "check", "--catalogue", str(folder), "99012001001000"]) == EXIT_CONFIG
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("ozgwiki: error: the catalogue has ")
    assert str(problem) in err
    assert "Traceback" not in err and "internal error" not in err
