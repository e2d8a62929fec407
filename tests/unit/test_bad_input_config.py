"""Bad input in the config file: every mistake is one ConfigError line (exit 2), never a traceback.

Each case is a whole YAML file as an admin might write it. The loader must name the key, its section
and the file, must never echo a secret, and the CLI must stop before it sends a single HTTP request.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import responses

from ozgwiki import cli
from ozgwiki.config import PASSWORD_ENV, load_config
from ozgwiki.errors import ConfigError

#: A value that must never appear in a message.
SECRET = "S3cr3t-do-not-echo-4711"
URL = "https://wiki.example.nrw/w/api.php"
WIKI = f"wiki:\n  api_url: {URL}\n  username: OzgBot@ozgwiki\n"


def wiki(*lines: str) -> str:
    """The minimal wiki section plus further lines of it (indented by the caller's two spaces)."""
    return WIKI + "".join(f"  {line}\n" for line in lines)


# (id, YAML text, regex the message must match after "<file>: ")
CASES: list[tuple[str, str, str]] = [
    # --- credentials and secrets ---------------------------------------------------------------
    (
        "url-user-and-password",
        f"wiki:\n  api_url: https://OzgBot:{SECRET}@wiki.example.nrw/w/api.php\n  username: OzgBot@ozgwiki\n",
        r"wiki\.api_url must not contain a user name or password; put the bot password into "
        r"wiki\.password_file",
    ),
    (
        "url-user-only",
        "wiki:\n  api_url: https://OzgBot@wiki.example.nrw/w/api.php\n  username: OzgBot@ozgwiki\n",
        r"wiki\.api_url must not contain a user name or password",
    ),
    (
        "url-scheme-less-credentials",
        f"wiki:\n  api_url: OzgBot:{SECRET}@wiki.example.nrw/w/api.php\n  username: OzgBot@ozgwiki\n",
        r"wiki\.api_url must not contain a user name or password",
    ),
    (
        "url-token-in-query",
        f"wiki:\n  api_url: https://wiki.example.nrw/w/index.php?token={SECRET}&x=/api.php\n"
        "  username: OzgBot@ozgwiki\n",
        r"wiki\.api_url must not contain a query \(\?\.\.\.\) or fragment",
    ),
    (
        "url-not-api-php",
        wiki().replace(URL, "https://wiki.example.nrw/wiki/"),
        r"wiki\.api_url must be the full URL",
    ),
    ("url-a-number", wiki().replace(URL, "5"), r"wiki\.api_url must be the full URL of api\.php, got 5"),
    (
        "url-bad-port",
        wiki().replace(URL, "https://wiki.example.nrw:99999/w/api.php"),
        r"full URL of api\.php",
    ),
    (
        "password-in-wiki",
        wiki(f"password: {SECRET}"),
        r"wiki\.password is not allowed: it looks like a secret",
    ),
    (
        "Password-top-level",
        WIKI + f"Password: {SECRET}\n",
        r"Password is not allowed: it looks like a secret",
    ),
    ("passwort-german", wiki(f"Passwort: {SECRET}"), r"wiki\.Passwort is not allowed"),
    ("token-in-run", WIKI + f"run:\n  API_Token: {SECRET}\n", r"run\.API_Token is not allowed"),
    (
        "secret-inside-a-list",
        WIKI + f"validate:\n  skip_prefixes:\n    - {{client_secret: {SECRET}}}\n",
        r"validate\.skip_prefixes\[0\]\.client_secret is not allowed",
    ),
    (
        "secret-in-a-broken-yaml-line",
        f"wiki:\n  api_url: {URL}\n  username: OzgBot: {SECRET}\n",
        r"not valid YAML: mapping values are not allowed here \(line 3, column \d+\)$",
    ),
    # --- typos and unknown keys -----------------------------------------------------------------
    (
        "typo-passwrod_file",
        wiki("passwrod_file: bot.secret"),
        r"section 'wiki': unknown key 'passwrod_file' \(did you mean 'password_file'\?\); allowed: api_url, ",
    ),
    (
        "typo-validaet",
        WIKI + "validaet:\n  allow_regional: true\n",
        r"top level: unknown key 'validaet' \(did you mean 'validate'\?\)",
    ),
    (
        "typo-Wiki-capital",
        f"Wiki:\n  api_url: {URL}\n",
        r"top level: unknown key 'Wiki' \(did you mean 'wiki'\?\)",
    ),
    (
        "typo-retry-max_attempt",
        wiki("retry:", "  max_attempt: 3"),
        r"section 'wiki\.retry': unknown key 'max_attempt' \(did you mean 'max_attempts'\?\)",
    ),
    (
        "typo-state-dirs",
        WIKI + "state:\n  dirs: /var/lib/ozgwiki\n",
        r"section 'state': unknown key 'dirs' \(did",
    ),
    (
        "key-in-the-wrong-section",
        WIKI + "run:\n  maxlag: 5\n",
        r"section 'run': unknown key 'maxlag' \('maxlag' belongs in section 'wiki'\)",
    ),
    (
        "unknown-section-deploy",
        WIKI + "deploy:\n  force: true\n",
        r"top level: unknown key 'deploy'; allowed: wiki,",
    ),
    (
        "yaml-on-is-true",
        WIKI + "on: 5\n",
        r"top level: the key True is not a text \(YAML reads yes/no/on/off",
    ),
    ("unhashable-key", WIKI + "? [a, b]\n: 1\n", r"not valid YAML: a key must be a plain text \(line 4"),
    # --- numbers: NaN, negative, zero, absurd ----------------------------------------------------
    (
        "timeout-nan",
        wiki("request_timeout: .nan"),
        r"section 'wiki': 'request_timeout' must be a number of seconds from 1 to 600, got nan$",
    ),
    (
        "timeout-negative",
        wiki("request_timeout: -5"),
        r"'request_timeout' must be a number of seconds .*, got -5$",
    ),
    ("timeout-zero", wiki("request_timeout: 0"), r"'request_timeout' must be a number of seconds .*, got 0$"),
    ("timeout-infinite", wiki("request_timeout: .inf"), r"'request_timeout' must be a number .*, got inf$"),
    ("timeout-text", wiki("request_timeout: 30s"), r"'request_timeout' must be a number .*, got '30s'$"),
    (
        "maxlag-negative",
        wiki("maxlag: -1"),
        r"section 'wiki': 'maxlag' must be a number \(a whole number of seconds from 1 to 120\), got -1$",
    ),
    ("maxlag-fraction", wiki("maxlag: 2.5"), r"'maxlag' must be a number \(a whole number .*got 2\.5$"),
    ("maxlag-bool", wiki("maxlag: yes"), r"'maxlag' must be a number .*, got True$"),
    (
        "maxlag-5000-digits",
        wiki("maxlag: " + "9" * 5000),
        r"not valid YAML: a value cannot be read \(ValueError\)",
    ),
    (
        "retry-attempts-nan",
        wiki("retry:", "  max_attempts: .NaN"),
        r"section 'wiki\.retry': 'max_attempts' must be a number \(a whole number from 1 to 100\), got nan$",
    ),
    ("retry-attempts-negative", wiki("retry:", "  max_attempts: -3"), r"'max_attempts' must be .*, got -3$"),
    ("retry-attempts-absurd", wiki("retry:", "  max_attempts: 1000000"), r"'max_attempts' .*, got 1000000$"),
    (
        "retry-base-delay-negative",
        wiki("retry:", "  base_delay: -1.0"),
        r"'base_delay' must be a number of seconds",
    ),
    (
        "retry-budget-absurd",
        wiki("retry:", "  budget_seconds: 1.0e+12"),
        r"'budget_seconds' .* to 86400, got 1000000000000\.0$",
    ),
    (
        "retry-max-below-base",
        wiki("retry:", "  base_delay: 10", "  max_delay: 2"),
        r"section 'wiki\.retry': 'max_delay' \(2\) must not be smaller than 'base_delay' \(10\)",
    ),
    (
        "retry-a-list",
        wiki("retry: [1, 2]"),
        r"wiki\.retry must be a mapping \(key: value lines\), got a list",
    ),
    (
        "budget-zero",
        WIKI + "run:\n  budget_minutes: 0\n",
        r"section 'run': 'budget_minutes' must be a number of minutes greater than 0 and at most 1440, got 0",
    ),
    (
        "budget-nan",
        WIKI + "run:\n  budget_minutes: .nan\n",
        r"'budget_minutes' must be a number .*, got nan$",
    ),
    (
        "stop-check-negative",
        WIKI + "run:\n  stop_check_seconds: -1\n",
        r"'stop_check_seconds' must be .*got -1$",
    ),
    (
        "retire-share-above-1",
        WIKI + "import:\n  max_retire_share: 1.5\n",
        r"'max_retire_share' must be a number from 0",
    ),
    # --- other wrong types --------------------------------------------------------------------
    (
        "no-wiki-section",
        "state:\n  dir: /tmp\n",
        r"missing section 'wiki' \(api_url, username, password_file\)",
    ),
    ("no-username", f"wiki:\n  api_url: {URL}\n", r"wiki\.username is required"),
    (
        "username-a-list",
        wiki().replace("OzgBot@ozgwiki", "[a, b]"),
        r"'username' must be a text on one line, got a",
    ),
    (
        "password-env-bad-name",
        wiki("password_env: MY SECRET VAR"),
        r"'password_env' must be the name of an environment variable, got 'MY SECRET VAR'",
    ),
    (
        "user-agent-newline",
        wiki('user_agent: "ozgwiki\\r\\nX-Evil: 1"'),
        r"'user_agent' must be a text on one line",
    ),
    (
        "allow-regional-text",
        WIKI + "validate:\n  allow_regional: 'ja'\n",
        r"'allow_regional' must be true or false",
    ),
    (
        # bool("no") is True: a quoted no must stop the run, not switch regional keys on
        "allow-regional-quoted-no",
        WIKI + 'validate:\n  allow_regional: "no"\n',
        r"section 'validate': 'allow_regional' must be true or false, got 'no'$",
    ),
    (
        "only-prefix-empty",
        WIKI + "validate:\n  only_prefix: ''\n",
        r"validate\.only_prefix must be a title beginning$",
    ),
    (
        "namespaces-negative",
        WIKI + "validate:\n  namespaces: [-1]\n",
        r"'namespaces' must be a non-empty list of",
    ),
    (
        "mode-unknown",
        WIKI + "regenerate:\n  mode: live\n",
        r"'mode' must be one of auto, ask, static, got 'live'",
    ),
    (
        "manifest-a-number",
        WIKI + "catalogue:\n  manifest: 5\n",
        r"section 'catalogue': 'manifest' must be a path",
    ),
    (
        "catalogue-a-list",
        WIKI + "catalogue: [a]\n",
        r"catalogue must be a mapping \(key: value lines\), got a list",
    ),
    ("state-dir-null", WIKI + "state:\n  dir:\n", r"'dir' must be a folder path, got nothing \(null\)"),
    ("stop-page-a-date", WIKI + "run:\n  stop_page: 2024-13-45\n", r"not valid YAML: a value cannot be read"),
    # --- not a config at all --------------------------------------------------------------------
    ("empty-file", "", r"the file is empty; it needs at least the section 'wiki'"),
    ("only-comments", "# nothing here yet\n", r"the file is empty"),
    (
        "top-level-list",
        "- wiki\n- state\n",
        r"expected a mapping at the top level \(key: value lines\), got a list",
    ),
    ("top-level-text", "just some words\n", r"expected a mapping at the top level .*, got 'just some words'"),
    ("two-documents", WIKI + "---\n" + WIKI, r"not valid YAML: expected a single document in the stream"),
    (
        "tab-indent",
        "wiki:\n\tapi_url: x\n",
        r"not valid YAML: .*found character '\\t' that cannot start any token",
    ),
    # --- YAML features a config never needs --------------------------------------------------------
    (
        "billion-laughs",
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n",
        r"not valid YAML: anchors \(&name\) are not allowed in the config \(line 1, column 4\)",
    ),
    (
        "alias",
        WIKI + "run: *base\n",
        r"not valid YAML: aliases \(\*name\) are not allowed in the config \(line 4",
    ),
    (
        "merge-key",
        "defaults: &d {maxlag: 5}\n" + WIKI + "  <<: *d\n",
        r"anchors \(&name\) are not allowed",
    ),
    (
        "python-tag",
        WIKI + 'run: !!python/object/apply:os.system ["touch /tmp/pwned"]\n',
        r"not valid YAML: tags \(!name\) are not allowed in the config \(line 4",
    ),
    ("str-tag", wiki("maxlag: !!str 5"), r"tags \(!name\) are not allowed"),
    ("duplicate-section", WIKI + WIKI, r"not valid YAML: 'wiki' appears twice in the same mapping \(line 4"),
    (
        "deep-nesting",
        WIKI + "run: " + "[" * 50 + "]" * 50 + "\n",
        r"not valid YAML: nested deeper than 8 levels",
    ),
]


def write(tmp_path: Path, text: str | bytes, name: str = "ozgwiki.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(ConfigError) as err:
        load_config(path)
    return str(err.value)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 25
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(("text", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_config_is_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    error = load_error(path)
    prefix = f"{path}: "
    assert error.startswith(prefix) or error.startswith(f"{path.absolute()}: "), error
    assert re.search(message, error.split(": ", 1)[1]), error
    assert "\n" not in error
    assert SECRET not in error


def test_non_utf8_file(tmp_path: Path) -> None:
    data = WIKI.encode() + b"run:\n  stop_page: Benutzer:OzgBot/Notaus \xe4\n"  # Windows-1252 "ä"
    path = write(tmp_path, data)
    where = data.index(b"\xe4")
    assert load_error(path) == f"{path}: not UTF-8 text (byte {where})"


def test_a_huge_file_is_not_a_config(tmp_path: Path) -> None:
    path = write(tmp_path, WIKI + "#" * (300 * 1024) + "\n")
    assert load_error(path) == f"{path}: larger than 256 KiB; this is not a config file"


def test_a_control_character_is_refused_without_quoting_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, wiki(f"user_agent: {SECRET}\x07"))
    error = load_error(path)
    assert re.fullmatch(rf"{re.escape(str(path))}: not valid YAML: unacceptable character #x0007 .*", error)
    assert SECRET not in error


def test_state_dir_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "state").write_text("")
    path = write(tmp_path, WIKI + "state:\n  dir: state\n")
    assert load_error(path) == f"{path}: state.dir: {tmp_path / 'state'} is not a folder (it is a file)"


def test_state_dir_below_a_file(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    path = write(tmp_path, WIKI + "run:\n  state_dir: afile/state\n")
    folder, parent = tmp_path / "afile" / "state", tmp_path / "afile"
    assert load_error(path) == f"{path}: run.state_dir: {folder} cannot be created: {parent} is a file"


def test_log_file_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    path = write(tmp_path, WIKI + "run:\n  log_file: logs\n")
    assert load_error(path) == f"{path}: run.log_file: {tmp_path / 'logs'} is a folder, not a file"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to every folder")
def test_state_dir_not_writable(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    path = write(tmp_path, WIKI + "state:\n  dir: ro\n")
    assert load_error(path) == f"{path}: state.dir: the folder {folder} is not writable by this user"


def test_the_readme_example_loads(tmp_path: Path) -> None:
    """The full example of README.md ("Configuration") is a valid config: the schema covers it."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    example = example.replace("/etc/ozgwiki/", f"{tmp_path}/").replace(
        "/var/lib/ozgwiki", str(tmp_path / "st")
    )
    config = load_config(write(tmp_path, example))
    assert config.wiki.maxlag == 5 and config.wiki.retry.budget_seconds == 300


# ------------------------------------------------------------------------------ the CLI, in-process


@pytest.fixture
def no_http():
    """Any HTTP request raises (no URL is registered) and is recorded."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def run_cli(path: Path, *argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["--config", str(path), *argv])
    captured = capsys.readouterr()
    return code, captured.err


def secret_file(tmp_path: Path, mode: int = 0o600, text: str = SECRET + "\n") -> Path:
    path = tmp_path / "bot.secret"
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


@pytest.mark.parametrize(
    ("text", "argv", "message"),
    [
        pytest.param(
            WIKI.replace("https://", f"https://OzgBot:{SECRET}@"),
            ["run"],
            "wiki.api_url must not contain a user name or password",
            id="run-credentials-in-url",
        ),
        pytest.param(
            wiki("passwrod_file: bot.secret"), ["deploy"], "did you mean 'password_file'?", id="deploy-typo"
        ),
        pytest.param(
            WIKI + f"Password: {SECRET}\n", ["validate"], "Password is not allowed", id="validate-password"
        ),
        pytest.param(
            wiki("request_timeout: .nan"), ["import"], "'request_timeout' must be a number", id="import-nan"
        ),
        pytest.param(
            WIKI + "run: *x\n", ["run", "--dry-run"], "aliases (*name) are not allowed", id="run-alias"
        ),
        pytest.param("", ["regenerate"], "the file is empty", id="regenerate-empty"),
    ],
)
def test_cli_exits_2_with_one_line_and_no_request(
    tmp_path: Path, capsys, no_http, monkeypatch, text: str, argv: list[str], message: str
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "fromtheenvironment0123456789abcdef")
    path = write(tmp_path, text)
    code, err = run_cli(path, *argv, capsys=capsys)
    assert code == 2
    assert err.startswith("ozgwiki: error: ") and message in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert SECRET not in err
    assert len(no_http.calls) == 0
    assert not (tmp_path / "state").exists()  # the run never started: no lock, no log


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        pytest.param(lambda p: None, "bot.secret (wiki.password_file) does not exist", id="missing"),
        pytest.param(
            lambda p: secret_file(p, 0o644), "is readable by others (mode 0644); run: chmod 600", id="0644"
        ),
        pytest.param(lambda p: secret_file(p, 0o600, "\n  \n"), "(wiki.password_file) is empty", id="empty"),
        pytest.param(
            lambda p: (p / "bot.secret").mkdir(), "is not a file (wiki.password_file)", id="a-folder"
        ),
    ],
)
@pytest.mark.parametrize("command", ["deploy", "import", "validate", "regenerate", "run"])
def test_secret_setup_is_checked_before_the_first_request(
    tmp_path: Path, capsys, no_http, monkeypatch, setup, message: str, command: str
) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    setup(tmp_path)
    path = write(tmp_path, wiki("password_file: bot.secret"))
    code, err = run_cli(path, command, "--dry-run", capsys=capsys)
    assert (code, len(err.strip().splitlines())) == (2, 1), err
    assert message in err and SECRET not in err
    assert len(no_http.calls) == 0
    assert not (tmp_path / "state").exists()  # run: refused before its lock and log


def test_an_empty_password_variable_is_refused_before_the_first_request(
    tmp_path: Path, capsys, no_http, monkeypatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "   ")
    code, err = run_cli(write(tmp_path, WIKI), "deploy", capsys=capsys)
    assert (
        code == 2
        and err == f"ozgwiki: error: ${PASSWORD_ENV} is set but empty; put the bot password into it\n"
    )
    assert len(no_http.calls) == 0


def test_state_dir_that_is_a_file_stops_the_run_before_the_lock(
    tmp_path: Path, capsys, no_http, monkeypatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "fromtheenvironment0123456789abcdef")
    (tmp_path / "state").write_text("not a folder")
    path = write(tmp_path, WIKI + "state:\n  dir: state\n")
    code, err = run_cli(path, "run", capsys=capsys)
    assert code == 2
    folder = tmp_path / "state"
    assert err == f"ozgwiki: error: {path.absolute()}: state.dir: {folder} is not a folder (it is a file)\n"
    assert len(no_http.calls) == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to every folder")
def test_state_dir_that_cannot_be_created_is_found_at_first_use(
    tmp_path: Path, capsys, no_http, monkeypatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "fromtheenvironment0123456789abcdef")
    (tmp_path / "ro").mkdir(mode=0o500)
    path = write(tmp_path, WIKI + "state:\n  dir: ro/state\n")
    code, err = run_cli(path, "run", capsys=capsys)
    assert code == 2 and "state.dir: " in err and "cannot be created" in err
    assert len(no_http.calls) == 0
