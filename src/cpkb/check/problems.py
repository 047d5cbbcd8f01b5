"""Problems: findings located in the file (entity, JSON path, line), and what a check returns."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cpkb.check.memo import ItemMemo
from cpkb.check.rules import RULES, Finding, Rule
from cpkb.kb.document import Path, json_path, value_lines

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Problem:
    """A finding located: the entity, JSON path and line it concerns."""

    rule: Rule
    message: str
    entity: str | None = None
    path: str | None = None
    line: int | None = None

    @property
    def is_error(self) -> bool:
        return self.rule.severity == "error"

    def view(self) -> dict[str, Any]:
        """The documented JSON shape of a problem."""
        return {
            "severity": self.rule.severity,
            "code": self.rule.code,
            "entity": self.entity,
            "path": self.path,
            "line": self.line,
            "message": self.message,
        }


@dataclass(frozen=True)
class Spans:
    """Where the top-level object, its values and the items of its arrays lie in the text."""

    start: int
    values: dict[str, Span]
    items: dict[str, list[Span]]


Read = tuple[Any, str, Spans | None]  # a document, its text, and where its parts lie


class Checked:
    """The problems of one file, what was parsed of it (for quote checks), and its counts.

    The fast path keeps no document: `reread` reads it, the careful way, when first asked for.
    """

    def __init__(
        self,
        problems: list[Problem],
        document: Any = None,
        text: str = "",
        spans: Spans | None = None,
        *,
        reread: Callable[[], Read] | None = None,
        counts: tuple[int, int] | None = None,
        memo: ItemMemo | None = None,
    ) -> None:
        self.problems = problems
        self._parsed, self._reread = (document, text, spans), reread
        self.counts = counts if reread is not None else _counts(document)
        self.memo = memo  # the items of this file that passed, for the next run

    @property
    def document(self) -> Any:
        return self._read()[0]

    @property
    def text(self) -> str:
        text: str = self._read()[1]
        return text

    @property
    def spans(self) -> Spans | None:
        spans: Spans | None = self._read()[2]
        return spans

    def _read(self) -> Read:
        if self._reread is not None:
            reread, self._reread = self._reread, None
            self._parsed = reread()
        return self._parsed

    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    def warnings(self) -> int:
        return len(self.problems) - self.errors()

    def valid(self, *, strict: bool = False) -> bool:
        return not (self.problems if strict else self.errors())


def _counts(document: Any) -> tuple[int, int] | None:
    """The numbers of entities and sources, if both are arrays."""
    if not isinstance(document, dict):
        return None
    entities, sources = document.get("entities"), document.get("sources")
    if isinstance(entities, list) and isinstance(sources, list):
        return len(entities), len(sources)
    return None


def unreadable(message: str) -> Checked:
    """The result for a file that could not be read at all."""
    return Checked([Problem(RULES["E008"], message)])


def by_line(problem: Problem) -> tuple[bool, int]:
    """The order problems are reported in: by line, those with none last."""
    return problem.line is None, problem.line or 0


def locate(checked: Checked, findings: Iterable[Finding]) -> list[Problem]:
    """Problems from findings: one per rule and path, with the entity and line they concern."""
    return located(
        findings,
        lambda paths: _lines(checked, paths),
        lambda path: _owner(checked.document, path),
    )


def located(
    findings: Iterable[Finding],
    lines_of: Callable[[set[Path]], Mapping[Path, int]],
    owner_of: Callable[[Path], str | None],
) -> list[Problem]:
    """`locate`, given how to find the lines of paths and the owner of a path."""
    unique = list({(f.code, f.path, f.message if not f.path else ""): f for f in findings}.values())
    lines = lines_of({f.path for f in unique}) if unique else {}
    problems = [
        Problem(
            RULES[f.code],
            f.message,
            entity=owner_of(f.path),
            path=json_path(f.path),
            line=_line(lines, f.path),
        )
        for f in unique
    ]
    return sorted(problems, key=by_line)


def _lines(checked: Checked, paths: set[Path]) -> dict[Path, int]:
    """value_lines(text, paths), reading only the top-level values and items the paths lie in."""
    spans, text = checked.spans, checked.text
    if spans is None:
        return value_lines(text, paths)
    inside: dict[Path, set[Path]] = {}  # a part whose span is known -> the paths within it
    for path in paths:
        at = _anchor(spans, path)
        inside.setdefault(at, set()).add(path[len(at) :])
    parts = {at[:n] for at in inside for n in range(len(at) + 1)}
    lines = _start_lines(text, {at: _span(spans, at)[0] for at in parts})
    for at, within in inside.items():
        within.discard(())
        if at and within:  # below the top, only what is in the document has a line
            start, end = _span(spans, at)
            for path, n in value_lines(text[start:end], within).items():
                lines[at + path] = lines[at] + n - 1
    return lines


def _anchor(spans: Spans, path: Path) -> Path:
    """The longest start of `path` whose span is known: an item, a top-level value, or the top."""
    items = spans.items.get(str(path[0])) if len(path) >= 2 else None
    if items is not None and isinstance(path[1], int) and 0 <= path[1] < len(items):
        return path[:2]
    return path[:1] if path and path[0] in spans.values else ()


def _span(spans: Spans, at: Path) -> Span:
    if not at:
        return spans.start, -1
    if len(at) == 1:
        return spans.values[str(at[0])]
    return spans.items[str(at[0])][int(at[1])]


def _start_lines(text: str, starts: dict[Path, int]) -> dict[Path, int]:
    lines: dict[Path, int] = {}
    line, offset = 1, 0
    for at, start in sorted(starts.items(), key=lambda item: item[1]):
        line, offset = line + text.count("\n", offset, start), start
        lines[at] = line
    return lines


def _line(lines: Mapping[Path, int], path: Path) -> int | None:
    for n in range(len(path), -1, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return None


def _owner(document: Any, path: Path) -> str | None:
    """The id of the entity or source a path lies in, when it has a string id."""
    if len(path) < 2 or path[0] not in ("entities", "sources") or not isinstance(path[1], int):
        return None
    items = document.get(path[0]) if isinstance(document, dict) else None
    if not isinstance(items, list) or not 0 <= path[1] < len(items):
        return None
    item = items[path[1]]
    owner = item.get("id") if isinstance(item, dict) else None
    return owner if isinstance(owner, str) else None
