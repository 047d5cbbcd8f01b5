"""Drive a real interactive shell (bash, zsh, fish) on a pseudo-terminal, keystroke by keystroke."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import signal
import time


class Shell:
    """An interactive shell on a pty: `type` keystrokes, `wait_for` what it prints."""

    def __init__(self, argv: list[str], *, env: dict[str, str], cwd: str) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: the shell, with the pty as its controlling terminal
            os.chdir(cwd)
            os.execve(argv[0], argv, env)
        self.pid, self.fd = pid, fd
        self.seen = b""

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def wait_for(self, marker: str, timeout: float = 30.0) -> str:
        """Read until `marker` has been printed (after what was read before); all read so far."""
        wanted, deadline = marker.encode(), time.monotonic() + timeout
        start = len(self.seen)
        while wanted not in self.seen[start:]:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{marker!r} not seen; got {self.seen[start:][-2000:]!r}")
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.5))
            if ready:
                try:
                    self.seen += os.read(self.fd, 65536)
                except OSError:  # the shell closed the terminal
                    break
        return self.seen.decode("utf-8", "replace")

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
