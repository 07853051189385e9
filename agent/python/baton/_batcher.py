"""Sends items in batches from a background thread (agent/sdk/background-batcher.ts in Python).

A batch leaves `delay` seconds after its first item, or at once when `max_items` (or `max_bytes`)
wait, or on flush(). One batch is in flight at a time, so order is kept. A batch that fails for a
reason worth retrying (the API unreachable, 5xx, 429) is sent again, with backoff, until it is
stored: the server makes a re-sent batch a no-op (log lines by run, attempt and sequence; task
runs by key; a state already reached), so an outage loses and doubles nothing. A batch refused
for good (4xx) is dropped with a warning on stderr: sending it again could never succeed.
"""
import atexit
import sys
import threading
import time
import weakref

from ._wire import backoff_seconds, is_retryable


_live = weakref.WeakSet()
EXIT_FLUSH_SECONDS = 10


@atexit.register
def _flush_at_exit():
    # A flow flushes when it ends; this sends what was reported after (a task called from a thread
    # the flow did not wait for). Bounded, so an unreachable server cannot hold the exit for long.
    for batcher in list(_live):
        batcher.flush(EXIT_FLUSH_SECONDS)


class BackgroundBatcher:
    def __init__(self, send, what, delay=0.25, max_items=1000, size_of=None, max_bytes=None):
        _live.add(self)
        self._send = send
        self._what = what
        self._delay = delay
        self._max_items = max_items
        self._size_of = size_of
        self._max_bytes = max_bytes
        self._queue = []
        self._queued_bytes = 0
        self._sending = False
        self._flushing = 0
        self._cond = threading.Condition()
        self._thread = None

    def push(self, item):
        with self._cond:
            self._queue.append(item)
            if self._size_of:
                self._queued_bytes += self._size_of(item)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=f"baton-{self._what}", daemon=True)
                self._thread.start()
            if self._full():
                self._cond.notify_all()
            elif len(self._queue) == 1:
                self._cond.notify_all()

    def _full(self):
        return len(self._queue) >= self._max_items or (self._max_bytes is not None and self._queued_bytes >= self._max_bytes)

    def _take(self):
        n = 0
        size = 0
        while n < len(self._queue) and n < self._max_items:
            item_size = self._size_of(self._queue[n]) if self._size_of else 0
            if n > 0 and self._max_bytes is not None and size + item_size > self._max_bytes:
                break
            size += item_size
            n += 1
        batch = self._queue[:n]
        del self._queue[:n]
        self._queued_bytes -= size
        return batch

    def _loop(self):
        while True:
            with self._cond:
                while not self._queue:
                    self._cond.wait()
                deadline = time.monotonic() + self._delay
                while not self._full() and not self._flushing:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
                batch = self._take()
                self._sending = True
            try:
                self._deliver(batch)
            finally:
                with self._cond:
                    self._sending = False
                    self._cond.notify_all()

    def _deliver(self, batch):
        attempt = 0
        warned = False
        while True:
            try:
                self._send(batch)
                if warned:
                    sys.stderr.write(f"baton: Baton is reachable again; the {self._what} waiting were sent.\n")
                return
            except Exception as err:  # noqa: BLE001 - a reporter must never take the flow down
                if not is_retryable(err):
                    sys.stderr.write(f"baton: {len(batch)} {self._what} refused by Baton and not sent: {err}\n")
                    return
                if not warned and attempt >= 2:
                    warned = True
                    sys.stderr.write(f"baton: cannot send {self._what} to Baton ({err}); they are kept and sent again.\n")
                time.sleep(getattr(err, "retry_after", None) or backoff_seconds(attempt))
                attempt += 1

    def flush(self, timeout=None):
        """Waits until everything pushed so far was sent (or dropped); False if `timeout` passed first."""
        end = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._flushing += 1
            self._cond.notify_all()
            try:
                while self._queue or self._sending:
                    left = None if end is None else end - time.monotonic()
                    if left is not None and left <= 0:
                        return False
                    self._cond.wait(left)
                return True
            finally:
                self._flushing -= 1
