"""ozgwiki.render.maintenance: findings per page, the keys that count downstream, merging, the report page.

The findings table reads like the rules: one case per behaviour, each with an id.
"""

from __future__ import annotations

from pathlib import Path

import golden
import pytest

from ozgwiki.config import Config, ValidateSettings, WikiConfig
from ozgwiki.domain.keyrules import KeyRules
from ozgwiki.domain.model import Catalogue, LeikaLeistung
from ozgwiki.errors import ConfigError
from ozgwiki.render.maintenance import (
    FORMAT,
    SECTION,
    SHADOWED,
    Finding,
    PageRecord,
    check_page,
    fingerprint,
    fix_format,
    merge,
    records_from_state,
    records_to_state,
    render_report,
    report_transform,
    valid_keys_of,
)
from ozgwiki.wikitext import escape
from ozgwiki.wikitext.sections import get_section

GOLDEN = golden.ROOT / "validate"

A = "99012001001000"  # Abbruchgenehmigung Erteilung
B = "99008001012009"  # Personalausweis Ausstellung für unter 16 Jährige
C = "99023001012000"  # Führerschein Ausstellung
RETIRED = "99001001002000"
KNOWN = frozenset({A, B, C})
# One neighbour swap away from A (positions 3/4) and from SWAP_B (positions 4/5).
TYPO = "99102001001000"
SWAP_B = "99120001001000"


def page(value: str, template: str = "Steckbrief", param: str = "LeiKa-Schlüssel") -> str:
    return f"{{{{{template}\n|Titel=Test\n|{param}={value}\n}}}}\n"


def rows(text: str, **kwargs: object) -> list[tuple[str, str, str | None]]:
    """(raw, status, suggestion) of every finding."""
    params = {"known": KNOWN, "retired": frozenset({RETIRED}), **kwargs}
    rules = KeyRules(**params)  # type: ignore[arg-type]
    return [(f.raw, f.status, f.suggestion) for f in check_page("Seite", text, rules=rules)]


CASES = [
    pytest.param(page(f"{A}, {B}; {C}"), [], id="several-valid-keys-in-one-parameter"),
    pytest.param(page(f"{A}, 99999, {B}"), [("99999", "not_a_key", None)], id="one-bad-among-several"),
    pytest.param(f"Text {{{{LeiKa|{A}|{TYPO}}}}} mehr Text\n", [(TYPO, "unknown", A)], id="inline-template"),
    pytest.param(page("9901200100100A"), [("9901200100100A", "not_a_key", None)], id="malformed-letter"),
    pytest.param(page("9901200100100"), [("9901200100100", "not_a_key", None)], id="malformed-length"),
    pytest.param(page("99012001001009"), [("99012001001009", "unknown", None)], id="unknown"),
    pytest.param(page(TYPO), [(TYPO, "unknown", A)], id="transposed-digits-unique-suggestion"),
    pytest.param(page(f"{A} <!-- {TYPO} alt -->"), [], id="key-in-comment-ignored"),
    pytest.param(f"<!-- {{{{LeiKa|{TYPO}}}}} -->\n{{{{LeiKa|{A}}}}}", [], id="template-in-comment-ignored"),
    pytest.param(page(RETIRED), [(RETIRED, "retired", None)], id="retired"),
    pytest.param(page("77000000000316"), [("77000000000316", "regional", None)], id="regional-not-allowed"),
    pytest.param(page("99 012 001 001 000"), [("99 012 001 001 000", FORMAT, A)], id="spaces-format"),
    pytest.param(page("99000001001000"), [("99000001001000", "impossible", None)], id="impossible"),
    pytest.param(page("nicht im LeiKa"), [("nicht im LeiKa", "not_a_key", None)], id="placeholder"),
    pytest.param(
        "{{Steckbrief\n|LeiKa-Schlüssel=" + A + "\n|LeiKa-Schlüssel=" + B + "\n}}",
        [(A, SHADOWED, None)],
        id="shadowed-duplicate-parameter",
    ),
    pytest.param(page(A, template="Sonstwas"), [], id="other-template-not-checked"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_findings(text: str, expected: list[tuple[str, str, str | None]]) -> None:
    assert rows(text) == expected


def test_transposition_is_suggested_only_when_unique() -> None:
    ambiguous = rows(page(TYPO), known=KNOWN | {SWAP_B})
    assert ambiguous == [(TYPO, "unknown", None)]
    finding = check_page("S", page(TYPO), rules=KeyRules(KNOWN))[0]
    assert "Meinten Sie 99012001001000?" in finding.message


def test_regional_keys_allowed_by_config() -> None:
    assert rows(page("77000000000316"), allow_regional=True) == []


def test_finding_carries_template_parameter_line_and_offset() -> None:
    text = "Einleitung\n" + page(f"{A}, 99999")
    (f,) = check_page("Steckbrief X", text, rules=KeyRules(KNOWN))
    assert (f.page, f.template, f.parameter, f.line) == ("Steckbrief X", "Steckbrief", "LeiKa-Schlüssel", 4)
    assert text[f.offset : f.offset + len(f.raw)] == "99999"
    assert f.label == "kein Schlüssel"


@pytest.mark.parametrize(
    ("value", "fixable"),
    [
        pytest.param("99 012 001 001 000", True, id="spaces"),
        pytest.param("99.012.001.001.000", True, id="dots"),
        pytest.param("99-012-001-001-000", True, id="dashes"),
        pytest.param("„99 012 001 001 000“", False, id="quotes-are-not-harmless"),
        pytest.param("99 012 001 001 009", False, id="unknown-key-is-not-fixed"),
        pytest.param("99 012 001<!-- x --> 001 000", False, id="comment-inside-key"),
    ],
)
def test_fixable(value: str, fixable: bool) -> None:
    findings = check_page("S", page(value), rules=KeyRules(KNOWN))
    assert findings, "each case is a finding"
    assert findings[0].fixable is fixable


def test_valid_keys_of_takes_only_valid_visible_keys_once() -> None:
    catalogue = Catalogue(
        leika_leistungen=tuple(
            LeikaLeistung(schluessel=k, bezeichnung=k)
            for k in (A, B, C, RETIRED)  # type: ignore[call-arg]
        ),
        retired_keys=frozenset({RETIRED}),
    )
    text = (
        "{{Steckbrief\n|LeiKa-Schlüssel=" + C + "\n|LeiKa-Schlüssel=99 012 001 001 000, "
        f"{TYPO}, {RETIRED}, {B}\n}}}}\n{{{{LeiKa|{A}|77000000000316}}}} <!-- {C} -->"
    )
    assert valid_keys_of(text, KeyRules.of(catalogue)) == (A, B)
    assert valid_keys_of(text, KeyRules.of(catalogue, allow_regional=True)) == (A, B, "77000000000316")


# --- merge ---------------------------------------------------------------------------------------


def rec(title: str, *raws: str, ts: str = "2024-03-01T10:00:00Z") -> PageRecord:
    findings = tuple(
        Finding(
            title,
            r,
            r,
            "unknown",
            f"{r} steht nicht im LeiKa-Katalog.",
            None,
            "Steckbrief",
            "LeiKa-Schlüssel",
            3,
            40,
        )
        for r in raws
    )
    return PageRecord(title, 7, "Redakteurin", ts, findings)


def test_merge_incremental_keeps_unchecked_pages_and_replaces_checked_ones() -> None:
    previous = {"A": rec("A", "1"), "B": rec("B", "2", "3"), "C": rec("C", "4")}
    checked = {"B": rec("B", "3"), "D": rec("D", "5")}
    merged = merge(previous, checked)
    assert {t: [f.raw for f in r.findings] for t, r in merged.items()} == {
        "A": ["1"], "B": ["3"], "C": ["4"], "D": ["5"]
    }  # fmt: skip


def test_merge_fixed_finding_and_deleted_page_disappear() -> None:
    previous = {"A": rec("A", "1"), "B": rec("B", "2")}
    merged = merge(previous, {"A": rec("A"), "B": None})
    assert merged == {}


def test_merge_full_scan_forgets_pages_not_seen() -> None:
    previous = {"A": rec("A", "1"), "Gone": rec("Gone", "2")}
    assert list(merge(previous, {"A": rec("A", "1")}, full=True)) == ["A"]


def test_state_round_trip() -> None:
    records = {"B": rec("B", "2"), "A": rec("A", "1")}
    data = {"pages": records_to_state(records)}
    assert [p["title"] for p in data["pages"]] == ["A", "B"]
    assert records_from_state(data) == records


# --- report page ---------------------------------------------------------------------------------


def golden_records() -> dict[str, PageRecord]:
    text = (
        "{{Steckbrief\n|Titel=Online-Dienst\n|LeiKa-Schlüssel=99 012 001 001 000, " + TYPO + ", 9901x\n}}\n"
        "Siehe auch {{LeiKa|nicht im LeiKa|" + A + "}}\n"
    )
    first = check_page("Steckbrief Online-Dienst", text, rules=KeyRules(KNOWN))
    # Values no extraction produces, but the table must survive anything: "|", "}}", "{{", "~~~~", "''".
    odd = Finding(
        "Steckbrief Zweite Seite (A&B)", "99|}}x</nowiki>{{y}}", None, "not_a_key",
        "Kein LeiKa-Schlüssel: enthält das Zeichen „|“ ({{x}}, [[y]], '''z''', ~~~~, __NOTOC__).",
        None, "Steckbrief|}}", "LeiKa-Schlüssel", 2, 30,
    )  # fmt: skip
    second = (odd,)
    return {
        "Steckbrief Online-Dienst": PageRecord(
            "Steckbrief Online-Dienst", 11, "Redakteurin", "2024-03-12T14:05:09Z", first
        ),
        "Steckbrief Zweite Seite (A&B)": PageRecord(
            "Steckbrief Zweite Seite (A&B)", 12, "Max|Muster", "2024-02-01T08:00:00Z", second
        ),
    }


def test_report_golden() -> None:
    """The whole new maintenance page; regenerate with OZGWIKI_UPDATE_GOLDEN=1 and review the diff."""
    golden.check(GOLDEN / "report" / "after.wiki", report_transform(render_report(golden_records()))(""))


def test_report_escapes_what_could_break_the_table() -> None:
    section = render_report(golden_records())
    body = section.split("{|", 1)[1].rsplit("|}", 1)[0]
    # No raw "|}" or "}}" or "{{" may appear inside the table except inside <nowiki> with safe content.
    outside_nowiki = "".join(part.split("</nowiki>")[-1] for part in body.split("<nowiki>"))
    assert "}}" not in outside_nowiki and "{{" not in outside_nowiki and "~~~" not in outside_nowiki
    assert "<nowiki>99|}}x&lt;/nowiki&gt;{{y}}</nowiki>" in section
    assert "__NOTOC__" not in section
    assert escape.cell("a|b}}c[[d]]'e~f") == "a&#124;b&#125;&#125;c&#91;&#91;d&#93;&#93;&#39;e&#126;f"


def test_report_keeps_human_text_and_does_not_churn() -> None:
    content = render_report(golden_records())
    human = (
        "Hinweis der Redaktion.\n<!-- ozgwiki:begin leika-pruefung -->\nalt\n"
        "<!-- ozgwiki:end leika-pruefung -->\nUnten.\n"
    )
    new = report_transform(content)(human)
    assert new.startswith("Hinweis der Redaktion.\n") and new.endswith("Unten.\n")
    assert get_section(new, SECTION) == content
    assert report_transform(content)(new) == new


def test_report_depends_only_on_findings() -> None:
    """Not on the order the pages were read in (the state file's, the scan's), nor on the run's time:
    the golden pins the whole text, this that another order of the same records gives the same page."""
    records = golden_records()
    shuffled = dict(reversed(list(records.items())))
    assert list(shuffled) != list(records)
    assert render_report(shuffled) == render_report(records)
    empty = render_report({})
    assert "keine Funde" in empty and "Stand" not in empty


def test_a_page_with_ten_thousand_bad_keys_does_not_freeze_the_report() -> None:
    """The report stays far below the wiki's page size and still names every page with findings."""
    from ozgwiki.render import maintenance as validation

    keys = " ".join(f"{88000000000000 + i}" for i in range(10_000))
    huge = check_page(
        "Steckbrief Riesig", "{{Steckbrief|LeiKa-Schlüssel=" + keys + "}}", rules=KeyRules(KNOWN)
    )
    assert len(huge) == 10_000
    records = dict(golden_records())
    records["Steckbrief Riesig"] = PageRecord("Steckbrief Riesig", 13, "R", "2024-04-01T00:00:00Z", huge)
    report = render_report(records)
    assert len(report.encode("utf-8")) < 100_000
    total = sum(len(r.findings) for r in records.values())
    assert report.startswith(f"'''{total} Funde auf 3 Seiten.'''")  # every finding counted
    assert report.count("[[:Steckbrief Riesig]]") == validation.MAX_ROWS_PER_PAGE + 1
    assert f"{10_000 - validation.MAX_ROWS_PER_PAGE} weitere Funde" in report
    assert "[[:Steckbrief Online-Dienst]]" in report and "[[:Steckbrief Zweite Seite (A&B)]]" in report


def test_the_whole_table_is_capped_and_an_endless_key_is_cut() -> None:
    from ozgwiki.render import maintenance as validation

    records = {}
    for n in range(60):
        keys = " ".join(f"{88000000000000 + 100 * n + i}" for i in range(40))
        title = f"Steckbrief {n:02d}"
        found = check_page(title, "{{Steckbrief|LeiKa-Schlüssel=" + keys + "}}", rules=KeyRules(KNOWN))
        records[title] = PageRecord(title, n, "R", "2024-04-01T00:00:00Z", found)
    report = render_report(records)
    assert report.count("\n|-\n") == validation.MAX_ROWS
    assert "400 Funde" in report.split("Nicht in der Tabelle", 1)[1]
    long_raw = check_page(
        "Steckbrief L", "{{Steckbrief|LeiKa-Schlüssel=99" + "x" * 5000 + "}}", rules=KeyRules(KNOWN)
    )
    text = render_report({"Steckbrief L": PageRecord("Steckbrief L", 1, "R", None, long_raw)})
    assert "x" * 100 not in text and "…" in text


# --- format fix ----------------------------------------------------------------------------------

FIX_CASES = [case for case in golden.cases("validate") if case.name.startswith("fix_")]


def test_there_are_fix_goldens() -> None:
    assert len(FIX_CASES) >= 3


@pytest.mark.parametrize("case", FIX_CASES, ids=golden.case_id)
def test_fix_format_golden(case: Path) -> None:
    before = golden.read(case / "before.wiki")
    expected_path = case / "after.wiki"
    fix = fix_format("Seite", before, rules=KeyRules(KNOWN))
    if not expected_path.exists():
        assert fix is None, "no after.wiki: nothing may be changed"
        return
    assert fix is not None
    golden.check(expected_path, fix.text)
    after = golden.read(expected_path)
    assert fix_format("Seite", after, rules=KeyRules(KNOWN)) is None  # nothing left to fix: no churn
    assert fix.summary.startswith("Bot: LeiKa-Schlüssel vereinheitlicht (")


def test_fix_format_changes_only_the_key_bytes() -> None:
    before = "Vorher\r\n{{Steckbrief|LeiKa-Schlüssel = 99 012 001 001 000 ,  " + B + " }}\r\nNachher  \r\n"
    fix = fix_format("S", before, rules=KeyRules(KNOWN))
    assert fix is not None
    assert fix.text == before.replace("99 012 001 001 000", A)
    assert fix.summary == "Bot: LeiKa-Schlüssel vereinheitlicht (Leerzeichen entfernt)"


# --- settings ------------------------------------------------------------------------------------


def config(**validate: object) -> Config:
    return Config(WikiConfig(api_url="http://x/api.php", username="u"), raw={"validate": validate})


def test_settings_defaults_and_editor_pages() -> None:
    s = config().validate
    assert s.report_page == "Project:LeiKa-Schlüsselprüfung" and not s.allow_regional and s.namespaces == (0,)
    report = "OZG-Wiki:LeiKa-Schlüsselprüfung"
    assert s.is_editor_page("Steckbrief X", report)
    assert s.is_editor_page("Umsetzungsprojekt Einbürgerung", report)
    assert not s.is_editor_page("LeiKa 99012001001000", report)
    assert not s.is_editor_page("OZG-Leistung 10513", report)
    assert not s.is_editor_page(report, report)


@pytest.mark.parametrize(
    "bad",
    [
        {"allow_regional": "ja"},
        {"namespaces": "0"},
        {"namespaces": []},
        {"report_page": ""},
        {"skip_prefixes": [""]},
    ],
)
def test_settings_errors(bad: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match="validate"):
        config(**bad)


def test_fingerprint_changes_with_catalogue_and_rules() -> None:
    cat = Catalogue(leika_leistungen=(LeikaLeistung(schluessel=A, bezeichnung="a"),))  # type: ignore[call-arg]
    more = Catalogue(
        leika_leistungen=(
            LeikaLeistung(schluessel=A, bezeichnung="a"),  # type: ignore[call-arg]
            LeikaLeistung(schluessel=B, bezeichnung="b"),  # type: ignore[call-arg]
        )
    )
    s = ValidateSettings()
    rules = KeyRules.of(cat)
    assert fingerprint(rules, s) == fingerprint(KeyRules.of(cat), ValidateSettings())
    assert fingerprint(rules, s) != fingerprint(KeyRules.of(more), s)
    assert fingerprint(rules, s) != fingerprint(KeyRules.of(cat, allow_regional=True), s)
    assert fingerprint(rules, s) != fingerprint(rules, ValidateSettings(only_prefix="Test"))


def test_fingerprint_is_the_value_earlier_versions_stored() -> None:
    """The validate bot's state holds the fingerprint: the same catalogue and settings must give the
    same value after a refactoring, or every run after an upgrade would rescan the whole wiki."""
    cat = Catalogue(
        leika_leistungen=(
            LeikaLeistung(schluessel=A, bezeichnung="a"),  # type: ignore[call-arg]
            LeikaLeistung(schluessel=B, bezeichnung="b"),  # type: ignore[call-arg]
        ),
        retired_keys=frozenset({B}),
    )
    assert fingerprint(KeyRules.of(cat), ValidateSettings()) == "e99a9686a6aac575"
    custom = ValidateSettings(
        allow_regional=True, namespaces=(0, 4), skip_prefixes=("X ",), only_prefix="Test"
    )
    assert fingerprint(KeyRules.of(cat, allow_regional=True), custom) == "af0c861053969484"
