"""The server in-process, on a loopback port, for the demo and the tests.

    with EmbeddedServer("sqlite:////tmp/demo.sqlite3") as base_url:
        requests.get(f"{base_url}/v1/health")

or ``server = EmbeddedServer(url); base_url = server.start(); ...; server.stop()``.
``start`` returns once the server answers; ``stop`` shuts it down and joins.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from types import TracebackType

import uvicorn
from sqlalchemy import Engine

from merchant_pos.server.app import create_app
from merchant_pos.server.database import create_schema, make_engine
from merchant_pos.server.device_tokens import TokenPolicy


class EmbeddedServerError(RuntimeError):
    """The embedded server did not start in time."""


class EmbeddedServer:
    def __init__(self, db_url: str, *, host: str = "127.0.0.1", port: int = 0,
                 clock: Callable[[], float] = time.time, init_schema: bool = True,
                 log_level: str = "warning", tokens: TokenPolicy | None = None) -> None:
        self.db_url = db_url
        self.host = host
        self.port = port
        self.clock = clock
        self.init_schema = init_schema
        self.log_level = log_level
        self.tokens = tokens
        self.engine: Engine | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._error: BaseException | None = None

    @property
    def base_url(self) -> str:
        if self._socket is None:
            raise EmbeddedServerError("the server is not running")
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> str:
        """Bind, serve in a daemon thread, wait until ready; return the base URL."""
        if self._thread is not None:
            return self.base_url
        self.engine = make_engine(self.db_url)
        if self.init_schema:
            create_schema(self.engine)
        app = create_app(self.engine, clock=self.clock, tokens=self.tokens)
        # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted sockets only then
        # (with proto 0, every response waits ~40 ms for a delayed ACK on loopback).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        self._socket = sock
        config = uvicorn.Config(app, log_level=self.log_level, access_log=False,
                                lifespan="off", timeout_graceful_shutdown=5)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, name="mpos-embedded-server",
                                        daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if self._error is not None or not self._thread.is_alive():
                self.stop()
                raise EmbeddedServerError(f"the server failed to start: {self._error!r}")
            if time.monotonic() > deadline:
                self.stop()
                raise EmbeddedServerError("the server did not start in time")
            time.sleep(0.01)
        self._warm_up(max(1.0, deadline - time.monotonic()))
        return self.base_url

    def _warm_up(self, timeout: float) -> None:
        """Requests before anyone else's: FastAPI and pydantic build each router's
        route state lazily when a request first walks through it, and two servers in
        one process (tests, benchmarks) building the shared models at the same moment
        could fail that request with a 500. A path that matches nothing walks every
        router; the health check then proves the server answers."""
        try:
            urllib.request.urlopen(f"{self.base_url}/v1/-warm-up-", timeout=timeout).close()
        except urllib.error.HTTPError:
            pass  # the expected 404
        except OSError as exc:
            self.stop()
            raise EmbeddedServerError(f"the server does not answer: {exc!r}") from exc
        with urllib.request.urlopen(f"{self.base_url}/v1/health", timeout=timeout) as r:
            r.read()

    def _serve(self) -> None:
        assert self._server is not None and self._socket is not None
        try:
            self._server.run(sockets=[self._socket])
        except BaseException as exc:
            self._error = exc

    def stop(self, timeout: float = 10.0) -> None:
        """Ask uvicorn to exit, wait for the thread, release the socket and the pool."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        if self._socket is not None:
            self._socket.close()
        if self.engine is not None:
            self.engine.dispose()
        self._server = self._thread = self._socket = None
        self.engine = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
