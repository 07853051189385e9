"""Where a run's task runs and log lines go (agent/sdk/task-reporter.ts and log-sink.ts in Python)."""
import json
import os
import sys
import threading

from ._batcher import BackgroundBatcher
from ._wire import now_iso

MAX_LOG_LINE_BYTES = 16 * 1024
LEVELS = ("debug", "info", "warning", "error", "critical")


class TaskReporter:
    """Task runs and their states, sent in the background: a task costs the flow microseconds.

    Ids are made here, so states and upstream edges can be queued before the server answered.
    Each batch sends its creates in one request, then its states in another, in order.
    """

    def __init__(self, client, run_id):
        self._client = client
        self._run_id = run_id
        # A create answered with another id (the task run already existed): later reports use that one.
        self._renamed = {}
        self._batcher = BackgroundBatcher(self._send, "task run reports")

    def _id(self, requested):
        return self._renamed.get(requested, requested)

    def _send(self, ops):
        creates = [o for o in ops if o["kind"] == "create"]
        if creates:
            rows = []
            for c in creates:
                row = {k: v for k, v in c.items() if k != "kind"}
                row["upstreamTaskRunIds"] = [self._id(u) for u in c["upstreamTaskRunIds"]]
                rows.append(row)
            res = self._client.request("POST", "/task-runs/batch", {"runId": self._run_id, "taskRuns": rows}, tries=1)
            for t in res.get("taskRuns", []):
                if t["id"] != t["requestedId"]:
                    self._renamed[t["requestedId"]] = t["id"]
            # The creates are stored: a retry of this batch's states must not send them again.
            ops[:] = [o for o in ops if o["kind"] != "create"]
        states = [o for o in ops if o["kind"] == "state"]
        if states:
            reports = [{"taskRunId": self._id(s["taskRunId"]), "state": s["state"], "timestamp": s["timestamp"]} for s in states]
            self._client.request("POST", "/task-runs/states", {"reports": reports}, tries=1)

    def create(self, **op):
        op.update(kind="create", timestamp=now_iso())
        self._batcher.push(op)

    def state(self, task_run_id, state):
        self._batcher.push({"kind": "state", "taskRunId": task_run_id, "state": state, "timestamp": now_iso()})

    def flush(self, timeout=None):
        return self._batcher.flush(timeout)


def cut_line(message):
    """A line over the API's limit is cut here, with the same kind of marker the server would add."""
    raw = message.encode("utf-8", "replace")
    if len(raw) <= MAX_LOG_LINE_BYTES:
        return message
    cut = raw[: MAX_LOG_LINE_BYTES - 64].decode("utf-8", "ignore")
    return f"{cut}… [truncated {len(raw) - len(cut.encode())} bytes]"


def console_line(record):
    return f"{record['timestamp'][11:23]} | {record['level'].upper():<8} | {record['message']}"


class ConsoleLogSink:
    """Run locally (and echoed in ad-hoc runs): lines on stderr, as Python's logging prints them."""

    def __init__(self, stream=None):
        self._stream = stream
        self._lock = threading.Lock()

    def write(self, record):
        if record.get("quiet"):
            return
        stream = self._stream or sys.stderr
        with self._lock:
            stream.write(console_line(record) + "\n")
            stream.flush()

    def flush(self, timeout=None):
        return True


class ApiLogSink:
    """An ad-hoc run reports its own lines: numbered per attempt, batched, re-sent until stored."""

    def __init__(self, client, run_id, attempt, echo=None):
        self._seq = 0
        self._lock = threading.Lock()
        self._run_id = run_id
        self._attempt = attempt
        self._echo = echo
        self._batcher = BackgroundBatcher(
            lambda lines: client.request("POST", "/logs", {"logs": lines}, tries=1),
            "log lines",
            max_items=1000,
            size_of=lambda line: len(line["message"]) * 4 + 200,
            max_bytes=900 * 1024,
        )

    def write(self, record):
        with self._lock:
            seq = self._seq
            self._seq += 1
            line = {"runId": self._run_id, "attempt": self._attempt, "seq": seq, "level": record["level"], "timestamp": record["timestamp"], "message": cut_line(record["message"])}
            if record.get("taskRunId"):
                line["taskRunId"] = record["taskRunId"]
            # Pushed under the lock: lines reach the queue in the order of their numbers.
            self._batcher.push(line)
        if self._echo:
            self._echo.write(record)

    def flush(self, timeout=None):
        return self._batcher.flush(timeout)


class AgentLogSink:
    """Under an agent: the agent numbers and sends the run's lines, as it does its stdout and stderr.

    With BATON_LOG_FD the lines travel as JSON on that descriptor, with their level and task run
    (the same messages as the TypeScript runner's IPC: {"t": "log", level, message, taskRunId,
    timestamp}). Without it, debug and info lines go to stdout as they are and the others to stderr
    as Python's logging prints them (`WARNING:baton:…`).
    """

    def __init__(self, fd=None):
        self._lock = threading.Lock()
        self._file = os.fdopen(fd, "w", buffering=1, encoding="utf-8", closefd=False) if fd is not None else None

    def send(self, message):
        if self._file is None:
            return
        with self._lock:
            self._file.write(json.dumps(message, default=str) + "\n")
            self._file.flush()

    def write(self, record):
        if self._file is not None:
            self.send({"t": "log", "level": record["level"], "message": cut_line(record["message"]), "taskRunId": record.get("taskRunId"), "timestamp": record["timestamp"]})
            return
        # The agent reads stdout as info: debug and info lines go there plain, the rest to stderr.
        quiet_level = record["level"] in ("debug", "info")
        stream = (sys.__stdout__ or sys.stdout) if quiet_level else (sys.__stderr__ or sys.stderr)
        with self._lock:
            for line in record["message"].splitlines() or [""]:
                stream.write(f"{line}\n" if quiet_level else f"{record['level'].upper()}:baton:{line}\n")
            stream.flush()

    def flush(self, timeout=None):
        if self._file is not None:
            with self._lock:
                self._file.flush()
        return True


def agent_log_sink_from_env():
    fd = os.environ.get("BATON_LOG_FD")
    try:
        return AgentLogSink(int(fd)) if fd else AgentLogSink()
    except (ValueError, OSError):
        return AgentLogSink()
