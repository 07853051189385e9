"""Retry delays (Prefect's retry_delay_seconds, exponential_backoff, retry_jitter_factor) and timeouts."""
import random
import threading


def exponential_backoff(backoff_factor):
    """Prefect's helper: delays of backoff_factor * 2**n seconds, one per retry.

    `@task(retries=3, retry_delay_seconds=exponential_backoff(backoff_factor=10))` waits 10, 20, 40 s.
    """
    if backoff_factor < 0:
        raise ValueError("exponential_backoff: backoff_factor must be 0 or more")

    def retry_backoff(retries):
        return [backoff_factor * 2**r for r in range(retries)]

    retry_backoff.backoff_factor = backoff_factor
    return retry_backoff


def validate_retry_options(what, retries, retry_delay_seconds, retry_jitter_factor):
    if retries is not None and (not isinstance(retries, int) or isinstance(retries, bool) or retries < 0):
        raise ValueError(f"{what}: retries must be a whole number, 0 or more (got {retries!r})")
    if retry_jitter_factor is not None and (not isinstance(retry_jitter_factor, (int, float)) or retry_jitter_factor < 0):
        raise ValueError(f"{what}: retry_jitter_factor must be a number, 0 or more (got {retry_jitter_factor!r})")
    d = retry_delay_seconds
    if d is None or callable(d):
        return
    if isinstance(d, (list, tuple)):
        if len(d) > 50:
            raise ValueError(f"{what}: retry_delay_seconds takes at most 50 delays (got {len(d)})")
        items = d
    else:
        items = [d]
    for x in items:
        if isinstance(x, bool) or not isinstance(x, (int, float)) or x < 0:
            raise ValueError(f"{what}: retry_delay_seconds must be seconds (a number, 0 or more), a list of them, or exponential_backoff(...) (got {d!r})")


def delay_list(retry_delay_seconds, retries):
    """The delays before each retry, as Prefect computes them (a callable gets the number of retries)."""
    d = retry_delay_seconds
    if d is None:
        return [0.0] * retries
    if callable(d):
        return list(d(retries))
    if isinstance(d, (list, tuple)):
        return list(d)
    return [d] * retries


def retry_delay(retry_delay_seconds, retries, retry, jitter_factor=None):
    """Seconds before retry number `retry` (1-based): the list's entry (its last repeats), jittered.

    With retry_jitter_factor j the delay is drawn uniformly from [d·(1−j), d·(1+j)], at least 0
    (Prefect draws from a clamped Poisson interval; the bound above it, d·(1+j), is the same).
    """
    delays = delay_list(retry_delay_seconds, retries)
    base = float(delays[min(retry, len(delays)) - 1]) if delays else 0.0
    if jitter_factor:
        base = max(0.0, base * (1 + random.uniform(-jitter_factor, jitter_factor)))
    return base


def to_wire_retry_delay(retry_delay_seconds, retries, jitter_factor=None):
    """The deployment API's form of a flow's retry delay (agent/protocol/deployments.ts retryDelaySchema)."""
    d = retry_delay_seconds
    if d is None:
        return None
    if callable(d):
        factor = getattr(d, "backoff_factor", None)
        if factor is not None:
            return {"kind": "exponential", "baseSeconds": factor, "jitter": min(1.0, float(jitter_factor or 0))}
        delays = delay_list(d, max(retries or 0, 1))
        return {"kind": "list", "seconds": delays}
    if isinstance(d, (list, tuple)):
        return {"kind": "list", "seconds": list(d)} if d else None
    return {"kind": "fixed", "seconds": d}


class TaskTimeoutError(TimeoutError):
    """A task or flow ran longer than its timeout_seconds."""


def call_with_timeout(fn, seconds, what):
    """Runs `fn` with a time limit: past it, TaskTimeoutError is raised here.

    Python cannot stop a thread, so the work goes on in its daemon thread and its result is
    ignored (as in the TypeScript SDK); the run's process ends it when the run ends.
    """
    if not seconds:
        return fn()
    box = {}
    done = threading.Event()

    def target():
        try:
            box["result"] = fn()
        except BaseException as err:  # noqa: BLE001 - carried to the caller
            box["error"] = err
        finally:
            done.set()

    import contextvars

    ctx = contextvars.copy_context()
    threading.Thread(target=lambda: ctx.run(target), name=f"baton-timeout {what}", daemon=True).start()
    if not done.wait(seconds):
        raise TaskTimeoutError(f"{what} timed out after {seconds:g} s")
    if "error" in box:
        raise box["error"]
    return box["result"]
