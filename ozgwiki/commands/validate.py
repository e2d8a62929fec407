"""`ozgwiki validate`: check the LeiKa keys on editor pages and update the maintenance page.

Exit code 1 when any finding is listed (or a page needed attention), 0 when every key is valid.
``--format json`` prints JSON Lines: one object per finding (``page``, ``key``, ``status``,
``message``, ``suggestion``, ``normalized``, ``template``, ``parameter``, ``line``); the summary goes to
stderr so the output stays machine-readable.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, datetime, timedelta

from ozgwiki.commands._common import add_write_options, context, print_attention, progress
from ozgwiki.engine.bot import StepResult

_RELATIVE_RE = re.compile(r"^(\d+)\s*([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_since(value: str, *, now: datetime | None = None) -> datetime:
    """``2d``, ``12h``, ``30m`` (relative to now) or an ISO date/time (UTC unless it says otherwise)."""
    text = value.strip()
    match = _RELATIVE_RE.match(text)
    if match:
        amount, unit = int(match.group(1)), _UNITS[match.group(2)]
        return (now or datetime.now(UTC)) - timedelta(**{unit: amount})
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a time: {value!r} (use e.g. 2d, 12h, 2024-03-01 or 2024-03-01T08:00:00Z)"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "validate",
        help="check the LeiKa keys on editor pages and update the maintenance page",
        description="Check every LeiKa key on the pages editors changed since the last run (all pages "
        "on the first run) against the catalogue, and list the problems on the maintenance page "
        "(config validate.report_page). Exit code 1 when there are findings.",
    )
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--all", action="store_true", help="check every page that uses a key template")
    scope.add_argument(
        "--since",
        type=parse_since,
        metavar="ISO|2d|12h",
        help="check the pages changed since then (the stored position stays)",
    )
    p.add_argument(
        "--fix-format",
        action="store_true",
        help="rewrite keys written with spaces, dots or dashes into the normal form (minor bot edit)",
    )
    add_write_options(p)
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ozgwiki.bots import validate

    ctx = context(args)
    if args.format == "json":
        ctx.site.diff_out = sys.stderr  # dry-run diffs must not mix into the JSON Lines on stdout
    with progress(ctx, args, "validate"):
        result = validate.run(ctx, all_pages=args.all, since=args.since, fix=args.fix_format)
    print_result(result, args.format)
    return result.exit_code


def print_result(result: StepResult, fmt: str) -> None:
    """Text: the summary line and one line per finding. JSON: one finding per line; summary on stderr."""
    findings = result.data.get("findings", [])
    if fmt == "json":
        for finding in findings:
            sys.stdout.write(json.dumps(finding, ensure_ascii=False) + "\n")
        print(f"validate: {result.summary}", file=sys.stderr)
        return
    print(f"validate: {result.summary}")
    for f in findings:
        hint = f" → {f['suggestion']}" if f.get("suggestion") else ""
        print(f"  {f['page']}:{f['line']}: [{f['status']}] {f['key']!r}: {f['message']}{hint}")
    print_attention(result.report)
