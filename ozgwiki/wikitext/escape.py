"""What goes into a generated table cell: a value shown literally, a link with a literal label. Pure.

One rule for every table the bots generate (the overviews and the roadmap's month grid), in a module
of its own so both can use it without importing each other.
"""

from __future__ import annotations

import re

_ENTITY = re.compile(r"&(#?\w+;)")
_ESCAPES = (
    ("|", "&#124;"), ("[", "&#91;"), ("]", "&#93;"), ("{", "&#123;"), ("}", "&#125;"),
    ("<", "&lt;"), (">", "&gt;"), ("'", "&#39;"), ("~", "&#126;"), ("_", "&#95;"),
)  # fmt: skip


def escape(text: str) -> str:
    """Make a value show literally in a table cell: no cell breaks, links, templates or markup."""
    text = _ENTITY.sub(r"&amp;\1", text)
    for ch, entity in _ESCAPES:
        text = text.replace(ch, entity)
    return text


def link(title: str, label: str) -> str:
    """``[[title|label]]`` with a label that shows literally."""
    return f"[[{title}|{escape(label)}]]"
