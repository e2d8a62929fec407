"""The rules one run judges LeiKa keys by: the catalogue's key sets and whether regional keys count.

Every place that decides whether a key on a page is valid (the validate bot, the maintenance report,
the keys the regeneration bot carries into Steckbrief facts and overviews) takes one :class:`KeyRules`
value instead of three loose arguments, so the two bots cannot judge the same page differently.
Pure: the caller builds the value from a loaded catalogue and the ``validate`` settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from ozgwiki.domain.leika import KeyCheck, classify
from ozgwiki.domain.model import Catalogue


@dataclass(frozen=True)
class KeyRules:
    """What a key is checked against.

    ``known`` are the catalogue's valid keys, ``retired`` the keys it lists as aufgehoben;
    ``allow_regional`` makes 14-digit keys without ``99`` valid (``validate.allow_regional``).
    The key sets are always a real catalogue (possibly empty): a key it does not list is unknown.
    """

    known: frozenset[str] = frozenset()
    retired: frozenset[str] = frozenset()
    allow_regional: bool = False

    def __post_init__(self) -> None:
        # Callers and tests pass sets or lists; frozen sets keep the value hashable and immutable.
        object.__setattr__(self, "known", frozenset(self.known))
        object.__setattr__(self, "retired", frozenset(self.retired))

    @classmethod
    def of(cls, catalogue: Catalogue, *, allow_regional: bool = False) -> KeyRules:
        """The rules of a loaded catalogue (its known and retired keys)."""
        return cls(catalogue.known_keys, catalogue.retired_keys, allow_regional)

    def classify(self, raw: str) -> KeyCheck:
        """Judge one key candidate as an editor wrote it (see :func:`ozgwiki.domain.leika.classify`)."""
        return classify(
            raw,
            known=self.known,
            retired=self.retired,
            allow_regional=self.allow_regional,
            catalogue_given=True,
        )
