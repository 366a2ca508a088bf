"""A run stopped with SIGTERM leaves through its `finally` blocks, as one stopped with Ctrl-C does.

Python's default for SIGTERM ends the process at once: a measurement stopped with a plain `kill`, or by a
supervisor, skipped the `finally` that drops its throwaway collection and left it in the index. Inside
`stops_cleanly()` the first SIGTERM raises `Stopped` where the main thread is, so every `finally` and
`with` on the way out runs; a second SIGTERM while they run is ignored (SIGKILL still ends the process).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

# What a process ended by SIGTERM reports to a shell: 128 + the signal's number.
STOPPED_EXIT_CODE = 128 + signal.SIGTERM


class Stopped(BaseException):
    """SIGTERM arrived inside `stops_cleanly()`. A BaseException, as KeyboardInterrupt is: an
    `except Exception` on the way out does not swallow it."""


@contextmanager
def stops_cleanly() -> Iterator[None]:
    """Turn SIGTERM into `Stopped` while the block runs, then restore the handler there was before.

    Signal handlers belong to the main thread; anywhere else this changes nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopping = False

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        if stopping:  # already on the way out: let the clean-up finish
            return
        stopping = True
        raise Stopped()

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
