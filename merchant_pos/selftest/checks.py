"""The Qt-free self-test checks: ledger, decoder, verify + quote, cameras."""

from __future__ import annotations

import tempfile
from pathlib import Path

from merchant_pos.resources import resource
from merchant_pos.selftest import CheckFailed

# A fixed time inside the bundled demo code's validity (2027-12-27 UTC), so the
# self-test does not start failing when the demo codes expire.
FIXED_NOW = 1_830_000_000
BUNDLED_CODE = ("demo", "meal-code.txt")
BUNDLED_QR = ("demo", "meal-code.png")
TRUST_LIST = ("demo", "trust-list.json")
# The bundled meal code covers one 10-yuan meal a day, then 20 yuan a week of
# meals and fruit: a 15-yuan meal is covered in full (10 + 5).
CART = [{"cat": "meal", "amount": 1500, "qty": 1}]
EXPECTED_COVERED = 1500


def bundled_code() -> str:
    return resource(*BUNDLED_CODE).read_text(encoding="utf-8").strip()


def ledger_check() -> str:
    from merchant_pos.store import Ledger
    from merchant_pos.store.migrate import head_revision, read_revision

    with tempfile.TemporaryDirectory(prefix="mpos-self-test-") as folder:
        with Ledger.open(Path(folder), background_checkpoints=False) as ledger:
            if not ledger.integrity_ok():
                raise CheckFailed("integrity check failed")
            path = ledger.path
        current, head = read_revision(path), head_revision()
        if current != head:
            raise CheckFailed(f"at revision {current}, expected {head}")
        return f"revision {current}"


def decode_check() -> str:
    from merchant_pos.scan.decoders import DEFAULT_DECODER, make_decoder, to_gray
    from merchant_pos.scan.photo import load_image

    image = load_image(resource(*BUNDLED_QR).read_bytes())
    if image is None:
        raise CheckFailed(f"cannot read {resource(*BUNDLED_QR)}")
    decoder, problem = make_decoder(DEFAULT_DECODER)
    texts = decoder.inner.decode(to_gray(image))  # unguarded: an exception is a failure
    if problem is not None or texts != [bundled_code()]:
        raise CheckFailed(f"{decoder.name} read {len(texts)} code(s), not the bundled one")
    return f"{decoder.name}: 1 code"


def verify_check() -> str:
    import json

    from merchant_pos.domain import TrustList, verify
    from merchant_pos.domain.quote import CartLine, quote

    trust = TrustList.from_json(json.loads(resource(*TRUST_LIST).read_text(encoding="utf-8")))
    code = verify(bundled_code(), trust, FIXED_NOW)
    result = quote(code.claims, FIXED_NOW, [CartLine.from_json(x) for x in CART])
    if result.covered != EXPECTED_COVERED:
        raise CheckFailed(f"covered {result.covered} fen, expected {EXPECTED_COVERED}")
    return f"{code.claims.prg}, covered {result.covered / 100:.2f} / {result.total / 100:.2f}"


def cameras_check() -> str:
    from merchant_pos.scan.capture import camera_names

    names = camera_names()
    return ", ".join(names) if names else "0"
