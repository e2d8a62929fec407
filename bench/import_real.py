"""Import the full real catalogue (the shipped ``nrw``) into a local wiki: a first (full) import and a
second one that must change nothing, each with wall time, API requests and edits sent.

    python -m bench.import_real [--dir PATH] [--port N] [--keep-running] [--sample]

By default the import goes into a wiki of its own (``/tmp/ozgwiki-bench-wiki`` on port 8093, set up
on the first run, stopped afterwards when this script started it): the real catalogue's 5,900 pages
do not belong on the shared demo wiki, whose sample import would then mark thousands of real keys
ausgemustert. Pass ``--dir .localwiki --port 8091`` to measure against the shared wiki anyway.

``--sample`` imports the shipped sample catalogue instead (for comparison; use a fresh ``--dir``, or
the sample import retires the real keys already there).

Not part of ``python -m bench`` (no ``run()``): it writes a wiki and takes minutes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from ozgwiki.bots import importer
from ozgwiki.catalogue import load
from ozgwiki.config import load_config
from ozgwiki.domain.model import Catalogue
from ozgwiki.engine.bot import BotContext
from ozgwiki.localwiki import LocalWiki
from ozgwiki.wiki.site import Site

DEFAULT_DIR = Path(tempfile.gettempdir()) / "ozgwiki-bench-wiki"
DEFAULT_PORT = 8093


def real_catalogue(folder: Path) -> Catalogue:
    """The real catalogue shipped with the package (``ozgwiki/data/nrw/``); ``folder`` is unused."""
    return load("nrw")


def one_import(label: str, wiki_config: Path, catalogue: Catalogue) -> dict[str, object]:
    """Run one import with a fresh session and print what it cost."""
    config = load_config(wiki_config)
    site = Site.from_config(config)
    site.login()
    ctx = BotContext(config, site, site.userinfo.name, lambda: catalogue)
    start = time.perf_counter()
    result = importer.run(ctx)
    seconds = time.perf_counter() - start
    stats = site.stats
    pages = len(result.report.pages)
    print(f"{label}: {seconds:.1f} s, {pages} Seiten ({pages / seconds:.1f}/s)")
    print(f"  API-Anfragen: {stats.total_requests} {dict(sorted(stats.requests.items()))}")
    print(f"  Bearbeitungen gesendet: {stats.edits_sent}; {result.summary}")
    return {"seconds": seconds, "requests": stats.total_requests, "edits": stats.edits_sent}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_real", description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"local wiki folder ({DEFAULT_DIR})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT})")
    parser.add_argument("--keep-running", action="store_true", help="leave a wiki started here running")
    parser.add_argument("--sample", action="store_true", help="import the sample catalogue instead")
    args = parser.parse_args(argv)

    wiki = LocalWiki(args.dir, args.port)
    up = wiki.up()
    print(f"Wiki {up.api_url}: {'neu installiert, ' if up.installed else ''}{up.seconds:.1f} s")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            catalogue = load() if args.sample else real_catalogue(Path(tmp))
            print(
                f"Katalog geladen in {time.perf_counter() - start:.2f} s: "
                f"{len(catalogue.ozg_leistungen)} OZG-Leistungen, {len(catalogue.leika_leistungen)} LeiKa, "
                f"{len(catalogue.kommunen)} Kommunen, {len(catalogue.lagen)} Lagen, "
                f"{len(catalogue.themenfelder)} Themenfelder"
            )
            config = wiki.directory / "ozgwiki.yaml"
            one_import("erster Import", config, catalogue)
            second = one_import("zweiter Import (nichts zu tun)", config, catalogue)
        return 0 if second["edits"] == 0 else 1
    finally:
        if up.started and not args.keep_running:
            wiki.down()


if __name__ == "__main__":
    sys.exit(main())
