"""`validate`'s report: a line per problem, as compilers write them, then the verdict."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text

from cpkb.check.rules import RULES
from cpkb.present.human.base import t
from cpkb.present.views import View


def problem_line(p: View, *, file: str, owners: Mapping[str, str]) -> Text:
    """`FILE:LINE: severity CODE name: PATH (entity ID): message`."""
    style = "bold red" if p["severity"] == "error" else "yellow"
    line = t(f"{file}:{p['line']}:" if p["line"] else f"{file}:")
    line.append(f" {p['severity']} {p['code']} {RULES[p['code']].name}:", style=style)
    kind = "source" if (p["path"] or "").startswith("$.sources") else "entity"
    owner = f"({kind} {owners[p['entity']]})" if p["entity"] else None
    where = " ".join(w for w in (p["path"], owner) if w)
    if where:
        line.append_text(t(f" {where}:", "dim"))
    line.append_text(t(f" {p['message']}"))
    return line


def report_lines(
    report: View, *, file: str, summary: list[str], owners: Mapping[str, str]
) -> list[Text]:
    """Each problem, the notes of the summary, and `FILE: valid|invalid (counts)` last."""
    lines = [problem_line(p, file=file, owners=owners) for p in report["problems"]]
    lines += [t(note) for note in summary[:-1]]
    valid = report["valid"]
    verdict = t(f"{file}: ")
    verdict.append("valid" if valid else "invalid", "bold green" if valid else "bold red")
    lines.append(verdict.append_text(t(f" ({summary[-1]})")))
    return lines
