"""`ozgwiki localwiki up|down|status|reset|run-jobs|seed-demo|urls`: the embedded local MediaWiki.

Thin shell around :class:`ozgwiki.localwiki.LocalWiki`: parse options, call, print a short report.
``status`` exits 0 when the wiki runs and answers, 3 otherwise, so scripts can test for it.
"""

from __future__ import annotations

import argparse

from ozgwiki.errors import EXIT_OK, EXIT_UNREACHABLE
from ozgwiki.localwiki import DEFAULT_PORT, PORT_ENV, LocalWiki, UpResult, read_accounts


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--dir",
        metavar="PATH",
        help="folder of the local wiki (default: $OZGWIKI_LOCALWIKI_DIR or ./.localwiki)",
    )
    common.add_argument(
        "--port", type=int, metavar="N", help=f"port on 127.0.0.1 (default: ${PORT_ENV} or {DEFAULT_PORT})"
    )

    p = sub.add_parser(
        "localwiki",
        help="install, start and stop the embedded local MediaWiki",
        description="Manage the embedded local MediaWiki (SQLite, German, php -S on 127.0.0.1). "
        "Writes ozgwiki.yaml, bot.secret and accounts.json into its folder.",
    )
    actions = p.add_subparsers(dest="localwiki_command", metavar="ACTION", required=True)

    up = actions.add_parser(
        "up",
        parents=[common],
        help="install if needed, start if stopped, wait until ready (idempotent)",
        description="Install MediaWiki (Debian packages when missing), create the accounts Admin, "
        "OzgBot and Redakteurin, start the server and wait until its API answers. On a running wiki "
        "this only checks it.",
    )
    up.add_argument(
        "--job-queue-lag-factor",
        type=int,
        metavar="N",
        help="count the job queue as maxlag ($wgJobQueueIncludeInMaxLagFactor = N); "
        "off unless given, and off again after the next `up` without it",
    )
    up.set_defaults(func=_up)

    down = actions.add_parser("down", parents=[common], help="stop the server (keeps all data)")
    down.set_defaults(func=_down)

    status = actions.add_parser(
        "status",
        parents=[common],
        help="set up? running? MediaWiki version, Semantic MediaWiki / Page Forms? (exit 0 running, 3 not)",
    )
    status.set_defaults(func=_status)

    reset = actions.add_parser(
        "reset",
        parents=[common],
        help="stop, delete the folder's content (database, accounts), install and start afresh",
    )
    reset.set_defaults(func=_reset)

    jobs = actions.add_parser(
        "run-jobs",
        parents=[common],
        help="run the job queue now (api.php never does; run after a bot run)",
    )
    jobs.add_argument("--max-jobs", type=int, metavar="N", help="stop after N jobs")
    jobs.add_argument("--max-time", type=int, metavar="SECONDS", help="stop after this many seconds")
    jobs.set_defaults(func=_run_jobs)

    seed = actions.add_parser(
        "seed-demo",
        parents=[common],
        help="as the editor account, create the demo's Steckbriefe (once; existing pages are left alone)",
    )
    seed.set_defaults(func=_seed_demo)

    urls = actions.add_parser(
        "urls", parents=[common], help="print the URLs of the pages a demo reader should open"
    )
    urls.set_defaults(func=_urls)


def _wiki(args: argparse.Namespace) -> LocalWiki:
    return LocalWiki(args.dir, args.port, job_queue_lag_factor=getattr(args, "job_queue_lag_factor", None))


def _report_up(wiki: LocalWiki, result: UpResult) -> None:
    if result.installed:
        what = f"installed and started {result.generator}"
    elif result.started:
        what = f"started {result.generator}"
    else:
        what = f"already running ({result.generator})"
    print(f"local wiki: {what} in {result.seconds:.2f} s")
    print(f"  api:      {result.api_url} (pid {result.pid})")
    print(f"  accounts: {wiki.path('accounts.json')}")
    print(f"  config:   {wiki.path('ozgwiki.yaml')}")


def _up(args: argparse.Namespace) -> int:
    wiki = _wiki(args)
    _report_up(wiki, wiki.up())
    return EXIT_OK


def _down(args: argparse.Namespace) -> int:
    wiki = _wiki(args)
    print("local wiki: stopped" if wiki.down() else "local wiki: was not running")
    return EXIT_OK


def _reset(args: argparse.Namespace) -> int:
    wiki = _wiki(args)
    _report_up(wiki, wiki.reset())
    return EXIT_OK


def _status(args: argparse.Namespace) -> int:
    st = _wiki(args).status()
    print(f"folder:             {st.directory} ({'set up' if st.set_up else 'not set up'})")
    if st.running:
        print(f"running:            yes, pid {st.pid}, {st.api_url}")
    elif st.pid is not None:
        print(f"running:            process {st.pid} is alive but does not answer: {st.error}")
    else:
        print("running:            no")
    if st.running:
        print(f"MediaWiki:          {st.generator}")
        print(f"Semantic MediaWiki: {'installed' if st.extensions.smw else 'not installed'}")
        print(f"Page Forms:         {'installed' if st.extensions.pageforms else 'not installed'}")
    return EXIT_OK if st.running else EXIT_UNREACHABLE


def _run_jobs(args: argparse.Namespace) -> int:
    result = _wiki(args).run_jobs(max_jobs=args.max_jobs, max_time=args.max_time)
    print(f"jobs run: {result.jobs} ({result.failed} failed); stopped because: {result.reached or 'done'}")
    return EXIT_OK


def _seed_demo(args: argparse.Namespace) -> int:
    from ozgwiki import demo

    wiki = _wiki(args)
    report = demo.seed(demo.editor_site(read_accounts(wiki.path("accounts.json"))))
    counts = report.counts()
    print(f"demo pages: {counts['created']} created, {counts['skipped']} already there")
    return EXIT_OK


def _urls(args: argparse.Namespace) -> int:
    from ozgwiki import demo
    from ozgwiki.config import load_config

    wiki = _wiki(args)
    accounts = read_accounts(wiki.path("accounts.json"))
    report_page = load_config(wiki.path("ozgwiki.yaml")).validate.report_page
    pages = [*demo.LOOK_AT, ("Wartungsseite LeiKa-Schlüssel", report_page)]
    width = max(len(label) for label, _ in pages)
    print("Open in a browser:")
    for label, title in pages:
        print(f"  {label:<{width}}  {demo.page_url(accounts.index_url, title)}")
    return EXIT_OK
