"""The decode chain below the claims: Base45, bounded inflate, COSE_Sign1."""

from __future__ import annotations

import io
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2

from merchant_pos.domain.base45 import Base45Error, b45decode
from merchant_pos.domain.errors import CodeRejected, ErrorId
from merchant_pos.domain.frozen import fast_init
from merchant_pos.domain.limits import CODE_CHARS

PREFIX = "BC1:"
MAX_TEXT = CODE_CHARS  # the spec's bound, shared with the server
MAX_COSE = 4096
COSE_SIGN1_TAG = 18
ALG_EDDSA = -8
ALG_ES256 = -7
SUPPORTED_ALGS = (ALG_EDDSA, ALG_ES256)
KID_LENGTH = 8
MAX_CBOR_DEPTH = 16


@fast_init
@dataclass(frozen=True, slots=True)
class CoseSign1:
    protected: bytes
    alg: int | None
    kid: bytes
    payload: bytes
    signature: bytes

    def to_be_signed(self) -> bytes:
        """The Sig_structure of RFC 9052 for a COSE_Sign1 with no external data."""
        return sig_structure(self.protected, self.payload)


_SIG1_HEAD = b"\x84\x6aSignature1"  # array(4), text(10) "Signature1"
_EMPTY_BSTR = b"\x40"


def _bstr_head(n: int) -> bytes:
    """The CBOR head of a byte string of length ``n`` (RFC 8949 section 3, shortest form)."""
    if n < 24:
        return bytes((0x40 | n,))
    if n < 0x100:
        return bytes((0x58, n))
    if n < 0x10000:
        return b"\x59" + n.to_bytes(2, "big")
    if n < 0x100000000:
        return b"\x5a" + n.to_bytes(4, "big")
    return b"\x5b" + n.to_bytes(8, "big")


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    """``cbor2.dumps(["Signature1", protected, b"", payload])``, written out: the
    Sig_structure is a fixed shape of four items (``tests/domain/test_fast_paths.py``)."""
    return b"".join((_SIG1_HEAD, _bstr_head(len(protected)), protected, _EMPTY_BSTR,
                     _bstr_head(len(payload)), payload))


def bounded_inflate(data: bytes, limit: int = MAX_COSE) -> bytes:
    """Inflate a zlib stream, stopping as soon as the output passes ``limit``."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise CodeRejected(ErrorId.MALFORMED, f"zlib: {exc}") from None
    if len(out) > limit:
        raise CodeRejected(ErrorId.TOO_LARGE, "inflates past the limit")
    if not inflater.eof:
        raise CodeRejected(ErrorId.MALFORMED, "zlib stream is truncated")
    if inflater.unused_data:
        raise CodeRejected(ErrorId.MALFORMED, "data after the zlib stream")
    return out


def _refuse_semantic_tag(decoder: Any) -> Any:
    raise cbor2.CBORDecodeError("semantic tags are not part of BC1")


# cbor2 turns many tags into Python objects (datetimes, regular expressions,
# sets, decimals, shared references, complex numbers...). Nothing in BC1 uses
# them except COSE's tag 18, so they are refused before their content is even
# read: an attacker gets no regex compiler, no bignum arithmetic, no object
# graph. cbor2 6.3 decodes 0-5, 25, 28-30, 35-37, 52, 54, 100, 256, 258, 260,
# 261, 1004, 43000 (complex) and 55799 (tests/domain/test_decode_chain.py
# finds them all).
_NO_SEMANTICS: dict[int, Any] = {
    tag: _refuse_semantic_tag for tag in (*range(0, 1024), 43000, 55799) if tag != COSE_SIGN1_TAG
}


def loads_cbor(data: bytes) -> Any:
    """Decode exactly one CBOR item; any decoder failure or trailing byte is ``malformed``.

    Depth is capped and duplicate map keys are refused: a signed document must
    have one meaning only.
    """
    stream = io.BytesIO(data)
    try:
        obj = cbor2.CBORDecoder(stream, max_depth=MAX_CBOR_DEPTH, allow_duplicate_keys=False,
                                semantic_decoders=_NO_SEMANTICS)
        value = obj.decode()
    except Exception as exc:
        raise CodeRejected(ErrorId.MALFORMED, f"CBOR: {type(exc).__name__}") from None
    if stream.tell() != len(data):
        raise CodeRejected(ErrorId.MALFORMED, "bytes after the CBOR item")
    return value


def unwrap_text(text: str) -> bytes:
    """Steps 1-4: prefix, size, Base45 and bounded inflate; returns the COSE bytes."""
    if not isinstance(text, str) or not text.startswith(PREFIX):
        raise CodeRejected(ErrorId.UNSUPPORTED_FORMAT)
    if len(text) > MAX_TEXT:
        raise CodeRejected(ErrorId.TOO_LARGE, f"{len(text)} characters")
    try:
        compressed = b45decode(text[len(PREFIX) :])
    except Base45Error as exc:
        raise CodeRejected(ErrorId.MALFORMED, f"base45: {exc}") from None
    return bounded_inflate(compressed)


# The layout every issuer of the spec writes (tag 18, a 4-array, the protected header
# {1: alg, 4: kid} in 13 bytes, an empty unprotected map, the payload, a 64-byte
# signature), read by position. Anything else goes the general way.
_FIXED_HEAD = b"\xd2\x84\x4d"  # tag(18), array(4), bstr(13)
_FIXED_ALGS = {b"\xa2\x01\x26\x04\x48": ALG_ES256, b"\xa2\x01\x27\x04\x48": ALG_EDDSA}
_FIXED_SIG_HEAD = b"\x58\x40"  # bstr(64)


def _parse_fixed_layout(data: bytes) -> CoseSign1 | None:
    """The COSE_Sign1 of the common layout, read by position; None for any other layout.

    For every input it accepts it returns exactly what the general parse returns
    (``tests/domain/test_cose_layout.py`` compares them on mutated codes)."""
    if data[:3] != _FIXED_HEAD or data[16:17] != b"\xa0":
        return None
    protected = data[3:16]
    alg = _FIXED_ALGS.get(protected[:5])
    if alg is None:
        return None
    # The payload's length, in its shortest form only (a longer form goes the general way).
    if len(data) < 20:
        return None  # shorter than any code of this layout (the signature alone is 66)
    head = data[17]
    if 0x40 <= head < 0x58:
        start, size = 18, head - 0x40
    elif head == 0x58 and data[18] >= 24:
        start, size = 19, data[18]
    elif head == 0x59 and data[18] > 0:  # 256 or more
        start, size = 20, int.from_bytes(data[18:20], "big")
    else:
        return None
    end = start + size
    if len(data) != end + 66 or data[end:end + 2] != _FIXED_SIG_HEAD:
        return None
    return CoseSign1(protected, alg, protected[5:], data[start:end], data[end + 2:])


def parse_cose_sign1(data: bytes) -> CoseSign1:
    """Step 5: the COSE_Sign1 structure and its protected header."""
    fixed = _parse_fixed_layout(data)
    if fixed is not None:
        return fixed
    return parse_cose_general(data)


def parse_cose_general(data: bytes) -> CoseSign1:
    """Step 5 for any layout CBOR allows: decoded, then checked item by item."""
    obj = loads_cbor(data)
    if isinstance(obj, cbor2.CBORTag):
        if obj.tag != COSE_SIGN1_TAG:
            raise CodeRejected(ErrorId.MALFORMED, f"CBOR tag {obj.tag}")
        obj = obj.value
    if not isinstance(obj, (list, tuple)) or len(obj) != 4:
        raise CodeRejected(ErrorId.MALFORMED, "not a 4-element COSE array")
    protected, unprotected, payload, signature = obj
    if not (
        isinstance(protected, bytes)
        and isinstance(unprotected, dict | Mapping)  # dict first: no ABC check for it
        and isinstance(payload, bytes)
        and isinstance(signature, bytes)
    ):
        raise CodeRejected(ErrorId.MALFORMED, "COSE element of the wrong type")
    header = loads_cbor(protected) if protected else {}
    if not isinstance(header, dict):
        raise CodeRejected(ErrorId.MALFORMED, "protected header is not a map")
    kid = header.get(4)
    if not isinstance(kid, bytes) or len(kid) != KID_LENGTH:
        raise CodeRejected(ErrorId.MALFORMED, "kid missing or not 8 bytes")
    alg = header.get(1)
    if isinstance(alg, bool) or not isinstance(alg, int):
        alg = None
    return CoseSign1(protected, alg, kid, payload, signature)
