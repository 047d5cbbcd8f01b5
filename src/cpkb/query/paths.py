"""Shortest paths over ids alone: a breadth-first search from both ends at once, so that it
reads few links even in a large graph (the index answers `adjacent` from its tables)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

Direction = Literal["out", "in"]
Adjacent = Callable[[list[str]], Mapping[str, list[tuple[str, Direction]]]]
Step = tuple[str, str, Direction]  # (the entity walked from, the entity reached, direction)
Degree = Callable[[list[str]], int]
FLIPPED: dict[Direction, Direction] = {"out": "in", "in": "out"}


class _Side:
    """One end of the search: what it reached, how (from which id, which way, how far)."""

    def __init__(self, origin: str) -> None:
        self.reached: dict[str, tuple[str, Direction, int]] = {origin: (origin, "out", 0)}
        self.level, self.depth = [origin], 0

    def expand(self, adjacent: Adjacent, other: _Side) -> str | None:
        """Take one level further, its nodes in order, in runs of doubling length; stop at the
        first id the other side had reached (any such meeting makes a shortest path, and
        stopping there spares reading the links of a hub further on)."""
        following: list[str] = []
        self.depth += 1
        start, run = 0, 1
        while start < len(self.level):
            part = self.level[start : start + run]
            linked = adjacent(part)
            for node in part:
                for found, direction in linked.get(node, ()):
                    if found not in self.reached:
                        self.reached[found] = (node, direction, self.depth)
                        following.append(found)
                        if found in other.reached:
                            return found
            start, run = start + run, run * 2
        self.level = following
        return None

    def chain(self, node: str) -> list[Step]:
        """The steps from this side's origin to `node`."""
        steps: list[Step] = []
        while (came := self.reached[node])[2]:
            steps.append((came[0], node, came[1]))
            node = came[0]
        return steps[::-1]


def shortest_path_steps(
    adjacent: Adjacent, start: str, goal: str, degree: Degree | None = None
) -> list[Step] | None:
    """The fewest claims leading from `start` to `goal`, each followed either way, as steps of
    ids; None if none. Each round takes the side with the smaller level one level further, its
    nodes' links in `links` order: so the path found depends only on what `adjacent` answers,
    whichever catalog answers it. With `degree` (how many links some ids have), the side whose
    level has fewer links goes further: a hub is then reached rather than read. (A node the
    other side reached before its last level would have had all its links read: so every
    meeting is at the other side's depth, and the first one found is as short as any.)"""
    ahead, behind = _Side(start), _Side(goal)
    if start == goal:
        return []
    while ahead.level and behind.level:
        weigh = degree or len
        forward = weigh(ahead.level) <= weigh(behind.level)
        side, other = (ahead, behind) if forward else (behind, ahead)
        meeting = side.expand(adjacent, other)
        if meeting is not None:
            back = [(b, a, FLIPPED[d]) for a, b, d in reversed(behind.chain(meeting))]
            return ahead.chain(meeting) + back
    return None
