"""@task: a function whose calls inside a flow become task runs (Prefect 2's names and signature).

Calling a task runs it and returns its result; `.submit()` runs it on the flow's thread pool and
returns a BatonFuture; `.map()` submits one call per item. An input that is a future, or an object
another task of the run returned (also inside lists, tuples, sets and dicts), records the edge in
the run's graph; so does each future in `wait_for`. Called outside a flow, a task is a plain call.
"""
import concurrent.futures
import contextvars
import datetime as _dt
import functools
import inspect
import os
import time

from . import _cache, _logs
from ._context import TaskScope, current_flow, current_task_var
from ._retry import TaskTimeoutError, call_with_timeout, retry_delay, validate_retry_options
from ._wire import uuid7


class FlowCancelledError(BaseException):
    """The run was cancelled in Baton: no further task starts. A BaseException, so `except Exception` in a flow does not swallow it."""


class UpstreamTaskError(RuntimeError):
    """A task in wait_for (or whose future is an input) failed, so this task did not run."""


class unmapped:  # noqa: N801 - Prefect's name
    """Passes the same value to every call of Task.map instead of iterating over it."""

    def __init__(self, value):
        self.value = value


class BatonFuture:
    """The result of Task.submit: wait for it, or pass it to another task (which records the edge)."""

    def __init__(self, task_run_id, task_name, future):
        self.task_run_id = task_run_id
        self.task_name = task_name
        self._future = future

    def result(self, timeout=None, raise_on_failure=True):
        """The task's result, waiting for it; its exception if it failed (or, with raise_on_failure=False, the exception as the value)."""
        try:
            return self._future.result(timeout)
        except concurrent.futures.TimeoutError:
            raise TimeoutError(f"Task {self.task_name} has not finished after {timeout} s") from None
        except Exception as err:  # noqa: BLE001
            if raise_on_failure:
                raise
            return err

    def wait(self, timeout=None):
        """Waits for the task to end (without raising its error)."""
        concurrent.futures.wait([self._future], timeout)
        return self

    def done(self):
        return self._future.done()

    def exception(self, timeout=None):
        return self._future.exception(timeout)

    def __repr__(self):
        return f"BatonFuture(task={self.task_name!r}, task_run_id={self.task_run_id!r}, done={self.done()})"


_UNTRACKED = (type(None), bool)


def _trackable(value):
    # Interned or shared values (None, booleans, small ints, the empty string) stand for no one task.
    if isinstance(value, _UNTRACKED):
        return False
    if isinstance(value, int) and -5 <= value <= 256:
        return False
    if isinstance(value, (str, bytes, tuple)) and len(value) == 0:
        return False
    return True


def remember(scope, value, task_run_id):
    if _trackable(value):
        with scope.lock:
            scope.producers[id(value)] = (value, task_run_id)


def _resolve(scope, value, upstream, depth=0):
    """Futures replaced by their results (collections rebuilt only when they hold one); edges noted."""
    if isinstance(value, BatonFuture):
        upstream.append(value.task_run_id)
        try:
            return value.result()
        except Exception as err:  # noqa: BLE001
            raise UpstreamTaskError(f"Upstream task {value.task_name} failed: {type(err).__name__}: {err}") from err
    if _trackable(value):
        hit = scope.producers.get(id(value))
        if hit is not None and hit[0] is value:
            upstream.append(hit[1])
    if depth >= 3:
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_resolve(scope, v, upstream, depth + 1) for v in value]
        if any(a is not b for a, b in zip(items, value)):
            return type(value)(items) if not hasattr(value, "_fields") else type(value)(*items)
        return value
    if isinstance(value, dict):
        items = {k: _resolve(scope, v, upstream, depth + 1) for k, v in value.items()}
        return items if any(items[k] is not value[k] for k in value) else value
    return value


class Task:
    def __init__(self, fn, name=None, description=None, tags=None, retries=None, retry_delay_seconds=None, retry_jitter_factor=None,
                 timeout_seconds=None, cache_key_fn=None, cache_expiration=None, log_prints=None):
        if not callable(fn):
            raise TypeError("@task decorates a function")
        if inspect.iscoroutinefunction(fn):
            raise TypeError(f"@task {fn.__name__}: async functions are not supported yet; make it a plain def (docs/python.md)")
        self.fn = fn
        self.name = name or fn.__name__
        validate_retry_options(f"@task {self.name}", retries, retry_delay_seconds, retry_jitter_factor)
        if cache_expiration is not None and not isinstance(cache_expiration, _dt.timedelta):
            raise TypeError(f"@task {self.name}: cache_expiration must be a datetime.timedelta (got {cache_expiration!r})")
        if cache_key_fn is not None and not callable(cache_key_fn):
            raise TypeError(f"@task {self.name}: cache_key_fn must be a function (context, parameters) -> str or None")
        self.description = description or inspect.getdoc(fn)
        self.tags = list(tags or [])
        self.retries = retries or 0
        self.retry_delay_seconds = retry_delay_seconds
        self.retry_jitter_factor = retry_jitter_factor
        self.timeout_seconds = timeout_seconds
        self.cache_key_fn = cache_key_fn
        self.cache_expiration = cache_expiration
        self.log_prints = log_prints
        # Identifies the task in the code: two tasks with the same display name stay apart.
        self.task_key = f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', self.name)}"
        self._options = dict(name=name, description=description, tags=tags, retries=retries, retry_delay_seconds=retry_delay_seconds,
                             retry_jitter_factor=retry_jitter_factor, timeout_seconds=timeout_seconds, cache_key_fn=cache_key_fn,
                             cache_expiration=cache_expiration, log_prints=log_prints)
        functools.update_wrapper(self, fn)

    def with_options(self, **options):
        """A copy of the task with some options changed (Prefect's with_options)."""
        return Task(self.fn, **{**self._options, **options})

    def __call__(self, *args, **kwargs):
        scope = current_flow()
        if scope is None:
            return self.fn(*args, **kwargs)
        return self._run(scope, uuid7(), args, kwargs, [], [])

    def submit(self, *args, wait_for=None, **kwargs):
        """Runs the task on the flow's thread pool; the future's result is the task's."""
        scope = current_flow()
        if scope is None:
            f = concurrent.futures.Future()
            try:
                f.set_result(self.fn(*args, **kwargs))
            except Exception as err:  # noqa: BLE001
                f.set_exception(err)
            return BatonFuture(None, self.name, f)
        task_run_id = uuid7()
        ctx = contextvars.copy_context()
        future = _executor(scope).submit(ctx.run, self._run, scope, task_run_id, args, kwargs, list(wait_for or []), [])
        return BatonFuture(task_run_id, self.name, future)

    def map(self, *args, wait_for=None, **kwargs):
        """One submitted call per item of the iterable arguments (unmapped(x), str, bytes and dicts are passed whole)."""
        scope = current_flow()
        upstream = []
        if scope is not None:
            args = tuple(_resolve(scope, a, upstream) if isinstance(a, BatonFuture) else a for a in args)
            kwargs = {k: _resolve(scope, v, upstream) if isinstance(v, BatonFuture) else v for k, v in kwargs.items()}

        def mapped(v):
            return not isinstance(v, (unmapped, str, bytes, dict)) and hasattr(v, "__iter__")

        iterables = {i: list(a) for i, a in enumerate(args) if mapped(a)}
        iterables.update({k: list(v) for k, v in kwargs.items() if mapped(v)})
        lengths = {len(v) for v in iterables.values()}
        if not iterables:
            raise ValueError(f"{self.name}.map: give at least one list (or other iterable) to map over")
        if len(lengths) > 1:
            raise ValueError(f"{self.name}.map: the iterables have different lengths ({', '.join(str(len(v)) for v in iterables.values())})")
        futures = []
        for n in range(lengths.pop()):
            call_args = [iterables[i][n] if i in iterables else (a.value if isinstance(a, unmapped) else a) for i, a in enumerate(args)]
            call_kwargs = {k: iterables[k][n] if k in iterables else (v.value if isinstance(v, unmapped) else v) for k, v in kwargs.items()}
            if scope is None:
                futures.append(self.submit(*call_args, **call_kwargs))
                continue
            task_run_id = uuid7()
            ctx = contextvars.copy_context()
            future = _executor(scope).submit(ctx.run, self._run, scope, task_run_id, tuple(call_args), call_kwargs, list(wait_for or []), upstream)
            futures.append(BatonFuture(task_run_id, self.name, future))
        return futures

    def _run(self, scope, task_run_id, args, kwargs, wait_for, extra_upstream):
        if scope.cancelled():
            raise FlowCancelledError(f"Flow {scope.flow_name} was cancelled in Baton")
        dynamic_key = scope.next_dynamic_key(self.task_key)
        upstream = list(extra_upstream)
        args = tuple(_resolve(scope, a, upstream) for a in args)
        kwargs = {k: _resolve(scope, v, upstream) for k, v in kwargs.items()}
        for w in wait_for:
            _resolve(scope, w, upstream)
        upstream = list(dict.fromkeys(u for u in upstream if u))
        reporting = scope.tasks is not None
        log_id = task_run_id if reporting else None

        def warn(message):
            _logs.write("warning", message, task_run_id=log_id, scope=scope)

        cache_key = None
        if self.cache_key_fn is not None:
            bound = inspect.signature(self.fn).bind(*args, **kwargs)
            bound.apply_defaults()
            context = _cache.TaskRunContext(task=self, task_run_id=task_run_id, flow_run_id=scope.run_id, parameters=dict(bound.arguments))
            cache_key = self.cache_key_fn(context, dict(bound.arguments))
            if cache_key is not None:
                cache_key = str(cache_key)[:500]
        base = dict(id=task_run_id, taskKey=self.task_key[:500], dynamicKey=dynamic_key, name=self.name[:200], upstreamTaskRunIds=upstream, cacheKey=cache_key)
        if cache_key:
            hit, value = _cache.lookup(scope, cache_key, warn)
            if hit:
                if reporting:
                    scope.tasks.create(**base, state={"type": "COMPLETED", "name": "Cached", "message": f"Result read from the cache ({cache_key})"[:4000]})
                remember(scope, value, task_run_id)
                return value
        if reporting:
            scope.tasks.create(**base, state={"type": "RUNNING"})
        token = current_task_var.set(TaskScope(log_id, self.name, self.log_prints))
        try:
            return self._attempts(scope, task_run_id, args, kwargs, cache_key, warn)
        finally:
            current_task_var.reset(token)

    def _attempts(self, scope, task_run_id, args, kwargs, cache_key, warn):
        report = scope.tasks.state if scope.tasks is not None else (lambda _id, _state: None)
        attempt = 0
        while True:
            try:
                result = call_with_timeout(lambda: self.fn(*args, **kwargs), self.timeout_seconds, f"Task {self.name}")
            except Exception as err:  # noqa: BLE001
                message = _error_message(err)
                if attempt < self.retries:
                    attempt += 1
                    delay = retry_delay(self.retry_delay_seconds, self.retries, attempt, self.retry_jitter_factor)
                    report(task_run_id, {"type": "SCHEDULED", "name": "AwaitingRetry", "message": f"Retry {attempt} of {self.retries} in {delay:g} s after: {message}"[:4000]})
                    warn(f"Task {self.name} failed ({message}); retry {attempt} of {self.retries} in {delay:g} s")
                    _sleep(scope, delay)
                    report(task_run_id, {"type": "RUNNING", "name": "Retrying"})
                    continue
                timed_out = isinstance(err, TaskTimeoutError)
                report(task_run_id, {"type": "FAILED", "name": "TimedOut" if timed_out else "Failed", "message": message[:4000]})
                raise
            except BaseException as err:
                report(task_run_id, {"type": "FAILED", "name": "Failed", "message": _error_message(err)[:4000] or type(err).__name__})
                raise
            if cache_key:
                _cache.store(scope, cache_key, result, self.cache_expiration, warn)
            report(task_run_id, {"type": "COMPLETED"})
            remember(scope, result, task_run_id)
            return result

    def __repr__(self):
        return f"Task(name={self.name!r})"


def _sleep(scope, seconds):
    end = time.monotonic() + seconds
    while True:
        if scope.cancelled():
            raise FlowCancelledError(f"Flow {scope.flow_name} was cancelled in Baton")
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.25))


def _executor(scope):
    with scope.lock:
        if scope.executor is None:
            workers = int(os.environ.get("BATON_TASK_WORKERS") or 32)
            scope.executor = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="baton-task")
        return scope.executor


def _error_message(err):
    text = str(err)
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def task(__fn=None, **options):
    """`@task` or `@task(name=, retries=, retry_delay_seconds=, retry_jitter_factor=, timeout_seconds=,
    cache_key_fn=, cache_expiration=, log_prints=, tags=, description=)`, as in Prefect 2."""
    if __fn is not None:
        return Task(__fn, **options)
    return lambda fn: Task(fn, **options)
