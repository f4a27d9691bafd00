"""Variable expansion in %docker lines: IPython's rules, linear in the line, {{ }} kept."""

from __future__ import annotations

from typing import Any

import pytest

from dockmagic.magics.expand import caller_names, expand

NAMES: dict[str, Any] = {"x": "a", "n": 3, "obj": type("O", (), {"attr": "v"})()}


@pytest.mark.parametrize(
    ("line", "expanded"),
    [
        ("ps --format '{{.ID}} {x}' $x", "ps --format '{{.ID}} a' a"),  # IPython made '{.ID} a'
        ("echo '$x' \"$x\" $$x {n*2} $obj.attr", "echo '$x' \"a\" $x 6 v"),
        ("echo {{ .Name }} {{x}} {x}", "echo {{ .Name }} {{x}} a"),
        ("echo {nosuch} $x", "echo {nosuch} $x"),  # anything unknown: the line as written
        ("echo $HOME $x", "echo $HOME $x"),
        ("echo { $x", "echo { $x"),
        ("echo " + "a" * 40000, "echo " + "a" * 40000),  # IPython's took 14 s on this
        ("echo " + "'a' " * 10000 + "$x", "echo " + "'a' " * 10000 + "a"),
        ("echo " + "{" * 40000, "echo " + "{" * 40000),
    ],
)
def test_expansion(line: str, expanded: str) -> None:
    assert expand(line, NAMES) == expanded


def test_a_line_in_a_function_sees_its_locals() -> None:
    def run_line_magic() -> dict[
        str, Any
    ]:  # stands for IPython's, as the caller's frame walks up to it
        return caller_names({"x": "global"})

    def user_function() -> dict[str, Any]:
        x = "local"  # noqa: F841 - read through the frame
        return run_line_magic()

    assert user_function()["x"] == "local"
