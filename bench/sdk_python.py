"""Times a flow of trivial tasks in ad-hoc mode against the same calls as plain functions.

Run by bench/sdk-python.ts (which starts a local Baton and sets BATON_API_URL / BATON_API_KEY);
prints one JSON line of figures. BENCH_TASKS (default 1000) and BENCH_ROUNDS (5) change the size.
"""
import json
import os
import statistics
import time

from baton import flow, task

TASKS = int(os.environ.get("BENCH_TASKS", "1000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))


def work(i):
    return i + 1


trivial = task(name="trivial")(work)


@flow(name="bench-python-sequential")
def sequential():
    return sum(trivial(i) for i in range(TASKS))


@flow(name="bench-python-submit")
def submitted():
    return sum(f.result() for f in trivial.map(range(TASKS)))


def plain_sequential():
    return sum(work(i) for i in range(TASKS))


def plain_submitted():
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(32) as pool:
        return sum(pool.map(work, range(TASKS)))


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


# Warm-up (not measured): imports, connections, the server's caches.
sequential()
submitted()
rows = []
for label, baton, plain in [("sequential (call each task)", sequential, plain_sequential), ("concurrent (task.map on threads)", submitted, plain_submitted)]:
    b = [timed(baton) for _ in range(ROUNDS)]
    p = [timed(plain) for _ in range(ROUNDS)]
    rows.append({"label": label, "batonMs": statistics.median(b), "plainMs": statistics.median(p)})
print(json.dumps({"tasks": TASKS, "rounds": ROUNDS, "rows": rows}))
