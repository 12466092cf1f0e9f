"""A fault-injecting HTTP/1.1 proxy on loopback, between the POS and a real server.

Per request it may inject one fault (chosen by a seeded :class:`FaultPlan`, or
forced with :meth:`FaultProxy.force`):

=========================  =====================================================
REFUSED                    connection reset, then the port refuses connections
                           for ``refuse_window`` seconds (listener closed)
RESET_MID_REQUEST          half the body read, then TCP RST; never forwarded
TIMEOUT_BEFORE_COMMIT      request held unanswered (never forwarded) until the
                           client gives up or ``hold_seconds`` pass
RESPONSE_LOST_AFTER_COMMIT forwarded (server commits), then the client's
                           connection is reset instead of answered
HTTP_500                   forwarded (server commits), answer replaced by a 500
HTTP_502 / HTTP_503        answered by the "gateway"; never forwarded
RATE_LIMITED_429           429 with ``Retry-After``; never forwarded
TRUNCATED_BODY             forwarded, answer cut half-way through the body
SLOW_LINK                  forwarded, answer dribbled out in small pieces
=========================  =====================================================

Faults are bounded in count (``max_faults``) and time (``active_until``), and
:meth:`FaultPlan.stop` ends them; every thread stops with :meth:`FaultProxy.stop`.
"""

from __future__ import annotations

import contextlib
import random
import select
import socket
import struct
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from enum import StrEnum


class Fault(StrEnum):
    REFUSED = "refused"
    RESET_MID_REQUEST = "reset_mid_request"
    TIMEOUT_BEFORE_COMMIT = "timeout_before_commit"
    RESPONSE_LOST_AFTER_COMMIT = "response_lost_after_commit"
    HTTP_500 = "http_500"
    HTTP_502 = "http_502"
    HTTP_503 = "http_503"
    RATE_LIMITED_429 = "rate_limited_429"
    TRUNCATED_BODY = "truncated_body"
    SLOW_LINK = "slow_link"


ALL_FAULTS = tuple(Fault)
FORWARDED_FAULTS = frozenset({Fault.RESPONSE_LOST_AFTER_COMMIT, Fault.HTTP_500,
                              Fault.TRUNCATED_BODY, Fault.SLOW_LINK})
MAX_HEAD = 64 * 1024


class FaultPlan:
    """Which requests get which fault: seeded, bounded, thread-safe."""

    def __init__(
        self,
        *,
        rate: float = 0.0,
        faults: Sequence[Fault] = ALL_FAULTS,
        seed: int = 0,
        max_faults: int | None = None,
        active_for: float | None = None,
        applies_to: Callable[[str, str], bool] | None = None,
    ) -> None:
        self.rate = rate
        self.faults = tuple(faults)
        self.max_faults = max_faults
        self.active_until = None if active_for is None else time.monotonic() + active_for
        self.applies_to = applies_to
        self._random = random.Random(seed)
        self._forced: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._stopped = False
        self.injected: Counter[Fault] = Counter()
        self.requests = 0

    def force(self, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._forced.extend([fault] * times)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._forced.clear()

    @property
    def total_injected(self) -> int:
        with self._lock:
            return sum(self.injected.values())

    def choose(self, method: str, path: str) -> Fault | None:
        with self._lock:
            self.requests += 1
            if self._stopped:
                return None
            if self._forced:
                fault = self._forced.popleft()
                self.injected[fault] += 1
                return fault
            if self.applies_to is not None and not self.applies_to(method, path):
                return None
            if self.max_faults is not None and sum(self.injected.values()) >= self.max_faults:
                return None
            if self.active_until is not None and time.monotonic() > self.active_until:
                return None
            if self._random.random() >= self.rate:
                return None
            fault = self._random.choice(self.faults)
            self.injected[fault] += 1
            return fault


class _Request:
    def __init__(self, head: bytes, body: bytes, method: str, path: str) -> None:
        self.head, self.body, self.method, self.path = head, body, method, path


class FaultProxy:
    """``FaultProxy(upstream_port, plan).start()``; then talk to ``proxy.url``."""

    def __init__(
        self,
        upstream_port: int,
        plan: FaultPlan | None = None,
        *,
        upstream_host: str = "127.0.0.1",
        hold_seconds: float = 3.0,
        retry_after: int = 1,
        refuse_window: float = 0.3,
        slow_total_seconds: float = 0.4,
    ) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.plan = plan or FaultPlan()
        self.hold_seconds = hold_seconds
        self.retry_after = retry_after
        self.refuse_window = refuse_window
        self.slow_total_seconds = slow_total_seconds
        self.port = 0
        self._listener: socket.socket | None = None
        self._stop = threading.Event()
        self._refuse_until = 0.0
        self._threads: list[threading.Thread] = []
        self._clients: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.forwarded = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        self._listener = self._listen(self.port)
        self.port = self._listener.getsockname()[1]
        thread = threading.Thread(target=self._accept_loop, name="faultproxy-accept", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            clients = list(self._clients)
        for conn in clients:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in list(self._threads):
            thread.join(timeout=self.hold_seconds + 2)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- accepting ---------------------------------------------------------

    @staticmethod
    def _listen(port: int) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(64)
        return sock

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                if time.monotonic() < self._refuse_until:
                    listener = None
                else:
                    if self._listener is None:
                        with contextlib.suppress(OSError):
                            self._listener = self._listen(self.port)
                    listener = self._listener
            if listener is None:
                time.sleep(0.02)
                continue
            try:
                ready, _, _ = select.select([listener], [], [], 0.05)
                if not ready:
                    continue
                conn, _ = listener.accept()
            except (OSError, ValueError):
                continue
            thread = threading.Thread(target=self._serve_client, args=(conn,), daemon=True,
                                      name="faultproxy-client")
            with self._lock:
                self._clients.add(conn)
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(thread)
            thread.start()
        with self._lock:
            if self._listener is not None:
                self._listener.close()
                self._listener = None

    # -- one client connection ----------------------------------------------

    def _serve_client(self, conn: socket.socket) -> None:
        buffer = bytearray()
        try:
            conn.settimeout(30)
            while not self._stop.is_set():
                head = self._read_head(conn, buffer)
                if head is None:
                    return
                method, path, length = _parse_head(head)
                fault = self.plan.choose(method, path)
                if fault is Fault.RESET_MID_REQUEST:
                    self._read_body(conn, buffer, length // 2)
                    _reset(conn)
                    return
                body = self._read_body(conn, buffer, length)
                if body is None:
                    return
                if not self._handle(conn, _Request(head, body, method, path), fault):
                    return
        except OSError:
            return
        finally:
            with self._lock:
                self._clients.discard(conn)
            with contextlib.suppress(OSError):
                conn.close()

    def _handle(self, conn: socket.socket, request: _Request, fault: Fault | None) -> bool:
        """Answer one request; False when the client connection is finished."""
        if fault is Fault.REFUSED:
            with self._lock:  # close the port now: the next connect is refused
                self._refuse_until = time.monotonic() + self.refuse_window
                if self._listener is not None:
                    # shutdown first: a select() in the accept thread holds the file open
                    with contextlib.suppress(OSError):
                        self._listener.shutdown(socket.SHUT_RDWR)
                    self._listener.close()
                    self._listener = None
            _reset(conn)
            return False
        if fault is Fault.TIMEOUT_BEFORE_COMMIT:
            deadline = time.monotonic() + self.hold_seconds
            while time.monotonic() < deadline and not self._stop.is_set():
                ready, _, _ = select.select([conn], [], [], 0.05)
                if ready and not conn.recv(1, socket.MSG_PEEK):
                    break  # the client gave up and closed
            return False
        if fault in (Fault.HTTP_502, Fault.HTTP_503, Fault.RATE_LIMITED_429):
            status = {Fault.HTTP_502: 502, Fault.HTTP_503: 503, Fault.RATE_LIMITED_429: 429}[fault]
            extra = f"Retry-After: {self.retry_after}\r\n" if status == 429 else ""
            conn.sendall(_canned(status, extra))
            return True
        response = self._forward(request)
        if response is None:
            conn.sendall(_canned(502, ""))
            return False
        if fault is Fault.RESPONSE_LOST_AFTER_COMMIT:
            _reset(conn)
            return False
        if fault is Fault.HTTP_500:
            conn.sendall(_canned(500, ""))
            return True
        if fault is Fault.TRUNCATED_BODY:
            head_end = response.index(b"\r\n\r\n") + 4
            body_len = len(response) - head_end
            conn.sendall(response[: head_end + max(1, body_len // 2)] if body_len
                         else response[: head_end - 2])
            return False
        if fault is Fault.SLOW_LINK:
            pieces = max(1, len(response) // 256)
            pause = self.slow_total_seconds / pieces
            for start in range(0, len(response), 256):
                conn.sendall(response[start:start + 256])
                time.sleep(pause)
            return True
        conn.sendall(response)
        return True

    def _forward(self, request: _Request) -> bytes | None:
        """Send to the real server with ``Connection: close``; the full raw answer."""
        lines = request.head.split(b"\r\n")
        kept = [ln for ln in lines[1:] if ln and not ln.lower().startswith(b"connection:")]
        head = b"\r\n".join([lines[0], *kept, b"Connection: close"]) + b"\r\n\r\n"
        try:
            with socket.create_connection(self.upstream, timeout=60) as upstream:
                upstream.sendall(head + request.body)
                chunks = []
                while True:
                    chunk = upstream.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
        except OSError:
            return None
        with self._lock:
            self.forwarded += 1
        raw = b"".join(chunks)
        if b"\r\n\r\n" not in raw:
            return None
        # Keep the client's connection alive: drop the upstream's "Connection: close".
        head_end = raw.index(b"\r\n\r\n")
        rlines = raw[:head_end].split(b"\r\n")
        rkept = [ln for ln in rlines if not ln.lower().startswith(b"connection:")]
        return b"\r\n".join(rkept) + raw[head_end:]

    def _read_head(self, conn: socket.socket, buffer: bytearray) -> bytes | None:
        while b"\r\n\r\n" not in buffer:
            if len(buffer) > MAX_HEAD:
                return None
            chunk = conn.recv(65536)
            if not chunk:
                return None
            buffer.extend(chunk)
        end = buffer.index(b"\r\n\r\n") + 4
        head = bytes(buffer[: end - 4])
        del buffer[:end]
        return head

    @staticmethod
    def _read_body(conn: socket.socket, buffer: bytearray, length: int) -> bytes | None:
        while len(buffer) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            buffer.extend(chunk)
        body = bytes(buffer[:length])
        del buffer[:length]
        return body


def _parse_head(head: bytes) -> tuple[str, str, int]:
    lines = head.split(b"\r\n")
    parts = lines[0].decode("latin-1").split(" ")
    method, path = [*parts, "", ""][:2]
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip() or b"0")
    return method, path, length


def _canned(status: int, extra_headers: str) -> bytes:
    reason = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
              503: "Service Unavailable"}[status]
    body = f'{{"error":{{"id":"proxy_{status}","message":"injected {status}"}}}}'.encode()
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{extra_headers}\r\n").encode() + body


def _reset(conn: socket.socket) -> None:
    """Close with a TCP RST (SO_LINGER 0) rather than a polite FIN."""
    with contextlib.suppress(OSError):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        conn.close()
