"""The run's logs: get_run_logger(), Python's own logging records, and print() with log_prints."""
import builtins
import io
import logging
import os
import sys
import threading

from ._context import current_task, flow_for_record, prints_logged
from ._sinks import ConsoleLogSink
from ._wire import now_iso

_console = ConsoleLogSink()
_installed = False
_install_lock = threading.Lock()
_original_print = builtins.print


def level_name(levelno):
    if levelno >= logging.CRITICAL:
        return "critical"
    if levelno >= logging.ERROR:
        return "error"
    if levelno >= logging.WARNING:
        return "warning"
    if levelno >= logging.INFO:
        return "info"
    return "debug"


def write(level, message, task_run_id=None, scope=None, quiet=False):
    """A line of the run; `quiet`: another handler already shows it on the console, so it is not echoed there."""
    scope = scope or flow_for_record()
    if task_run_id is None:
        t = current_task()
        task_run_id = t.task_run_id if t else None
    record = {"level": level, "message": message, "taskRunId": task_run_id, "timestamp": now_iso()}
    if quiet:
        record["quiet"] = True
    (scope.logs if scope else _console).write(record)


def _message(handler, record):
    message = record.getMessage()
    if record.exc_info:
        message += "\n" + handler.formatter_for_exc.formatException(record.exc_info)
    if record.stack_info:
        message += "\n" + record.stack_info
    return message


class _RunLoggerHandler(logging.Handler):
    """The handler of get_run_logger()'s logger: lines go to the run (or the console, outside one)."""

    formatter_for_exc = logging.Formatter()

    def emit(self, record):
        try:
            write(level_name(record.levelno), _message(self, record))
        except Exception:  # noqa: BLE001 - logging must not raise into user code
            self.handleError(record)


class _RootRecordHandler(logging.Handler):
    """On the root logger: records of Python's own logging made inside a run go to the run's logs
    with their level. Outside a run, it does what Python does with no handler configured."""

    formatter_for_exc = logging.Formatter()

    def emit(self, record):
        try:
            scope = flow_for_record()
            root = logging.getLogger()
            if scope is not None:
                # With logging configured (basicConfig), the user's own handler prints the record.
                write(level_name(record.levelno), _message(self, record), scope=scope, quiet=len(root.handlers) > 1)
                return
            if len(root.handlers) == 1 and record.levelno >= logging.lastResort.level:
                logging.lastResort.handle(record)
        except Exception:  # noqa: BLE001
            self.handleError(record)


def _run_logger():
    logger = logging.getLogger("baton.run")
    if not any(isinstance(h, _RunLoggerHandler) for h in logger.handlers):
        logger.addHandler(_RunLoggerHandler())
        logger.propagate = False
        logger.setLevel(os.environ.get("BATON_LOGGING_LEVEL", "INFO").upper())
    return logger


def get_run_logger():
    """The logger of the flow or task run this code runs in (a logging.Logger).

    Its lines reach Baton with their level and task run; run locally, they go to the console.
    Its level is INFO, or BATON_LOGGING_LEVEL (e.g. DEBUG).
    """
    return _run_logger()


def _print(*args, sep=" ", end="\n", file=None, flush=False):
    if (file is None or file is sys.stdout) and prints_logged():
        buf = io.StringIO()
        _original_print(*args, sep=sep, end="", file=buf)
        write("info", buf.getvalue())
        return
    _original_print(*args, sep=sep, end=end, file=file, flush=flush)


def install():
    """Once per process, at the first flow call: the root handler and print() of log_prints."""
    global _installed
    with _install_lock:
        if _installed:
            return
        _installed = True
        logging.getLogger().addHandler(_RootRecordHandler())
        builtins.print = _print
