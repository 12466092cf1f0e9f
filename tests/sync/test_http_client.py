"""The HTTP client against a real loopback server, through the fault proxy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from merchant_pos.sync.errors import (
    AuthError,
    CertificateError,
    RequestRefused,
    TransientError,
)
from merchant_pos.sync.http_client import ApiClient, InvalidServerUrl, normalise_server_url
from tests.sync.echo_upstream import EchoUpstream
from tests.sync.faultproxy import Fault, FaultPlan, FaultProxy
from tests.sync.tls_certs import make_self_signed


@pytest.fixture
def upstream() -> Iterator[EchoUpstream]:
    with EchoUpstream() as server:
        yield server


@pytest.fixture
def proxy(upstream: EchoUpstream) -> Iterator[FaultProxy]:
    with FaultProxy(upstream.port, FaultPlan(), hold_seconds=2.0, retry_after=3) as p:
        yield p


def client_for(url: str, **kwargs: object) -> ApiClient:
    return ApiClient(url, token="s3cret", connect_timeout=1.0, read_timeout=0.8, **kwargs)  # type: ignore[arg-type]


def test_plain_call_through_proxy_sends_token_and_parses_json(
    proxy: FaultProxy, upstream: EchoUpstream
) -> None:
    with client_for(proxy.url) as client:
        response = client.request("POST", "/commit", json_body={"n": 1})
    assert response.status == 200
    assert response.body == {"stored": {"n": 1}}
    assert upstream.committed == [{"n": 1}]
    assert response.server_time() is not None


@pytest.mark.parametrize(
    ("fault", "committed", "message_id"),
    [
        (Fault.REFUSED, 0, "network_unreachable"),
        (Fault.RESET_MID_REQUEST, 0, "network_unreachable"),
        (Fault.TIMEOUT_BEFORE_COMMIT, 0, "timeout"),
        (Fault.RESPONSE_LOST_AFTER_COMMIT, 1, "network_unreachable"),
        (Fault.HTTP_500, 1, "server_busy"),
        (Fault.HTTP_502, 0, "server_busy"),
        (Fault.HTTP_503, 0, "server_busy"),
        (Fault.RATE_LIMITED_429, 0, "server_busy"),
        (Fault.TRUNCATED_BODY, 1, "bad_response"),
    ],
)
def test_each_fault_is_a_transient_error_and_commits_as_described(
    proxy: FaultProxy, upstream: EchoUpstream, fault: Fault, committed: int, message_id: str
) -> None:
    proxy.plan.force(fault)
    with client_for(proxy.url) as client:
        with pytest.raises(TransientError) as caught:
            client.request("POST", "/commit", json_body={"n": 2})
        assert caught.value.message_id == message_id
        assert len(upstream.committed) == committed
        if fault is Fault.RATE_LIMITED_429:
            assert caught.value.retry_after == 3.0
        # once the fault has passed, the same client works again
        proxy.plan.stop()
        if fault is Fault.REFUSED:
            import time
            time.sleep(proxy.refuse_window + 0.1)
        assert client.request("POST", "/commit", json_body={"n": 3}).status == 200
    assert proxy.plan.injected[fault] == 1


def test_slow_link_still_delivers_the_whole_answer(proxy: FaultProxy) -> None:
    proxy.plan.force(Fault.SLOW_LINK)
    with client_for(proxy.url) as client:
        response = client.request("GET", "/big")
    assert len(response.body["items"]) == 200


def test_refused_port_is_really_refused(upstream: EchoUpstream) -> None:
    with FaultProxy(upstream.port, refuse_window=1.0) as proxy:
        proxy.plan.force(Fault.REFUSED)
        with client_for(proxy.url) as client:
            with pytest.raises(TransientError):
                client.request("GET", "/x")
            with pytest.raises(TransientError) as second:
                client.request("GET", "/x")
        assert "refused" in second.value.detail.lower()


@pytest.mark.parametrize("status", [401, 403])
def test_auth_failures_stop_with_reenrollment(upstream: EchoUpstream, status: int) -> None:
    url = f"http://127.0.0.1:{upstream.port}"
    with client_for(url) as client, pytest.raises(AuthError) as caught:
        client.request("GET", f"/status/{status}")
    expected = "reenroll_needed" if status == 401 else "device_revoked"
    assert caught.value.message_id == expected
    assert "重新登记" in caught.value.message("zh_CN") or "停用" in caught.value.message("zh_CN")


def test_other_4xx_is_refused_with_the_server_error_id(upstream: EchoUpstream) -> None:
    url = f"http://127.0.0.1:{upstream.port}"
    with client_for(url) as client, pytest.raises(RequestRefused) as caught:
        client.request("GET", "/status/422")
    assert caught.value.error_id == "e422"
    assert caught.value.detail == "told to"


def test_503_retry_after_from_server_is_read(upstream: EchoUpstream) -> None:
    url = f"http://127.0.0.1:{upstream.port}"
    with client_for(url) as client, pytest.raises(TransientError) as caught:
        client.request("GET", "/status/503")
    assert caught.value.retry_after == 7.0


def test_unreachable_server_is_transient() -> None:
    with client_for("http://127.0.0.1:9") as client, pytest.raises(TransientError) as caught:
        client.request("GET", "/x")
    assert "127.0.0.1:9" in caught.value.message("en")


def test_tls_self_signed_is_refused_unless_its_ca_is_configured(tmp_path: Path) -> None:
    files = make_self_signed(tmp_path)
    with EchoUpstream(certfile=str(files.cert), keyfile=str(files.key)) as server:
        url = f"https://127.0.0.1:{server.port}"
        with client_for(url) as client, pytest.raises(CertificateError) as caught:
            client.request("GET", "/x")
        assert "证书" in caught.value.message("zh_CN")
        with client_for(url, ca_bundle=str(files.cert)) as trusted:
            assert trusted.request("GET", "/x").body["ok"] is True


def test_token_header_and_never_in_repr() -> None:
    client = client_for("http://127.0.0.1:1")
    assert client.session.headers["Authorization"] == "Bearer s3cret"
    assert "s3cret" not in repr(client.__dict__.get("timeout"))
    client.set_token(None)
    assert "Authorization" not in client.session.headers
    client.close()


@pytest.mark.parametrize("bad", ["", "ftp://x", "http://", "https://h:99999", "https://h/?q=1"])
def test_bad_server_urls_are_refused(bad: str) -> None:
    with pytest.raises(InvalidServerUrl):
        normalise_server_url(bad)


def test_server_url_is_normalised() -> None:
    assert normalise_server_url(" https://pos.example.org/ ") == "https://pos.example.org"
