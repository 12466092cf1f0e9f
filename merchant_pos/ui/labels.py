"""Names the clerk reads: categories and programs in the app's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from merchant_pos.store.reference import ProgramInfo


class Labels:
    """Category and program names from the synced program config, zh_CN or en."""

    def __init__(self, programs: Iterable[ProgramInfo] = (), language: str = "zh_CN") -> None:
        self.language = language
        self._programs: dict[str, str] = {}
        self._categories: dict[str, str] = {}
        self._rank: dict[str, int] = {}
        zh = not language.startswith("en")
        for prg in programs:
            self._programs[prg.id] = (prg.name_zh if zh else prg.name_en) or prg.id
            for cat in prg.categories:
                self._categories.setdefault(cat.code, (cat.name_zh if zh else cat.name_en)
                                            or cat.code)
                self._rank.setdefault(cat.code, len(self._rank))

    def category(self, code: str) -> str:
        return self._categories.get(code, code)

    def ordered(self, codes: Iterable[str]) -> list[str]:
        """Categories in the order the programs list them (unknown ones last, by code)."""
        return sorted(codes, key=lambda c: (self._rank.get(c, len(self._rank)), c))

    def program(self, program_id: str) -> str:
        return self._programs.get(program_id, program_id)

    def categories(self, codes: Iterable[str]) -> str:
        sep = ", " if self.language.startswith("en") else "、"
        return sep.join(self.category(c) for c in codes)


@dataclass(frozen=True, slots=True)
class StandardItem:
    """A priced item the merchant sells often (the canteen's lunch): one tap adds it."""

    cat: str
    price: int
    name: str

    @classmethod
    def from_config(cls, raw: Mapping[str, Any], language: str) -> StandardItem | None:
        """From the server config's ``standard_items``; None when malformed."""
        try:
            names = raw["name"]
            name = names["en" if language.startswith("en") else "zh_CN"]
            price = raw["price"]
            if isinstance(price, bool) or not isinstance(price, int) or price <= 0:
                return None
            return cls(str(raw["cat"]), price, str(name))
        except (KeyError, TypeError):
            return None
