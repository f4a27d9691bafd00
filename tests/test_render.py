"""Rendering: hostile strings are escaped, units read like the CLI's, output is capped."""

from __future__ import annotations

import re
import sys
import time
from html.parser import HTMLParser
from typing import Any

import pytest

from dockmagic.engine.streams import STDERR, STDOUT, Chunk
from dockmagic.helpers.containers.output import LiveOutput
from dockmagic.helpers.tables import containers_table, images_table
from dockmagic.render.results import RunResult
from dockmagic.render.table import Column, Table
from dockmagic.render.tree import Inspection
from dockmagic.render.units import ago, human_duration, human_size, ports
from dockmagic.settings import settings

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "a & b",
    "\x1b[31mred\x1b[0m\x1b]0;title\x07",
    "nul\x00byte",
    "</td></tr></table><b>",
    "<!--",
    "\u202eevil",
]


ALLOWED_TAGS = {
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "div",
    "details",
    "summary",
    "b",
    "code",
    "span",
    "i",
}
ALLOWED_ATTRS = {"style", "class", "colspan", "open"}


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        self.problems += [f"attribute {k}" for k, _ in attrs if k not in ALLOWED_ATTRS]

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")


def assert_safe_html(html: str) -> None:
    """Only the markup we write: no tag, attribute or comment a container string smuggled in."""
    collector = TagCollector()
    collector.feed(html)
    assert not collector.problems, collector.problems
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", html)


@pytest.mark.parametrize("evil", HOSTILE)
def test_tables_escape_everything(evil: str) -> None:
    row = {
        "Id": "a" * 64,
        "Names": [f"/{evil}"],
        "Image": evil,
        "Command": evil,
        "Created": time.time(),
        "Status": evil,
        "Ports": [],
        "Labels": {evil: evil},
    }
    table = containers_table([row])
    assert_safe_html(table._repr_html_())
    assert "\x1b" not in table.to_text() and "\x00" not in table.to_text()
    image = {"Id": "sha256:" + "b" * 64, "RepoTags": [f"{evil}:latest"], "Created": 0, "Size": 1}
    assert_safe_html(images_table([image])._repr_html_())


@pytest.mark.parametrize("evil", HOSTILE)
def test_inspect_tree_and_results_escape(evil: str) -> None:
    tree = Inspection(
        {
            "Name": f"/{evil}",
            "Config": {"Env": [f"X={evil}"], "Labels": {evil: evil}},
            "Args": [evil],
            evil: None,
        }
    )
    assert_safe_html(tree._repr_html_())
    result = RunResult(exit_code=1, container="c" * 64, name=evil, image=evil, stdout=evil)
    assert_safe_html(result._repr_html_())
    assert "\x1b" not in repr(result)


def test_table_indexing_footer_and_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [
        {
            "Id": f"{i:03d}" + "f" * 61,
            "Names": [f"/c{i}"],
            "Image": "img",
            "Created": 0,
            "Status": "Up",
            "Ports": [],
        }
        for i in range(100)
    ]
    table = containers_table(rows)
    assert len(table) == 100 and table["c7"]["Id"] == rows[7]["Id"] and table[0] is rows[0]
    assert table["003fff"]["Names"] == ["/c3"]
    with pytest.raises(KeyError):
        table["nope"]
    monkeypatch.setattr(settings, "max_rows", 10)
    assert "… 90 more rows (100 in all)" in table.to_text()
    assert table._repr_html_().count("<tr>") == 11  # header + 10
    df = table.to_pandas()
    assert df.shape == (100, 7) and df.columns[0] == "CONTAINER ID"


def test_a_frame_is_typed_as_the_table_shows_it() -> None:
    pd = pytest.importorskip("pandas")
    row = {
        "Id": "ab" * 32,
        "Names": ["/web"],
        "Image": "sha256:" + "cd" * 32,
        "Command": "sleep 60",
        "Created": 1_700_000_000,
        "Status": "Up 2 minutes",
        "Ports": [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"}],
    }
    table = containers_table([row])
    df = table.to_pandas()
    assert df["CONTAINER ID"][0] == "ab" * 6  # the 12 characters the table shows
    assert df["IMAGE"][0] == "cd" * 6
    assert df["CREATED"][0] == pd.Timestamp(1_700_000_000, unit="s", tz="UTC")
    assert df["PORTS"][0] == "0.0.0.0:8080->80/tcp"
    assert df.attrs["rows"][0] is row  # the record as it came
    assert "cdcdcdcdcdcd" in table.to_text().splitlines()[1]  # an image ID, shortened, as the CLI


def test_empty_table_says_so() -> None:
    t = Table([], [Column.key("A", "a")], title="containers")
    assert "(no containers)" in t.to_text() and "no containers" in t._repr_html_()


def test_units_like_the_cli() -> None:
    assert [human_size(n) for n in (0, 999, 1000, 1_982_256, 5.3e9)] == [
        "0B",
        "999B",
        "1kB",
        "1.98MB",
        "5.3GB",
    ]
    assert human_duration(0.5) == "Less than a second" and human_duration(90) == "About a minute"
    assert human_duration(3 * 3600) == "3 hours" and human_duration(3 * 86400) == "3 days"
    assert ago(time.time() - 120) == "2 minutes ago"
    assert ago("2020-01-01T00:00:00.123456789Z").endswith("years ago")
    assert (
        ports(
            [
                {"PrivatePort": 80, "PublicPort": 8080, "IP": "0.0.0.0", "Type": "tcp"},
                {"PrivatePort": 80, "PublicPort": 8080, "IP": "::", "Type": "tcp"},
                {"PrivatePort": 53, "Type": "udp"},
            ]
        )
        == "53/udp, 0.0.0.0:8080->80/tcp, [::]:8080->80/tcp"
    )


def test_live_output_caps_what_is_shown_and_keeps_all(capsys: Any) -> None:
    live = LiveOutput(head=5, tail=3)
    for i in range(1000):
        live.feed(Chunk(STDOUT if i % 10 else STDERR, f"line {i}\n".encode()))
    live.close()
    shown = capsys.readouterr()
    assert shown.out.count("line ") + shown.err.count("line ") == 5 + 3
    assert "992 lines hidden" in shown.out and "line 999" in shown.out
    assert len(live.stdout.splitlines()) + len(live.stderr.splitlines()) == 1000
    assert live.hidden_lines == 992


def test_live_output_decodes_split_utf8_and_cuts_long_lines(capsys: Any) -> None:
    live = LiveOutput(line_chars=10)
    data = "é".encode() + b"x" * 50 + b"\n"
    live.feed(Chunk(STDOUT, data[:1]))
    live.feed(Chunk(STDOUT, data[1:]))
    live.close()
    assert capsys.readouterr().out == "é" + "x" * 9 + "…\n"
    assert live.stdout == "é" + "x" * 50 + "\n"


def test_stderr_goes_to_stderr(capsys: Any) -> None:
    live = LiveOutput()
    live.feed(Chunk(STDERR, b"warn\n"))
    live.close()
    assert capsys.readouterr().err == "warn\n"
    assert sys.stderr is not None
