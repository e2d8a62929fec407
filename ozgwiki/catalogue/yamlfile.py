"""YAML with line numbers: every value remembers the line it came from — and YAML that is plain data.

PyYAML's ``safe_load`` forgets where things were and silently keeps the last of two equal mapping
keys. Admins edit these files by hand, so both matter: messages must point at a line, and a key
written twice (two entries for OZG-ID 10513) is an error, not a silent overwrite.

"Safe" in PyYAML means "no Python objects", not "cheap" or "plain": anchors and aliases expand a
few hundred bytes into gigabytes (billion laughs) or into a structure that contains itself, merge
keys (``<<``) and tags (``!!python/…``, ``!!binary``) are features no catalogue needs, deep nesting
exhausts the recursion limit and a 5,000-digit integer exceeds Python's conversion limit. The
catalogue files are data an admin types, so :class:`DataLoader` refuses all of that while
composing — at the first offending event, in well under a second and with memory bounded by
:data:`MAX_YAML_BYTES` — and each refusal is one ``file:line: YAML: …`` problem in German.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.error import Mark
from yaml.events import AliasEvent, NodeEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ozgwiki.catalogue.problems import Problems, read_bytes

#: The manifest and the supplements are hand-written; the biggest real one is a few kB. 2 MB is
#: hundreds of times that, and PyYAML still composes it in a few seconds.
MAX_YAML_BYTES = 2 * 2**20
#: Catalogue YAML nests four levels (section → entry → field → list); anything deeper is a mistake.
MAX_DEPTH = 50
#: The longest number a catalogue holds is a 14-digit LeiKa key.
MAX_INT_DIGITS = 30

_INT = "tag:yaml.org,2002:int"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SPECIAL = {"tag:yaml.org,2002:merge": "<<", "tag:yaml.org,2002:value": "="}
# A YAML 1.1 integer that reads as what it looks like: 0, or digits without a leading zero.
_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")


@dataclass(frozen=True)
class Y:
    """A YAML value with its 1-based line: ``value`` is a dict[str, Y], a list[Y] or a scalar.

    ``text`` is a scalar as the file spells it (``1.10``, ``yes``): a text field keeps what the admin
    wrote instead of what YAML made of it (``1.1``, ``True``).
    """

    value: Any
    line: int
    text: str | None = None

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)

    def get(self, key: str) -> Y | None:
        return self.value.get(key) if self.is_map else None


class Refused(yaml.YAMLError):
    """The YAML is well-formed but not plain data; ``mark`` is where, ``message`` says why (German)."""

    def __init__(self, mark: Mark | None, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class DataLoader(yaml.SafeLoader):
    """A SafeLoader for plain data: no anchors, aliases, tags or merge keys; bounded depth and numbers.

    The checks run on parser events and composed scalars, before anything is expanded or
    constructed, so a YAML bomb is refused at its first anchor.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: object) -> Node | None:
        event = self.peek_event()
        mark = event.start_mark
        if isinstance(event, AliasEvent):
            raise Refused(mark, f"Verweise (*{event.anchor}) sind nicht erlaubt; Werte ausschreiben")
        if isinstance(event, NodeEvent) and event.anchor is not None:
            raise Refused(mark, f"Anker (&{event.anchor}) sind nicht erlaubt; Werte ausschreiben")
        tag = getattr(event, "tag", None)
        if tag is not None:
            raise Refused(mark, f"Typangaben wie „{tag}“ sind nicht erlaubt; Text in Anführungszeichen")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise Refused(mark, f"zu tief verschachtelt (mehr als {MAX_DEPTH} Ebenen)")
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1

    def fetch_flow_collection_start(self, token_class: type) -> None:
        # The scanner looks far ahead inside "[[[[…": stop it there, not only when composing.
        if self.flow_level >= MAX_DEPTH:
            raise Refused(self.get_mark(), f"zu tief verschachtelt (mehr als {MAX_DEPTH} Ebenen)")
        super().fetch_flow_collection_start(token_class)

    def compose_scalar_node(self, anchor: str | None) -> ScalarNode:
        node: ScalarNode = super().compose_scalar_node(anchor)
        problem = scalar_problem(node)
        if problem is not None:
            raise Refused(node.start_mark, problem)
        return node


def scalar_problem(node: ScalarNode) -> str | None:
    """Why a plain scalar is not a value a catalogue can hold, or None.

    Checked on the source text, before PyYAML converts it: ``int("1" * 5000)`` raises, ``010513`` is
    YAML 1.1 octal (4427) and ``1_0513`` is 10513, both silently; ``2019-13-45`` fails as a date.
    """
    if node.tag in _SPECIAL:
        return (
            f"„{node.value}“ hat in YAML eine Sonderbedeutung (Zusammenführen/Standardwert) und ist nicht "
            "erlaubt; Angaben ausschreiben oder in Anführungszeichen setzen"
        )
    if node.tag == _INT:
        digits = sum(ch.isdigit() for ch in node.value)
        if digits > MAX_INT_DIGITS:
            return f"Zahl mit {digits} Ziffern (höchstens {MAX_INT_DIGITS})"
        if not _PLAIN_INT.fullmatch(node.value):
            return (
                f"„{node.value}“ ist als Zahl mehrdeutig (YAML liest {_construct(node)}); "
                "in Anführungszeichen setzen"
            )
    if node.tag == _TIMESTAMP:
        try:
            _construct(node)
        except (ValueError, ConstructorError):
            return f"„{node.value}“ ist kein gültiges Datum; in Anführungszeichen setzen, wenn es Text ist"
    return None


def _construct(node: ScalarNode) -> Any:
    return SafeConstructor().construct_object(node)


def read_yaml(path: Path, file: str, problems: Problems) -> Y | None:
    """Parse a UTF-8 YAML file; syntax errors, encoding errors and duplicate keys become problems."""
    data = read_bytes(path, file, problems, limit=MAX_YAML_BYTES)
    if data is None:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.error(file, line, "Kodierung", f"YAML muss UTF-8 sein (Byte 0x{data[exc.start]:02X})")
        return None
    try:
        node = yaml.compose(text, Loader=DataLoader)
    except Refused as exc:
        problems.error(file, exc.mark.line + 1 if exc.mark else 0, "YAML", exc.message)
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        message = f"ungültiges YAML: {exc.problem or exc.context}"
        if exc.context and exc.context_mark and exc.context_mark.line + 1 != line:
            message += f" ({exc.context} in Zeile {exc.context_mark.line + 1})"
        problems.error(file, line, "YAML", message)
        return None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        problems.error(file, line, "YAML", f"ungültiges Zeichen U+{char:04X} (Steuerzeichen?)")
        return None
    except yaml.YAMLError as exc:
        problems.error(file, 0, "YAML", f"ungültiges YAML: {exc}")
        return None
    if node is None:
        return Y({}, 1)
    return _convert(node, file, problems, SafeConstructor())


def _key_text(node: ScalarNode, constructor: SafeConstructor) -> str | None:
    """A mapping key as text: numbers as written (``10513``), other scalars as YAML reads them.

    None for keys that are no names: ``~``/empty, ``yes``/``no``.
    """
    if node.tag in (_INT, "tag:yaml.org,2002:float"):
        return str(node.value)
    key = constructor.construct_object(node)
    if key is None or isinstance(key, bool):
        return None
    return str(key)


def _convert(node: Node, file: str, problems: Problems, constructor: SafeConstructor) -> Y:
    line = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        out: dict[str, Y] = {}
        for key_node, value_node in node.value:
            key = _key_text(key_node, constructor) if isinstance(key_node, ScalarNode) else None
            key_line = key_node.start_mark.line + 1
            if key is None:
                problems.error(file, key_line, "YAML", "Schlüssel muss ein einfacher Text sein")
                continue
            if key in out:
                problems.error(file, key_line, key, f"doppelt (schon in Zeile {out[key].line})")
                continue
            # a value's line is where its key is: that is where an editor looks
            value = _convert(value_node, file, problems, constructor)
            out[key] = Y(value.value, key_line, value.text)
        return Y(out, line)
    if isinstance(node, SequenceNode):
        return Y([_convert(n, file, problems, constructor) for n in node.value], line)
    assert isinstance(node, ScalarNode)
    return Y(constructor.construct_object(node), line, node.value)
