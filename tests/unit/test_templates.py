"""The templates and Lua modules: golden variants, wikitext hygiene, documentation, and the Lua logic.

Goldens: ``tests/golden/templates/<file stem>/{smw,plain}.<wiki|lua>`` hold the variant the deploy bot
will save. After an intended change, regenerate them with
``OZGWIKI_UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/test_templates.py`` and review the diff
(tests/golden/README.md).

The Lua tests run the real modules under the real ``lua5.1`` with a small stand-in for Scribunto's
``mw`` library (only what the modules use). Without ``lua5.1`` they are skipped with that reason.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import golden
import mwparserfromhell
import pytest

from ozgwiki.definitions import schema, storage
from ozgwiki.wikitext.extract import extract_keys

#: The template goldens (one case folder per template) and the key case tables shared with Lua.
GOLDEN = golden.ROOT / "templates"
DOCS = Path(__file__).parent.parent.parent / "docs" / "templates.md"
SCHEMA = schema.load()
TEMPLATES = [t for t in SCHEMA.templates if not t.is_module]
MODULES = [t for t in SCHEMA.templates if t.is_module]
FORBIDDEN_PLAIN = ("#set", "#subobject", "#ask", "#declare", "#show")
LUA = shutil.which("lua5.1")
LUAC = shutil.which("luac5.1")


def ids(items: list) -> list[str]:
    return [getattr(i, "title", None) or i.file for i in items]


# ------------------------------------------------------------------------------------------ goldens


@pytest.mark.parametrize("template", TEMPLATES, ids=ids(TEMPLATES))
@pytest.mark.parametrize("smw", [True, False], ids=["smw", "plain"])
def test_golden_variant(template: schema.TemplateDef, smw: bool) -> None:
    stem, ext = template.file.rsplit(".", 1)
    golden.check(
        GOLDEN / stem / f"{'smw' if smw else 'plain'}.{ext}", template.render(smw=smw, pageforms=smw)
    )


MODULES = [t for t in SCHEMA.templates if t.is_module]
_SWITCH = re.compile(r"^local SMW = (true|false)$")
_LUA_MARKER = re.compile(r"^--<!--/?[A-Z][A-Z-]*-->$")


@pytest.mark.parametrize("module", MODULES, ids=ids(MODULES))
def test_lua_variants_differ_only_in_the_smw_switch(module: schema.TemplateDef) -> None:
    """A module's variants are its source as written, but for the one ``local SMW = …`` line.

    (No golden copies of the modules: they would repeat hundreds of lines of source.)
    """
    smw = module.render(smw=True, pageforms=True).splitlines()
    plain = module.render(smw=False, pageforms=False).splitlines()
    assert not [line for line in smw + plain if _LUA_MARKER.match(line.strip())]
    assert len(smw) == len(plain)
    differ = [(a, b) for a, b in zip(smw, plain, strict=True) if a != b]
    switches = [line for line in module.source.splitlines() if _SWITCH.match(line)]
    assert differ == ([("local SMW = true", "local SMW = false")] if switches else [])
    unswitched = [line for line in module.source.splitlines() if not _LUA_MARKER.match(line.strip())]
    assert [line for line in plain if not _SWITCH.match(line)] == [
        line for line in unswitched if not _SWITCH.match(line)
    ]


# --------------------------------------------------------------------------- plain wikis stay clean


PLAIN_PAGES = [(t.title, t.render(smw=False, pageforms=False)) for t in TEMPLATES] + [
    (p.title, p.render(smw=False, pageforms=False)) for p in SCHEMA.navigation
]


@pytest.mark.parametrize(("title", "text"), PLAIN_PAGES, ids=[t for t, _ in PLAIN_PAGES])
def test_plain_variant_has_no_smw_or_pageforms_functions(title: str, text: str) -> None:
    for word in (*FORBIDDEN_PLAIN, "#default_form", "Formular:"):
        assert word not in text, f"{title}: {word}"


@pytest.mark.parametrize("template", TEMPLATES, ids=ids(TEMPLATES))
def test_smw_variant_keeps_storage_switch_in_the_module_only(template: schema.TemplateDef) -> None:
    # Templates never call #set themselves: the Lua module decides, so both variants are identical
    # apart from Page Forms lines.
    assert "#set" not in template.source and "#subobject" not in template.source


def test_module_switch_differs_between_variants() -> None:
    ozg = SCHEMA.template("Modul:OZG")
    assert "local SMW = true" in ozg.render(smw=True, pageforms=False)
    assert "local SMW = false" not in ozg.render(smw=True, pageforms=False)
    assert "local SMW = false" in ozg.render(smw=False, pageforms=False)
    assert "local SMW = true" not in ozg.render(smw=False, pageforms=False)


# --------------------------------------------------------------------------------- wikitext hygiene


def strip_literal(text: str) -> str:
    """Drop <pre>, <nowiki> and comments: what is inside is shown literally, not parsed."""
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    return re.sub(r"<(pre|nowiki)>.*?</\1>", "", text, flags=re.S)


WIKITEXT = (
    [(t.title, t.source) for t in TEMPLATES]
    + [(f.title, f.source) for f in SCHEMA.forms]
    + [(p.title, p.source) for p in SCHEMA.navigation]
)


@pytest.mark.parametrize(("title", "text"), WIKITEXT, ids=[t for t, _ in WIKITEXT])
def test_parses_and_braces_balance(title: str, text: str) -> None:
    assert str(mwparserfromhell.parse(text)) == text
    body = strip_literal(text)
    for opening, closing in (("{", "}"), ("[[", "]]")):
        assert body.count(opening) == body.count(closing), f"{title}: {opening} {closing}"
    depth = 0
    for ch in body:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0, f"{title}: '}}' before its '{{'"


def used_params(source: str) -> set[str]:
    code = mwparserfromhell.parse(source)
    return {str(a.name).strip() for a in code.filter_arguments()}


@pytest.mark.parametrize("template", TEMPLATES, ids=ids(TEMPLATES))
def test_every_parameter_has_a_default(template: schema.TemplateDef) -> None:
    for arg in mwparserfromhell.parse(template.source).filter_arguments():
        assert arg.default is not None, f"{template.title}: {{{{{{{arg.name}}}}}}} shows raw when missing"


def documented_params(source: str) -> set[str]:
    doc = source.split("=== Parameter ===", 1)[1].split("|}", 1)[0]
    return set(re.findall(r"^\| <code>([^<]+)</code> \|\|", doc, flags=re.M))


#: Templates whose parameters Lua reads from the calling frame: the inline key template, and the
#: row templates Semantic MediaWiki calls (``1`` = the row's page, ``#userparam`` = the columns).
FRAME_PARAMS = {
    "#invoke:LeiKa|inline": {"1", "2"},
    "#invoke:OZG|zeile": {"1", "#userparam"},
    "#invoke:OZG|kopf": {"#userparam"},
    "#invoke:OZG|ende": set(),
}


def expected_params(template: schema.TemplateDef) -> set[str]:
    for call, params in FRAME_PARAMS.items():
        if call in template.source:
            return params
    return used_params(template.source)


@pytest.mark.parametrize("template", TEMPLATES, ids=ids(TEMPLATES))
def test_documented_parameters_match_used_ones(template: schema.TemplateDef) -> None:
    assert "<noinclude>" in template.source and "Beispiel zum Kopieren" in template.source
    assert documented_params(template.source) == expected_params(template)


@pytest.mark.parametrize("template", TEMPLATES, ids=ids(TEMPLATES))
def test_copy_paste_example_uses_exactly_the_parameters(template: schema.TemplateDef) -> None:
    example = template.source.split("=== Beispiel zum Kopieren ===", 1)[1].split("<pre>", 1)[1]
    example = example.split("</pre>", 1)[0]
    call = mwparserfromhell.parse(example).filter_templates()[0]
    assert str(call.name).strip() == template.name
    if template.name == "LeiKa":
        assert [str(p.name) for p in call.params] == ["1", "2"]
    else:
        assert {str(p.name).strip() for p in call.params} == expected_params(template)


def docs_table() -> dict[str, set[str]]:
    text = DOCS.read_text(encoding="utf-8").split("## Template parameters", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| `([^`]+)` \|", text, flags=re.M)
    table: dict[str, set[str]] = {}
    for name, param in rows:
        table.setdefault(name, set()).add(param)
    return table


def test_docs_templates_md_lists_every_parameter() -> None:
    assert docs_table() == {t.name: expected_params(t) for t in TEMPLATES if expected_params(t)}


def test_own_key_of_a_leika_page_goes_through_modul_leika_with_its_status() -> None:
    source = SCHEMA.template("Vorlage:LeiKa-Leistung").source
    call = "{{#invoke:LeiKa|liste|{{{Schlüssel|}}}|eigen=ja|status={{{Status|}}}|attribut=LeiKa-Schlüssel}}"
    assert call in source


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("OZG-Leistung", {"LeiKa-Schlüssel"}),
        ("Umsetzungsprojekt", {"LeiKa-Schlüssel"}),
        ("Steckbrief", {"LeiKa-Schlüssel"}),
    ],
)
def test_key_parameters_of_the_architecture_go_through_modul_leika(name: str, params: set[str]) -> None:
    source = SCHEMA.template(f"Vorlage:{name}").source
    for param in params:
        assert f"{{{{#invoke:LeiKa|liste|{{{{{{{param}|}}}}}}|attribut=LeiKa-Schlüssel}}}}" in source


CATEGORY_OF = {
    "LeiKa-Leistung": "LeiKa-Leistung",
    "OZG-Leistung": "OZG-Leistung",
    "Themenfeld": "Themenfeld",
    "Lage": "Lage",
    "Kommune": "Kommune",
    "Umsetzungsprojekt": "Umsetzungsprojekt",
    "Steckbrief": "Steckbrief",
}


@pytest.mark.parametrize(("name", "category"), CATEGORY_OF.items())
def test_template_assigns_its_category(name: str, category: str) -> None:
    include = SCHEMA.template(f"Vorlage:{name}").source.split("<noinclude>")[0]
    assert f"[[Kategorie:{category}]]" in include


def test_retired_leika_category() -> None:
    source = SCHEMA.template("Vorlage:LeiKa-Leistung").source
    assert "{{#ifeq:{{{Status|}}}|ausgemustert|" in source
    assert "[[Kategorie:Ausgemusterte LeiKa-Leistung]]" in source


def test_every_category_used_is_defined() -> None:
    defined = {c.name for c in SCHEMA.categories}
    used = set()
    for t in SCHEMA.templates:
        used |= set(re.findall(r"\[\[Kategorie:([^\]|']+)\]\]", t.source))
        used |= set(re.findall(r"^local [A-Z]+ = '(Seiten mit [^']+)'", t.source, flags=re.M))
        used |= set(re.findall(r"category\('([^']+)'\)", t.source))
    assert used and used <= defined, used - defined


def test_every_invoke_names_an_existing_module_function() -> None:
    functions = {m.name: set(re.findall(r"^function p\.(\w+)\(frame", m.source, flags=re.M)) for m in MODULES}
    calls = set()
    for t in TEMPLATES:
        calls |= set(re.findall(r"\{\{#invoke:([^|]+)\|([^|}]+)", t.source))
    assert calls
    for module, function in calls:
        assert function in functions.get(module, set()), f"{module}.{function}"


# ---------------------------------------------------------------------------------------------- Lua


@pytest.mark.parametrize("module", MODULES, ids=ids(MODULES))
@pytest.mark.parametrize("smw", [True, False], ids=["smw", "plain"])
def test_lua_syntax(module: schema.TemplateDef, smw: bool, tmp_path: Path) -> None:
    if LUAC is None:
        pytest.skip("luac5.1 is not installed (apt-get install lua5.1)")
    path = tmp_path / module.file
    path.write_text(module.render(smw=smw, pageforms=False), encoding="utf-8")
    result = subprocess.run([LUAC, "-p", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


# A stand-in for the parts of Scribunto's mw library the modules use. A page's text comes from
# CONTENT, else EXISTING pages hold an active LeiKa-Leistung; reads are counted in READS. Every exists
# check is counted like MediaWiki's expensive function count (getContent is not expensive in 1.39, and
# neither is redirectTarget, which reads the page text too: Scribunto's TitleLibrary.redirectTarget).
MW_STUB = r"""
local EXISTING, CONTENT, SOURCES = ...
SETS, EXPENSIVE, READS = {}, 0, 0
mw = { text = {}, title = {}, ustring = string }
function mw.text.trim(s) return (s:gsub('^%s+', ''):gsub('%s+$', '')) end
function mw.text.decode(s)
  s = s:gsub('&#(%d+);', function(n) return string.char(tonumber(n)) end)
  s = s:gsub('&lt;', '<'):gsub('&gt;', '>'):gsub('&quot;', '"'):gsub('&amp;', '&')
  return s
end
function mw.text.nowiki(s)
  return (s:gsub('[&<>=%[%]{}|"\']', function(c) return '&#' .. c:byte() .. ';' end))
end
function mw.text.gsplit(s, sep, plain)
  local items, start = {}, 1
  while true do
    local i, j = s:find(sep, start, plain)
    if not i then table.insert(items, s:sub(start)); break end
    table.insert(items, s:sub(start, i - 1)); start = j + 1
  end
  local k = 0
  return function() k = k + 1; return items[k] end
end
function mw.text.split(s, sep, plain)
  local out = {}
  for item in mw.text.gsplit(s, sep, plain) do table.insert(out, item) end
  return out
end
function mw.title.getCurrentTitle() return { namespace = 0 } end
function mw.title.new(text, ns)
  if text == '' or text:find('[%[%]{}|<>#]') then return nil end
  local t = { prefixedText = text, namespace = text:match('^Kategorie:') and 14 or 0 }
  setmetatable(t, { __index = function(_, key)
    if key == 'exists' then
      EXPENSIVE = EXPENSIVE + 1
      if EXPENSIVE > 500 then error('too many expensive function calls') end
      return EXISTING[text] == true
    end
    if key == 'redirectTarget' then -- not expensive: MediaWiki reads the page text
      READS = READS + 1
      local target = (CONTENT[text] or ''):match('^%s*#%a+%s*:?%s*%[%[([^%]|#]+)')
      return target and mw.title.new(mw.text.trim(target)) or false
    end
  end })
  function t:getContent()
    READS = READS + 1
    if CONTENT[text] then return CONTENT[text] end
    if EXISTING[text] then
      return '{{LeiKa-Leistung\n| Schlüssel = ' .. text:sub(7) .. '\n| Status = aktiv\n}}'
    end
    return nil
  end
  return t
end
package.preload['Modul:OZG'] = function() return assert(loadstring(SOURCES.OZG))() end
package.preload['Modul:LeiKa'] = function() return assert(loadstring(SOURCES.LeiKa))() end
function makeFrame(args, parentArgs)
  return {
    args = args,
    getParent = function() return { args = parentArgs or {} } end,
    callParserFunction = function(self, name, fargs)
      table.insert(SETS, name .. ' ' .. table.concat(fargs, ' | '))
      return ''
    end,
  }
end
"""


def lua_quote(text: str) -> str:
    return "[==[" + text + "]==]"


def run_lua(
    call: str,
    *,
    smw: bool,
    existing: tuple[str, ...] = (),
    content: dict[str, str] | None = None,
) -> tuple[str, list[str]]:
    """Run ``call`` (a Lua expression returning the module output); return output and #set calls."""
    if LUA is None:
        pytest.skip("lua5.1 is not installed (apt-get install lua5.1)")
    sources = {m.name: m.render(smw=smw, pageforms=False) for m in MODULES}
    table = lambda d: "{" + ",".join(f"[ {lua_quote(k)} ]={v}" for k, v in d.items()) + "}"  # noqa: E731
    script = (
        f"local f = assert(loadstring({lua_quote(MW_STUB)}))\n"
        f"f({table({e: 'true' for e in existing})}, "
        f"{table({k: lua_quote(v) for k, v in (content or {}).items()})}, "
        f"{table({k: lua_quote(v) for k, v in sources.items()})})\n"
        f"local out = {call}\n"
        "io.write(out, '\\30', 'READS=' .. READS, '\\30', table.concat(SETS, '\\30'))\n"
    )
    result = subprocess.run([LUA, "-"], input=script, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    out, reads, *sets = result.stdout.split("\x1e")
    LAST_READS[:] = [int(reads.removeprefix("READS="))]
    return out, [s for s in sets if s]


#: Page reads (getContent) of the last run_lua call.
LAST_READS: list[int] = [0]


KNOWN = ("LeiKa 99012001001000", "LeiKa 99008001012009")


def leika(
    text: str,
    *,
    smw: bool = True,
    existing: tuple[str, ...] = KNOWN,
    content: dict[str, str] | None = None,
    **named: str,
) -> tuple[str, list[str]]:
    args = "".join(f", [ {lua_quote(k)} ]={lua_quote(v)}" for k, v in named.items())
    call = f"require('Modul:LeiKa').liste(makeFrame({{{lua_quote(text)}{args}, attribut='LeiKa-Schlüssel'}}))"
    return run_lua(call, smw=smw, existing=existing, content=content)


def test_known_unknown_and_malformed_keys() -> None:
    out, sets = leika("99012001001000, 9901200100100; 99111001017000 und 99008001012009")
    assert "[[LeiKa 99012001001000|99012001001000]]" in out
    assert "[[LeiKa 99008001012009|99008001012009]]" in out
    assert "⚠ 99111001017000 (unbekannter LeiKa-Schlüssel)" in out
    assert "⚠ 9901200100100 (ungültiger LeiKa-Schlüssel: 13 statt 14 Ziffern)" in out
    assert "[[Kategorie:Seiten mit unbekannten LeiKa-Schlüsseln]]" in out
    assert "[[Kategorie:Seiten mit ungültigen LeiKa-Schlüsseln]]" in out
    assert sets == ["#set LeiKa-Schlüssel=99012001001000;99008001012009 | +sep=;"]


def test_plain_variant_never_stores() -> None:
    out, sets = leika("99012001001000, 99111001017000", smw=False)
    assert "[[LeiKa 99012001001000|99012001001000]]" in out
    assert sets == []


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("99012001001000 99008001012009", ["99012001001000", "99008001012009"]),
        ("99 012 001 001 000", ["99012001001000"]),
        ("99.012.001-001.000<br>99008001012009", ["99012001001000", "99008001012009"]),
        ("99012001001000<br />\n99008001012009;", ["99012001001000", "99008001012009"]),
        ("99012001001000, 99 012 001 001 000, 99012001001000", ["99012001001000"]),
        ("[[LeiKa 99012001001000|x]]", None),
    ],
    ids=["blank-separated", "spaced key", "dots dashes br", "br slash newline", "duplicates", "link"],
)
def test_splitting_and_normalising(text: str, keys: list[str] | None) -> None:
    out, sets = leika(text)
    if keys is None:
        assert "⚠" in out and sets == []
        return
    assert "⚠" not in out
    assert sets == [f"#set LeiKa-Schlüssel={';'.join(keys)}" + (" | +sep=;" if len(keys) > 1 else "")]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("nicht im LeiKa", "Platzhalter der KDN-Datenbank"),
        ("9901200A001000", "enthält den Buchstaben „A“ an Stelle 8"),
        ("990120010010000", "15 statt 14 Ziffern"),
        ("20513", "5 statt 14 Ziffern"),
        ("10513", "eine OZG-ID (eine OZG-Leistung)"),
        ("99012001000001", "Verrichtungsdetail 001 (Stellen 12–14) ohne Verrichtung (Stellen 9–11 sind 000)"),
        ("99000001001000", "die Leistungsgruppierung (Stellen 3–5) ist 000"),
        (
            "９９０１２００１００１０００",
            "enthält an Stelle 1 die vollbreite Ziffer „９“; erlaubt sind nur die Ziffern 0–9",
        ),
    ],
)
def test_malformed_keys(text: str, reason: str) -> None:
    """The reasons are ozgwiki.domain.leika.format_problem's, word for word
    (tests/unit/test_key_rules_shared.py)."""
    out, sets = leika(text)
    assert f"(ungültiger LeiKa-Schlüssel: {reason})" in out
    assert sets == []


def test_regional_key_is_well_formed_but_unknown() -> None:
    out, _ = leika("77000000000316")
    assert "⚠ 77000000000316 (unbekannter LeiKa-Schlüssel)" in out


def test_malformed_input_is_shown_literally() -> None:
    out, _ = leika("{{x}} [[y]] a=b")
    assert "{{" not in out and "[[y" not in out
    assert "&#123;&#123;x&#125;&#125;" in out


def test_check_limit() -> None:
    keys = ", ".join(f"99{n:03d}001001000" for n in range(1, 103))
    out, _ = leika(keys, existing=())
    assert out.count("unbekannter LeiKa-Schlüssel") == 100
    assert out.count("(nicht geprüft)") == 2
    assert "[[Kategorie:Seiten mit ungeprüften LeiKa-Schlüsseln]]" in out
    assert LAST_READS == [100]  # one page read per checked key, none for the rest


def test_retired_key_is_marked_linked_categorised_and_not_stored() -> None:
    page = "{{LeiKa-Leistung\n|Schlüssel=99111001017000\n|  Status   =  ausgemustert \n}}"
    content = {"LeiKa 99111001017000": page}
    out, sets = leika("99012001001000, 99111001017000", content=content)
    assert "[[LeiKa 99012001001000|99012001001000]]" in out
    assert (
        '<span class="ozg-warnung" style="color:#b32424;font-weight:bold">'
        "⚠ [[LeiKa 99111001017000|99111001017000]] (ausgemusterter LeiKa-Schlüssel)</span>"
    ) in out
    assert "[[Kategorie:Seiten mit ausgemusterten LeiKa-Schlüsseln]]" in out
    assert "unbekannter" not in out and "Seiten mit unbekannten" not in out
    assert sets == ["#set LeiKa-Schlüssel=99012001001000"]


@pytest.mark.parametrize(
    ("page", "retired"),
    [
        ("{{LeiKa-Leistung|Schlüssel=99111001017000|Status=ausgemustert}}", True),
        ("{{LeiKa-Leistung\n| Status\t= ausgemustert<!-- seit 2024 -->\n| Bezeichnung = x\n}}", True),
        ("{{LeiKa-Leistung\n| Status = aktiv\n}}", False),
        ("{{LeiKa-Leistung\n| Status = ausgemustert\n| Status = aktiv\n}}", False),  # the last one counts
        ("{{LeiKa-Leistung\n| Status = Ausgemustert\n}}", False),  # as the template's #ifeq: exact
        ("{{LeiKa-Leistung\n| Bezeichnung = früher: Status = ausgemustert?\n}}", False),
        ("#WEITERLEITUNG [[LeiKa 99111001017003]]", False),
        ("", False),
    ],
    ids=["compact", "spaced-comment", "aktiv", "duplicate", "case", "in-text", "redirect", "empty"],
)
def test_retired_status_is_read_from_the_leika_page(page: str, retired: bool) -> None:
    out, sets = leika("99111001017000", content={"LeiKa 99111001017000": page})
    assert ("ausgemusterter LeiKa-Schlüssel" in out) is retired
    assert (sets == []) is retired


def test_key_page_redirect_is_followed_to_the_leika_page_and_its_status() -> None:
    """The page "LeiKa <key>" redirects to the LeiKa-Leistung titled by its Bezeichnung: the Status is
    read there, and the key links there directly."""
    content = {
        "LeiKa 99111001017000": "#WEITERLEITUNG [[Abbruchgenehmigung Erteilung]]",
        "Abbruchgenehmigung Erteilung": "{{LeiKa-Leistung|Schlüssel=99111001017000|Status=aktiv}}",
        "LeiKa 99111001018000": "#WEITERLEITUNG [[Altleistung]]",
        "Altleistung": "{{LeiKa-Leistung\n| Schlüssel = 99111001018000\n| Status = ausgemustert\n}}",
    }
    out, sets = leika("99111001017000, 99111001018000", existing=(), content=content)
    assert out.startswith("[[Abbruchgenehmigung Erteilung|99111001017000]], ")
    assert "⚠ [[Altleistung|99111001018000]] (ausgemusterter LeiKa-Schlüssel)" in out
    assert "[[Kategorie:Seiten mit ausgemusterten LeiKa-Schlüsseln]]" in out
    assert "unbekannter" not in out
    assert sets == ["#set LeiKa-Schlüssel=99111001017000"]
    assert LAST_READS == [6]  # per key: the redirect, its target, the target's text


def test_own_key_of_a_leika_page_is_not_looked_up_and_retired_is_no_maintenance_case() -> None:
    out, sets = leika("99111001017000", existing=(), eigen="ja", status="aktiv")
    assert out == "[[LeiKa 99111001017000|99111001017000]]" and LAST_READS == [0]
    assert sets == ["#set LeiKa-Schlüssel=99111001017000"]
    out, sets = leika("99111001017000", existing=(), eigen="ja", status="ausgemustert")
    assert out == "[[LeiKa 99111001017000|99111001017000]] <small>(ausgemustert)</small>"
    assert sets == [] and "Kategorie" not in out
    out, _ = leika("9911100101700", eigen="ja", status="aktiv")
    assert "13 statt 14 Ziffern" in out


# ------------------------------------------------------------------ key splitting: Lua and Python agree

SPLITTING = json.loads((GOLDEN / "key_splitting.json").read_text(encoding="utf-8"))["cases"]


def lua_candidates(text: str) -> list[str]:
    call = (
        "(function() local t = {} "
        f"for _, e in ipairs(require('Modul:LeiKa').entries({lua_quote(text)})) do t[#t + 1] = e.raw end "
        "return table.concat(t, '\\31') end)()"
    )
    out, _ = run_lua(call, smw=True)
    return out.split("\x1f") if out else []


@pytest.mark.parametrize("case", SPLITTING, ids=[c["text"] for c in SPLITTING])
def test_shared_splitting_cases_python(case: dict) -> None:
    findings = extract_keys("{{OZG-Leistung|LeiKa-Schlüssel=" + case["text"] + "}}")
    assert [f.raw for f in findings] == case["raw"]


@pytest.mark.parametrize("case", SPLITTING, ids=[c["text"] for c in SPLITTING])
def test_shared_splitting_cases_lua(case: dict) -> None:
    assert lua_candidates(case["text"]) == case["raw"]


def test_editor_separators_show_two_checked_keys() -> None:
    for text in ("99012001001000 / 99008001012009", "99012001001000 sowie 99008001012009"):
        out, sets = leika(text)
        assert out == "[[LeiKa 99012001001000|99012001001000]], [[LeiKa 99008001012009|99008001012009]]"
        assert sets == ["#set LeiKa-Schlüssel=99012001001000;99008001012009 | +sep=;"]


def test_no_break_and_thin_spaces_join_a_key_like_python() -> None:
    text = "99\u00a0012\u2009001 001\u202f000"
    assert [f.raw for f in extract_keys("{{LeiKa|" + text + "}}")] == [text]
    assert lua_candidates(text) == [text]  # Lua splits on characters too, and keeps them as written
    _out, sets = leika(text)
    assert sets == ["#set LeiKa-Schlüssel=99012001001000"]


def test_inline_template_reads_positional_parameters() -> None:
    call = (
        "require('Modul:LeiKa').inline(makeFrame({attribut='LeiKa-Schlüssel'}, "
        "{'99012001001000', '99008001012009', '123'}))"
    )
    out, sets = run_lua(call, smw=True, existing=KNOWN)
    assert out.startswith("[[LeiKa 99012001001000|99012001001000]], [[LeiKa 99008001012009|")
    assert "⚠ 123" in out
    assert sets == ["#set LeiKa-Schlüssel=99012001001000;99008001012009 | +sep=;"]


def ozg(
    function: str, value: str, *, smw: bool = True, content: dict[str, str] | None = None, **named: str
) -> tuple[str, list[str]]:
    args = ", ".join([lua_quote(value)] + [f"[ {lua_quote(k)} ]={lua_quote(v)}" for k, v in named.items()])
    return run_lua(f"require('Modul:OZG').{function}(makeFrame({{{args}}}))", smw=smw, content=content)


def test_escaped_value_shown_literally_and_stored_whole() -> None:
    out, sets = ozg("wert", "A &#124; B &#123;&#123;x&#125;&#125; &#91;y&#93; c&#61;d", attribut="Name")
    assert out == "A &#124; B &#123;&#123;x&#125;&#125; &#91;y&#93; c&#61;d"
    assert sets == ["#set Name=A | B {{x}} [y] c=d"]


def test_empty_value_shows_and_stores_nothing() -> None:
    assert ozg("wert", "  ", attribut="Name") == ("", [])


@pytest.mark.parametrize(
    ("value", "shown"),
    [("2020-01", "Januar 2020"), ("2021-12", "Dezember 2021"), ("2019-12-12", "12. Dezember 2019")],
)
def test_month_display(value: str, shown: str) -> None:
    out, sets = ozg("datum", value, attribut="Beginn Umsetzung")
    assert out == shown
    assert sets == [f"#set Beginn Umsetzung={value}"]


@pytest.mark.parametrize("value", ["Januar 2020", "2020-13", "20-01"])
def test_bad_month_is_marked_not_stored(value: str) -> None:
    out, sets = ozg("datum", value, attribut="Beginn Umsetzung")
    assert "⚠" in out and "[[Kategorie:Seiten mit ungültigen Datumsangaben]]" in out
    assert sets == []


def test_vocabulary_values() -> None:
    out, sets = ozg(
        "werte", "Land, Kommunal, Kreis, Land", erlaubt="Bund;Land;Kommunal", attribut="Zuständigkeit"
    )
    assert out.startswith("Land, Kommunal, ")
    assert "⚠ Kreis (unbekannter Wert)" in out
    assert sets == ["#set Zuständigkeit=Land;Kommunal | +sep=;"]


def test_vocabulary_value_with_link_prefix() -> None:
    out, _ = ozg(
        "werte",
        "Mittlere kreisangehörige Stadt",
        erlaubt="Mittlere kreisangehörige Stadt",
        einzeln="ja",
        praefix="Größenklasse",
    )
    assert out == "[[Größenklasse Mittlere kreisangehörige Stadt|Mittlere kreisangehörige Stadt]]"


def test_page_links_store_titles_and_show_names() -> None:
    content = {"Kommune 05554004": "{{Kommune\n| AGS = 05554004\n| Name = Ahaus\n}}"}
    out, sets = ozg(
        "seiten", "05554004, 05554008", content=content, praefix="Kommune", namen="ja", attribut="Kommune"
    )
    assert out == "[[Kommune 05554004|Ahaus]], [[Kommune 05554008|05554008]]"
    assert sets == ["#set Kommune=Kommune 05554004;Kommune 05554008 | +sep=;"]


@pytest.mark.parametrize(
    ("values", "options", "stored"),
    [
        (["2021-02", "", "2020-11"], {"datum": "ja", "sonst": "ohne Zeitplan"}, "2020-11"),
        (["", "2020-13"], {"datum": "ja", "sonst": "ohne Zeitplan"}, "ohne Zeitplan"),
        (["4"], {"erlaubt": "1;2;3", "sonst": "ohne Priorität"}, "ohne Priorität"),
        (["3"], {"erlaubt": "1;2;3", "sonst": "ohne Priorität"}, "3"),
    ],
)
def test_rank_stores_a_sort_key_every_page_has(
    values: list[str], options: dict[str, str], stored: str
) -> None:
    args = ", ".join(lua_quote(v) for v in values)
    named = ", ".join(f"{k}={lua_quote(v)}" for k, v in {**options, "attribut": "Rang"}.items())
    out, sets = run_lua(f"require('Modul:OZG').rang(makeFrame({{{args}, {named}}}))", smw=True)
    assert out == "" and sets == [f"#set Rang={stored}"]
    assert storage.stored_values("rang", values[0], options, storage.no_keys, values[1:]) == [stored]


def test_titles_written_by_the_forms_are_not_prefixed_twice() -> None:
    """The forms' autocompletion writes page titles (``Kommune 05554004``); typed AGS still work."""
    content = {"Kommune 05554004": "{{Kommune\n| AGS = 05554004\n| Name = Ahaus\n}}"}
    out, sets = ozg(
        "seiten", "Kommune 05554004, 05554008", content=content, praefix="Kommune", namen="ja", titel="ja",
        attribut="Kommune",
    )  # fmt: skip
    assert out == "[[Kommune 05554004|Ahaus]], [[Kommune 05554008|05554008]]"
    assert sets == ["#set Kommune=Kommune 05554004;Kommune 05554008 | +sep=;"]
    out, _ = ozg("seiten", "Themenfeld Bildung", praefix="Themenfeld", titel="ja", attribut="Themenfeld")
    assert out == "[[Themenfeld Bildung|Bildung]]"
    out, _ = ozg("seiten", "Themenfeld Bildung", praefix="Themenfeld", attribut="Themenfeld")
    assert out == "[[Themenfeld Themenfeld Bildung|Themenfeld Bildung]]"  # without titel=ja: as written


#: Name titles (names-first scheme): the content pages are titled by name, the ID titles redirect.
NAME_PAGES = {
    "Kommune 05554000": "#WEITERLEITUNG [[Kreis Borken]]",
    "Kreis Borken": "{{Kommune\n| AGS = 05554000\n| Name = Borken\n}}",
    "Kommune 05554004": "#WEITERLEITUNG [[Ahaus]]",
    "Ahaus": "{{Kommune\n| AGS = 05554004\n| Name = Ahaus\n}}",
    "Themenfeld Bildung": "#REDIRECT [[Bildung]]",
    "Bildung": "{{themenfeld|Name=Bildung}}",
    "Gescher": "Ein Artikel über Gescher, keine Seite der Vorlage Kommune.",
    "Kommune 05554099": "#WEITERLEITUNG [[Gelöschte Kommune]]",
    "Kommune 05554098": "#WEITERLEITUNG [[Kategorie:Kommune]]",
    "Kategorie:Kommune": "Alle Kommunen in NRW.",
}


def test_id_title_redirect_is_followed_to_the_name_page() -> None:
    """A Kreis given by AGS: "Kommune 05554000" redirects to "Kreis Borken"; the link goes there
    directly (no redirect hop), shows that page's Name and stores that title."""
    options = {"praefix": "Kommune", "einzeln": "ja", "namen": "ja", "attribut": "Kreis"}
    out, sets = ozg("seiten", "05554000", content=NAME_PAGES, **options)
    assert out == "[[Kreis Borken|Borken]]"
    assert sets == ["#set Kreis=Kreis Borken"]
    assert LAST_READS == [3]  # the redirect, its target (redirectTarget), the target's text


def test_titles_of_every_form_lead_to_the_same_name_page() -> None:
    """titel=ja: a name title as the forms write it now ("Ahaus", "Kreis Borken"), the old ID title
    and a bare AGS all name the same pages, each linked and stored once."""
    out, sets = ozg(
        "seiten", "Ahaus, Kreis Borken, Kommune 05554004, 05554000, 05554008", content=NAME_PAGES,
        praefix="Kommune", namen="ja", titel="ja", attribut="Kommune",
    )  # fmt: skip
    assert out == "[[Ahaus|Ahaus]], [[Kreis Borken|Borken]], [[Kommune 05554008|05554008]]"
    assert sets == ["#set Kommune=Ahaus;Kreis Borken;Kommune 05554008 | +sep=;"]
    out, sets = ozg(
        "seiten", "Bildung", content=NAME_PAGES, praefix="Themenfeld", titel="ja", attribut="Themenfeld"
    )
    assert (out, sets) == ("[[Bildung|Bildung]]", ["#set Themenfeld=Bildung"])


def test_a_name_is_only_taken_for_a_page_of_the_right_kind() -> None:
    """An existing page that is no Kommune ("Gescher", an article; "Bildung", a Themenfeld) is not
    taken for a Kommune: the entry becomes "Kommune <entry>" as before. Without titel=ja a bare name
    is never looked up as a title."""
    out, sets = ozg(
        "seiten", "Gescher, Bildung", content=NAME_PAGES, praefix="Kommune", namen="ja", titel="ja",
        attribut="Kommune",
    )  # fmt: skip
    assert out == "[[Kommune Gescher|Gescher]], [[Kommune Bildung|Bildung]]"
    assert sets == ["#set Kommune=Kommune Gescher;Kommune Bildung | +sep=;"]
    out, _ = ozg("seiten", "Ahaus", content=NAME_PAGES, praefix="Kommune", namen="ja", attribut="Kommune")
    assert out == "[[Kommune Ahaus|Ahaus]]"


def test_broken_or_foreign_redirects_are_not_followed() -> None:
    """A redirect to a missing page, or out of the main namespace (a link there would categorise the
    page), stands for itself."""
    out, sets = ozg(
        "seiten", "05554099, 05554098", content=NAME_PAGES, praefix="Kommune", namen="ja", attribut="Kommune"
    )
    assert out == "[[Kommune 05554099|05554099]], [[Kommune 05554098|05554098]]"
    assert "Kategorie" not in out.replace("Kommune 0555409", "")
    assert sets == ["#set Kommune=Kommune 05554099;Kommune 05554098 | +sep=;"]


def test_page_reads_per_list_are_bounded() -> None:
    """Only the first 50 entries of a list are read; the rest are linked by their ID title unread."""
    content = {f"Kommune 0555{n:04d}": f"#WEITERLEITUNG [[Ort {n}]]" for n in range(52)}
    content |= {f"Ort {n}": f"{{{{Kommune|Name=Ort {n}}}}}" for n in range(52)}
    value = ", ".join(f"0555{n:04d}" for n in range(52))
    out, _ = ozg(
        "seiten", value, content=content, praefix="Kommune", namen="ja", titel="ja", attribut="Kommune"
    )
    assert out.startswith("[[Ort 0|Ort 0]], ") and "[[Ort 49|Ort 49]], " in out
    assert out.endswith(", [[Kommune 05550050|05550050]], [[Kommune 05550051|05550051]]")
    assert LAST_READS == [50 * 3]


def test_single_page_name_keeps_commas_and_und() -> None:
    out, _ = ozg("seiten", "Rechtsverstöße - Anzeigen und Hilfen für Opfer", praefix="Lage", einzeln="ja")
    name = "Rechtsverstöße - Anzeigen und Hilfen für Opfer"
    assert out == f"[[Lage {name}|{name}]]"


def test_url() -> None:
    out, sets = ozg("url", "https://www.example.org/a?b=c", attribut="URL")
    assert out.startswith("[https://www.example.org/a?b=c ")
    assert sets == ["#set URL=https://www.example.org/a?b=c"]
    out, sets = ozg("url", "www.example.org", attribut="URL")
    assert "⚠" in out and sets == []


# ------------------------------------------------------------------------- live overview tables


ROW_COLUMNS = (
    "OZG-Leistung=titel:Name;OZG-ID=feld:OZG-ID;LeiKa-Leistungen=anzahl;Priorität=abbild:1=eins/2=zwei;"
    "Zuständigkeiten=wahl:Bund/Land/Kommunal;Themenfeld=seiten:Name;Beginn=datum"
)
ROW_PAGES = {
    "OZG-Leistung 1": "{{OZG-Leistung\n| OZG-ID = 1\n| Name = a &#124; b & [[c]]\n}}",
    "Themenfeld B": "{{Themenfeld|Name=Bildung}}",
}


def lua_row(fields: dict[str, str]) -> str:
    args = ", ".join(f"[ {lua_quote(k)} ]={lua_quote(v)}" for k, v in fields.items())
    out, _ = run_lua(
        f"require('Modul:OZG').zeile(makeFrame({{}}, {{[1]='OZG-Leistung 1', ['#userparam']="
        f"{lua_quote(ROW_COLUMNS)}, {args}}}))",
        smw=True,
        content=ROW_PAGES,
    )
    return out


def test_row_template_renders_cells_like_the_static_table() -> None:
    out = lua_row({
        "s3": "LeiKa 99012001001000#LeiKa 99008001012009", "s4": "2", "s5": "Kommunal#Bund",
        "s6": "Themenfeld Querschnitt#Themenfeld B", "s7": "Januar 2020", "s7i": "2020-01-01",
    })  # fmt: skip
    assert out.split("\n") == [
        "",
        "|-",
        "| [[OZG-Leistung 1|a &#124; b &#38; &#91;&#91;c&#93;&#93;]]",  # Name, from the page, literal
        "| 1",
        "| 2",
        "| zwei",
        "| Bund, Kommunal",  # vocabulary order, whatever order SMW printed
        "| [[Themenfeld B|Bildung]], [[Themenfeld Querschnitt|Querschnitt]]",  # by title; names or prefix cut
        '| data-sort-value="2020-01-01" | Januar 2020',
    ]


def test_row_template_leaves_empty_cells_empty_and_counts_zero() -> None:
    out = lua_row({})
    assert out.split("\n")[3:] == ["| 1", "| 0", "|", "|", "|", "|"]


def test_row_template_reads_and_links_through_a_redirect() -> None:
    """SMW hands over name titles; should a row or value still be an ID title that redirects, its data
    is read from the target and the link goes there."""
    pages = {
        "OZG-Leistung 2": "#WEITERLEITUNG [[Abbruchgenehmigung]]",
        "Abbruchgenehmigung": "{{OZG-Leistung\n| OZG-ID = 10513\n| Name = Abbruchgenehmigung\n}}",
        "Themenfeld R": "#WEITERLEITUNG [[Recht]]",
        "Recht": "{{Themenfeld|Name=Recht & Ordnung}}",
    }
    out, _ = run_lua(
        f"require('Modul:OZG').zeile(makeFrame({{}}, {{[1]='OZG-Leistung 2', ['#userparam']="
        f"{lua_quote(ROW_COLUMNS)}, s6='Themenfeld R'}}))",
        smw=True,
        content=pages,
    )
    rows = out.split("\n")
    assert rows[2:4] == ["| [[Abbruchgenehmigung|Abbruchgenehmigung]]", "| 10513"]
    assert rows[7] == "| [[Recht|Recht &#38; Ordnung]]"


def test_head_and_end_templates_open_and_close_a_sortable_table() -> None:
    head, _ = run_lua(
        f"require('Modul:OZG').kopf(makeFrame({{}}, {{['#userparam']={lua_quote(ROW_COLUMNS)}}}))", smw=True
    )
    assert head == (
        '\n{| class="wikitable sortable"\n'
        "! OZG-Leistung !! OZG-ID !! LeiKa-Leistungen !! Priorität !! Zuständigkeiten !! Themenfeld !! Beginn"
    )
    end, _ = run_lua("require('Modul:OZG').ende(makeFrame({}, {}))", smw=True)
    assert end == "\n|}"


def test_row_label_prefixes_match_the_fact_store() -> None:
    """Modul:OZG cuts the same prefixes as Facts.label when a page has no Name."""
    source = SCHEMA.template("Modul:OZG").source
    block = source.split("local LABEL_PREFIXES = {", 1)[1].split("}", 1)[0]
    from ozgwiki.render import facts

    assert re.findall(r"'([^']+)'", block) == list(facts.LABEL_PREFIXES)
