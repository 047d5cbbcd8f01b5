"""print_lines writes plain lines itself when Rich would add nothing: the same bytes."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from cpkb.present.human import base as render

PIECES = [
    *"az AZ09:.()[]/\\'\"",
    "[bold]",
    "[/]",
    ":smile:",
    "\t",
    "\n",
    "\r",
    "\x1b[31m",
    "\x00",
    "\u200b",
    "\u202e",
    "\u0301",
    "é",
    "Қ",
    "中",
    "😀",
    "\u00a0",
    "  ",
    "\x85",
    "\u2028",
]
TEXT = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)


def through_rich(lines: list[render.Text]) -> str:
    buffer = io.StringIO()
    out = render.console(buffer)
    for line in lines:
        out.print(line, soft_wrap=True)
    return buffer.getvalue()


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.tuples(TEXT, TEXT), max_size=6))
def test_plain_lines_are_what_rich_writes(texts: list[tuple[str, str]]) -> None:
    lines = []
    for plain, styled in texts:
        line = render.t(plain)
        line.append_text(render.t(styled, "bold red"))
        lines.append(line)
    buffer = io.StringIO()
    out = render.console(buffer)
    assert out.color_system is None and not out.is_terminal  # the plain path is taken
    render.print_lines(lines, out)
    assert buffer.getvalue() == through_rich(lines)
