"""``ozgwiki run``: the cron job -- deploy, import, validate, regenerate (see
:mod:`ozgwiki.engine.runner`)."""

from __future__ import annotations

import argparse
import dataclasses
import sys

from ozgwiki.commands._common import add_write_options, load, terminal
from ozgwiki.commands._rails import add_override_option
from ozgwiki.engine.runner import STEP_NAMES, Step, execute, select

#: The steps that stop before writing when they would destroy too much (ozgwiki.engine.rails).
RAILED_STEPS = frozenset({"import", "regenerate"})

EPILOG = """\
exit codes:
  0  every step ran, nothing to look at
  1  findings, skipped or conflicting pages, or admin-changed pages deploy refused (see the report)
  2  configuration, catalogue or login error, missing wiki extension, an internal error, or a
     safety rail: the import would retire (or regenerate empty) more than import.max_retire_share
     of the keys (tables) -- nothing written; --allow-mass-retire if that is meant
  3  could not run now: wiki unreachable, the time budget (run.budget_minutes) is used up, the switch
     page (run.stop_page, default Benutzer:<bot>/Notaus) does not say "an", or another run still
     holds the lock. The next scheduled run tries again.

A failing step stops the run; findings do not. Never prompts. Details: docs/cron.md.
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "run",
        help="the cron job: deploy, import, validate, regenerate in a row",
        description="Run the bots in order (deploy, import, validate, regenerate) under a run lock, a "
        "time budget and the on-wiki switch page; one summary line per step, one exit code.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_write_options(p)
    p.add_argument(
        "--log-file",
        metavar="PATH",
        help="append the run's log here (default: run.log_file, else <state dir>/ozgwiki-run.log)",
    )
    p.add_argument(
        "--only",
        nargs="+",
        choices=STEP_NAMES,
        metavar="STEP",
        help=f"run only these steps, still in the usual order ({', '.join(STEP_NAMES)})",
    )
    add_override_option(p)
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    config = load(args)
    steps = select(_steps(), args.only)
    if args.allow_mass_retire:  # the admin lifts the rails of the steps that have them
        steps = tuple(
            dataclasses.replace(s, options={**s.options, "allow_mass_retire": True})
            if s.name in RAILED_STEPS
            else s
            for s in steps
        )
    screen = terminal(args)
    if screen is None:  # cron: not a byte more than before
        report = execute(config, steps=steps, dry_run=args.dry_run, fmt=args.format, log_file=args.log_file)
        return report.exit_code
    with screen.clearing_logs():  # one progress line per step, erased before the step's summary line
        report = execute(
            config, steps=steps, dry_run=args.dry_run, fmt=args.format, log_file=args.log_file,
            out=screen.guarded(sys.stdout), progress=screen.progress,
        )  # fmt: skip
    return report.exit_code


def _steps() -> tuple[Step, ...]:
    """The step table, looked up at call time so tests can replace ``ozgwiki.bots.steps.STEPS``."""
    from ozgwiki.bots import steps

    return steps.STEPS
