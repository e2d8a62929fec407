"""`ozgwiki leika check KEY...` and `ozgwiki leika scan FILE|-`: check LeiKa keys without a wiki.

Editors and admins use these to see what the bots will think of a key or a page before saving it.
Exit codes: 0 every key is fine, 1 at least one finding, 2 usage or I/O error (an unreadable file or
catalogue raises a project error, which the CLI prints as one line).

Keys are looked up in a catalogue: ``--catalogue PATH`` (anything
:func:`ozgwiki.catalogue.source.resolve` recognises: a manifest, the Umsetzungskatalog table, a
folder of KDN files, ``sample`` or ``nrw``), else the one the configuration names, else the sample
shipped with the package; ``--supplement`` adds retired keys (and ``--kommunen`` is accepted like
everywhere a catalogue is loaded). ``--no-catalogue`` checks the format only (no key is "unknown").
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Container, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ozgwiki.commands.catalogue import add_source_options
from ozgwiki.domain.leika import KeyCheck, classify
from ozgwiki.errors import EXIT_FINDINGS, EXIT_OK, ConfigError
from ozgwiki.wikitext.extract import KeyFinding, extract_keys


@dataclass(frozen=True)
class _KeySets:
    """What the classifier is checked against; ``given`` is false for a format-only check."""

    known: Container[str]
    retired: Container[str]
    given: bool


def _load_catalogue(
    path: str | None,
    config_path: str | None = None,
    *,
    use: bool = True,
    kommunen: str | None = None,
    supplement: Sequence[str] | None = None,
) -> _KeySets:
    """Load the catalogue's key sets; the one seam tests replace.

    ``path`` wins; without it the configured catalogue is used (the sample when no configuration
    exists or it names none); ``kommunen`` and ``supplement`` are read beside either. The loader is
    imported here, not at module level, so a format-only check (``use=False``) works even when the
    catalogue package cannot be imported.
    """
    if not use:
        return _KeySets(frozenset(), frozenset(), given=False)
    try:
        from ozgwiki.catalogue import load, load_from_config
        from ozgwiki.config import load_config
    except ImportError as exc:
        raise ConfigError(f"der Katalog kann nicht geladen werden: {exc}") from exc
    if path is not None:
        catalogue = load(path, kommunen, supplement)
    else:
        try:
            config = load_config(config_path)
        except ConfigError:
            if config_path:
                raise
            catalogue = load(None, kommunen, supplement)  # no configuration anywhere: the shipped sample
        else:
            catalogue = load_from_config(config, kommunen, supplement)
    return _KeySets(catalogue.known_keys, catalogue.retired_keys, given=True)


def _keys(args: argparse.Namespace) -> _KeySets:
    """The key sets for a command; --kommunen/--supplement are passed only when given (the seam's
    older callers and test doubles take path, config_path and use)."""
    extra: dict[str, Any] = {}
    if args.kommunen or args.supplement:
        if args.no_catalogue:
            raise ConfigError("--kommunen und --supplement gehören zu einem Katalog, nicht zu --no-catalogue")
        extra = {"kommunen": args.kommunen, "supplement": args.supplement}
    return _load_catalogue(args.catalogue, args.config, use=not args.no_catalogue, **extra)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``leika check`` and ``leika scan``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    common.add_argument(
        "--allow-regional",
        action="store_true",
        help="accept 14-digit keys that do not start with 99 (regional keys)",
    )
    source = common.add_mutually_exclusive_group()
    source.add_argument(
        "--catalogue",
        metavar="PATH",
        help="look keys up in this catalogue: a manifest (catalogue.yaml), the Umsetzungskatalog table "
        "(.csv, .xlsx), a folder with the KDN files, or sample / nrw (default: the configured one, else "
        "the shipped sample)",
    )
    source.add_argument(
        "--no-catalogue",
        action="store_true",
        help="check the format only; no key is reported as unknown",
    )
    add_source_options(common)

    parser = sub.add_parser(
        "leika",
        help="check LeiKa keys (format, catalogue) and find them in wikitext",
        description="Check LeiKa keys. Exit codes: 0 all keys fine, 1 findings, 2 usage/IO error.",
    )
    leika_sub = parser.add_subparsers(dest="leika_command", metavar="COMMAND", required=True)

    check = leika_sub.add_parser("check", parents=[common], help="check keys given on the command line")
    check.add_argument("keys", nargs="+", metavar="KEY", help="a key as an editor typed it")
    check.set_defaults(func=_run_check)

    scan = leika_sub.add_parser(
        "scan",
        parents=[common],
        help="find and check every key in wikitext",
        description="Find every LeiKa key in a page's wikitext and check it. A key in a parameter "
        "that is repeated later in the same template counts as a finding: MediaWiki does not show it.",
    )
    scan.add_argument("file", metavar="FILE|-", help="wikitext file, or - for standard input")
    scan.set_defaults(func=_run_scan)


def _classify(raw: str, keys: _KeySets, allow_regional: bool) -> KeyCheck:
    return classify(
        raw,
        known=keys.known,
        retired=keys.retired,
        allow_regional=allow_regional,
        catalogue_given=keys.given,
    )


def _check_record(check: KeyCheck) -> dict[str, Any]:
    return {
        "key": check.raw,
        "normalized": check.key,
        "status": check.status.value,
        "ok": check.ok,
        "message": check.message,
        "suggestion": check.suggestion,
        "changes": list(check.changes),
    }


def _print_json(records: Sequence[dict[str, Any]]) -> None:
    print(json.dumps(list(records), ensure_ascii=False, indent=2))


def _summary(total: int, bad: int) -> str:
    if total == 0:
        return "Keine LeiKa-Schlüssel gefunden."
    return f"{total} Schlüssel geprüft: {total - bad} in Ordnung, {bad} mit Befund."


def _run_check(args: argparse.Namespace) -> int:
    keys = _keys(args)
    checks = [_classify(raw, keys, args.allow_regional) for raw in args.keys]
    bad = sum(1 for c in checks if not c.ok)
    if args.format == "json":
        _print_json([_check_record(c) for c in checks])
    else:
        for c in checks:
            print(f"„{c.raw}“: {c.status.label} – {c.message}")
        print(_summary(len(checks), bad))
    return EXIT_FINDINGS if bad else EXIT_OK


def _read_wikitext(source: str) -> str:
    """The wikitext from a file or stdin; unreadable input is a ConfigError (one line, exit 2)."""
    try:
        if source == "-":
            return sys.stdin.read()
        return Path(source).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"„{source}“ ist keine UTF-8-Textdatei ({exc.reason})") from exc
    except OSError as exc:
        raise ConfigError(f"die Datei „{source}“ kann nicht gelesen werden: {exc.strerror or exc}") from exc


_SHADOWED_NOTE = (
    "Der Parameter kommt in dieser Vorlage später noch einmal vor; MediaWiki zeigt nur den letzten, "
    "dieser Wert erscheint nicht auf der Seite."
)


def _run_scan(args: argparse.Namespace) -> int:
    text = _read_wikitext(args.file)
    keys = _keys(args)
    results: list[tuple[KeyFinding, KeyCheck]] = [
        (f, _classify(f.raw, keys, args.allow_regional)) for f in extract_keys(text)
    ]
    bad = sum(1 for f, c in results if not c.ok or f.shadowed)
    if args.format == "json":
        records = []
        for finding, check in results:
            record = _check_record(check)
            record.update(
                line=finding.line,
                template=finding.template,
                parameter=finding.parameter,
                offset=finding.offset,
                shadowed=finding.shadowed,
            )
            records.append(record)
        _print_json(records)
    else:
        for finding, check in results:
            where = f"Zeile {finding.line}, {{{{{finding.template}}}}}, Parameter „{finding.parameter}“"
            print(f"{where}: „{finding.raw}“: {check.status.label} – {check.message}")
            if finding.shadowed:
                print(f"    {_SHADOWED_NOTE}")
        print(_summary(len(results), bad))
    return EXIT_FINDINGS if bad else EXIT_OK
