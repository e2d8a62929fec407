"""`ozgwiki validate`: placeholder until its module lands."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("validate", help="(not yet implemented)")
    p.set_defaults(func=lambda args: 2)
