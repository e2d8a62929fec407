"""The bench's measurement primitives: the HTTP counting hook, /proc CPU, medians and ratios.

The hook is what makes the contenders comparable (every one is counted by the same code), so it is
checked against ``responses``: what it counts must be what was sent.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import requests
import responses

from bench.measure import (
    HttpCounter,
    median,
    median_counts,
    proc_cpu_seconds,
    ratio,
    request_key,
    tree_cpu_seconds,
)

API = "http://wiki.test/w/api.php"


def test_request_key_names_action_and_query_modules() -> None:
    assert request_key(f"{API}?action=query&meta=tokens&type=login") == "query(meta=tokens)"
    form = "application/x-www-form-urlencoded"
    assert request_key(API, "action=query&prop=revisions&titles=A%7CB", form) == "query(prop=revisions)"
    assert request_key(API, b"action=query&list=allpages&prop=info") == "query(prop=info;list=allpages)"
    assert request_key(API, b"action=edit&title=A&text=x") == "edit"
    assert request_key(f"{API}?action=query") == "query"
    assert request_key("http://wiki.test/w/index.php?title=A") == "other"


def test_request_key_reads_multipart_bodies() -> None:
    body = (
        b'--xx\r\nContent-Disposition: form-data; name="action"\r\n\r\nedit\r\n'
        b'--xx\r\nContent-Disposition: form-data; name="text"\r\n\r\n\xc3\xa4 action=query\r\n--xx--\r\n'
    )
    assert request_key(API, body, "multipart/form-data; boundary=xx") == "edit"


@responses.activate
def test_hook_counts_requests_bytes_and_saved_edits() -> None:
    responses.get(API, json={"query": {"tokens": {"csrftoken": "t+\\"}}})
    responses.post(API, json={"edit": {"result": "Success", "newrevid": 5}})
    responses.post(API, json={"edit": {"result": "Success", "nochange": True}})
    responses.post(API, json={"error": {"code": "badtoken"}})
    counter = HttpCounter().install()
    try:
        http = requests.Session()
        http.get(API, params={"action": "query", "meta": "tokens"})
        for _ in range(3):
            http.post(API, data={"action": "edit", "title": "Ä", "text": "x" * 100, "token": "t"})
    finally:
        counter.uninstall()
    requests.get(API, params={"action": "query", "meta": "tokens"})  # after uninstall: not counted
    assert counter.by_action == {"query(meta=tokens)": 1, "edit": 3}
    assert counter.requests == 4
    assert counter.edits == 1  # one saved; nochange and an error are no edits
    sent = [c.request for c in responses.calls[:4]]
    assert counter.bytes_sent == sum(len(r.url) + len(r.body or b"") for r in sent)
    assert counter.bytes_received == sum(len(c.response.content) for c in responses.calls[:4])
    assert json.loads(json.dumps(counter.as_dict()))["by_action"] == {"edit": 3, "query(meta=tokens)": 1}


def test_install_twice_does_not_count_twice() -> None:
    with responses.RequestsMock() as mock:
        mock.get(API, json={})
        counter = HttpCounter().install().install()
        try:
            requests.get(API, params={"action": "parse"})
        finally:
            counter.uninstall()
    assert counter.by_action == {"parse": 1}


def test_proc_cpu_reads_the_four_time_fields(tmp_path: Path) -> None:
    tick = os.sysconf("SC_CLK_TCK")
    # comm with a space and a parenthesis, as /proc allows; fields 14..17 are utime stime cutime cstime.
    fields = ["S", *["0"] * 10, str(tick), str(2 * tick), str(3 * tick), str(4 * tick), "20", "0"]
    (tmp_path / "42").mkdir()
    (tmp_path / "42" / "stat").write_text(f"42 (php -S (x)) {' '.join(fields)}\n")
    assert proc_cpu_seconds(42, tmp_path) == pytest.approx(10.0)


def test_proc_cpu_of_this_process_grows() -> None:
    before = proc_cpu_seconds(os.getpid())
    sum(i * i for i in range(300_000))
    assert proc_cpu_seconds(os.getpid()) >= before


def test_median_and_ratio() -> None:
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([1.0, None, 4.0]) == 2.5
    assert median([None]) is None
    assert ratio(3.0, 2.0) == 1.5
    assert ratio(1.0, 0) is None
    assert ratio(None, 1.0) is None
    assert median_counts([{"edit": 2, "login": 1}, {"edit": 4}, {"edit": 3, "login": 1}]) == {
        "edit": 3,
        "login": 1,
    }


def test_tree_cpu_adds_live_descendants_and_skips_the_gone(tmp_path: Path) -> None:
    tick = os.sysconf("SC_CLK_TCK")

    def proc(pid: int, seconds: int, children: list[int] | None) -> None:
        fields = ["S", *["0"] * 10, str(seconds * tick), "0", "0", "0", "20", "0"]
        (tmp_path / str(pid) / "task" / str(pid)).mkdir(parents=True)
        (tmp_path / str(pid) / "stat").write_text(f"{pid} (php) {' '.join(fields)}\n")
        if children is not None:
            (tmp_path / str(pid) / "task" / str(pid) / "children").write_text(" ".join(map(str, children)))

    proc(10, 3, [11, 99])  # 99 is gone: counts 0
    proc(11, 2, [12])
    proc(12, 1, None)  # no children file: its own time still counts
    proc(20, 7, [])  # not a descendant of 10
    assert tree_cpu_seconds(10, tmp_path) == pytest.approx(6.0)
    assert tree_cpu_seconds(11, tmp_path) == pytest.approx(3.0)
    assert proc_cpu_seconds(10, tmp_path) == pytest.approx(3.0)  # the process alone
    assert tree_cpu_seconds(99, tmp_path) == 0.0
