"""How high `SearchIndex` can score an entity for a query, known from its labels alone: the
order in which cpkb.index.ranking rescores entities, and when it may stop."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from cpkb.model.entities import Entity
from cpkb.query.search import (
    EXACT_SCORE,
    LABELS,
    SKELETON_SCORE,
    WEIGHTS,
    SearchIndex,
)
from cpkb.query.text import skeleton

MARGIN = 0.01  # scores are rounded to hundredths: a bound a little higher is still a bound
BODY = max(weight for kind, weight in WEIGHTS.items() if kind not in LABELS)
NAME, ALIAS, ID = WEIGHTS["name"], WEIGHTS["alias"], WEIGHTS["id"]  # the labels as folded


class Bounds:
    """Bounds for one query over entities of known label folds."""

    def __init__(
        self, words: Sequence[str], folds: Iterable[Sequence[str]], may_match: Callable[[str], bool]
    ) -> None:
        every = {token for labels in folds for label in labels for token in label.split()}
        tokens = sorted(filter(may_match, every))
        # How well each label word matches each query word: as `SearchIndex` has it, which
        # matches one word at a time, whatever the others.
        probe = SearchIndex.build([Entity("", "", " ".join(tokens), (), "", (), ())])
        qualities = [probe.expand(word) for word in words]
        matching = set().union(*qualities)
        self.matches = {t: tuple(q.get(t, 0.0) for q in qualities) for t in matching}
        self.n = len(words)
        self.key = "".join(words)
        self.loose_key = skeleton(self.key)

    def upper(self, folds: Sequence[str], *, every_word: bool | None, may_be_whole: bool) -> float:
        """The highest score of an entity of these label folds (name, aliases, id), exact when
        a label decides it. `every_word`, `may_be_whole`: whether it may hold every word, whole."""
        n, matches = self.n, self.matches
        best = [0.0] * n  # per query word, its best quality times the weight of its field
        exact = bonus = 0.0
        strongest = (0.0, 0)
        last = len(folds) - 1
        for position, label in enumerate(folds):
            words = label.split()
            if may_be_whole and words:
                exact = max(exact, self._whole(dict.fromkeys(words)))
            hits = {t: matches[t] for t in words if t in matches}  # each distinct word once
            if not hits:
                continue
            weight = NAME if position == 0 else ID if position == last else ALIAS
            found = [max(column) for column in zip(*hits.values(), strict=True)]  # per query word
            best = [max(b, quality * weight) for b, quality in zip(best, found, strict=True)]
            # A label that holds every word outdoes any other field: the strongest of them (as
            # `SearchIndex` picks it) explains the hit, with a bonus.
            if all(found) and (sum(found) * weight, -position) > strongest:
                strongest = (sum(found) * weight, -position)
                bonus = 5.0 * weight * (0.6 + 0.4 * (len(hits) / len(set(words))))
        if bonus:  # the score itself, reckoned as `SearchIndex` reckons it
            return max(exact, round(50.0 + 40.0 * sum(best) / n + bonus, 2))
        missing = best.count(0.0)  # words not in a label: in the rest of the text at best
        if every_word is False and missing == 1:  # the score itself: the missing word is nowhere
            return max(exact, round(40.0 * sum(best) / n, 2))
        if every_word is False:
            score = 40.0 * (sum(best) + BODY * (missing - 1)) / n
        else:
            score = 50.0 + 40.0 * (sum(best) + BODY * missing) / n + 5.0 * BODY
        return max(exact, score + MARGIN)

    def _whole(self, tokens: dict[str, None]) -> float:
        key = "".join(tokens)
        if key == self.key:
            return EXACT_SCORE
        return SKELETON_SCORE if skeleton(key) == self.loose_key else 0.0


def unlabelled(n: int, *, every_word: bool) -> float:
    """The highest score of an entity none of whose labels holds a query word (of `n`): that
    of an entity with each word in a one-word summary, as `SearchIndex` reckons it."""
    if every_word:
        return round(50.0 + 40.0 * sum([BODY] * n) / n + 5.0 * BODY * (0.6 + 0.4 * 1.0), 2)
    return round(40.0 * sum([BODY] * (n - 1)) / n, 2)


def labels_short(n: int) -> float:
    """The highest score of an entity whose labels hold some query words but not all."""
    return 50.0 + 40.0 * (n - 1 + BODY) / n + 5.0 * BODY + MARGIN
