"""A progress bar on stderr, for the index build: the one human output that is not a result."""

from __future__ import annotations

from rich.console import Console
from rich.progress import Progress


class ProgressBar:
    """A Rich progress bar on stderr, shown from creation until `stop()`, fed `bar(done, total)`."""

    def __init__(self, description: str) -> None:
        # No refresh thread (it redraws on each update): the index builder forks workers, and
        # forking a process that runs threads is unsafe.
        self.progress = Progress(console=Console(stderr=True), transient=True, auto_refresh=False)
        self.task = self.progress.add_task(description, total=None)
        self.progress.start()

    def stop(self) -> None:
        self.progress.stop()

    def __call__(self, done: int, total: int) -> None:
        self.progress.update(self.task, completed=done, total=total or None, refresh=True)
