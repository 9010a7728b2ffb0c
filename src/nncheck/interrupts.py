"""Ctrl-C and SIGTERM held back while a step that must not be cut in half runs.

A Python signal handler runs in the main thread between any two bytecodes: one that raises
KeyboardInterrupt can cut a step anywhere, in the middle of a rename, of starting a process or
of stopping one. `held()` puts a handler in place that only notes the signal, and delivers it,
to the handler that was there before, when the block ends. Masking the signals
(`pthread_sigmask`) would not do: a mask is the calling thread's own, and the kernel hands a
signal to any other thread that does not block it (a BLAS thread of numpy, say), whose note
the main thread then acts on all the same.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

_caught: list[int] = []
_holding = False


def _note(signum: int, frame: Any) -> None:
    _caught.append(signum)


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the block ends, then deliver them as they would have been.

    Only the main thread sees signals; elsewhere this does nothing. Blocks may nest.
    """
    global _holding
    if threading.current_thread() is not threading.main_thread() or _holding:
        yield  # signals come to the main thread only; or an outer block holds them already
        return
    old: dict[int, Any] = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    _holding = True
    try:
        for signum in STOP_SIGNALS:
            signal.signal(signum, _note)
        yield
    finally:
        fired = _restore(old)
        _holding = False
        caught = list(dict.fromkeys(_caught))
        _caught.clear()
        if fired is not None:
            raise fired
        for number in caught:
            signal.raise_signal(number)  # now: the handler of before acts on it


def _restore(old: dict[int, Any]) -> BaseException | None:
    """Put the handlers of before back, all of them, even if one of them fires meanwhile
    (what it raised is returned, to be raised once all are back)."""
    fired: BaseException | None = None
    while True:
        try:
            for signum, handler in old.items():  # again from the start: it does no harm
                signal.signal(signum, signal.SIG_DFL if handler is None else handler)
            return fired
        except BaseException as exc:  # a handler put back raised (KeyboardInterrupt)
            fired = exc


def pending() -> bool:
    """Whether a signal came while held (it is delivered when the block ends)."""
    return bool(_caught)
