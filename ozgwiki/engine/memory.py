"""What the bot remembers between runs, so a run with nothing to do reads no page text.

A bot's transform is a pure function of the page text and of what the change carries (its
:attr:`~ozgwiki.engine.sync.PageChange.fingerprint`). So "the page whose text has SHA-1 *s* is already
what change *f* wants" is a fact that never goes stale: it holds for any later run in which the page
still has that text and the change is still *f*. The memory keeps one such fact per title; the engine
asks the wiki for the current SHA-1 of many pages at once (5,000 a request for a bot, from the same
listing that tells it which pages exist) and skips reading, transforming and saving every page whose
SHA-1 and fingerprint match.

Because every entry is checked against the wiki's own SHA-1 before it is trusted, a lost, stale,
truncated or foreign memory only costs time (the page is read as before), never correctness: a page
an editor changed has another SHA-1; a page the bot saved under a text it computed the SHA-1 of
wrongly is read once and remembered right. The code's own fingerprint is part of the file: a new
version of ozgwiki may transform differently, so it starts from an empty memory.

The file is ``<state dir>/pages.json`` (:mod:`ozgwiki.engine.state`), written atomically; two runs
writing it at once can only lose entries, not make one wrong.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

from ozgwiki.engine.state import StateStore
from ozgwiki.errors import StateError
from ozgwiki.wiki.pages import save_form

log = logging.getLogger(__name__)

NAME = "pages"
VERSION = 2
#: Facts kept per title: one per bot that writes the page (the importer's template and the
#: regeneration's sections share a Themenfeld page) and a spare for a catalogue change in between.
PER_TITLE = 4
_PACKAGE = Path(__file__).resolve().parent.parent


def fingerprint(*parts: object) -> str:
    """A short stable digest of ``parts`` (their ``repr``): what a change's transform depends on.

    The parts must have a deterministic ``repr`` -- strings, numbers, tuples, dicts in a fixed order,
    frozen dataclasses of those; never sets, whose order changes between processes.
    """
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=12).hexdigest()


def text_sha1(text: str) -> str:
    """The SHA-1 the wiki reports (``rvprop=sha1``) for a page holding ``text`` once saved."""
    return hashlib.sha1(save_form(text).encode("utf-8")).hexdigest()


@cache
def code_fingerprint() -> str:
    """A digest of the installed package's code and definitions (not its catalogue data, which reach
    the transforms only through the changes' fingerprints): another ozgwiki, another memory."""
    digest = hashlib.blake2b(digest_size=12)
    for path in sorted(_PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and "nrw" not in path.parts:
            digest.update(str(path.relative_to(_PACKAGE)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


class PageMemory:
    """Per title: (SHA-1, key) pairs, newest first -- the text the bot found converged under the
    change with that key. Two bots that own parts of one page each keep their fact, so neither makes
    the other read it again.

    ``wiki`` names the wiki the facts were learnt on (its API URL): facts are content-addressed and
    would hold elsewhere too, but a memory shared between wikis would keep only one of them.
    """

    def __init__(
        self,
        store: StateStore | None = None,
        *,
        wiki: str = "",
        entries: Mapping[str, list[list[str]]] | None = None,
    ) -> None:
        self.store = store
        self.wiki = wiki
        self._entries: dict[str, list[tuple[str, str]]] = {
            t: [(pair[0], pair[1]) for pair in pairs] for t, pairs in (entries or {}).items()
        }
        self._dirty = False

    @classmethod
    def load(cls, folder: Path, *, wiki: str) -> PageMemory:
        """The memory kept in ``folder``; an empty one when there is none, it is corrupt, or it was
        written by another version of ozgwiki or for another wiki (each only costs a full read)."""
        store = StateStore(folder)
        try:
            data = store.load(NAME)
        except StateError as exc:
            log.warning("%s; starting without page memory (this run reads every page)", exc)
            return cls(store, wiki=wiki)
        if data is None:
            return cls(store, wiki=wiki)
        if (
            data.get("version") != VERSION
            or data.get("code") != code_fingerprint()
            or data.get("wiki") != wiki
        ):
            log.info("page memory is of another ozgwiki or wiki; starting afresh")
            return cls(store, wiki=wiki)
        pages = data.get("pages")
        if not isinstance(pages, dict):
            return cls(store, wiki=wiki)
        good = {
            t: pairs
            for t, pairs in pages.items()
            if isinstance(pairs, list)
            and all(isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in pairs)
        }
        return cls(store, wiki=wiki, entries=good)

    def __len__(self) -> int:
        return len(self._entries)

    def sha1_for(self, title: str, key: str) -> str | None:
        """The SHA-1 of the text ``title`` had when the change with ``key`` last found it converged."""
        return next((sha1 for sha1, k in self._entries.get(title, ()) if k == key), None)

    def remember(self, title: str, sha1: str, key: str) -> None:
        pairs = self._entries.get(title, [])
        if pairs[:1] == [(sha1, key)]:
            return
        self._entries[title] = [(sha1, key), *(p for p in pairs if p[1] != key)][:PER_TITLE]
        self._dirty = True

    def forget(self, titles: Iterable[str], key: str | None = None) -> None:
        """Drop what is known of ``titles`` (only the facts of ``key``, if given)."""
        for title in titles:
            pairs = self._entries.get(title)
            if not pairs:
                continue
            kept = [p for p in pairs if key is not None and p[1] != key]
            if kept:
                self._entries[title] = kept
            else:
                del self._entries[title]
            self._dirty = self._dirty or kept != pairs

    def save(self) -> None:
        """Write the memory when it changed (nothing is written for a memory without a store)."""
        if not self._dirty or self.store is None:
            return
        data = {
            "version": VERSION,
            "code": code_fingerprint(),
            "wiki": self.wiki,
            "pages": {t: [list(p) for p in pairs] for t, pairs in self._entries.items()},
        }
        self.store.save(NAME, data)
        self._dirty = False
