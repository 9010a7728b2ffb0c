"""Worker processes that grade in parallel and stop at once, whatever stops the run.

Each worker has a pipe of its own to the parent: no queue, lock or thread is shared, so
nothing is left held when a run stops. (`multiprocessing.Pool` shares a task queue whose lock
an idle worker holds while it waits, and runs three threads in the parent: a KeyboardInterrupt
raised inside its calls, or a worker killed while it held that lock, left `terminate()`
waiting forever, or a worker forked after the stop that no one ended.)

The parent sends a worker a chunk of items, gets its results back in one message, and yields
every result in the order of the items. At most two chunks per worker are in flight or waiting
to be yielded, so memory does not grow with the number of items. To stop, the parent kills
every worker (SIGKILL) and waits for each; a worker whose parent is gone reads the end of its
pipe and exits.
"""

from __future__ import annotations

import multiprocessing.connection
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from nncheck import interrupts

_STOPPED = (-signal.SIGINT, -signal.SIGTERM, -signal.SIGHUP)


class Workers:
    """`jobs` processes of `context`, each running `initializer(*initargs)` once, then `fn`."""

    def __init__(self, context: Any, jobs: int, fn: Callable[[Any], Any],
                 initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
        self._procs: list[Any] = []
        self._conns: list[Any] = []
        forked = context.get_start_method() == "fork"
        with interrupts.held():  # a process is started and recorded, or not started at all
            try:
                for _ in range(jobs):
                    mine, theirs = context.Pipe()
                    # A forked worker holds a copy of every parent end made so far: it closes
                    # them, so that each worker sees the end of its pipe when the parent is gone.
                    closing = [*self._conns, mine] if forked else []
                    proc = context.Process(target=_serve, daemon=True,
                                           args=(theirs, closing, fn, initializer, initargs))
                    proc.start()
                    theirs.close()
                    self._procs.append(proc)
                    self._conns.append(mine)
            except BaseException:
                self.stop()
                raise

    def __len__(self) -> int:
        return len(self._procs)

    def map(self, items: Sequence[Any], chunk: int) -> Iterator[Any]:
        """`fn` of every item, in order."""
        chunks = [items[i:i + chunk] for i in range(0, len(items), chunk)]
        sent = 0  # chunks sent so far
        done = 0  # chunks whose results are yielded
        waiting: dict[int, list[Any]] = {}  # results that came before an earlier chunk's
        busy: dict[Any, int] = {}  # pipe → the chunk its worker grades
        idle = list(self._conns)
        while done < len(chunks):
            while idle and sent < len(chunks) and sent - done < 2 * len(self._conns):
                conn = idle.pop()
                try:
                    conn.send((sent, chunks[sent]))
                except OSError:  # a broken pipe: the worker is gone
                    raise self._died(conn) from None
                busy[conn] = sent
                sent += 1
            if done in waiting:
                yield from waiting.pop(done)
                done += 1
                continue
            # Every worker's sentinel too: one that dies, busy or idle, is seen at once.
            by_sentinel = {p.sentinel: c for p, c in zip(self._procs, self._conns)}
            for ready in multiprocessing.connection.wait([*busy, *by_sentinel]):
                conn = by_sentinel.get(ready, ready)
                if conn not in busy:
                    if ready in by_sentinel:
                        raise self._died(conn)
                    continue  # its pipe and its sentinel were both ready: read once
                try:
                    index, ok, value = conn.recv()
                except (EOFError, OSError):
                    raise self._died(conn) from None
                if not ok:
                    raise value
                del busy[conn]
                waiting[index] = value
                idle.append(conn)

    def _died(self, conn: Any) -> BaseException:
        proc = self._procs[self._conns.index(conn)]
        proc.join(1)
        if proc.exitcode in _STOPPED:
            return KeyboardInterrupt()  # stopped from outside: the run is stopped too
        return RuntimeError(f"a grading process ended unexpectedly (exit code {proc.exitcode})")

    def stop(self) -> None:
        """Kill every worker and wait for it (it may be in the middle of a chunk)."""
        with interrupts.held():
            for proc in self._procs:
                if proc.exitcode is None:
                    proc.kill()
            self._close()

    def close(self) -> None:
        """Let every worker finish (there is no more to grade) and wait for it."""
        with interrupts.held():
            for conn in self._conns:
                conn.close()  # the worker reads the end of its pipe and exits
            for proc in self._procs:
                proc.join(10)
                if proc.exitcode is None:
                    proc.kill()
            self._close()

    def _close(self) -> None:
        for proc in self._procs:
            proc.join()
        for conn in self._conns:
            conn.close()
        self._procs = []
        self._conns = []


def _serve(conn: Any, closing: list[Any], fn: Callable[[Any], Any],
           initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
    for other in closing:
        other.close()
    initializer(*initargs)
    while True:
        try:
            index, items = conn.recv()
        except (EOFError, OSError):
            return  # no more to grade, or the parent is gone
        try:
            conn.send((index, True, [fn(item) for item in items]))
        except Exception as exc:
            try:
                conn.send((index, False, exc))
            except Exception:  # an exception that cannot be pickled: its text, then
                conn.send((index, False, RuntimeError(f"{type(exc).__name__}: {exc}")))
