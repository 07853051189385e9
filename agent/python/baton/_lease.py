"""An ad-hoc run's lease (agent/sdk/adhoc-lease.ts in Python).

No agent holds an ad-hoc run, so the script heartbeats it itself with its run token. A killed
script stops heartbeating and Baton marks its run Crashed within a lease period. When a person
cancels the run, no further task starts (the next one raises FlowCancelledError); if the flow's
code is still running KILL_GRACE_SECONDS later, the process reports the run Cancelled and exits
with code 130.
"""
import os
import sys
import threading

from ._wire import now_iso

# The same numbers as agent/protocol/leases.ts (tests/test_lease_constants.py keeps them equal).
HEARTBEAT_SECONDS = 3
KILL_GRACE_SECONDS = 3


class AdhocLease:
    def __init__(self, client, run_id, flow_name, logs, on_forced_exit):
        self._client = client
        self._run_id = run_id
        self._flow_name = flow_name
        self._logs = logs
        self._on_forced_exit = on_forced_exit
        self._stopped = threading.Event()
        self._lost_warned = False
        self.is_cancelled = False
        self._thread = threading.Thread(target=self._loop, name="baton-lease", daemon=True)
        self._thread.start()

    def stop(self):
        """The flow's own code has ended: no more heartbeats, and no forced exit."""
        self._stopped.set()

    def _loop(self):
        while not self._stopped.wait(HEARTBEAT_SECONDS):
            try:
                res = self._client.request("POST", f"/flow-runs/{self._run_id}/heartbeat", tries=1, timeout=HEARTBEAT_SECONDS + 2)
            except Exception:  # noqa: BLE001 - unreachable for now: try again next time; the lease rules decide
                continue
            if not isinstance(res, dict):
                continue
            if res.get("cancel") and not self.is_cancelled:
                self._cancel()
            if res.get("lost") and not res.get("cancel") and not self._lost_warned:
                self._lost_warned = True
                self._warn("Baton no longer holds this run as running (its lease expired: no heartbeat reached Baton for a while); its reports are refused.")

    def _cancel(self):
        self.is_cancelled = True
        self._warn(f"Run cancelled in Baton: stopping flow {self._flow_name}.")

        def exit_later():
            if self._stopped.wait(KILL_GRACE_SECONDS):
                return
            self._warn(f"Flow {self._flow_name} was still running {KILL_GRACE_SECONDS} s after the cancel: exiting the process.")
            try:
                self._on_forced_exit()
            finally:
                sys.stderr.flush()
                os._exit(130)

        threading.Thread(target=exit_later, name="baton-cancel", daemon=True).start()

    def _warn(self, message):
        self._logs.write({"level": "warning", "message": message, "taskRunId": None, "timestamp": now_iso()})
