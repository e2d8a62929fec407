"""YAML with line numbers: every value remembers the line it came from.

PyYAML's ``safe_load`` forgets where things were and silently keeps the last of two equal mapping
keys. Admins edit these files by hand, so both matter: messages must point at a line, and a key
written twice (two entries for OZG-ID 10513) is an error, not a silent overwrite.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ozgwiki.catalogue.problems import Problems, read_bytes


@dataclass(frozen=True)
class Y:
    """A YAML value with its 1-based line: ``value`` is a dict[str, Y], a list[Y] or a scalar."""

    value: Any
    line: int

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)

    def get(self, key: str) -> Y | None:
        return self.value.get(key) if self.is_map else None


def read_yaml(path: Path, file: str, problems: Problems) -> Y | None:
    """Parse a UTF-8 YAML file; syntax errors, encoding errors and duplicate keys become problems."""
    data = read_bytes(path, file, problems)
    if data is None:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.error(file, line, "Kodierung", f"YAML muss UTF-8 sein (Byte 0x{data[exc.start]:02X})")
        return None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        message = f"ungültiges YAML: {exc.problem or exc.context}"
        if exc.context and exc.context_mark and exc.context_mark.line + 1 != line:
            message += f" ({exc.context} in Zeile {exc.context_mark.line + 1})"
        problems.error(file, line, "YAML", message)
        return None
    except yaml.YAMLError as exc:
        problems.error(file, 0, "YAML", f"ungültiges YAML: {exc}")
        return None
    if node is None:
        return Y({}, 1)
    return _convert(node, file, problems, SafeConstructor())


def _convert(node: Node, file: str, problems: Problems, constructor: SafeConstructor) -> Y:
    line = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        out: dict[str, Y] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node) if isinstance(key_node, ScalarNode) else None
            key_line = key_node.start_mark.line + 1
            if key is None or isinstance(key, bool):
                problems.error(file, key_line, "YAML", "Schlüssel muss ein einfacher Text sein")
                continue
            name = str(key)
            if name in out:
                problems.error(file, key_line, name, f"doppelt (schon in Zeile {out[name].line})")
                continue
            # a value's line is where its key is: that is where an editor looks
            out[name] = Y(_convert(value_node, file, problems, constructor).value, key_line)
        return Y(out, line)
    if isinstance(node, SequenceNode):
        return Y([_convert(n, file, problems, constructor) for n in node.value], line)
    return Y(constructor.construct_object(node), line)
