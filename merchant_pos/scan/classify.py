"""Is a scanned text a beneficiary code (BC1) or something else?"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from merchant_pos.domain.cose import PREFIX
from merchant_pos.scan.messages import ScanMessage


class CodeKind(StrEnum):
    BENEFICIARY = "beneficiary"
    OTHER = "other"


class ScanSource(StrEnum):
    CAMERA = "camera"
    SCANNER = "scanner"
    PHOTO = "photo"


@dataclass(frozen=True, slots=True)
class ScanEvent:
    """One scan: the text as read, what kind of code it is, where it came from.

    ``message`` is set for codes the clerk must be told about (not a
    beneficiary code); a BC1 text goes on to verification, which has its own
    messages.
    """

    text: str
    kind: CodeKind
    source: ScanSource
    message: ScanMessage | None = None

    @property
    def is_beneficiary_code(self) -> bool:
        return self.kind is CodeKind.BENEFICIARY


def normalise(text: str) -> str:
    """The text as verification wants it.

    Scanners and decoders add trailing CR/LF or spaces; BC1 texts never hold
    whitespace at either end, so stripping it is safe for them and harmless
    for other codes.
    """
    return text.strip()


def classify(text: str, source: ScanSource) -> ScanEvent:
    """Classify a decoded text. Only the prefix is checked here: a damaged or
    forged BC1 text is still a beneficiary code to the scanner, and the
    verifier says what is wrong with it."""
    text = normalise(text)
    if text.startswith(PREFIX):
        return ScanEvent(text, CodeKind.BENEFICIARY, source)
    return ScanEvent(text, CodeKind.OTHER, source, ScanMessage.NOT_BENEFICIARY_CODE)
