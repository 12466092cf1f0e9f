"""Taking the successor token a sync is offered (see ``merchant_pos/server/device_tokens.py``).

When config says ``token.rotate``, the engine asks ``POST /v1/device/token`` for a
successor; it is stored before it is used (if it were used and then lost, the
device would be locked out), then used. The previous token stays valid until
that first use; a lost answer is simply asked again (the server replaces a
successor that was never used).
"""

from __future__ import annotations

import logging
from typing import Any

import keyring.errors

from merchant_pos.sync.http_client import ApiClient
from merchant_pos.sync.token_store import DeviceToken, TokenStore

log = logging.getLogger(__name__)


def rotation_due(config: dict[str, Any]) -> bool:
    state = config.get("token")
    return isinstance(state, dict) and state.get("rotate") is True


def take_successor(tokens: TokenStore, client: ApiClient, current: DeviceToken,
                   successor: str) -> bool:
    """Keep ``successor`` and make ``client`` use it; False (and the previous token goes
    on) when it cannot be stored: the next sync asks for another one."""
    try:
        tokens.save(DeviceToken(current.server_url, current.device_id, successor))
    except (OSError, keyring.errors.KeyringError):
        log.warning("could not store the successor device token", exc_info=True)
        return False
    client.set_token(successor)
    log.info("device token rotated")
    return True
