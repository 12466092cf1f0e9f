"""``merchant-pos fuzz``: coverage-guided fuzzing of the BC1 decode chain (atheris, Linux).

Every input must end in a verified code or a ``CodeRejected``; anything else
(another exception, a hang past libFuzzer's timeout, runaway memory) is a
crash that libFuzzer reports and saves as ``crash-*`` in the working folder.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("fuzz", help="fuzz the code decode chain with atheris (support/dev tool)")
    p.add_argument("--seconds", type=int, default=600, help="how long to run (default 600)")
    p.add_argument("--corpus", type=Path, help="corpus folder (default: a temporary one)")
    p.add_argument("--rss-limit-mb", type=int, default=1024)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        import atheris
    except ImportError:
        print("merchant-pos fuzz: atheris is not installed (pip install atheris; Linux only)",
              file=sys.stderr)
        return 1
    from merchant_pos.domain import CodeRejected
    from merchant_pos.domain.base45 import b45encode
    from merchant_pos.domain.issuing import IssuerKey, sign_payload, wrap_cose
    from merchant_pos.domain.verify import verify_strict

    # The domain may already be imported by other command modules, so
    # instrument_imports() would miss it: instrument every loaded function instead.
    atheris.instrument_all()

    key = IssuerKey.generate(-8, "fuzz", 0, 2**40)
    from merchant_pos.domain.trust import TrustList

    trust = TrustList([key.trusted_key()])
    now = 1_770_692_400

    def one_input(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        mode = fdp.ConsumeIntInRange(0, 4)
        rest = fdp.ConsumeBytes(fdp.remaining_bytes())
        if mode == 0:
            text = rest.decode("utf-8", "replace")
        elif mode == 1:
            text = "BC1:" + b45encode(rest)
        elif mode == 2:
            text = "BC1:" + b45encode(zlib.compress(rest))
        elif mode == 3:
            text = wrap_cose(sign_payload(key, rest))  # valid signature, arbitrary claims
        else:
            text = "BC1:" + rest.decode("latin-1")
        # verify_strict: without verify()'s last-resort net, so a bug shows as a crash.
        with contextlib.suppress(CodeRejected):
            verify_strict(text, trust, now)

    corpus = args.corpus or Path(tempfile.mkdtemp(prefix="bc1-fuzz-"))
    corpus.mkdir(parents=True, exist_ok=True)
    _seed(corpus)
    argv = [sys.argv[0], str(corpus), f"-max_total_time={args.seconds}",
            f"-rss_limit_mb={args.rss_limit_mb}", "-timeout=5", "-print_final_stats=1"]
    print(f"fuzzing for {args.seconds} s, corpus {corpus}", flush=True)
    atheris.Setup(argv, one_input)
    atheris.Fuzz()
    return 0


def _seed(corpus: Path) -> None:
    """Seed with the demo codes (plain text) and their claims (signed-payload mode)."""
    import cbor2

    from merchant_pos.domain.cose import parse_cose_sign1, unwrap_text
    from merchant_pos.resources import resource

    for i, path in enumerate(sorted(resource("demo").glob("*-code.txt"))):
        text = path.read_text(encoding="utf-8").strip()
        (corpus / f"seed-text-{i}").write_bytes(b"\x00" + text.encode())
        payload = parse_cose_sign1(unwrap_text(text)).payload
        (corpus / f"seed-claims-{i}").write_bytes(b"\x03" + payload)
        assert isinstance(cbor2.loads(payload), dict)
