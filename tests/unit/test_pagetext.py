"""Specification of ``ozgwiki.wikitext.params``, ``sections`` and ``optout``: what the bots own on a page,
and that
nothing else changes.

Whole-page examples live in ``tests/golden/pagetext``; this file holds one test per rule, the error
cases and the hypothesis properties.
"""

from __future__ import annotations

import html
import re

import mwparserfromhell
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ozgwiki.errors import OzgwikiError
from ozgwiki.wikitext.escape import param_value, unescape
from ozgwiki.wikitext.optout import bot_may_edit
from ozgwiki.wikitext.params import (
    PageTextError,
    get_template_params,
    is_redirect,
    redirect_target,
    redirect_text,
    set_template_params,
)
from ozgwiki.wikitext.parse import template_title
from ozgwiki.wikitext.sections import get_section, replace_section, section_markers

T = "Steckbrief"
WS = " \t\n\r\0\x0b"  # PHP trim(), as MediaWiki trims named values

# --------------------------------------------------------------------------------------------------
# Template names


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Steckbrief", "Steckbrief"),
        ("steckbrief", "Steckbrief"),
        ("  Steckbrief \n", "Steckbrief"),
        ("Steckbrief_Kommune", "Steckbrief Kommune"),
        ("Steckbrief   __ Kommune", "Steckbrief Kommune"),
        ("Vorlage:Steckbrief", "Steckbrief"),
        ("vorlage:steckbrief", "Steckbrief"),
        ("VORLAGE : steckbrief", "Steckbrief"),
        ("Template:Steckbrief", "Steckbrief"),
        ("Steckbrief<!-- Infobox -->", "Steckbrief"),
        ("äpfel", "Äpfel"),
        ("Benutzer:Steckbrief", "Benutzer:Steckbrief"),
        (":Steckbrief", None),
    ],
)
def test_template_names_match_the_way_mediawiki_resolves_them(written: str, canonical: str | None) -> None:
    assert template_title(written) == canonical


def test_only_the_first_letter_is_case_insensitive() -> None:
    assert template_title("stecKbrief") != template_title("Steckbrief")


# --------------------------------------------------------------------------------------------------
# Reading parameters


def test_get_template_params_reads_like_mediawiki() -> None:
    text = "{{Steckbrief| Name =  Wohngeld <!-- x -->\n| Status = alt |Status= neu | positional |\n}}"
    assert get_template_params(text, T) == {
        "Name": "Wohngeld",
        "Status": "neu",
        "1": " positional ",
        "2": "\n",
    }


def test_get_template_params_is_none_without_the_template() -> None:
    assert get_template_params("Nur Text {{Andere|Name=x}}", T) is None


def test_error_class_is_a_project_error() -> None:
    assert issubclass(PageTextError, OzgwikiError)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{{Steckbrief|a=1}}\n{{steckbrief|a=2}}", "2 times"),
        ("{{Steckbrief|a=1}}<div>{{Vorlage:Steckbrief}}</div>", "2 times"),
        ("{{Steckbrief\n|a=1\n", "unclosed"),
        ("{{Steckbrief|a=1}}\n{{Steckbrief|a=2", "unclosed"),
        ("<!-- vergessen zu schließen\n{{Steckbrief|a=1}}", "unclosed"),
        ("{{Box|inhalt={{Steckbrief|a=1}}}}", "nested"),
    ],
    ids=["twice", "twice-in-div", "unclosed", "second-unclosed", "after-unclosed-comment", "only-nested"],
)
def test_ambiguous_or_broken_pages_raise_instead_of_guessing(text: str, problem: str) -> None:
    with pytest.raises(PageTextError, match=problem):
        set_template_params(text, T, {"a": "9"})
    with pytest.raises(PageTextError):
        get_template_params(text, T)


def test_nested_occurrence_next_to_a_top_level_one_is_not_ambiguous() -> None:
    text = "{{Steckbrief|a=1}}\n{{Box|inhalt={{Steckbrief|a=2}}}}"
    assert set_template_params(text, T, {"a": "3"}) == "{{Steckbrief|a=3}}\n{{Box|inhalt={{Steckbrief|a=2}}}}"


def test_unclosed_comment_inside_the_template_is_refused() -> None:
    # MediaWiki hides everything after an unclosed "<!--", including the rest of the template.
    with pytest.raises(PageTextError, match="unclosed comment"):
        set_template_params("{{Steckbrief|Notiz=<!-- von Hand|a=1}}", T, {"a": "2"})


def test_unclosed_comment_after_the_template_does_not_matter() -> None:
    text = "{{Steckbrief|a=1}}\n<!-- Notiz ohne Ende"
    assert set_template_params(text, T, {"a": "2"}) == "{{Steckbrief|a=2}}\n<!-- Notiz ohne Ende"


def test_page_with_a_nul_byte_is_refused() -> None:
    # The parser stops at NUL; MediaWiki never stores one.
    with pytest.raises(PageTextError, match="NUL"):
        set_template_params("{{Steckbrief|a=1}}\x00Rest", T, {"a": "2"})


def test_broken_wikitext_elsewhere_is_kept_verbatim() -> None:
    text = "{{Steckbrief|a=1}}\n{{Kaputt|x=\n[[Link ohne Ende\n"
    assert set_template_params(text, T, {"a": "2"}) == "{{Steckbrief|a=2}}\n{{Kaputt|x=\n[[Link ohne Ende\n"


# --------------------------------------------------------------------------------------------------
# Setting parameters


def test_unchanged_values_return_the_identical_text() -> None:
    text = "{{Steckbrief\n|Name   =Wohngeld<!-- c -->   \n| Notiz = x}}\n"
    assert set_template_params(text, T, {"Name": "  Wohngeld ", "Fehlt": None}) == text


def test_values_are_trimmed_as_mediawiki_would() -> None:
    assert set_template_params("{{Steckbrief|a=1}}", T, {"a": "\n 2 \t"}) == "{{Steckbrief|a=2}}"


def test_duplicate_parameter_last_one_is_set_earlier_left_alone() -> None:
    text = "{{Steckbrief|a=erst|b=x|a=zweit}}"
    assert set_template_params(text, T, {"a": "neu"}) == "{{Steckbrief|a=erst|b=x|a=neu}}"


def test_duplicate_parameter_removal_removes_every_occurrence() -> None:
    # Otherwise MediaWiki would read the earlier value again.
    text = "{{Steckbrief|a=erst|b=x|a=zweit}}"
    assert set_template_params(text, T, {"a": None}) == "{{Steckbrief|b=x}}"


def test_positional_parameters_are_never_touched() -> None:
    text = "{{Steckbrief|eins|Name=alt|zwei}}"
    assert set_template_params(text, T, {"Name": "neu"}) == "{{Steckbrief|eins|Name=neu|zwei}}"


def test_new_parameter_follows_param_order_between_existing_owned_ones() -> None:
    text = "{{Steckbrief\n| A = 1\n| Mensch = m\n| C = 3\n}}"
    result = set_template_params(text, T, {"B": "2"}, param_order=["A", "B", "C"])
    assert result == "{{Steckbrief\n| A = 1\n| B = 2\n| Mensch = m\n| C = 3\n}}"


def test_new_parameter_goes_before_its_successor_when_no_predecessor_exists() -> None:
    text = "{{Steckbrief\n| Mensch = m\n| C = 3\n}}"
    result = set_template_params(text, T, {"A": "1"}, param_order=["A", "C"])
    assert result == "{{Steckbrief\n| Mensch = m\n| A = 1\n| C = 3\n}}"


def test_new_parameters_without_owned_neighbours_go_before_the_closing_braces() -> None:
    text = "{{Steckbrief\n| Mensch = m\n}}"
    result = set_template_params(text, T, {"B": "2", "A": "1"}, param_order=["A", "B"])
    assert result == "{{Steckbrief\n| Mensch = m\n| A = 1\n| B = 2\n}}"


def test_mostly_inline_template_gets_inline_parameters() -> None:
    text = "{{Steckbrief |Name=x |Ort=y}}"
    assert set_template_params(text, T, {"Neu": "z"}) == "{{Steckbrief |Name=x |Ort=y |Neu=z}}"


def test_first_parameter_on_the_name_line_does_not_make_the_template_inline() -> None:
    text = "{{Steckbrief|Name=x\n|Ort=y\n}}"
    assert set_template_params(text, T, {"Neu": "z"}) == "{{Steckbrief|Name=x\n|Ort=y\n|Neu=z\n}}"


def test_alignment_falls_back_to_one_space_for_long_names() -> None:
    text = "{{Steckbrief\n| Name   = x\n}}"
    result = set_template_params(text, T, {"Sehr langer Name": "y"})
    assert result == "{{Steckbrief\n| Name   = x\n| Sehr langer Name = y\n}}"


def test_creation_uses_param_order_then_the_remaining_params() -> None:
    result = set_template_params("Text", T, {"Z": "z", "B": "b", "A": "a"}, param_order=["A", "B"])
    assert result == "{{Steckbrief\n| A = a\n| B = b\n| Z = z\n}}\nText"


def test_nothing_is_created_when_every_value_is_none() -> None:
    assert set_template_params("Text", T, {"A": None}) == "Text"


def test_missing_template_raises_when_creation_is_off() -> None:
    with pytest.raises(PageTextError, match="missing"):
        set_template_params("Text", T, {"A": "1"}, create_at=None)


def test_template_hidden_in_nowiki_counts_as_missing() -> None:
    text = "<nowiki>{{Steckbrief|A=alt}}</nowiki>"
    assert set_template_params(text, T, {"A": "1"}) == "{{Steckbrief\n| A = 1\n}}\n" + text


@pytest.mark.parametrize("value", ["a|b=c", "x}}y", "{{offen", "<!-- auf"])
def test_unescaped_values_that_would_change_the_structure_raise(value: str) -> None:
    with pytest.raises(PageTextError):
        set_template_params("{{Steckbrief|a=1|b=2}}", T, {"a": value})


@pytest.mark.parametrize("name", ["", " a", "1", "a|b", "a=b", "a\nb", "{{x}}"])
def test_invalid_owned_parameter_names_are_a_caller_bug(name: str) -> None:
    with pytest.raises(ValueError):
        set_template_params("{{Steckbrief}}", T, {name: "x"})


def test_wikitext_values_are_inserted_verbatim() -> None:
    result = set_template_params("{{Steckbrief|a=1}}", T, {"a": "{{LeiKa|99050012104000}} [[Link|Text]]"})
    assert result == "{{Steckbrief|a={{LeiKa|99050012104000}} [[Link|Text]]}}"


# --------------------------------------------------------------------------------------------------
# Escaping


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a | b", "a &#124; b"),
        ("x = y", "x = y"),
        ("{{V}}", "&#123;&#123;V&#125;&#125;"),
        ("[[L]]", "&#91;&#91;L&#93;&#93;"),
        ("A & B", "A & B"),
        ("A &amp; B &#124; &nbsp;", "A &amp;amp; B &amp;#124; &amp;nbsp;"),
        ("<b>", "&lt;b>"),
        ("'''fett'''", "&#39;&#39;&#39;fett&#39;&#39;&#39;"),
        ("d'Artagnan", "d'Artagnan"),
        ("~~~~", "&#126;&#126;&#126;&#126;"),
        ("~~", "~~"),
        ("* a\n# b\n: c\n; d\n----\n pre", "&#42; a\n&#35; b\n&#58; c\n&#59; d\n&#45;---\n&#32;pre"),
        ("a\n== b ==\n-- c", "a\n&#61;= b ==\n-- c"),
        ("Straße 1: ä*b", "Straße 1: ä*b"),
    ],
)
def test_escape_param_value(raw: str, escaped: str) -> None:
    assert param_value(raw) == escaped
    assert unescape(escaped) == raw


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x0b", "\x1f"])
def test_escaping_refuses_control_characters_mediawiki_cannot_store(char: str) -> None:
    with pytest.raises(ValueError, match="control character"):
        param_value(f"a{char}b")


# Text MediaWiki can store: no C0 control characters except tab, LF and CR.
storable_text = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters=[
    chr(c) for c in range(32) if chr(c) not in "\t\n\r"
]))  # fmt: skip


@settings(max_examples=300)
@given(storable_text)
def test_escaped_value_parses_as_one_parameter_with_the_original_text(value: str) -> None:
    code = mwparserfromhell.parse("{{V|x=" + param_value(value) + "}}")
    assert len(code.nodes) == 1
    (template,) = code.filter_templates()
    assert [str(p.name) for p in template.params] == ["x"]
    assert html.unescape(str(template.params[0].value)) == value


# --------------------------------------------------------------------------------------------------
# Marked sections


def test_section_markers_format() -> None:
    assert section_markers("leistungen") == (
        "<!-- ozgwiki:begin leistungen -->",
        "<!-- ozgwiki:end leistungen -->",
    )


@pytest.mark.parametrize("name", ["", "zwei wörter", "a>b", "-x"])
def test_invalid_section_names(name: str) -> None:
    with pytest.raises(ValueError):
        replace_section("", name, "x")


def test_get_section_strips_the_line_breaks_next_to_the_markers() -> None:
    text = "a<!-- ozgwiki:begin s -->\r\nZeile 1\n\nZeile 2\n\n<!-- ozgwiki:end s -->b"
    assert get_section(text, "s") == "Zeile 1\n\nZeile 2\n"


def test_get_section_is_none_without_markers_and_ignores_other_names() -> None:
    assert get_section("<!-- ozgwiki:begin t -->x<!-- ozgwiki:end t -->", "s") is None


def test_unchanged_section_returns_identical_text_even_in_a_human_layout() -> None:
    text = "<!-- ozgwiki:begin s -->x<!-- ozgwiki:end s -->"
    assert replace_section(text, "s", "x") == text


def test_section_can_be_created_at_the_top() -> None:
    assert replace_section("Text", "s", "x", create="top") == (
        "<!-- ozgwiki:begin s -->\nx\n<!-- ozgwiki:end s -->\nText"
    )


def test_section_on_an_empty_page_is_just_the_block() -> None:
    assert replace_section("", "s", "x") == "<!-- ozgwiki:begin s -->\nx\n<!-- ozgwiki:end s -->"


def test_missing_section_raises_when_creation_is_off() -> None:
    with pytest.raises(PageTextError, match="missing"):
        replace_section("Text", "s", "x", create=None)


def test_section_inside_a_template_parameter_is_replaced_there() -> None:
    text = "{{Box|inhalt=<!-- ozgwiki:begin s -->alt<!-- ozgwiki:end s -->|farbe=rot}}"
    assert replace_section(text, "s", "neu") == (
        "{{Box|inhalt=<!-- ozgwiki:begin s -->\nneu\n<!-- ozgwiki:end s -->|farbe=rot}}"
    )


def test_markers_quoted_in_nowiki_do_not_count() -> None:
    text = "<nowiki><!-- ozgwiki:begin s --></nowiki>\n<!-- ozgwiki:begin s -->\nx\n<!-- ozgwiki:end s -->"
    assert replace_section(text, "s", "y") == (
        "<nowiki><!-- ozgwiki:begin s --></nowiki>\n<!-- ozgwiki:begin s -->\ny\n<!-- ozgwiki:end s -->"
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<!-- ozgwiki:begin s -->x", "1 begin and 0 end"),
        ("x<!-- ozgwiki:end s -->", "0 begin and 1 end"),
        ("<!-- ozgwiki:begin s --><!-- ozgwiki:begin s --><!-- ozgwiki:end s -->", "2 begin"),
        ("<!-- ozgwiki:end s -->x<!-- ozgwiki:begin s -->", "ends before"),
        ("{{Box|a=<!-- ozgwiki:begin s -->|b=<!-- ozgwiki:end s -->}}", "different parts"),
    ],
    ids=["no-end", "no-begin", "two-begins", "reversed", "across-parameters"],
)
def test_broken_markers_raise(text: str, problem: str) -> None:
    with pytest.raises(PageTextError, match=problem):
        replace_section(text, "s", "y")
    with pytest.raises(PageTextError):
        get_section(text, "s")


@pytest.mark.parametrize("content", ["<!-- ozgwiki:end s -->", "<!-- offen", "<!-- ozgwiki:begin s -->"])
def test_content_that_would_break_the_markers_raises(content: str) -> None:
    with pytest.raises(PageTextError):
        replace_section("<!-- ozgwiki:begin s -->\nx\n<!-- ozgwiki:end s -->", "s", content)


# --------------------------------------------------------------------------------------------------
# Opt-out


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("Ein Text.", True),
        ("{{nobots}}", False),
        ("{{Nobots}}", False),
        ("{{Keine Bots}}", False),
        ("{{keine_bots}}", False),
        ("{{Vorlage:Keine Bots}}", False),
        ("{{bots}}", True),
        ("{{bots|allow=all}}", True),
        ("{{bots|allow=none}}", False),
        ("{{bots|allow=OzgBot}}", True),
        ("{{bots|allow=AndererBot, ozgbot}}", True),
        ("{{bots|allow=AndererBot}}", False),
        ("{{bots|deny=all}}", False),
        ("{{bots|deny=none}}", True),
        ("{{bots|deny= Anderer_Bot ,Benutzer:OZGBOT }}", False),
        ("{{bots|deny=AndererBot}}", True),
        ("{{bots}}\n{{bots|deny=OzgBot}}", False),
        ("<!-- {{nobots}} -->", True),
        ("<nowiki>{{nobots}}</nowiki>", True),
        ("{{Box|inhalt={{nobots}}}}", False),
        ("{{bots|deny=<!-- OzgBot -->Anderer}}", True),
    ],
)
def test_bot_may_edit(text: str, allowed: bool) -> None:
    assert bot_may_edit(text, "OzgBot@ozgwiki") is allowed


def test_bot_may_edit_compares_spaces_and_underscores_alike() -> None:
    assert bot_may_edit("{{bots|deny=Ozg_Bot}}", "Ozg Bot") is False


# --------------------------------------------------------------------------------------------------
# Redirects: where a redirect points, and the text of the bot's own


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("#WEITERLEITUNG [[Ziel]]", "Ziel"),
        ("#weiterleitung [[Ziel|Text]]", "Ziel"),
        ("  \n\t#REDIRECT:[[Ziel#Abschnitt]]\n[[Kategorie:X]]", "Ziel"),
        ("#Redirect\n[[Ziel]] und Text\n{{LeiKa-Leistung|Status=aktiv}}", "Ziel"),
        ("#REDIRECT :[[:Kategorie:X]]", "Kategorie:X"),
        ("#WEITERLEITUNG [[%C3%84rger]]", "Ärger"),
        ("#WEITERLEITUNG [[ Ziel |]]", "Ziel"),
        ("#WEITERLEITUNG [[Kreis_Borken]]", "Kreis Borken"),
        ("#WEITERLEITUNG [[Bauen  &\u00a0 Immobilien]]", "Bauen & Immobilien"),
        ("#WEITERLEITUNG [[Kategorie:]]", "Kategorie:"),  # only the wiki's namespaces could tell
        ("Text\n#WEITERLEITUNG [[Ziel]]", None),
        ("#WEITERLEITUNGEN [[Ziel]]", None),
        ("# WEITERLEITUNG [[Ziel]]", None),
        ("#REDIRECT: : [[Ziel]]", None),
        ("#REDIRECT [[]]", None),
        ("#REDIRECT [[#Abschnitt]]", None),
        ("#REDIRECT [[a<b]]", None),
        ("#REDIRECT [[a~~~b]]", None),
        ("#REDIRECT [[../x]]", None),
        ("#REDIRECT [[Ziel\n]]", None),
        ("<!-- -->#REDIRECT [[Ziel]]", None),
        ("<nowiki>#REDIRECT [[Ziel]]</nowiki>", None),
        ("{{LeiKa-Leistung}}\n#WEITERLEITUNG [[Ziel]]", None),
        ("", None),
    ],
)
def test_redirect_target_reads_the_link_is_redirect_reads(text: str, target: str | None) -> None:
    assert redirect_target(text) == target
    assert is_redirect(text) is (target is not None)


def test_redirect_text_is_the_magic_word_mediawiki_writes_on_a_move() -> None:
    assert redirect_text("Abbruchgenehmigung") == "#WEITERLEITUNG [[Abbruchgenehmigung]]"


@pytest.mark.parametrize(
    "title",
    [
        "Abbruchgenehmigung",
        "Abbruchgenehmigung (LeiKa-Leistung 99001001000000)",
        "Kreis Borken",
        "Städteregion Aachen",
        "Bauen & Immobilien",
        "Kommune 05554004",
        "Kategorie:Kommune",
        "Gebühren/Abgaben",
        "100 % Förderung",
        "a" * 255,
    ],
)
def test_a_title_goes_into_the_redirect_unescaped_and_reads_back(title: str) -> None:
    text = redirect_text(title)
    assert text == f"#WEITERLEITUNG [[{title}]]"
    assert redirect_target(text) == title


@pytest.mark.parametrize(
    "title",
    [
        "", " ", "_", "\u00a0", " Ziel", "Ziel ", "Ziel_", ":Kategorie:X", "Ziel#Abschnitt", "a<b", "a>b",
        "a|b", "a[b", "a]b", "a{b", "a}b", "a\nb", "a\tb", "a~~~b", "../x", "./x", "a/../b", "a/.",
        "A%20B", "A&amp;B", "A&#38;B", "A&#x26;B", "a" * 256, "ä" * 128,
    ],
)  # fmt: skip
def test_a_string_that_is_no_title_makes_no_redirect(title: str) -> None:
    with pytest.raises(ValueError, match="no redirect to"):
        redirect_text(title)


@given(st.text(alphabet="Aaäß0 _-&()/.:%,", min_size=1, max_size=40))
def test_every_redirect_the_bot_writes_is_one_and_points_at_its_title(title: str) -> None:
    try:
        text = redirect_text(title)
    except ValueError:
        return
    assert is_redirect(text)
    assert redirect_target(text) == re.sub("[ _]+", " ", title)


# --------------------------------------------------------------------------------------------------
# Properties

TOKENS = [
    "Text", "Straße", "🚀", " ", "\n", "\r\n", "\t", "==Kopf==", "'''", "[[Kategorie:X]]", "[[", "]]",
    "{{", "}}", "|", "=", "{{Andere|", "{{Steckbrief", "{{{1}}}", "<!--", "-->", "<!-- c -->",
    "<nowiki>", "</nowiki>", "<ref>", "</ref>", "<div>", "</div>", "{{nobots}}", "&amp;",
]  # fmt: skip
TAME_TOKENS = ["Text", "Straße", "🚀", " ", "\n", "\r\n", "==Kopf==", "'''", "[[Kategorie:X]]", "<!-- c -->"]

wild_text = st.lists(st.sampled_from(TOKENS), max_size=12).map("".join)
tame_text = st.lists(st.sampled_from(TAME_TOKENS), max_size=12).map("".join)
values = storable_text.map(param_value).map(lambda v: v.strip(WS)).filter(bool)
param_names = st.sampled_from(["Name", "Status", "Ort", "Notiz"])
raw_values = st.one_of(st.none(), wild_text, values)

PAGE_TEMPLATE = "{{Steckbrief\n| Name = alt\n| Notiz = von Hand\n}}"


@given(tame_text, tame_text, values, values)
def test_human_text_around_the_template_is_byte_identical(
    before: str, after: str, name: str, status: str
) -> None:
    text = before + PAGE_TEMPLATE + after
    result = set_template_params(text, T, {"Name": name, "Status": status}, param_order=["Name", "Status"])
    template = f"{{{{Steckbrief\n| Name = {name}\n| Status = {status}\n| Notiz = von Hand\n}}}}"
    assert result == before + template + after
    assert get_template_params(result, T) == {"Name": name, "Status": status, "Notiz": "von Hand"}


@given(wild_text, wild_text, values)
def test_wild_human_text_is_kept_or_the_page_is_refused(before: str, after: str, name: str) -> None:
    text = before + PAGE_TEMPLATE + after
    try:
        result = set_template_params(text, T, {"Name": name})
    except PageTextError:
        return
    edited = before + PAGE_TEMPLATE.replace("alt", name, 1) + after
    created_above = result.endswith(text) and get_template_params(result, T) == {"Name": name}
    if result == edited or created_above:
        return
    # Otherwise PAGE_TEMPLATE was inert (e.g. inside <nowiki>) and the only live {{Steckbrief}} stood in
    # the human text: that one was edited, and PAGE_TEMPLATE with the text on its other side is intact.
    params = get_template_params(result, T)
    assert params is not None and params["Name"] == name
    assert result.startswith(before + PAGE_TEMPLATE) or result.endswith(PAGE_TEMPLATE + after)


@given(wild_text, wild_text, st.dictionaries(param_names, raw_values, max_size=4))
def test_applying_the_same_change_twice_equals_applying_it_once(
    before: str, after: str, change: dict[str, str | None]
) -> None:
    text = before + PAGE_TEMPLATE + after
    try:
        once = set_template_params(text, T, change, param_order=["Name", "Status", "Ort"])
    except PageTextError:
        return
    assert set_template_params(once, T, change, param_order=["Name", "Status", "Ort"]) == once


@given(wild_text, wild_text, st.lists(st.tuples(param_names, wild_text), max_size=5), st.booleans())
def test_setting_the_values_read_gives_the_identical_text(
    before: str, after: str, params: list[tuple[str, str]], multiline: bool
) -> None:
    sep = "\n" if multiline else ""
    text = before + "{{Steckbrief" + "".join(f"{sep}|{n}={v}" for n, v in params) + sep + "}}" + after
    try:
        read = get_template_params(text, T)
    except PageTextError:
        return
    if read is None:
        return
    named = {k: v for k, v in read.items() if not k.isdigit() and k in {"Name", "Status", "Ort", "Notiz"}}
    assert set_template_params(text, T, named) == text


@given(tame_text, tame_text, wild_text, wild_text)
def test_replacing_a_section_keeps_the_text_around_it(before: str, after: str, old: str, new: str) -> None:
    begin, end = section_markers("s")
    text = before + begin + old + end + after
    try:
        result = replace_section(text, "s", new)
    except PageTextError:
        return
    assert result.startswith(before + begin)
    assert result.endswith(end + after)
    assert get_section(result, "s") == new
    assert replace_section(result, "s", new) == result


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#WEITERLEITUNG [[Ahaus]]", "#WEITERLEITUNG [[Ahaus (Westf.)]]"),
        (
            "#REDIRECT [[Ahaus#Lage|hier]]\n[[Kategorie:X]]",
            "#REDIRECT [[Ahaus (Westf.)#Lage|hier]]\n[[Kategorie:X]]",
        ),
        ("  #weiterleitung:[[Ahaus]] Notiz", "  #weiterleitung:[[Ahaus (Westf.)]] Notiz"),
        ("kein Redirect", "#WEITERLEITUNG [[Ahaus (Westf.)]]"),
    ],
)
def test_retarget_changes_only_the_page_of_the_redirect(text: str, expected: str) -> None:
    from ozgwiki.wikitext.params import redirect_target, retarget

    assert retarget(text, "Ahaus (Westf.)") == expected
    assert redirect_target(expected) == "Ahaus (Westf.)"
    with pytest.raises(ValueError, match="not a title"):
        retarget(text, "a|b")
