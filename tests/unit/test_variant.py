"""ozgwiki.definitions.variant: marker blocks are kept or dropped, markers never reach the wiki."""

from __future__ import annotations

import pytest

from ozgwiki.definitions.variant import VariantError, check, render

CASES = [
    # id, source, smw, pageforms, expected
    ("whole-line block kept", "a\n<!--SMW-->\nb\n<!--/SMW-->\nc\n", True, False, "a\nb\nc\n"),
    ("whole-line block dropped", "a\n<!--SMW-->\nb\n<!--/SMW-->\nc\n", False, False, "a\nc\n"),
    ("inline block kept", "x<!--SMW-->y<!--/SMW-->z", True, False, "xyz"),
    ("inline block dropped", "x<!--SMW-->y<!--/SMW-->z", False, False, "xz"),
    (
        "else-branch without smw",
        "<!--SMW-->\non\n<!--/SMW-->\n<!--OHNE-SMW-->\noff\n<!--/OHNE-SMW-->\n",
        False,
        False,
        "off\n",
    ),
    (
        "else-branch with smw",
        "<!--SMW-->\non\n<!--/SMW-->\n<!--OHNE-SMW-->\noff\n<!--/OHNE-SMW-->\n",
        True,
        False,
        "on\n",
    ),
    ("pageforms kept", "a<!--PAGEFORMS--> b<!--/PAGEFORMS-->", False, True, "a b"),
    ("pageforms dropped", "a<!--PAGEFORMS--> b<!--/PAGEFORMS-->", True, False, "a"),
    ("ohne-pageforms", "<!--OHNE-PAGEFORMS-->x<!--/OHNE-PAGEFORMS-->", False, False, "x"),
    (
        "lua comment markers",
        "--<!--SMW-->\nlocal SMW = true\n--<!--/SMW-->\n-- <!--OHNE-SMW-->\n"
        "local SMW = false\n-- <!--/OHNE-SMW-->\nreturn p\n",
        True,
        False,
        "local SMW = true\nreturn p\n",
    ),
    ("marker at end of file", "a\n<!--SMW-->\nb\n<!--/SMW-->", False, False, "a\n"),
    (
        "other comments untouched",
        "<!-- ozgwiki:begin x -->\n<!-- note -->",
        False,
        False,
        "<!-- ozgwiki:begin x -->\n<!-- note -->",
    ),
    ("no markers", "{{#invoke:OZG|wert|x}}", False, False, "{{#invoke:OZG|wert|x}}"),
]


@pytest.mark.parametrize(
    ("source", "smw", "pageforms", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_render(source: str, smw: bool, pageforms: bool, expected: str) -> None:
    assert render(source, smw=smw, pageforms=pageforms) == expected


BROKEN = [
    ("unclosed", "<!--SMW-->x", "never closed"),
    ("close without open", "x<!--/SMW-->", "without a matching"),
    ("nested", "<!--SMW--><!--PAGEFORMS-->x<!--/PAGEFORMS--><!--/SMW-->", "do not nest"),
    ("mismatched", "<!--SMW-->x<!--/OHNE-SMW-->", "without a matching"),
    ("unknown marker", "<!--SMV-->x<!--/SMV-->", "unknown variant marker"),
]


@pytest.mark.parametrize(("source", "message"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_malformed_markers_raise_and_name_the_file(source: str, message: str) -> None:
    with pytest.raises(VariantError, match=message) as info:
        check(source, source="templates/X.wiki")
    assert "templates/X.wiki" in str(info.value)


def test_markers_never_survive() -> None:
    source = (
        "a<!--SMW-->b<!--/SMW--><!--OHNE-SMW-->c<!--/OHNE-SMW-->\n<!--PAGEFORMS-->\nd\n<!--/PAGEFORMS-->\n"
    )
    for smw in (True, False):
        for pageforms in (True, False):
            out = render(source, smw=smw, pageforms=pageforms)
            assert "SMW-->" not in out
            assert "PAGEFORMS-->" not in out
