"""The HTTP side: a small /api/v1 client (standard library only), ids and timestamps.

Mirrors agent/client/api-client.ts: bearer auth (an API key or a run token), JSON in and out,
retries of what is worth retrying (unreachable, 5xx, 408, 429) with full-jitter backoff that never
comes sooner than the server's Retry-After. Connections are kept alive per thread: the reporters
each send from their own thread, so a batch costs one round trip, not a TCP handshake too.
"""
import datetime as _dt
import http.client
import json
import os
import random
import threading
import time
import urllib.parse

USER_AGENT = "baton-python-sdk"


class ApiError(Exception):
    """An answer of the API that is not a success: its status, and the JSON error's code and message."""

    def __init__(self, status, code, message, retry_after=None, details=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.retry_after = retry_after
        self.details = details


class UnreachableError(Exception):
    """The API could not be reached at all (refused, reset, timed out)."""


def is_retryable(err):
    if isinstance(err, UnreachableError):
        return True
    return isinstance(err, ApiError) and (err.status >= 500 or err.status in (408, 429))


def backoff_seconds(attempt, base=0.5, cap=15.0):
    ceiling = min(cap, base * 2 ** min(attempt, 20))
    return ceiling / 2 + random.random() * ceiling / 2


class ApiClient:
    def __init__(self, base_url, token):
        self.base_url = base_url.rstrip("/")
        parsed = urllib.parse.urlsplit(self.base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"{base_url!r} is not an http(s) URL: set BATON_API_URL to the server's address, e.g. http://localhost:3000")
        self._scheme = parsed.scheme
        self._netloc = parsed.netloc
        self._prefix = parsed.path.rstrip("/") + "/api/v1"
        self._token = token
        self._local = threading.local()

    def request(self, method, path, body=None, tries=3, timeout=60.0):
        """The JSON answer; raises ApiError or UnreachableError after `tries` (None: until it succeeds or fails for good)."""
        attempt = 0
        while True:
            try:
                return self._once(method, path, body, timeout)
            except (ApiError, UnreachableError) as err:
                attempt += 1
                if not is_retryable(err) or (tries is not None and attempt >= tries):
                    raise
                wait = backoff_seconds(attempt - 1)
                if isinstance(err, ApiError) and err.retry_after:
                    wait = max(wait, err.retry_after)
                time.sleep(wait)

    def _connection(self, timeout):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            cls = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
            conn = cls(self._netloc, timeout=timeout)
            self._local.conn = conn
        conn.timeout = timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        return conn

    def _drop_connection(self):
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()

    def _once(self, method, path, body, timeout):
        headers = {"accept": "application/json", "user-agent": USER_AGENT}
        if self._token:
            headers["authorization"] = f"Bearer {self._token}"
        data = None
        if body is not None:
            data = json.dumps(body, separators=(",", ":"), allow_nan=False).encode()
            headers["content-type"] = "application/json"
        # A kept-alive connection the server closed meanwhile fails on first use: one fresh retry.
        for fresh in (False, True):
            conn = self._connection(timeout)
            try:
                conn.request(method, self._prefix + path, body=data, headers=headers)
                res = conn.getresponse()
                text = res.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as err:
                self._drop_connection()
                if fresh:
                    raise UnreachableError(f"Could not reach Baton at {self.base_url} ({type(err).__name__}). Is the server running and the URL right?") from None
            except (OSError, http.client.HTTPException) as err:
                self._drop_connection()
                raise UnreachableError(f"Could not reach Baton at {self.base_url} ({err}). Is the server running and the URL right?") from None
        if res.getheader("connection", "").lower() == "close":
            self._drop_connection()
        try:
            payload = json.loads(text) if text else None
        except ValueError:
            payload = None
        if 200 <= res.status < 300:
            return payload
        error = payload.get("error") if isinstance(payload, dict) else None
        error = error if isinstance(error, dict) else {}
        try:
            retry_after = float(res.getheader("retry-after") or 0) or None
        except ValueError:
            retry_after = None
        raise ApiError(
            res.status,
            error.get("code") or f"http_{res.status}",
            error.get("message") or f"Baton answered {res.status} {res.reason} for {method} {path}",
            retry_after,
            error.get("details"),
        )


def now_iso():
    """The current time as the API's ISO timestamps: UTC, milliseconds, a Z."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


_uuid_lock = threading.Lock()
_uuid_last = [0, 0]


def uuid7():
    """A UUIDv7 (time-ordered), as the TypeScript SDK makes task run ids: made here, before the server answers."""
    ms = time.time_ns() // 1_000_000
    with _uuid_lock:
        # Monotonic within one millisecond: a counter in the 12 "rand_a" bits.
        if ms <= _uuid_last[0]:
            ms = _uuid_last[0]
            _uuid_last[1] += 1
            if _uuid_last[1] > 0xFFF:
                ms += 1
                _uuid_last[1] = 0
        else:
            _uuid_last[1] = random.getrandbits(8)
        _uuid_last[0] = ms
        counter = _uuid_last[1]
    rand_b = int.from_bytes(os.urandom(8), "big") & 0x3FFFFFFFFFFFFFFF
    value = (ms & 0xFFFFFFFFFFFF) << 80 | 0x7 << 76 | counter << 64 | 0x2 << 62 | rand_b
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
