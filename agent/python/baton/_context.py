"""Which flow run and task run the running code belongs to (agent/sdk/runtime.ts in Python).

Context variables, copied into the threads that run submitted tasks, so a task's logs, artifacts
and nested task calls find their run from any thread the SDK started.
"""
import contextvars
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional


@dataclass
class FlowScope:
    mode: str  # "agent" | "adhoc" | "local"
    flow_name: str
    run_id: Optional[str]
    client: Any  # an ApiClient holding the run token (agent and ad-hoc runs), else None
    tasks: Any  # a TaskReporter, or None locally
    logs: Any  # a log sink
    log_prints: bool = False
    executor: Any = None  # the thread pool of submitted tasks, made on first use
    cancelled: Callable[[], bool] = lambda: False
    calls: Dict[str, int] = field(default_factory=dict)
    # id(result) -> (result, task run id): which task made an object a later task takes as input.
    # The object is kept so its id cannot be reused by another object while the run lasts.
    producers: Dict[int, Any] = field(default_factory=dict)
    lock: Any = field(default_factory=threading.Lock)

    def next_dynamic_key(self, task_key):
        with self.lock:
            n = self.calls.get(task_key, 0)
            self.calls[task_key] = n + 1
            return str(n)


@dataclass
class TaskScope:
    task_run_id: Optional[str]
    name: str
    log_prints: Optional[bool]


current_flow_var = contextvars.ContextVar("baton_flow", default=None)
current_task_var = contextvars.ContextVar("baton_task", default=None)

# Top-level flows running in this process: lets a record from a thread the SDK did not start
# (a library's worker) reach the run when only one runs.
_active = []
_active_lock = threading.Lock()


def current_flow():
    return current_flow_var.get()


def current_task():
    return current_task_var.get()


def flow_for_record():
    scope = current_flow_var.get()
    if scope is not None:
        return scope
    with _active_lock:
        return _active[0] if len(_active) == 1 else None


def activate(scope):
    with _active_lock:
        _active.append(scope)


def deactivate(scope):
    with _active_lock:
        if scope in _active:
            _active.remove(scope)


def prints_logged():
    """Whether print() here goes to the run's logs: the task's log_prints, else the flow's."""
    scope = current_flow_var.get()
    if scope is None:
        return False
    t = current_task_var.get()
    if t is not None and t.log_prints is not None:
        return t.log_prints
    return scope.log_prints
