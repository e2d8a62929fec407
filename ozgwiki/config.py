"""Configuration: one YAML file, secrets from the environment or a 0600 file.

Where the config is found, first hit wins:

1. ``--config PATH`` on the command line,
2. ``$OZGWIKI_CONFIG``,
3. ``./ozgwiki.yaml``,
4. ``./.localwiki/ozgwiki.yaml`` (written by ``ozgwiki localwiki up``).

The bot password never lives in the YAML: it comes from ``$OZGWIKI_PASSWORD`` or from the file named by
``wiki.password_file``, which must not be readable by group or others. Relative paths in the YAML are
relative to the YAML file, so a config can be moved with its secret.

Every key the YAML may hold is declared once, in :data:`SCHEMA` (section -> key -> :class:`Setting`).
The loader checks the whole file against it before anything else reads it:

- an unknown key at any level is refused, naming the key, its section and the file, with a suggestion
  ("did you mean 'password_file'?") -- a typo is never ignored silently;
- every value must have its type, every number must be finite and inside its documented range, and a
  configured state folder must be a writable folder, so bad input ends in a :class:`ConfigError`
  (exit 2), never in an internal error later in the run;
- a key that looks like a secret (``password``, ``Passwort``, ``token``, ``secret``, ... in any case,
  anywhere in the file) is refused without echoing its value, and so is a ``wiki.api_url`` with a user
  name or password in it (it would end up in logs and error messages).

After the check the sections the bots use are frozen dataclasses on :class:`Config` (``validate``,
``importing`` for ``import:``, ``regenerate``, ``run``, ``state``, ``catalogue``): every other module
takes those typed values and never looks at the YAML itself.

The YAML is read by a small safe loader (:class:`_ConfigLoader`) that also refuses anchors, aliases,
merge keys and tags (no "billion laughs", no Python objects), duplicate keys and deep nesting; its error
messages give line and column but never quote the offending line, which may hold a secret.
"""

from __future__ import annotations

import difflib
import logging
import math
import os
import re
import stat
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import yaml

from ozgwiki.errors import ConfigError

log = logging.getLogger(__name__)

PASSWORD_ENV = "OZGWIKI_PASSWORD"
CONFIG_ENV = "OZGWIKI_CONFIG"
LOCALWIKI_DIR_ENV = "OZGWIKI_LOCALWIKI_DIR"
LOCALWIKI_PORT_ENV = "OZGWIKI_LOCALWIKI_PORT"
DEFAULT_LOCALWIKI_DIR = ".localwiki"

#: A config file is a few hundred bytes; anything much larger is not one.
MAX_CONFIG_BYTES = 256 * 1024
#: The deepest nesting the schema needs is 3 (top level -> wiki -> retry); a little room for lists.
MAX_YAML_DEPTH = 8

#: What the secret goes into instead of the YAML (used in several messages).
SECRET_HINT = f"put the bot password into wiki.password_file (mode 0600) or ${PASSWORD_ENV}"


# ---------------------------------------------------------------------------------------- the schema


@dataclass(frozen=True)
class Setting:
    """One allowed key: what kind of value it takes and, for numbers, the documented range.

    Kinds: ``section`` (a mapping of its own, declared in :data:`SCHEMA`), ``url``, ``text`` (one line),
    ``env`` (an environment variable name), ``path``, ``dir`` (a folder the bots write to), ``file`` (a
    file the bots append to), ``bool``, ``number``, ``integer``, ``choice``, ``int_list``, ``text_list``.
    """

    kind: str
    lo: float | None = None
    hi: float | None = None
    above: bool = False  # lo itself is not allowed (value > lo)
    unit: str = ""
    choices: tuple[str, ...] = ()
    nullable: bool = False  # null (or an empty value) means "the default"
    required: bool = False

    def describe(self) -> str:
        """What the value must be, for error messages and the README."""
        if self.kind in ("number", "integer"):
            unit = f" of {self.unit}" if self.unit else ""
            if self.lo is not None and self.above:
                span = f"greater than {self.lo:g} and at most {self.hi:g}"
            else:
                span = f"from {self.lo:g} to {self.hi:g}"
            if self.kind == "integer":
                return f"a number (a whole number{unit} {span})"
            return f"a number{unit} {span}"
        return {
            "section": "a mapping (key: value lines)",
            "url": "the full URL of api.php",
            "text": "a text on one line",
            "env": "the name of an environment variable",
            "path": "a path",
            "dir": "a folder path",
            "file": "a file path",
            "bool": "true or false",
            "choice": "one of " + ", ".join(self.choices),
            "int_list": f"a non-empty list of whole numbers >= {self.lo or 0:g}, e.g. [0]",
            "text_list": "a list of non-empty texts",
        }[self.kind]


_SECTION = Setting("section", nullable=True)

#: Every key a config file may hold, per section ("" is the top level, "wiki.retry" is wiki: retry:).
#: The single source of truth: the loader checks files against it and :meth:`Config.section` only hands
#: out sections declared here. README.md ("Configuration") documents the same keys and ranges.
SCHEMA: dict[str, dict[str, Setting]] = {
    "": {
        "wiki": Setting("section", required=True),
        "catalogue": _SECTION,
        "import": _SECTION,
        "state": _SECTION,
        "validate": _SECTION,
        "regenerate": _SECTION,
        "run": _SECTION,
    },
    "wiki": {
        "api_url": Setting("url", required=True),
        "username": Setting("text", required=True),
        "password_file": Setting("path", nullable=True),
        "password_env": Setting("env", nullable=True),
        "maxlag": Setting("integer", lo=1, hi=120, unit="seconds"),
        "request_timeout": Setting("number", lo=1, hi=600, unit="seconds"),
        "user_agent": Setting("text", nullable=True),
        "retry": _SECTION,
    },
    "wiki.retry": {
        "max_attempts": Setting("integer", lo=1, hi=100),
        "base_delay": Setting("number", lo=0.1, hi=60, unit="seconds"),
        "max_delay": Setting("number", lo=0.1, hi=3600, unit="seconds"),
        "budget_seconds": Setting("number", lo=1, hi=86400, unit="seconds"),
    },
    "catalogue": {
        "manifest": Setting("path", nullable=True),
    },
    "import": {
        # the share of the wiki's active keys one run may retire (ozgwiki.engine.rails; --allow-mass-retire)
        "max_retire_share": Setting("number", lo=0, hi=1),
    },
    "state": {
        "dir": Setting("dir"),
    },
    "validate": {
        "report_page": Setting("text"),
        "allow_regional": Setting("bool"),
        "fix_format": Setting("bool"),
        "namespaces": Setting("int_list", lo=0),
        "skip_prefixes": Setting("text_list"),
        "only_prefix": Setting("text", nullable=True),
    },
    "regenerate": {
        "mode": Setting("choice", choices=("auto", "ask", "static"), nullable=True),
    },
    "run": {
        "state_dir": Setting("dir", nullable=True),
        "log_file": Setting("file", nullable=True),
        "budget_minutes": Setting("number", lo=0, above=True, hi=1440, unit="minutes"),
        "stop_page": Setting("text", nullable=True),
        "stop_check_seconds": Setting("number", lo=0, hi=3600, unit="seconds"),
    },
}

#: Words that make a key look like it holds a secret (compared in lower case, anywhere in the key).
SECRET_WORDS = ("password", "passwort", "passwd", "kennwort", "secret", "token", "credential")
#: Keys with such a word that name where the secret is, not the secret itself.
NOT_SECRETS = frozenset({"password_file", "password_env"})

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# ---------------------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class RetryConfig:
    """How long and how often a request is retried before the run gives up on it."""

    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    budget_seconds: float = 300.0


@dataclass(frozen=True)
class WikiConfig:
    """Where the wiki is and who the bot is there."""

    api_url: str
    username: str
    password_file: Path | None = None
    password_env: str = PASSWORD_ENV
    maxlag: int = 5
    request_timeout: float = 30.0
    user_agent: str = "ozgwiki/0.1 (OZG-Wiki-Bot; Kommunen NRW)"
    retry: RetryConfig = field(default_factory=RetryConfig)
    # Only set from code (the demo and tests log in as the local editor); never read from YAML and
    # kept out of repr() so it cannot end up in a log line.
    secret: str | None = field(default=None, repr=False, compare=False)

    def password(self) -> str:
        """Return the bot password: one given in code, else the environment, else the file.

        The file must belong to a secret-keeping mode (no group/other bits); otherwise it is refused, so
        a leaked-by-permissions secret is noticed before it is used.
        """
        if self.secret:
            return self.secret
        env = os.environ.get(self.password_env)
        if env is not None and env.strip():
            return env.strip()
        if env is not None and self.password_file is None:
            raise ConfigError(f"${self.password_env} is set but empty; put the bot password into it")
        if self.password_file is None:
            raise ConfigError(
                f"no bot password: set ${self.password_env} or wiki.password_file in the config"
            )
        path = self.password_file
        try:
            st = path.stat()
        except FileNotFoundError:
            raise ConfigError(f"bot password file {path} (wiki.password_file) does not exist") from None
        except OSError as exc:
            raise ConfigError(f"bot password file {path} cannot be read: {exc.strerror}") from None
        if not stat.S_ISREG(st.st_mode):
            raise ConfigError(f"bot password file {path} is not a file (wiki.password_file)")
        if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(
                f"bot password file {path} is readable by others (mode {stat.S_IMODE(st.st_mode):04o}); "
                f"run: chmod 600 {path}"
            )
        try:
            secret = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"bot password file {path} cannot be read: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"bot password file {path} is not UTF-8 text") from None
        if not secret:
            raise ConfigError(f"bot password file {path} (wiki.password_file) is empty")
        return secret

    def check_password(self, *, required: bool = True) -> None:
        """Fail fast, before any request to the wiki, when the bot password is not available.

        Same checks as :meth:`password` (environment, or the file: exists, mode 0600, readable, not
        empty); the secret itself is dropped at once. With ``required=False`` only a configured source
        is checked: no ``$password_env`` and no ``password_file`` at all passes (the login says so later).
        """
        configured = self.secret or self.password_env in os.environ or self.password_file is not None
        if not required and not configured:
            return
        self.password()


#: The maintenance page the validate bot writes (``validate.report_page``).
DEFAULT_REPORT_PAGE = "Project:LeiKa-Schlüsselprüfung"
#: Title beginnings of the pages the importer writes from the catalogue (``validate.skip_prefixes``):
#: ``ozgwiki.domain.titles.LEIKA_PREFIX`` and ``OZG_PREFIX``, spelled out because config imports
#: nothing but errors (tests/unit/test_config.py checks that they agree).
DEFAULT_SKIP_PREFIXES: tuple[str, ...] = ("LeiKa ", "OZG-Leistung ")


@dataclass(frozen=True)
class CatalogueSettings:
    """The ``catalogue:`` section. ``manifest`` as written (a path or a shipped name), None if absent.

    An empty ``manifest`` is kept as written: :func:`ozgwiki.catalogue.manifest_from_config` refuses it
    with the list of the shipped catalogues, which this module does not know.
    """

    manifest: str | None = None


@dataclass(frozen=True)
class ImportSettings:
    """The ``import:`` section: the share of the wiki's active keys one run may retire
    (:mod:`ozgwiki.engine.rails`; ``--allow-mass-retire`` lifts it)."""

    max_retire_share: float = 0.10


@dataclass(frozen=True)
class StateSettings:
    """The ``state:`` section. ``dir`` resolved against the config file, None when not configured
    (then :func:`ozgwiki.engine.state.state_dir` falls back to systemd's folder or ``state/``)."""

    dir: Path | None = None


@dataclass(frozen=True)
class ValidateSettings:
    """The ``validate:`` section of the config (all optional)::

    validate:
      report_page: "Project:LeiKa-Schlüsselprüfung"   # the maintenance page
      allow_regional: false        # 14-digit keys without 99 count as valid
      fix_format: false            # same as --fix-format
      namespaces: [0]              # where editors write (recent changes, full scan)
      skip_prefixes: ["LeiKa ", "OZG-Leistung "]      # importer pages, not editor content
      only_prefix: null            # check only titles starting with this (trials, tests)

    ``allow_regional`` is read here once, for the validate and the regeneration bot alike
    (:class:`ozgwiki.domain.keyrules.KeyRules`).
    """

    report_page: str = DEFAULT_REPORT_PAGE
    allow_regional: bool = False
    fix_format: bool = False
    namespaces: tuple[int, ...] = (0,)
    skip_prefixes: tuple[str, ...] = DEFAULT_SKIP_PREFIXES
    only_prefix: str | None = None

    def is_editor_page(self, title: str, report_title: str, bot_pages: Container[str] = ()) -> bool:
        """Whether ``title`` (a normalised title) holds editor content the validate bot checks.

        ``bot_pages`` are the importer's pages titled by name (LeiKa-Leistungen, OZG-Leistungen), which
        no prefix describes; ``skip_prefixes`` covers their ID titles and anything an admin adds.
        """
        if title == report_title or title in bot_pages:
            return False
        if self.only_prefix is not None and not title.startswith(self.only_prefix):
            return False
        return not title.startswith(self.skip_prefixes)


@dataclass(frozen=True)
class RegenerateSettings:
    """The ``regenerate:`` section: ``mode`` (auto, ask or static), None when not configured."""

    mode: str | None = None


@dataclass(frozen=True)
class RunOptions:
    """The ``run:`` section as configured; :class:`ozgwiki.engine.runner.RunSettings` adds the
    fallbacks (the shared state folder, ``--log-file``). Paths are resolved against the config file."""

    state_dir: Path | None = None
    log_file: Path | None = None
    budget_minutes: float = 60.0
    stop_page: str | None = None
    stop_check_seconds: float = 60.0


@dataclass(frozen=True)
class Config:
    """The whole configuration. ``path`` is where it was read from (None when built in code).

    The sections the bots read are typed values (``config.validate``, ``config.importing``, ...), built
    from ``raw`` when the Config is made: by :func:`parse_config` after checking the whole file, and in
    code (tests, the demo) with the same checks, so a wrong value is refused by one set of rules
    (:data:`SCHEMA`) with one set of messages, never re-interpreted by the module that uses it.
    """

    wiki: WikiConfig
    path: Path | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)
    catalogue: CatalogueSettings = field(init=False)
    importing: ImportSettings = field(init=False)
    state: StateSettings = field(init=False)
    validate: ValidateSettings = field(init=False)
    regenerate: RegenerateSettings = field(init=False)
    run: RunOptions = field(init=False)

    def __post_init__(self) -> None:
        sections = _Sections(self.raw, self.path)
        object.__setattr__(self, "catalogue", sections.catalogue())
        object.__setattr__(self, "importing", sections.importing())
        object.__setattr__(self, "state", sections.state())
        object.__setattr__(self, "validate", sections.validate())
        object.__setattr__(self, "regenerate", sections.regenerate())
        object.__setattr__(self, "run", sections.run())

    def section(self, name: str) -> Mapping[str, Any]:
        """Return a top-level section as written in the file, or {} (for diagnostics and tests; the
        bots read the typed sections)."""
        if name not in SCHEMA[""] or name not in SCHEMA:
            # A bug, not bad input: every section the code reads must be declared in SCHEMA.
            raise ValueError(f"config section {name!r} is not declared in ozgwiki.config.SCHEMA")
        value = self.raw.get(name) or {}
        if not isinstance(value, Mapping):
            raise ConfigError(f"{self.path}: '{name}' must be a mapping")
        return value

    def resolve(self, value: str | os.PathLike[str]) -> Path:
        """Resolve a path from the YAML relative to the YAML file's folder."""
        return _resolve(self.path, value)

    def check_paths(self) -> None:
        """At first use: every configured folder the bots write to exists or can be created.

        :func:`parse_config` already refused folders that are files or not writable; this also checks
        that a missing folder can be created (the nearest existing parent is writable).
        """
        where = str(self.path) if self.path else "config"
        folders = {
            "state.dir": self.state.dir,
            "run.state_dir": self.run.state_dir,
            "run.log_file": self.run.log_file.parent if self.run.log_file else None,
        }
        for dotted, folder in folders.items():
            if folder is not None:
                _check_writable(folder, dotted, where, create=True)


def _resolve(config_path: Path | None, value: str | os.PathLike[str]) -> Path:
    p = Path(value).expanduser()
    if not p.is_absolute() and config_path is not None:
        p = config_path.parent / p
    return p


def localwiki_dir() -> Path:
    """The folder of the embedded local wiki: ``$OZGWIKI_LOCALWIKI_DIR`` or ``./.localwiki``."""
    return Path(os.environ.get(LOCALWIKI_DIR_ENV) or DEFAULT_LOCALWIKI_DIR).absolute()


def find_config(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Find the config file (see the module docstring for the order)."""
    if explicit:
        p = Path(explicit)
        if not p.is_file():
            raise ConfigError(f"config file {p} does not exist")
        return p
    env = os.environ.get(CONFIG_ENV)
    if env:
        p = Path(env)
        if not p.is_file():
            raise ConfigError(f"${CONFIG_ENV} points to {p}, which does not exist")
        return p
    for candidate in (Path("ozgwiki.yaml"), localwiki_dir() / "ozgwiki.yaml"):
        if candidate.is_file():
            return candidate
    raise ConfigError(
        "no configuration found: pass --config, set $OZGWIKI_CONFIG, create ./ozgwiki.yaml, "
        "or run `ozgwiki localwiki up` for the local wiki"
    )


# ---------------------------------------------------------------------------------------- checking


def _place(section: str) -> str:
    return f"section '{section}'" if section else "top level"


def _dotted(section: str, key: str) -> str:
    return f"{section}.{key}" if section else key


def _show(value: Any) -> str:
    """A wrong value for a message: short, and only for keys that do not look like secrets."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _looks_secret(key: str) -> bool:
    lowered = key.lower()
    return lowered not in NOT_SECRETS and any(word in lowered for word in SECRET_WORDS)


def _refuse_secrets(value: Any, trail: str, where: str) -> None:
    """Refuse every key anywhere in the file that looks like it holds a secret; never echo the value."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = f"{trail}.{key}" if trail else str(key)
            if isinstance(key, str) and _looks_secret(key):
                raise ConfigError(
                    f"{where}: {name} is not allowed: it looks like a secret, and secrets never live in the "
                    f"config; {SECRET_HINT}"
                )
            _refuse_secrets(item, name, where)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _refuse_secrets(item, f"{trail}[{i}]", where)


def _refuse_credentials_in_url(value: Any, where: str) -> None:
    """``https://user:secret@host/...`` is refused before any message or log line can show it."""
    if not isinstance(value, str):
        return  # the type check below says what is wrong, and a non-text holds no URL to leak
    if "@" in value:
        raise ConfigError(
            f"{where}: wiki.api_url must not contain a user name or password; put the bot password "
            f"into wiki.password_file (mode 0600) or ${PASSWORD_ENV} and the user into wiki.username"
        )
    if "?" in value or "#" in value:
        raise ConfigError(
            f"{where}: wiki.api_url must not contain a query (?...) or fragment (#...); it is the plain URL "
            "of api.php"
        )
    if _CONTROL.search(value.strip()) or " " in value.strip():
        raise ConfigError(f"{where}: wiki.api_url must be the full URL of api.php, without spaces")


def _check_url(value: str, where: str) -> str:
    url = value.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number in range
    except ValueError:
        raise ConfigError(f"{where}: wiki.api_url must be the full URL of api.php, got {url!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or not parts.path.endswith("api.php"):
        raise ConfigError(f"{where}: wiki.api_url must be the full URL of api.php, got {url!r}")
    return url


def _wrong(setting: Setting, value: Any, section: str, key: str, where: str) -> ConfigError:
    must = setting.describe()
    return ConfigError(f"{where}: {_place(section)}: '{key}' must be {must}, got {_show(value)}")


def _number(setting: Setting, value: Any, section: str, key: str, where: str) -> float:
    wrong = _wrong(setting, value, section, key, where)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise wrong
    if isinstance(value, float) and not math.isfinite(value):
        raise wrong
    if setting.kind == "integer" and isinstance(value, float) and not value.is_integer():
        raise wrong
    lo, hi = setting.lo, setting.hi
    if lo is not None and (value <= lo if setting.above else value < lo):
        raise wrong
    if hi is not None and value > hi:
        raise wrong
    return value


def _check_writable(folder: Path, dotted: str, where: str, *, create: bool) -> None:
    """A folder the bots write to: an existing one must be a writable folder; nothing in the way of a
    missing one may be a file; with ``create``, its nearest existing parent must be writable."""
    try:
        if folder.exists():
            if not folder.is_dir():
                raise ConfigError(f"{where}: {dotted}: {folder} is not a folder (it is a file)")
            if not os.access(folder, os.W_OK | os.X_OK):
                raise ConfigError(f"{where}: {dotted}: the folder {folder} is not writable by this user")
            return
        for parent in folder.parents:
            if parent.exists():
                if not parent.is_dir():
                    raise ConfigError(f"{where}: {dotted}: {folder} cannot be created: {parent} is a file")
                if create and not os.access(parent, os.W_OK | os.X_OK):
                    raise ConfigError(
                        f"{where}: {dotted}: {folder} cannot be created: {parent} is not writable "
                        "by this user"
                    )
                return
    except OSError as exc:
        raise ConfigError(f"{where}: {dotted}: {folder} cannot be checked: {exc.strerror}") from None


def _check_value(setting: Setting, value: Any, section: str, key: str, where: str, path: Path | None) -> None:
    dotted = _dotted(section, key)
    if setting.kind == "section":
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: {dotted} must be a mapping (key: value lines), got {_show(value)}")
        _check_section(value, dotted, where, path)
        return
    wrong = _wrong(setting, value, section, key, where)
    kind = setting.kind
    if kind == "url":
        if not isinstance(value, str):
            raise ConfigError(f"{where}: wiki.api_url must be the full URL of api.php, got {_show(value)}")
        if not value.strip():
            raise ConfigError(f"{where}: wiki.api_url is required (the full URL of api.php)")
        _check_url(value, where)
    elif kind in ("number", "integer"):
        _number(setting, value, section, key, where)
    elif kind == "bool":
        if not isinstance(value, bool):
            raise wrong
    elif kind == "choice":
        if value not in setting.choices:
            raise wrong
    elif kind in ("text", "env", "path", "dir", "file"):
        if not isinstance(value, str) or not value.strip():
            raise wrong
        if kind in ("text", "env") and _CONTROL.search(value):
            raise wrong
        if kind == "env" and not _ENV_NAME.match(value):
            raise wrong
        if kind in ("path", "dir", "file") and "\x00" in value:
            raise wrong
        if kind in ("dir", "file"):
            target = _resolve(path, value.strip())
            if kind == "file":
                if target.is_dir():
                    raise ConfigError(f"{where}: {dotted}: {target} is a folder, not a file")
                if target.exists() and not os.access(target, os.W_OK):
                    raise ConfigError(f"{where}: {dotted}: the file {target} is not writable by this user")
                target = target.parent
            _check_writable(target, dotted, where, create=False)
    elif kind == "int_list":
        if not isinstance(value, list) or not value:
            raise wrong
        for item in value:
            if isinstance(item, bool) or not isinstance(item, int) or item < (setting.lo or 0):
                raise wrong
    elif kind == "text_list":
        if not isinstance(value, list) or not all(isinstance(x, str) and x for x in value):
            raise wrong
    else:  # pragma: no cover - a typo in SCHEMA
        raise ValueError(f"unknown setting kind {kind!r} for {dotted}")


def _unknown_key(key: Any, section: str, where: str) -> ConfigError:
    allowed = SCHEMA[section]
    if not isinstance(key, str):
        note = " (YAML reads yes/no/on/off as true/false: quote the key)" if isinstance(key, bool) else ""
        return ConfigError(f"{where}: {_place(section)}: the key {key!r} is not a text{note}")
    hint = ""
    elsewhere = [s for s, keys in SCHEMA.items() if s != section and key in keys]
    if elsewhere:
        hint = f" ('{key}' belongs in {_place(elsewhere[0])})"
    else:
        close = difflib.get_close_matches(key.lower(), list(allowed), n=1, cutoff=0.6)
        if close:
            hint = f" (did you mean '{close[0]}'?)"
    return ConfigError(
        f"{where}: {_place(section)}: unknown key '{key}'{hint}; allowed: {', '.join(allowed)}"
    )


def _check_section(data: Mapping[Any, Any], section: str, where: str, path: Path | None) -> None:
    """Check one section against :data:`SCHEMA`: no unknown keys, required keys present, right values."""
    allowed = SCHEMA[section]
    for key in data:
        if key not in allowed:
            raise _unknown_key(key, section, where)
    for key, setting in allowed.items():
        value = data.get(key)
        if value is None or (setting.nullable and value == ""):
            if setting.required:
                if setting.kind == "section":
                    raise ConfigError(f"{where}: missing section '{key}' (api_url, username, password_file)")
                raise ConfigError(f"{where}: {_dotted(section, key)} is required")
            if key in data and not setting.nullable:
                raise ConfigError(
                    f"{where}: {_place(section)}: '{key}' must be {setting.describe()}, got nothing (null); "
                    "leave the key out for the default"
                )
            continue
        _check_value(setting, value, section, key, where, path)
    if section == "wiki.retry":
        base = data.get("base_delay", RetryConfig.base_delay)
        top = data.get("max_delay", RetryConfig.max_delay)
        if top < base:
            raise ConfigError(
                f"{where}: section 'wiki.retry': 'max_delay' ({top:g}) must not be smaller than "
                f"'base_delay' ({base:g})"
            )


class _Sections:
    """Builds the typed bot sections of a :class:`Config` from its raw mapping.

    Each section is checked against :data:`SCHEMA` first. For a parsed file that repeats a check
    :func:`parse_config` made (cheap); a Config made in code gets the same rules and messages. Keys that
    are absent, null or (where the schema allows it) empty keep the dataclass default.
    """

    def __init__(self, raw: Mapping[str, Any], path: Path | None) -> None:
        self.raw = raw
        self.path = path
        self.where = str(path) if path else "config"

    def _data(self, name: str) -> Mapping[str, Any]:
        value = self.raw.get(name)
        if value is None or value == "":
            return {}
        _check_value(SCHEMA[""][name], value, "", name, self.where, self.path)
        return value

    @staticmethod
    def _given(data: Mapping[str, Any], convert: Mapping[str, Callable[[Any], Any]]) -> dict[str, Any]:
        return {key: conv(data[key]) for key, conv in convert.items() if data.get(key) not in (None, "")}

    def _path(self, value: str) -> Path:
        return _resolve(self.path, value.strip())

    def catalogue(self) -> CatalogueSettings:
        return CatalogueSettings(manifest=self._data("catalogue").get("manifest"))

    def importing(self) -> ImportSettings:
        return ImportSettings(**self._given(self._data("import"), {"max_retire_share": float}))

    def state(self) -> StateSettings:
        return StateSettings(**self._given(self._data("state"), {"dir": self._path}))

    def validate(self) -> ValidateSettings:
        data = self._data("validate")
        if data.get("only_prefix") == "":
            # The schema lets an empty value mean "the default"; here it always meant a mistake.
            raise ConfigError(f"{self.where}: validate.only_prefix must be a title beginning")
        given = self._given(
            data,
            {
                "report_page": str.strip,
                "allow_regional": _checked_bool,
                "fix_format": _checked_bool,
                "namespaces": tuple,
                "skip_prefixes": tuple,
                "only_prefix": str,
            },
        )
        return ValidateSettings(**given)

    def regenerate(self) -> RegenerateSettings:
        return RegenerateSettings(**self._given(self._data("regenerate"), {"mode": str}))

    def run(self) -> RunOptions:
        convert: dict[str, Callable[[Any], Any]] = {
            "state_dir": self._path,
            "log_file": self._path,
            "budget_minutes": float,
            "stop_page": str,
            "stop_check_seconds": float,
        }
        return RunOptions(**self._given(self._data("run"), convert))


def _checked_bool(value: Any) -> bool:
    """A value the schema check has seen: a real YAML boolean. Never ``bool()`` (``"no"`` is true)."""
    if not isinstance(value, bool):  # pragma: no cover - _check_value refuses it first
        raise TypeError(f"not a checked boolean: {value!r}")
    return value


def parse_config(data: Any, path: Path | None = None) -> Config:
    """Build a :class:`Config` from parsed YAML, with a clear error for each wrong field.

    The whole file is checked against :data:`SCHEMA` first; then the sections the bots read become
    typed values on the Config (``config.validate``, ``config.run``, ...), so no other module reads or
    re-checks raw YAML values.
    """
    where = str(path) if path else "config"
    if data is None:
        raise ConfigError(
            f"{where}: the file is empty; it needs at least the section 'wiki' (api_url, username)"
        )
    if not isinstance(data, Mapping):
        raise ConfigError(
            f"{where}: expected a mapping at the top level (key: value lines), got {_show(data)}"
        )
    # Secrets first: neither a password key nor a URL with credentials may reach any other message.
    _refuse_secrets(data, "", where)
    wiki = data.get("wiki")
    if isinstance(wiki, Mapping):
        _refuse_credentials_in_url(wiki.get("api_url"), where)
    _check_section(data, "", where, path)
    retry_raw = wiki.get("retry") or {}
    retry = RetryConfig(
        max_attempts=int(retry_raw.get("max_attempts", RetryConfig.max_attempts)),
        base_delay=float(retry_raw.get("base_delay", RetryConfig.base_delay)),
        max_delay=float(retry_raw.get("max_delay", RetryConfig.max_delay)),
        budget_seconds=float(retry_raw.get("budget_seconds", RetryConfig.budget_seconds)),
    )
    password_file = wiki.get("password_file")
    wiki_cfg = WikiConfig(
        api_url=wiki["api_url"].strip(),
        username=wiki["username"].strip(),
        password_file=_resolve(path, password_file.strip()) if password_file else None,
        password_env=str(wiki.get("password_env") or PASSWORD_ENV),
        maxlag=int(wiki.get("maxlag", WikiConfig.maxlag)),
        request_timeout=float(wiki.get("request_timeout", WikiConfig.request_timeout)),
        user_agent=str(wiki.get("user_agent") or WikiConfig.user_agent),
        retry=retry,
    )
    return Config(wiki=wiki_cfg, path=path, raw=data)


# ---------------------------------------------------------------------------------------- reading


class _Refused(yaml.MarkedYAMLError):
    """Something the config loader does not accept, with the place where it is."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem=problem, problem_mark=mark)


class _ConfigLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` without anchors, aliases (and so merge keys), tags, duplicate keys and deep
    nesting: a config needs none of them, and aliases are how YAML bombs ("billion laughs") work."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused("aliases (*name) are not allowed in the config", event.start_mark)
        if getattr(event, "anchor", None) is not None:
            raise _Refused("anchors (&name) are not allowed in the config", event.start_mark)
        if getattr(event, "tag", None) is not None:
            raise _Refused("tags (!name) are not allowed in the config", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise _Refused(f"nested deeper than {MAX_YAML_DEPTH} levels", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                raise _Refused("a key must be a plain text", key_node.start_mark) from None
            if duplicate:
                shown = f"'{key}'" if isinstance(key, str) and not _looks_secret(key) else "a key"
                raise _Refused(f"{shown} appears twice in the same mapping", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """The problem and its place, without the snippet PyYAML quotes (the line may hold a secret)."""
    if isinstance(exc, yaml.MarkedYAMLError):
        parts = []
        if exc.context:
            parts.append(str(exc.context))
        problem = str(exc.problem or "syntax error")
        mark = exc.problem_mark or exc.context_mark
        if mark is not None:
            problem += f" (line {mark.line + 1}, column {mark.column + 1})"
        parts.append(problem)
        return " ".join(parts)
    if isinstance(exc, yaml.reader.ReaderError):
        char = f"#x{exc.character:04x}" if isinstance(exc.character, int) else "a character"
        return f"unacceptable character {char} at position {exc.position}: {exc.reason}"
    return type(exc).__name__


def read_yaml(path: Path) -> Any:
    """Read a config file with :class:`_ConfigLoader`; every problem is a one-line ConfigError."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KiB; this is not a config file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    loader: _ConfigLoader | None = None
    try:
        loader = _ConfigLoader(text)  # already checks the characters
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {_yaml_problem(exc)}") from None
    except (ValueError, OverflowError, RecursionError) as exc:
        # A value PyYAML recognises but cannot build (2024-13-45, an integer of 5000 digits).
        raise ConfigError(f"{path}: not valid YAML: a value cannot be read ({type(exc).__name__})") from None
    finally:
        if loader is not None:
            loader.dispose()


def load_config(explicit: str | os.PathLike[str] | None = None) -> Config:
    """Find, read and check the configuration."""
    path = find_config(explicit)
    return parse_config(read_yaml(path), path.absolute())


# ---------------------------------------------------------------------------------------- private files


def open_private_append(path: Path, *, what: str = "file") -> IO[str]:
    """Open ``path`` for appending so that only its owner may read it (mode 0600, whatever the umask).

    Used for the run log: it names pages, users and errors, which are nobody else's business on a shared
    host. A new file is created 0600; an existing one that group or others may read is tightened to
    0600 (with a warning), or refused with a ConfigError when this user cannot change its mode.
    """
    flags = os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC
    try:
        try:
            fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o600)
            created = True
        except FileExistsError:
            fd = os.open(path, flags)
            created = False
    except OSError as exc:
        raise ConfigError(f"cannot open the {what} {path}: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        mode = stat.S_IMODE(st.st_mode)
        if not stat.S_ISREG(st.st_mode):
            raise ConfigError(f"the {what} {path} is not a regular file")
        if created and mode != 0o600:
            os.fchmod(fd, 0o600)  # the umask may have taken bits away that the owner needs
        elif mode & 0o077:
            _tighten(path, what, mode, lambda: os.fchmod(fd, 0o600))
        return os.fdopen(fd, "a", encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise


def make_private(path: Path, *, what: str = "file") -> None:
    """Tighten an existing file that group or others may read to 0600 (see :func:`open_private_append`)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ConfigError(f"cannot check the {what} {path}: {exc.strerror}") from None
    if mode & 0o077:
        _tighten(path, what, mode, lambda: os.chmod(path, 0o600))


def _tighten(path: Path, what: str, mode: int, chmod: Callable[[], None]) -> None:
    """Make a file others may read private (``chmod``), or refuse it when this user cannot."""
    try:
        chmod()
    except OSError:
        raise ConfigError(
            f"the {what} {path} is readable by others (mode {mode:04o}) and this user cannot change that; "
            f"run: chmod 600 {path}"
        ) from None
    log.warning("the %s %s was readable by others (mode %04o); it is 0600 now", what, path, mode)
