"""A network printer on loopback: takes port-9100 jobs, answers DLE EOT status queries
like a real one, and can run out of paper or drop the connection mid-job."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

STATUS_QUERY = b"\x10\x04"


class LoopbackPrinter:
    def __init__(self, *, drop_after: int | None = None, no_paper: bool = False) -> None:
        self.drop_after = drop_after      # close (RST) after this many job bytes
        self.no_paper = no_paper
        self.jobs: list[bytes] = []       # bytes of each connection, status queries included
        self.connections = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._done = threading.Event()

    @property
    def target(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def start(self) -> LoopbackPrinter:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._done.is_set():
            return
        self._done.set()
        with contextlib.suppress(OSError):  # wake the accept() (closing alone does not)
            socket.create_connection(("127.0.0.1", self.port), timeout=5).close()
        self._thread.join()
        self._server.close()

    def _serve(self) -> None:
        while not self._done.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            if self._done.is_set():
                conn.close()
                return
            self.connections += 1
            with conn:
                self._session(conn)

    def _session(self, conn: socket.socket) -> None:
        received = bytearray()
        answered = 0
        while True:
            try:
                chunk = conn.recv(4096)
            except OSError:
                break
            if not chunk:
                break
            received += chunk
            if self.drop_after is not None and len(received) > self.drop_after:
                # Gone mid-job (power cut, cable pulled): reset, nothing more is read.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                break
            while True:
                at = received.find(STATUS_QUERY, answered)
                if at < 0 or at + 2 >= len(received):
                    break
                kind = received[at + 2]
                answered = at + 3
                if kind == 4:
                    conn.sendall(b"\x72" if self.no_paper else b"\x12")
                else:
                    conn.sendall(b"\x16")
        self.jobs.append(bytes(received))
