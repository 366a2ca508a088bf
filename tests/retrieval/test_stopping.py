"""stops_cleanly: SIGTERM leaves through the `finally` blocks, once, and the handler before is put back."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from retrieval.stopping import STOPPED_EXIT_CODE, Stopped, stops_cleanly


def test_sigterm_inside_the_block_raises_stopped_and_the_finally_runs():
    ran: list[str] = []
    before = signal.getsignal(signal.SIGTERM)

    with pytest.raises(Stopped), stops_cleanly():
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            ran.append("went on")  # never: the handler raises at the next instruction
        finally:
            ran.append("cleaned up")

    assert ran == ["cleaned up"]
    assert signal.getsignal(signal.SIGTERM) is before
    assert STOPPED_EXIT_CODE == 143


def test_a_second_sigterm_during_the_clean_up_does_not_cut_it_short():
    cleaned: list[int] = []

    with pytest.raises(Stopped), stops_cleanly():
        try:
            os.kill(os.getpid(), signal.SIGTERM)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)  # a supervisor that sends it twice
            cleaned.extend(range(3))

    assert cleaned == [0, 1, 2]


def test_outside_the_main_thread_it_changes_nothing():
    before = signal.getsignal(signal.SIGTERM)
    seen: list[object] = []

    def worker() -> None:
        with stops_cleanly():
            seen.append(signal.getsignal(signal.SIGTERM))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()

    assert seen == [before]
