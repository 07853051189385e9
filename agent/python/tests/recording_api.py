"""A stand-in for Baton's /api/v1 in the unit tests: answers as the server does and records every request.

`fail_next(n, status)` makes the next n requests fail (an outage); the integration tests
(tests/python-sdk-*.test.ts) run the same code against the real app.
"""
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RecordingApi:
    def __init__(self):
        self.requests = []
        self.cache = {}
        self.failures = []
        self.cancel = False
        # run_deployment: the states a child answers, one per poll (the last one repeats); by key the children made.
        self.child_states = [{"type": "COMPLETED", "name": "Completed", "message": None}]
        self.children = {}
        # A pause's answer: after `pause_polls` reads, this input (or, with None, a timed-out run).
        self.pause_polls = 2
        self.pause_input = {}
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self):
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                path = self.path[len("/api/v1"):]
                with api.lock:
                    if api.failures:
                        status = api.failures.pop(0)
                        api.requests.append((self.command, path, body, status))
                        return self._answer(status, {"error": {"code": "unavailable", "message": "down"}})
                    api.requests.append((self.command, path, body, 200))
                status, answer = api.answer(self.command, path, body)
                self._answer(status, answer)

            do_GET = do_POST = do_PUT = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, n, status=503):
        with self.lock:
            self.failures.extend([status] * n)

    def answer(self, method, path, body):
        if method == "POST" and path == "/flow-runs":
            return 201, {"run": {"id": str(uuid.uuid4()), "name": body["name"], "attempt": 1}, "runToken": "run-token"}
        if path == "/task-runs/batch":
            return 200, {"taskRuns": [{"id": t["id"], "requestedId": t["id"], "created": True} for t in body["taskRuns"]]}
        if path == "/task-runs/states":
            return 200, {"results": []}
        if path == "/logs":
            return 200, {"accepted": len(body["logs"]), "duplicates": 0}
        if path.endswith("/heartbeat"):
            return 200, {"cancel": self.cancel, "lost": False, "leaseExpiresAt": None}
        if path.endswith("/state"):
            return 200, {"status": "ACCEPT"}
        if path.startswith("/cache/"):
            key = path[len("/cache/"):]
            if method == "PUT":
                self.cache[key] = body["value"]
                return 200, {"key": key, "value": body["value"], "expiresAt": body.get("expiresAt")}
            if key in self.cache:
                return 200, {"key": key, "value": self.cache[key], "expiresAt": None}
            return 404, {"error": {"code": "NOT_FOUND", "message": "No cache entry"}}
        if path == "/artifacts":
            return 201, {"id": str(uuid.uuid4())}
        if method == "POST" and path.endswith("/children"):
            if body["parameters"].get("epochs") == -1:
                return 422, {"error": {"code": "UNPROCESSABLE", "message": "The parameters do not match the deployment's schema: epochs must be >= 1.", "details": {"fieldErrors": {"epochs": ["must be >= 1"]}}}}
            child = self.children.setdefault(body["idempotencyKey"], {"id": str(uuid.uuid4()), "name": f"child-{body['idempotencyKey']}", "polls": 0})
            return 201, {"run": self._child(child, {"type": "SCHEDULED", "name": "Scheduled", "message": None}), "created": True}
        if method == "GET" and "/children/" in path:
            child = next(c for c in self.children.values() if path.endswith(c["id"]))
            state = self.child_states[min(child["polls"], len(self.child_states) - 1)]
            child["polls"] += 1
            return 200, self._child(child, state)
        if method == "POST" and path.endswith("/pause"):
            return 200, self._pause("waiting", None)
        if method == "GET" and "/pauses/" in path:
            reads = sum(1 for (m, p, _b, _s) in self.requests if m == "GET" and "/pauses/" in p)
            if reads < self.pause_polls:
                return 200, self._pause("waiting", None)
            if self.pause_input is None:
                return 200, self._pause("timed_out", None, {"type": "FAILED", "name": "TimedOut", "message": "Nobody answered within 1 h (the pause's timeout), so the run failed."})
            return 200, self._pause("answered", self.pause_input)
        return 404, {"error": {"code": "NOT_FOUND", "message": path}}

    @staticmethod
    def _child(child, state):
        return {"id": child["id"], "name": child["name"], "state": dict(state, timestamp="2026-01-01T00:00:00.000Z"), "deploymentName": "train", "parameters": {}}

    def _pause(self, status, given, state=None):
        return {"id": "0193f1d2-0000-7000-8000-00000000000a", "status": status, "input": given, "timeoutAt": "2026-12-02T10:00:00Z",
                "submittedBy": "Grace Hopper" if given is not None else None, "runState": state or {"type": "PAUSED", "name": "Paused", "message": None}}

    def bodies(self, path, status=200):
        return [b for (_m, p, b, s) in self.requests if p == path and s == status]

    def task_runs(self):
        return [t for b in self.bodies("/task-runs/batch") for t in b["taskRuns"]]

    def logs(self):
        return [line for b in self.bodies("/logs") for line in b["logs"]]
