"""The one option that lifts the safety rails (``ozgwiki.engine.rails``), shared by import, regenerate,
run."""

from __future__ import annotations

import argparse

from ozgwiki.engine.rails import OVERRIDE


def add_override_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        OVERRIDE,
        dest="allow_mass_retire",
        action="store_true",
        help="proceed although the run would retire more than import.max_retire_share of the keys "
        "or empty that share of the overview tables (default: stop before writing)",
    )
