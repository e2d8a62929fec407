"""The layers of docs/architecture.md hold: every import in ozgwiki/ is one the table there allows.

The rules live in the document, not here, so the drawing people read and the rule the build enforces
cannot drift apart: this test parses the "Import rules" table and walks every ``import`` statement in the
package, those inside functions included (a lazy import is still a dependency).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "ozgwiki"
PURE = ("domain", "wikitext", "definitions", "render")
IMPURE_LIBRARIES = ("requests", "mwclient", "urllib3", "socket", "subprocess")


def rules() -> dict[str, set[str]]:
    """layer -> what it may import, from the table under "### Import rules"."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("### Import rules", 1)[1].split("\n#", 1)[0]
    table: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`"):
            table[cells[0].strip("`")] = set(re.findall(r"`([\w.]+)`", cells[1]))
    return table


def layer_of(module: str) -> str:
    """``ozgwiki.wiki.site`` -> ``wiki``; ``ozgwiki.config`` -> ``config``."""
    return module.split(".")[1]


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module or ``module.name``) for every import in the file, absolute or relative."""
    module = ".".join(path.relative_to(REPO).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    package = package.removesuffix(".__init__")
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            found += [(node.lineno, f"{base}.{a.name}") for a in node.names]
    return found


def allowed(source_layer: str, target: str, table: dict[str, set[str]]) -> bool:
    """May ``source_layer`` import ``target`` (``ozgwiki.x.y`` or ``ozgwiki.x.y.Name``)?"""
    parts = target.split(".")
    if parts[:2] == ["ozgwiki", "__version__"]:
        return True
    target_layer = parts[1]
    if target_layer == source_layer:
        return True
    may = table[source_layer]
    return target_layer in may or ".".join(parts[1:3]) in may


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.glob("**/*.py"))


def test_the_table_names_every_layer_of_the_package() -> None:
    """A new sub-package or top-level module must be placed in the drawing before it may import."""
    layers = {layer_of(".".join(p.relative_to(REPO).with_suffix("").parts)) for p in modules()}
    layers.discard("__init__")
    assert layers - set(rules()) == set(), "layers missing from docs/architecture.md"
    assert set(rules()) - layers == set(), "the table names layers that do not exist"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_imports_follow_the_layers(path: Path) -> None:
    module = ".".join(path.relative_to(REPO).with_suffix("").parts)
    if module == "ozgwiki.__init__":
        return
    source = layer_of(module)
    table = rules()
    wrong = [
        f"line {line}: {target}"
        for line, target in imports(path)
        if target.startswith("ozgwiki.") and not allowed(source, target, table)
    ]
    if source in PURE:
        wrong += [
            f"line {line}: {target} (a pure layer does no I/O)"
            for line, target in imports(path)
            if target.split(".")[0] in IMPURE_LIBRARIES or target.startswith("ozgwiki.config")
        ]
    assert wrong == [], f"{source} may import only {sorted(table[source])}"


def test_the_rule_check_catches_a_violation() -> None:
    """The checker itself: a render module importing the site client is refused."""
    table = rules()
    assert not allowed("render", "ozgwiki.wiki.site.Site", table)
    assert not allowed("domain", "ozgwiki.wikitext.parse", table)
    assert allowed("definitions", "ozgwiki.wiki.pages.PageState", table)
    assert not allowed("definitions", "ozgwiki.wiki.site.Site", table)
    assert allowed("bots", "ozgwiki.engine.sync.PageChange", table)


def raw_queries(source: str) -> list[int]:
    """Lines that call ``<something>site.api(...)`` or ``.query(...)``: a raw API request."""
    hits = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if node.func.attr in ("api", "query") and name.endswith("site"):
                hits.append(node.lineno)
    return hits


def test_only_the_client_sends_raw_queries() -> None:
    """Bots, the engine and the commands ask the wiki through the client's named listings."""
    outside = [p for p in modules() if "wiki" not in p.relative_to(PACKAGE).parts[:1]]
    found = {str(p.relative_to(REPO)): raw_queries(p.read_text(encoding="utf-8")) for p in outside}
    assert {k: v for k, v in found.items() if v} == {}
    sample = "for b in ctx.site.query(list='allpages'):\n    site.api('query', meta='siteinfo')\n"
    assert raw_queries(sample) == [1, 2], "the checker finds raw queries"
