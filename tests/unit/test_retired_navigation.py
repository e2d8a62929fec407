"""A navigation page earlier versions deployed and the regeneration bot writes now ("Kommunen in NRW").

tests/data/retired/ holds the two texts the deploy bot put there before (SMW and plain variant), as the
wiki stores them: an untouched one is replaced by the generated page, one a person changed is kept and
the tables are written around it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ozgwiki.bots.regenerate import transform_for
from ozgwiki.definitions.deploy import RETIRED_NAVIGATION, text_sha1, untouched_retired_navigation

DATA = Path(__file__).resolve().parents[1] / "data" / "retired"
SECTIONS = [("kopf", "Alle Kommunen."), ("duesseldorf-kreisfrei", "== Düsseldorf ==\nTabelle")]


@pytest.mark.parametrize("variant", ["smw", "plain"])
def test_the_recorded_old_texts_are_the_ones_the_rule_knows(variant: str) -> None:
    text = (DATA / f"Kommunen-in-NRW.{variant}.wiki").read_text(encoding="utf-8")
    assert text_sha1(text) in RETIRED_NAVIGATION["Kommunen in NRW"]
    assert untouched_retired_navigation("Kommunen in NRW", text)
    assert not untouched_retired_navigation("Hauptseite", text)  # only on its own title


@pytest.mark.parametrize("variant", ["smw", "plain"])
def test_an_untouched_old_text_is_replaced_and_a_changed_one_kept(variant: str) -> None:
    old = (DATA / f"Kommunen-in-NRW.{variant}.wiki").read_text(encoding="utf-8")
    transform = transform_for(SECTIONS, "Kommunen in NRW")
    fresh = transform("")
    assert transform(old) == fresh  # nothing of the outdated text is left
    changed = old + "\nEine Redakteurin ergänzte diese Zeile."
    kept = transform(changed)
    assert "Eine Redakteurin ergänzte diese Zeile." in kept and "Tabelle" in kept
    assert transform_for(SECTIONS)(old) != fresh  # without the title the rule does not apply
