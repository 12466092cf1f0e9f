"""Enrollment against the real server: success, and each failure with a clear message."""

from __future__ import annotations

import socket
import stat
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from merchant_pos.sync.enrollment import EnrollmentFailed
from merchant_pos.sync.errors import CertificateError
from merchant_pos.sync.report import ConnectionState
from tests.sync.tls_certs import make_self_signed
from tests.sync.tls_server import TlsServer
from tests.sync.world import PosDevice, ServerWorld


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_enrollment_stores_the_token_outside_the_database(
    world: ServerWorld, make_pos: Callable[..., PosDevice]
) -> None:
    pos = make_pos()
    assert pos.engine.status().state is ConnectionState.NOT_ENROLLED
    done = pos.enroll(world.url + "/", world.enrollment_code("M-A"))
    assert done.merchant_id == "M-A" and done.stored_in == "file"
    assert "甲商店" in done.message("zh_CN")
    token = pos.tokens.load()
    assert token is not None and token.device_id == done.device_id
    assert stat.S_IMODE(pos.tokens.fallback_path.stat().st_mode) == 0o600
    assert token.secret.encode() not in pos.ledger.path.read_bytes()
    for extra in pos.data_dir.iterdir():  # WAL, backups: the secret is in none of them
        if extra != pos.tokens.fallback_path and extra.is_file():
            assert token.secret.encode() not in extra.read_bytes(), extra
    assert pos.engine.sync_now().ok


def test_wrong_code(world: ServerWorld, make_pos: Callable[..., PosDevice]) -> None:
    with pytest.raises(EnrollmentFailed) as caught:
        make_pos().enroll(world.url, "WRONG-CODE-1234")
    assert caught.value.message_id == "enroll_wrong_code"
    assert "登记码不正确" in caught.value.message("zh_CN")
    assert "not correct" in caught.value.message("en")


def test_expired_and_used_codes(world: ServerWorld, make_pos: Callable[..., PosDevice]) -> None:
    expired = world.enrollment_code("M-A", hours=1, now=int(time.time()) - 7200)
    with pytest.raises(EnrollmentFailed) as caught:
        make_pos("a").enroll(world.url, expired)
    assert caught.value.message_id == "enroll_expired_code"
    assert "过期" in caught.value.message("zh_CN") and "expired" in caught.value.message("en")
    code = world.enrollment_code("M-A")
    make_pos("b").enroll(world.url, code)
    with pytest.raises(EnrollmentFailed) as again:
        make_pos("c").enroll(world.url, code)
    assert again.value.message_id == "enroll_expired_code"


def test_unreachable_server(make_pos: Callable[..., PosDevice]) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    pos = make_pos()
    with pytest.raises(EnrollmentFailed) as caught:
        pos.enroll(url, "ABCD-EFGH")
    assert caught.value.message_id == "network_unreachable"
    assert url in caught.value.message("en") and "无法连接" in caught.value.message("zh_CN")
    assert pos.tokens.load() is None
    assert len(pos.enroll_waits) == 3  # retried automatically (4 attempts), then told


def test_bad_url(make_pos: Callable[..., PosDevice]) -> None:
    with pytest.raises(EnrollmentFailed) as caught:
        make_pos().enroll("ftp://pos.example.org", "ABCD")
    assert caught.value.message_id == "enroll_bad_url"
    assert "ftp://pos.example.org" in caught.value.message("en")


def test_bad_certificate_then_the_foundations_ca_bundle(
    world: ServerWorld, make_pos: Callable[..., PosDevice], tmp_path: Path
) -> None:
    cert = make_self_signed(tmp_path / "tls")
    with TlsServer(world.engine, str(cert.cert), str(cert.key)) as tls:
        pos = make_pos()
        code = world.enrollment_code("M-A")
        with pytest.raises(CertificateError) as caught:
            pos.enroll(tls.url, code)
        assert "证书" in caught.value.message("zh_CN")
        assert "certificate" in caught.value.message("en")
        assert pos.tokens.load() is None
        # the same server, its certificate trusted through the CA bundle setting
        done = pos.enroll(tls.url, code, ca_bundle=str(cert.cert))
        assert done.merchant_id == "M-A"
        report = pos.engine.sync_now()
        assert report.ok, report.message("en")


def test_expired_certificate_is_refused_even_with_its_bundle(
    world: ServerWorld, make_pos: Callable[..., PosDevice], tmp_path: Path
) -> None:
    cert = make_self_signed(tmp_path / "old", expired=True)
    pos, code = make_pos(), world.enrollment_code("M-A")
    with (TlsServer(world.engine, str(cert.cert), str(cert.key)) as tls,
          pytest.raises(CertificateError)):
        pos.enroll(tls.url, code, ca_bundle=str(cert.cert))


def test_enrolling_with_another_server_restarts_its_feeds(
    world: ServerWorld, make_pos: Callable[..., PosDevice], tmp_path: Path
) -> None:
    pos = make_pos()
    pos.enroll(world.url, world.enrollment_code("M-A"))
    assert pos.engine.sync_now().ok
    assert pos.sync_ledger.cursor("usage") is not None
    pos.enroll(world.url, world.enrollment_code("M-A"))  # same server: cursors kept
    assert pos.sync_ledger.cursor("usage") is not None
    other = ServerWorld(tmp_path / "other").start()
    try:
        pos.enroll(other.url, other.enrollment_code("M-A"))
        assert [pos.sync_ledger.cursor(k) for k in ("revocations", "usage", "outcomes")] == [
            None, None, None]
        assert pos.engine.sync_now().ok
    finally:
        other.stop()
