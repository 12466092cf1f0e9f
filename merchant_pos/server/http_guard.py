"""Connection timeouts uvicorn does not have: a deadline for a request's headers and
one for its body.

uvicorn's keep-alive timer only runs between requests and is cancelled by the
first byte, so a client that opens a connection and sends nothing, or sends its
headers a byte at a time, holds a connection (and a file descriptor) for ever;
a few hundred of them starve the server. ``GuardedH11Protocol`` closes a
connection whose headers are not complete ``HEADER_TIMEOUT`` seconds after it
opened (or after the previous response), or whose body is not complete
``BODY_TIMEOUT`` seconds after its headers. Both deadlines are fixed at the
start of the phase: trickling bytes does not extend them.

``$MPOS_SERVER_HEADER_TIMEOUT`` and ``$MPOS_SERVER_BODY_TIMEOUT`` (seconds) set
them for ``serve`` (every worker process reads them at start).
"""

from __future__ import annotations

import asyncio
import logging
import os

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)


def _seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


HEADER_TIMEOUT = _seconds("MPOS_SERVER_HEADER_TIMEOUT", 10.0)
BODY_TIMEOUT = _seconds("MPOS_SERVER_BODY_TIMEOUT", 60.0)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with header and body deadlines (``http=`` of its Config)."""

    header_timeout: float = HEADER_TIMEOUT
    body_timeout: float = BODY_TIMEOUT

    _deadline: asyncio.TimerHandle | None = None
    _phase: str = ""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm("headers", self.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._phase == "" and self.conn.their_state is h11.IDLE:
            self._arm("headers", self.header_timeout)  # the next request on this connection
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow()

    def _follow(self) -> None:
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            if self._phase != "body":
                self._arm("body", self.body_timeout)
        elif state is not h11.IDLE or self._phase == "body":
            self._disarm()  # the request is in (or the connection is done)

    def _arm(self, phase: str, seconds: float) -> None:
        self._disarm()
        self._phase = phase
        self._deadline = self.loop.call_later(seconds, self._expired, phase)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None
        self._phase = ""

    def _expired(self, phase: str) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        log.info("closing a connection from %s: its %s did not arrive in time",
                 self.client, phase)
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        self.transport.close()
