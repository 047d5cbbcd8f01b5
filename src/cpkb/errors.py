"""Errors and the exit codes they map to: the one place that decides how cpkb exits."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    NOT_FOUND = 1  # no such entity, ambiguous reference, no search hit, no path
    USAGE = 2  # bad command line (Typer's own code for usage errors)
    BAD_DATA = 3  # the data file is missing, unreadable or invalid
    INTERNAL = 4  # a bug in cpkb: please report it
    OUTPUT = 5  # standard output could not be written (a full disk, a closed stream)
    INTERRUPTED = 130


class CpkbError(Exception):
    """Base of every expected failure; carries its exit code and an optional hint."""

    exit_code = ExitCode.INTERNAL
    hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint


class NotFound(CpkbError):
    """No entity matches the reference."""

    exit_code = ExitCode.NOT_FOUND

    def __init__(
        self, ref: str, *, suggestions: Sequence[str] = (), hint: str | None = None
    ) -> None:
        if hint is None and suggestions:
            hint = f"did you mean: {', '.join(suggestions)}?"
        super().__init__(f"no entity matches {ref!r}", hint=hint)
        self.suggestions = list(suggestions)


class Ambiguous(CpkbError):
    """Several entities match the reference equally well."""

    exit_code = ExitCode.NOT_FOUND

    def __init__(self, ref: str, *, candidates: Sequence[str]) -> None:
        super().__init__(
            f"{ref!r} is ambiguous: it matches {', '.join(candidates)}",
            hint="use an id to pick one",
        )
        self.candidates = list(candidates)


class NoResults(CpkbError):
    """A query ran fine but found nothing."""

    exit_code = ExitCode.NOT_FOUND


class UsageProblem(CpkbError):
    """The command line is well-formed but asks for something impossible."""

    exit_code = ExitCode.USAGE


class ToolError(CpkbError):
    """A program cpkb runs is missing or failed: a problem of the installation, not the data."""

    exit_code = ExitCode.INTERNAL


class OutputError(CpkbError):
    """What was done is done, but its output could not be written."""

    exit_code = ExitCode.OUTPUT


class Refused(CpkbError):
    """A write that cannot be made as asked (an id taken, a record still pointed to): nothing
    was written."""

    exit_code = ExitCode.BAD_DATA


class DataError(CpkbError):
    """The data file cannot be used."""

    exit_code = ExitCode.BAD_DATA
    hint = "run 'cpkb validate' for every problem in the file"

    def __init__(self, path: object, problem: str, *, hint: str | None = None) -> None:
        super().__init__(f"{path}: {problem}", hint=hint)
        self.path = path
        self.problem = problem
