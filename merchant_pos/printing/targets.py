"""Where a print job goes, all through python-escpos's printer classes.

Targets are written as URLs in the printer settings:

* ``tcp://192.168.1.50:9100`` (or ``192.168.1.50``): a network printer, raw port 9100;
* ``usb://0x0416:0x5011``: USB vendor:product id (python-escpos ``Usb``, needs pyusb);
* ``serial:///dev/ttyUSB0?baud=9600`` or ``serial://COM3``: a serial port (needs pyserial);
* ``win32://POS-58``: a Windows printer queue, raw (``Win32Raw``, needs pywin32);
* ``file:///dev/usb/lp0`` or ``file:///path/receipt.bin``: a device file or a plain file;
* ``system://NAME``: a printer installed in the operating system (a Windows driver, a
  CUPS queue), drawn through Qt's ``QPrinter`` at roll width (not bytes: see
  ``merchant_pos.printing.output`` and ``merchant_pos.ui.system_printer``).

Network, file, and the system-printer drawing (into a PDF-format ``QPrinter``): tested
here. USB, serial and Windows raw printing are wired through python-escpos and untested
on this machine.

A network job asks the printer's real-time status (``DLE EOT``) before and after
sending: out of paper refuses the job before it is sent; a connection that drops
fails the job (it stays queued). A printer that does not answer status at all
is assumed to have printed once the bytes are out (no duplicate receipts).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from merchant_pos.printing import messages

STATUS_PAPER = b"\x10\x04\x04"     # DLE EOT 4: paper roll sensor
STATUS_PRINTER = b"\x10\x04\x01"   # DLE EOT 1: printer status
NO_PAPER_BITS = 0x60               # bits 5 and 6 of the paper status: roll end
SYSTEM_PREFIX = "system://"


class PrintError(Exception):
    """A job did not print; ``message(language)`` says why in the clerk's words."""

    def __init__(self, message_id: str, detail: str = "") -> None:
        super().__init__(f"{message_id}: {detail}" if detail else message_id)
        self.message_id = message_id
        self.detail = detail

    def message(self, language: str = "zh_CN") -> str:
        if self.message_id in ("bad_target", "unsupported", "io_error", "printer_gone"):
            return messages.text(self.message_id, language, self.detail)
        return messages.text(self.message_id, language)


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str      # tcp, usb, serial, win32, file, system
    address: str
    port: int = 9100
    baud: int = 9600

    @classmethod
    def parse(cls, text: str) -> Target:
        text = text.strip()
        if not text:
            raise PrintError("no_printer")
        if text.lower().startswith(SYSTEM_PREFIX):  # a printer's name, taken as it is
            name = text[len(SYSTEM_PREFIX):].strip()
            if name:
                return cls("system", name)
            raise PrintError("bad_target", text)
        if "://" not in text:
            text = "tcp://" + text
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        try:
            if scheme == "tcp":
                if not parts.hostname:
                    raise ValueError
                return cls("tcp", parts.hostname, parts.port or 9100)
            if scheme == "usb":
                vendor, product = (parts.netloc + parts.path).split(":")
                int(vendor, 16), int(product, 16)
                return cls("usb", f"{vendor}:{product}")
            if scheme == "serial":
                baud = int(parse_qs(parts.query).get("baud", ["9600"])[0])
                return cls("serial", (parts.netloc + parts.path) or "/dev/ttyS0", baud=baud)
            if scheme == "win32" and (parts.netloc or parts.path):
                return cls("win32", (parts.netloc + parts.path).strip("/"))
            if scheme == "file" and parts.path:
                return cls("file", parts.path)
        except ValueError:
            pass
        raise PrintError("bad_target", text)


def send(target: Target, job: bytes, *, timeout: float = 5.0,
         status_timeout: float = 2.0) -> None:
    """Send one whole job; raises :class:`PrintError` when it did not print."""
    if target.scheme == "tcp":
        _send_network(target, job, timeout, status_timeout)
        return
    if target.scheme == "system":  # drawn by Qt, never sent as ESC/POS bytes
        raise PrintError("unsupported", target.address)
    from escpos import printer

    try:
        if target.scheme == "file":
            device = printer.File(target.address, auto_flush=True)
        elif target.scheme == "usb":
            vendor, product = (int(x, 16) for x in target.address.split(":"))
            if not printer.Usb.is_usable():
                raise PrintError("unsupported", "USB (pyusb)")
            device = printer.Usb(vendor, product)
        elif target.scheme == "serial":
            if not printer.Serial.is_usable():
                raise PrintError("unsupported", "serial (pyserial)")
            device = printer.Serial(target.address, baudrate=target.baud, timeout=timeout)
        else:
            if not printer.Win32Raw.is_usable():
                raise PrintError("unsupported", "Windows (pywin32)")
            device = printer.Win32Raw(target.address)
        device.open()
        try:
            device._raw(job)
        finally:
            device.close()
    except PrintError:
        raise
    except OSError as exc:
        raise PrintError("offline", str(exc)) from None
    except Exception as exc:  # python-escpos's own DeviceNotFoundError and friends
        raise PrintError("io_error", type(exc).__name__) from None


def _status(device: socket.socket, query: bytes, timeout: float) -> int | None:
    """One status byte; None when the printer does not answer status queries."""
    device.sendall(query)
    device.settimeout(timeout)
    try:
        answer = device.recv(1)
    except TimeoutError:
        return None
    if not answer:
        raise ConnectionResetError("closed by the printer")
    return answer[0]


def _send_network(target: Target, job: bytes, timeout: float, status_timeout: float) -> None:
    from escpos.printer import Network

    try:  # connected here: python-escpos's own open() leaks the socket when it fails
        sock = socket.create_connection((target.address, target.port), timeout=timeout)
    except OSError as exc:
        raise PrintError("offline", str(exc)) from None
    net = Network(target.address, target.port, timeout=timeout)
    net.device = sock
    stage = "offline"
    try:
        paper = _status(sock, STATUS_PAPER, status_timeout)
        if paper is not None and paper & NO_PAPER_BITS == NO_PAPER_BITS:
            raise PrintError("no_paper")
        stage = "disconnected"
        sock.settimeout(timeout)
        net._raw(job)
        _status(sock, STATUS_PRINTER, status_timeout)
    except OSError as exc:
        raise PrintError(stage, str(exc)) from None
    finally:
        net.close()
