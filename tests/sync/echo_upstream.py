"""A tiny real HTTP server on loopback for client and proxy tests.

``POST /commit`` records the JSON body (the "server commits"), ``GET /status/N``
answers N with an error body, ``GET /time`` answers the server's clock.
"""

from __future__ import annotations

import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class EchoUpstream:
    def __init__(self, *, certfile: str | None = None, keyfile: str | None = None) -> None:
        self.committed: list[Any] = []
        self.auth_headers: list[str | None] = []
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                with owner._lock:
                    owner.auth_headers.append(self.headers.get("Authorization"))
                if self.path.startswith("/status/"):
                    status = int(self.path.rsplit("/", 1)[1])
                    self._send(status, {"error": {"id": f"e{status}", "message": "told to"}},
                               {"Retry-After": "7"} if status in (429, 503) else None)
                elif self.path == "/big":
                    self._send(200, {"items": ["x" * 100] * 200})
                else:
                    self._send(200, {"ok": True, "path": self.path})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"null")
                with owner._lock:
                    owner.committed.append(body)
                self._send(200, {"stored": body})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if certfile:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(certfile, keyfile)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> EchoUpstream:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)
