"""Configuration: one YAML file, secrets from the environment or a 0600 file.

Where the config is found, first hit wins:

1. ``--config PATH`` on the command line,
2. ``$OZGWIKI_CONFIG``,
3. ``./ozgwiki.yaml``,
4. ``./.localwiki/ozgwiki.yaml`` (written by ``ozgwiki localwiki up``).

The bot password never lives in the YAML: it comes from ``$OZGWIKI_PASSWORD`` or from the file named by
``wiki.password_file``, which must not be readable by group or others. Relative paths in the YAML are
relative to the YAML file, so a config can be moved with its secret.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ozgwiki.errors import ConfigError

PASSWORD_ENV = "OZGWIKI_PASSWORD"
CONFIG_ENV = "OZGWIKI_CONFIG"
LOCALWIKI_DIR_ENV = "OZGWIKI_LOCALWIKI_DIR"
LOCALWIKI_PORT_ENV = "OZGWIKI_LOCALWIKI_PORT"
DEFAULT_LOCALWIKI_DIR = ".localwiki"


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
        if env:
            return env.strip()
        if self.password_file is None:
            raise ConfigError(
                f"no bot password: set ${self.password_env} or wiki.password_file in the config"
            )
        path = self.password_file
        try:
            st = path.stat()
        except FileNotFoundError:
            raise ConfigError(f"bot password file {path} does not exist") from None
        if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(
                f"bot password file {path} is readable by others (mode {stat.S_IMODE(st.st_mode):04o}); "
                f"run: chmod 600 {path}"
            )
        secret = path.read_text(encoding="utf-8").strip()
        if not secret:
            raise ConfigError(f"bot password file {path} is empty")
        return secret


@dataclass(frozen=True)
class Config:
    """The whole configuration. ``path`` is where it was read from (None when built in code)."""

    wiki: WikiConfig
    path: Path | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> Mapping[str, Any]:
        """Return a top-level section later modules define (``catalogue``, ``validate``...), or {}."""
        value = self.raw.get(name) or {}
        if not isinstance(value, Mapping):
            raise ConfigError(f"{self.path}: '{name}' must be a mapping")
        return value

    def resolve(self, value: str | os.PathLike[str]) -> Path:
        """Resolve a path from the YAML relative to the YAML file's folder."""
        return _resolve(self.path, value)


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


def _number(section: Mapping[str, Any], key: str, default: float, where: str) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where}: '{key}' must be a number, got {value!r}")
    return float(value)


def parse_config(data: Any, path: Path | None = None) -> Config:
    """Build a :class:`Config` from parsed YAML, with a clear error for each wrong field."""
    where = str(path) if path else "config"
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: expected a mapping at the top level")
    wiki = data.get("wiki")
    if not isinstance(wiki, Mapping):
        raise ConfigError(f"{where}: missing section 'wiki' (api_url, username, password_file)")
    for key in ("password", "bot_password", "secret"):
        if key in wiki:
            raise ConfigError(
                f"{where}: wiki.{key} is not allowed: secrets never live in the config; "
                f"use ${PASSWORD_ENV} or wiki.password_file (mode 0600)"
            )
    for key in ("api_url", "username"):
        if not isinstance(wiki.get(key), str) or not wiki[key].strip():
            raise ConfigError(f"{where}: wiki.{key} is required")
    api_url = wiki["api_url"].strip()
    if not api_url.startswith(("http://", "https://")) or not api_url.endswith("api.php"):
        raise ConfigError(f"{where}: wiki.api_url must be the full URL of api.php, got {api_url!r}")
    retry_raw = wiki.get("retry") or {}
    if not isinstance(retry_raw, Mapping):
        raise ConfigError(f"{where}: wiki.retry must be a mapping")
    retry = RetryConfig(
        max_attempts=int(_number(retry_raw, "max_attempts", RetryConfig.max_attempts, where)),
        base_delay=_number(retry_raw, "base_delay", RetryConfig.base_delay, where),
        max_delay=_number(retry_raw, "max_delay", RetryConfig.max_delay, where),
        budget_seconds=_number(retry_raw, "budget_seconds", RetryConfig.budget_seconds, where),
    )
    password_file = wiki.get("password_file")
    wiki_cfg = WikiConfig(
        api_url=api_url,
        username=wiki["username"].strip(),
        password_file=_resolve(path, password_file) if password_file else None,
        password_env=str(wiki.get("password_env") or PASSWORD_ENV),
        maxlag=int(_number(wiki, "maxlag", WikiConfig.maxlag, where)),
        request_timeout=_number(wiki, "request_timeout", WikiConfig.request_timeout, where),
        user_agent=str(wiki.get("user_agent") or WikiConfig.user_agent),
        retry=retry,
    )
    return Config(wiki=wiki_cfg, path=path, raw=data)


def load_config(explicit: str | os.PathLike[str] | None = None) -> Config:
    """Find, read and check the configuration."""
    path = find_config(explicit)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    return parse_config(data, path.absolute())
