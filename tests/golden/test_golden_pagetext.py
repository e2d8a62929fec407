"""Golden page edits: ``pagetext/<case>/before.wiki`` + ``change.yaml`` must give ``after.wiki`` exactly.

Both wiki files are hand-written expectations and are compared as bytes (``tests/golden/.gitattributes``
keeps their CRLF line ends). ``change.yaml`` names the function and its arguments:

* ``function: set_template_params`` with ``template``, ``params`` (null removes), optional
  ``param_order`` and ``escape: true`` (run every value through ``escape.param_value`` first);
* ``function: replace_section`` with ``name``, ``content`` and optional ``create``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import golden
import pytest
import yaml

from ozgwiki.wikitext.escape import param_value
from ozgwiki.wikitext.params import set_template_params
from ozgwiki.wikitext.sections import replace_section

CASES = golden.cases("pagetext")


def _transform(change: dict[str, object]) -> Callable[[str], str]:
    function = change["function"]
    if function == "set_template_params":
        params = dict(change["params"])  # type: ignore[call-overload]
        if change.get("escape"):
            params = {k: None if v is None else param_value(v) for k, v in params.items()}
        order = list(change.get("param_order", []))  # type: ignore[call-overload]
        return lambda text: set_template_params(text, str(change["template"]), params, param_order=order)
    if function == "replace_section":
        create = change.get("create", "bottom")
        return lambda text: replace_section(
            text,
            str(change["name"]),
            str(change["content"]),
            create=create,  # type: ignore[arg-type]
        )
    raise AssertionError(f"unknown function in change.yaml: {function!r}")


def test_there_are_enough_golden_cases() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES, ids=golden.case_id)
def test_golden(case: Path) -> None:
    transform = _transform(yaml.safe_load(golden.read(case / "change.yaml")))
    before = golden.read(case / "before.wiki")

    golden.check(case / "after.wiki", transform(before))
    after = golden.read(case / "after.wiki")
    # Applying the same change to its own result changes nothing (no churn on the next bot run).
    assert transform(after) == after
