"""``ozgwiki run``: the cron job. The four bots in a row, one summary line each, one exit code.

Order: deploy (templates and properties, so the pages below render), import (the catalogue), validate
(the keys editors wrote), regenerate (overview pages from all of it). Each step is a bot's
``run(ctx, **options) -> StepResult`` (see :mod:`ozgwiki.engine.bot`); their table is
:mod:`ozgwiki.bots.steps`, handed in by ``ozgwiki run``.

How steps combine:

- a step with findings or skipped pages (exit 1) does not stop the run: later steps still bring their
  pages up to date, and the admin reads every finding in one report;
- a step that raises stops the run; its error's exit code wins (2 configuration / catalogue / login /
  missing extension, 3 wiki unreachable, switch page off, time budget);
- otherwise the run's exit code is the highest of its steps' codes.

Around the steps (:func:`execute`): the run lock (:mod:`ozgwiki.engine.lock`), a log file, the login, the
on-wiki
switch page installed as the site's write guard (:mod:`ozgwiki.engine.switch`), and the time budget -- checked
between steps and, through the same write guard, before every write, so an overlong run stops after
the page it is on.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import IO, Any

from ozgwiki.config import Config
from ozgwiki.engine.bot import BotContext, StepResult
from ozgwiki.engine.lock import LOCK_NAME, RunLock, RunLocked
from ozgwiki.engine.state import state_dir as shared_state_dir
from ozgwiki.engine.switch import (
    CREATE_SUMMARY,
    INITIAL_TEXT,
    BotStopped,
    SwitchReader,
    SwitchState,
    WriteGuard,
    stop_page_title,
)
from ozgwiki.engine.sync import Progress
from ozgwiki.errors import (
    EXIT_CONFIG,
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_UNREACHABLE,
    ConfigError,
    OzgwikiError,
    RunBudgetExceeded,
)
from ozgwiki.wiki.site import Site

log = logging.getLogger(__name__)

LOG_NAME = "ozgwiki-run.log"
#: The log file is rotated at this size, keeping LOG_BACKUPS old files: a cron job every 30 minutes
#: must not fill a disk. Unchanged pages are not logged (see _SkipUnchanged), so weeks of history fit.
LOG_MAX_BYTES = 10_000_000
LOG_BACKUPS = 10
STATUS_WORDS = {
    EXIT_OK: "ok", EXIT_FINDINGS: "findings", EXIT_CONFIG: "error", EXIT_UNREACHABLE: "incomplete",
}  # fmt: skip


StepFunc = Callable[..., StepResult]
#: A step's name -> the progress hook its engine runs tell of their pages (None: nobody watches).
ProgressFor = Callable[[str], Progress | None]


@dataclass(frozen=True)
class Step:
    """One step of the run: a bot's ``run`` (or, in tests, any callable) with its options."""

    name: str
    func: StepFunc
    options: Mapping[str, Any] = field(default_factory=dict)


#: The names of the cron job's steps, in order (``--only`` offers them). The steps themselves, each the
#: bot's ``run``, are :data:`ozgwiki.bots.steps.STEPS`: the engine never imports a bot, the bots import
#: the engine, so the runner gets its steps handed in (docs/architecture.md, "Import rules").
STEP_NAMES: tuple[str, ...] = ("deploy", "import", "validate", "regenerate")


def select(steps: Sequence[Step], only: Sequence[str] | None) -> tuple[Step, ...]:
    """The steps named in ``only`` (``--only``), in the run's order; all when ``only`` is empty."""
    if not only:
        return tuple(steps)
    unknown = sorted(set(only) - {s.name for s in steps})
    if unknown:
        known = ", ".join(s.name for s in steps)
        raise ConfigError(f"unknown step(s) {', '.join(unknown)}; the steps are {known}")
    return tuple(s for s in steps if s.name in only)


@dataclass
class StepRecord:
    """How one step ended: ``ok``, ``findings``, ``failed`` or ``not_run``."""

    name: str
    status: str
    exit_code: int = EXIT_OK
    result: StepResult | None = None
    error: str | None = None

    @property
    def summary(self) -> str:
        if self.status == "failed":
            return f"failed: {self.error}"
        if self.status == "not_run":
            return f"not run: {self.error}" if self.error else "not run"
        assert self.result is not None
        return self.result.summary or self.result.report.summary()

    def as_dict(self) -> dict[str, Any]:
        base: dict[str, Any] = {"step": self.name, "summary": self.summary}
        if self.result is not None:
            base.update(self.result.as_dict())
            base["summary"] = self.summary
        base.update(status=self.status, exit_code=self.exit_code, error=self.error)
        return base


@dataclass
class RunReport:
    """The whole run: every step's record, the exit code and, when the run stopped early, why."""

    steps: list[StepRecord] = field(default_factory=list)
    exit_code: int = EXIT_OK
    message: str | None = None
    dry_run: bool = False
    switch: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    log_file: str | None = None

    @property
    def status(self) -> str:
        return STATUS_WORDS.get(self.exit_code, "error")

    def as_dict(self) -> dict[str, Any]:
        return {
            "exit_code": self.exit_code,
            "status": self.status,
            "message": self.message,
            "dry_run": self.dry_run,
            "switch": self.switch,
            "steps": [s.as_dict() for s in self.steps],
            "stats": self.stats,
            "log_file": self.log_file,
        }


class Runner:
    """Runs steps in order against one context; knows the deadline; builds the :class:`RunReport`."""

    def __init__(
        self,
        steps: Sequence[Step],
        *,
        budget_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        on_step: Callable[[StepRecord], None] | None = None,
        progress: ProgressFor | None = None,
    ) -> None:
        self.steps = tuple(steps)
        self.progress = progress or (lambda name: None)
        self.budget_seconds = budget_seconds
        self.clock = clock
        self.on_step = on_step or (lambda record: None)
        self.deadline = clock() + budget_seconds

    def check_deadline(self, where: str = "before the next write") -> None:
        """Raise :class:`RunBudgetExceeded` once the budget is spent (between steps, before writes)."""
        if self.clock() >= self.deadline:
            raise RunBudgetExceeded(
                f"the run's time budget of {self.budget_seconds / 60:g} minutes (run.budget_minutes) is "
                f"used up; stopped {where}. The next run continues where this one stopped."
            )

    def run(self, ctx: BotContext, report: RunReport | None = None) -> RunReport:
        report = report or RunReport(dry_run=ctx.dry_run)
        failure: OzgwikiError | None = None
        codes: list[int] = []
        for step in self.steps:
            if failure is not None:
                self._record(report, StepRecord(step.name, "not_run", error="the run stopped earlier"))
                continue
            try:
                self.check_deadline(f"before step {step.name}")
            except RunBudgetExceeded as exc:
                failure = exc
                self._record(report, StepRecord(step.name, "not_run", exc.exit_code, error=str(exc)))
                continue
            ctx.progress = self.progress(step.name)  # one progress line per step, named after it
            try:
                log.info("step %s: starting", step.name)
                result = step.func(ctx, **step.options)
            except OzgwikiError as exc:
                failure = exc
                self._record(report, StepRecord(step.name, "failed", exc.exit_code, error=str(exc)))
                continue
            except Exception as exc:  # a bug in a bot: the run ends with one line, the traceback is logged
                log.exception("step %s: internal error", step.name)
                failure = OzgwikiError(
                    f"internal error in step {step.name}: {type(exc).__name__}: {exc} (traceback in the log)"
                )
                self._record(report, StepRecord(step.name, "failed", EXIT_CONFIG, error=str(failure)))
                continue
            finally:
                ctx.progress = None
            code = result.exit_code
            codes.append(code)
            status = "findings" if code else "ok"
            self._record(report, StepRecord(step.name, status, code, result=result))
        if failure is not None:
            report.exit_code = failure.exit_code
            report.message = str(failure)
        else:
            report.exit_code = max(codes, default=EXIT_OK)
        return report

    def _record(self, report: RunReport, record: StepRecord) -> None:
        report.steps.append(record)
        log.info("step %s: %s", record.name, record.summary)
        self.on_step(record)


# ---------------------------------------------------------------------- around the steps


@dataclass(frozen=True)
class RunSettings:
    """The ``run:`` section of the config, with defaults that work for cron and systemd alike."""

    state_dir: Path
    log_file: Path
    budget_seconds: float
    stop_check_seconds: float
    stop_page: str | None = None  # run.stop_page as configured; None: Benutzer:<bot>/Notaus

    @property
    def lock_file(self) -> Path:
        return self.state_dir / LOCK_NAME

    @classmethod
    def from_config(cls, config: Config, *, log_file: str | os.PathLike[str] | None = None) -> RunSettings:
        """Read ``run.state_dir``, ``run.log_file``, ``run.budget_minutes``, ``run.stop_check_seconds``.

        The state dir (lock and default log) is ``run.state_dir`` if set, else the bots' shared state
        folder ``state.dir`` (:func:`ozgwiki.engine.state.state_dir`: ``state/`` next to the config file by
        default), so one folder holds everything a run keeps between runs.
        """
        run = config.run  # checked by ozgwiki.config: budget > 0, check interval >= 0
        state_dir = run.state_dir or shared_state_dir(config)
        if log_file:
            log_path = Path(log_file).expanduser().absolute()
        else:
            log_path = run.log_file or state_dir / LOG_NAME
        return cls(
            state_dir=state_dir,
            log_file=log_path,
            budget_seconds=run.budget_minutes * 60,
            stop_check_seconds=run.stop_check_seconds,
            stop_page=run.stop_page,
        )


class _SkipUnchanged(logging.Filter):
    """Drop the site client's per-page "unchanged" lines: thousands per run, and they say nothing.

    Created, changed, skipped, conflicting and failing pages stay in the log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        return not (
            record.name == "ozgwiki.wiki.site"
            and isinstance(args, tuple)
            and len(args) >= 2
            and args[1] == "unchanged"
        )


@contextmanager
def file_logging(path: Path) -> Iterator[None]:
    """Log INFO and up of every ``ozgwiki.*`` logger to ``path`` (rotated by size) while the run lasts.

    The console stays as quiet as ``-v`` asked: handlers of the root logger without a level of their own
    get the root's level for the duration. Nothing logged here carries secrets: the site client never
    logs request parameters, and the config is never logged.

    The log and its rotated copies are private to the bot's user: the file is opened (at the start and
    after every rollover) by :func:`ozgwiki.config.open_private_append`, which creates it 0600 whatever
    the umask; rotated copies are renames of it. An existing log or copy that group or others may read
    is tightened to 0600, or refused with a ConfigError when it cannot be. A log that cannot be created
    (its folder is a file, not writable) is a ConfigError naming ``run.log_file`` / ``state.dir``.
    """
    from ozgwiki.config import make_private, open_private_append

    class PrivateRotatingFileHandler(RotatingFileHandler):
        def _open(self) -> IO[str]:
            return open_private_append(Path(self.baseFilename), what="run log")

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for n in range(1, LOG_BACKUPS + 1):
            make_private(path.with_name(f"{path.name}.{n}"), what="rotated run log")
        handler = PrivateRotatingFileHandler(
            path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
    except OSError as exc:
        raise ConfigError(
            f"cannot write the run log {path} (run.log_file, or state.dir / run.state_dir): "
            f"{exc.strerror or exc}"
        ) from None
    handler.setFormatter(logging.Formatter("%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    handler.addFilter(_SkipUnchanged())
    root = logging.getLogger()
    quieted = [h for h in root.handlers if h.level == logging.NOTSET]
    for h in quieted:
        h.setLevel(root.level)
    pkg = logging.getLogger("ozgwiki")
    old_level = pkg.level
    if pkg.getEffectiveLevel() > logging.INFO:
        pkg.setLevel(logging.INFO)
    pkg.addHandler(handler)
    try:
        yield
    finally:
        pkg.removeHandler(handler)
        pkg.setLevel(old_level)
        for h in quieted:
            h.setLevel(logging.NOTSET)
        handler.close()


def _append_line(path: Path, line: str) -> None:
    """One line into the log without taking over rotation (used when another run owns the log).

    The file is opened like the run's own log: created 0600, a readable one tightened (see
    :func:`file_logging`).
    """
    from ozgwiki.config import open_private_append

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open_private_append(path, what="run log") as f:
            stamp = time.strftime("%Y-%m-%d %H:%M:%S")
            f.write(f"{stamp} [{os.getpid()}] WARNING {__name__}: {line}\n")
    except (OSError, ConfigError) as exc:
        log.warning("could not write to the log file %s: %s", path, exc)


class Printer:
    """Text output as the run goes (one line per step), or one JSON document at the end."""

    def __init__(self, fmt: str, out: IO[str], err: IO[str]) -> None:
        self.fmt = fmt
        self.out = out
        self.err = err

    def step(self, record: StepRecord) -> None:
        if self.fmt != "text":
            return
        print(f"{record.name}: {record.summary}", file=self.out)
        if record.result is not None:
            for page in record.result.report.pages:
                if page.outcome.value in ("skipped", "opted_out", "conflict", "error"):
                    print(f"  {page.outcome.value:<10} {page.title}: {page.message or ''}", file=self.out)
        self.out.flush()

    def done(self, report: RunReport, site_summary: str | None) -> None:
        if self.fmt == "json":
            import json

            json.dump(report.as_dict(), self.out, ensure_ascii=False, indent=2)
            self.out.write("\n")
        else:
            tail = f"; {site_summary}" if site_summary else ""
            print(f"run: exit {report.exit_code} ({report.status}){tail}", file=self.out)
        self.out.flush()
        if report.message:
            print(f"ozgwiki: error: {report.message}", file=self.err)


OpenSite = Callable[[Config, bool, IO[str]], Site]


def _open_site(config: Config, dry_run: bool, diff_out: IO[str]) -> Site:
    config.wiki.check_password()  # no secret, no request: a wrong setup fails fast with exit 2
    site = Site.from_config(config, dry_run=dry_run, diff_out=diff_out)
    site.login()
    return site


def execute(
    config: Config,
    *,
    steps: Sequence[Step],
    dry_run: bool = False,
    fmt: str = "text",
    log_file: str | os.PathLike[str] | None = None,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
    clock: Callable[[], float] = time.monotonic,
    open_site: OpenSite | None = None,
    load_catalogue: Callable[[], Any] | None = None,
    progress: ProgressFor | None = None,
) -> RunReport:
    """The whole cron run: lock, log file, login, switch page, steps, summary. Never prompts.

    Returns the report (``report.exit_code`` is the process exit code); everything a user can cause
    ends up in the report, not in an exception. ``steps`` are the bots (:data:`ozgwiki.bots.steps.STEPS`,
    or some of them) or, in tests, any callables. ``progress`` gives each step its progress hook (the
    command passes a terminal's when someone watches; cron passes none).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    settings = RunSettings.from_config(config, log_file=log_file)
    printer = Printer(fmt, out, err)
    report = RunReport(dry_run=dry_run, log_file=str(settings.log_file))
    lock = RunLock(settings.lock_file)
    try:
        lock.acquire()
    except RunLocked as exc:
        _append_line(settings.log_file, str(exc))
        report.exit_code, report.message = exc.exit_code, str(exc)
        printer.done(report, None)
        return report
    try:
        with file_logging(settings.log_file):
            log.info(
                "run started (PID %d%s), steps: %s", os.getpid(), ", dry-run" if dry_run else "",
                ", ".join(s.name for s in steps),
            )  # fmt: skip
            if lock.stale is not None:
                log.info("the previous run (%s) was killed; took over its lock", lock.stale.describe())
            site: Site | None = None
            try:
                # With --format json stdout carries the one JSON document: dry-run diffs go to stderr.
                site = (open_site or _open_site)(config, dry_run, err if fmt == "json" else out)
                _run_steps(config, settings, site, steps, report, printer, clock, load_catalogue, progress)
            except OzgwikiError as exc:  # before the first step: login, switch page, wiki down
                report.exit_code, report.message = exc.exit_code, str(exc)
            site_summary = site.stats.summary() if site is not None else None
            if site is not None:
                report.stats = site.stats.as_dict()
            log.info("run ended: exit %d (%s)%s", report.exit_code, report.status,
                     f"; {site_summary}" if site_summary else "")  # fmt: skip
            if report.message:
                # INFO, not WARNING: the run log keeps it, and the terminal shows it once, as the
                # printer's final "ozgwiki: error: ..." line, not twice.
                log.info("%s", report.message)
            printer.done(report, site_summary)
    finally:
        lock.release()
    return report


def _run_steps(
    config: Config,
    settings: RunSettings,
    site: Site,
    steps: Sequence[Step],
    report: RunReport,
    printer: Printer,
    clock: Callable[[], float],
    load_catalogue: Callable[[], Any] | None,
    progress: ProgressFor | None = None,
) -> None:
    """Install the switch page and the deadline as the site's write guard, then run the steps."""
    runner = Runner(
        steps, budget_seconds=settings.budget_seconds, clock=clock, on_step=printer.step, progress=progress
    )
    bot_user = site.userinfo.name
    # switch.stop_page_title still takes the shape of the run: section; the value is the typed one.
    title = stop_page_title({"stop_page": settings.stop_page}, bot_user)
    guard = WriteGuard(
        SwitchReader(site, title).read,
        title=title,
        interval=settings.stop_check_seconds,
        clock=clock,
        extra_checks=(runner.check_deadline,),
    )
    site.write_guard = guard
    reading = guard.current()
    report.switch = {"page": title, "state": reading.state.value, "reason": reading.reason}
    if reading.state is SwitchState.STOPPED:
        if not site.dry_run:
            raise BotStopped(
                f"bot writes are stopped by the switch page [[{title}]]: {reading.reason}. Nothing was "
                "written. Write only 'an' on that page to let the next run proceed."
            )
        log.warning("switch page %s: %s -- dry run continues, it writes nothing", title, reading.reason)
    elif reading.state is SwitchState.NOT_SET_UP and not site.dry_run:
        seconds = f"{settings.stop_check_seconds:g}"
        text = INITIAL_TEXT.format(bot=bot_user, seconds=seconds)
        site.edit(title, lambda current: None if current.strip() else text, CREATE_SUMMARY)
        log.info("created the switch page %s (text 'an')", title)
    if load_catalogue is None:
        from ozgwiki import catalogue

        def load_catalogue() -> Any:
            return catalogue.load_from_config(config)

    ctx = BotContext(
        config=config,
        site=site,
        bot_user=bot_user,
        load_catalogue=load_catalogue,
        checkpoint=lambda: runner.check_deadline("before the next page"),
    )
    runner.run(ctx, report)
