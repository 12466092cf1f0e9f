""""Test connection": can this counter reach a server at ``url``? (the settings screen)."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from merchant_pos.domain.i18n import pick


@dataclass(frozen=True, slots=True)
class Reachability:
    ok: bool
    version: str = ""
    problem: str = ""

    def message(self, language: str) -> str:
        if self.ok:
            return pick({"zh_CN": f"连接正常（服务器版本 {self.version}）",
                         "en": f"Connected (server version {self.version})"}, language)
        return pick({"zh_CN": f"无法连接服务器：{self.problem}",
                     "en": f"Cannot reach the server: {self.problem}"}, language)


def check_server(url: str, timeout: float = 5.0) -> Reachability:
    """GET ``<url>/v1/health`` (no token needed), bounded by ``timeout`` seconds."""
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        return Reachability(False, problem="the address starts with https://")
    try:
        response = requests.get(f"{url}/v1/health", timeout=timeout)
        body = response.json() if response.ok else None
    except (requests.RequestException, ValueError) as exc:
        return Reachability(False, problem=type(exc).__name__)
    if not isinstance(body, dict) or body.get("status") != "ok":
        return Reachability(False, problem=f"HTTP {response.status_code}")
    return Reachability(True, version=str(body.get("version", "")))
