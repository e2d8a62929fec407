"""The files the wiki is configured by: ``ozgwiki-settings.php``, the bot's ``ozgwiki.yaml``, 0600 writes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import yaml

from ozgwiki.files import write_atomic
from ozgwiki.localwiki.accounts import APP_ID, BOT_USER

SETTINGS_TEMPLATE = "settings.php"
SETTINGS_FILE = "ozgwiki-settings.php"
SETTINGS_INCLUDE = "require_once __DIR__ . '/ozgwiki-settings.php';"


def php_string(value: str) -> str:
    """Quote ``value`` as a PHP single-quoted string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def render_settings(
    *,
    server: str,
    directory: Path,
    extension_jsons: Sequence[Path],
    lua_path: str,
    job_queue_lag_factor: int | None = None,
    object_cache: bool = True,
) -> str:
    """Render ``ozgwiki-settings.php`` from the template in the package data."""
    template = resources.files("ozgwiki.data").joinpath("localwiki", SETTINGS_TEMPLATE).read_text("utf-8")
    lag = (
        f"$wgJobQueueIncludeInMaxLagFactor = {int(job_queue_lag_factor)};"
        if job_queue_lag_factor
        else "$wgJobQueueIncludeInMaxLagFactor = false;"
    )
    values = {
        "SERVER": php_string(server),
        "CACHE_DIR": php_string(str(directory / "cache")),
        "LOG_DIR": php_string(str(directory / "logs")),
        "UPLOAD_DIR": php_string(str(directory / "images")),
        "EXTENSIONS": "\n".join(
            f"wfLoadExtension( {php_string(p.parent.name)}, {php_string(str(p))} );" for p in extension_jsons
        ),
        "LUA": php_string(lua_path),
        "JOB_QUEUE_LAG": lag,
        "OBJECT_CACHE": (
            "( function_exists( 'apcu_enabled' ) && apcu_enabled() ) ? CACHE_ACCEL : CACHE_NONE"
            if object_cache
            else "CACHE_NONE"
        ),
    }
    text = re.sub(r"@@([A-Z_]+)@@", lambda m: values[m.group(1)], template)
    return text


def render_config(api_url: str) -> str:
    """The bot's ``ozgwiki.yaml`` in the format of docs/architecture.md (secret in ``bot.secret``)."""
    data = {
        "wiki": {
            "api_url": api_url,
            "username": f"{BOT_USER}@{APP_ID}",
            "password_file": "bot.secret",
            "maxlag": 5,
            "request_timeout": 30,
            "retry": {"max_attempts": 6, "base_delay": 1.0, "max_delay": 60, "budget_seconds": 300},
        }
    }
    header = (
        "# Written by `ozgwiki localwiki up` for the local wiki and rewritten on every `up`.\n"
        "# To change settings, copy it to ./ozgwiki.yaml (found first) and edit that copy.\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` atomically to ``path`` with mode 0600 (:func:`ozgwiki.files.write_atomic`)."""
    write_atomic(path, text.encode("utf-8"), private=True)


def _write_if_changed(path: Path, text: str) -> bool:
    """Write (0600, atomically) when content or mode differ; a running wiki then never sees churn."""
    try:
        if path.read_text(encoding="utf-8") == text and not path.stat().st_mode & 0o077:
            return False
    except FileNotFoundError:
        pass
    write_private(path, text)
    return True
