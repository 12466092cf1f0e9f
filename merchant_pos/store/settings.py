"""The counter's own settings (what the shop sets up once), kept in the ledger.

A :class:`Setting` names one value and its default; its type is the default's
type (``bool``, ``int`` or ``str``), optionally narrowed by ``choices``. Each
responsibility defines its settings in its own module (the counter flow, the
printer, staff and camera pages)::

    AUTO_CONFIRM = Setting("counter.auto_confirm", False)
    TEXT_SIZE = Setting("counter.text_size", 100, choices=(100, 125, 150))

    settings = CounterSettings(ledger)
    settings.get(AUTO_CONFIRM)                       # False until changed
    settings.update({AUTO_CONFIRM: True}, operator_id=supervisor.id)

Values live as JSON in the ``settings`` table beside the sync engine's own
keys (which are not :class:`Setting` s and never pass through here), under a
``counter-setting:`` prefix so the two cannot collide. ``update`` validates
every value first and changes nothing if one is bad; it writes one audit row
per key whose value really changed, in the same transaction, and none when
nothing changed. A stored value that no longer fits its setting (edited file,
older program) reads as the default.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from merchant_pos.store.audit import AuditKind
from merchant_pos.store.errors import LedgerError, LedgerErrorId
from merchant_pos.store.ledger import Ledger
from merchant_pos.store.models import SettingRow

SettingValue = bool | int | str
T = TypeVar("T", bound=SettingValue)
T_co = TypeVar("T_co", bound=SettingValue, covariant=True)

KEY_PREFIX = "counter-setting:"
_ALLOWED_TYPES: tuple[type, ...] = (bool, int, str)


@dataclass(frozen=True, slots=True)
class Setting(Generic[T_co]):
    """One named setting: its key (``area.name``), default and allowed values.

    ``secret`` settings are never shown in a support bundle or an audit payload
    (their audit row says only that they changed).
    """

    key: str
    default: T_co
    choices: tuple[T_co, ...] | None = None
    secret: bool = False
    max_length: int = 500

    def __post_init__(self) -> None:
        if type(self.default) not in _ALLOWED_TYPES:
            raise TypeError(f"setting {self.key}: default must be bool, int or str")
        if not self.key or len(self.key) > 60 or "." not in self.key:
            raise ValueError(f"setting key {self.key!r} must look like 'area.name'")
        if self.choices is not None and self.default not in self.choices:
            raise ValueError(f"setting {self.key}: default is not one of its choices")

    @property
    def kind(self) -> type:
        return type(self.default)

    def accepts(self, value: object) -> bool:
        """Whether ``value`` is a valid value (bool is not an int here, nor the reverse)."""
        if type(value) is not self.kind:
            return False
        if isinstance(value, str) and len(value) > self.max_length:
            return False
        return self.choices is None or value in self.choices

    def coerce(self, value: object) -> T_co:
        """The stored value if it fits, else the default."""
        return cast(T_co, value) if self.accepts(value) else self.default


S = TypeVar("S", bound=Setting[SettingValue])


@dataclass(frozen=True)
class SettingsSnapshot:
    """The settings as read at one moment; what the settings screen edits."""

    values: Mapping[str, SettingValue] = field(default_factory=dict)

    def get(self, setting: Setting[T]) -> T:
        if setting.key not in self.values:
            return setting.default
        return setting.coerce(self.values[setting.key])

    def is_set(self, setting: Setting[T]) -> bool:
        return setting.key in self.values and setting.accepts(self.values[setting.key])


class CounterSettings:
    """Reads and changes the counter's settings; every change is audited."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def get(self, setting: Setting[T]) -> T:
        with self.ledger.read() as session:
            row = session.get(SettingRow, KEY_PREFIX + setting.key)
            return setting.default if row is None else setting.coerce(_loads(row.value))

    def snapshot(self) -> SettingsSnapshot:
        with self.ledger.read() as session:
            return SettingsSnapshot(_all_in(session))

    def update(self, changes: Mapping[S, object], *, operator_id: int | None) -> list[str]:
        """Validate and store ``changes``; returns the keys whose value really changed.

        A bad value raises :class:`LedgerError` (``invalid_setting``) and nothing
        is stored. Keys set to the value they already have write nothing.
        """
        checked: list[tuple[Setting[SettingValue], SettingValue]] = []
        for setting, value in changes.items():
            if not setting.accepts(value):
                raise LedgerError(LedgerErrorId.INVALID_SETTING,
                                  f"{setting.key} = {value!r} is not allowed")
            checked.append((setting, cast(SettingValue, value)))
        now = self.ledger.clock()
        changed: list[str] = []
        with self.ledger.write() as session:
            current = _all_in(session)
            for item, value in checked:
                stored = current.get(item.key)
                if type(stored) is type(value) and stored == value:
                    continue
                old = item.coerce(stored) if item.key in current else None
                text = json.dumps(value, ensure_ascii=False)
                stmt = sqlite_insert(SettingRow).values(key=KEY_PREFIX + item.key, value=text)
                session.execute(stmt.on_conflict_do_update(index_elements=["key"],
                                                           set_={"value": text}))
                payload: dict[str, object] = {"what": "counter_setting", "key": item.key}
                if not item.secret:
                    payload.update({"old": old, "new": value})
                self.ledger.audit.append(session, at=now, kind=AuditKind.SETTINGS_CHANGE,
                                         operator_id=operator_id, payload=payload)
                changed.append(item.key)
        return changed


def _loads(text: str) -> object:
    try:
        return cast(object, json.loads(text))
    except ValueError:
        return None


def _all_in(session: Session) -> dict[str, SettingValue]:
    rows = session.execute(select(SettingRow.key, SettingRow.value)
                           .where(SettingRow.key.startswith(KEY_PREFIX, autoescape=True)))
    values: dict[str, SettingValue] = {}
    for key, text in rows:
        value = _loads(text)
        if type(value) in _ALLOWED_TYPES:
            values[key[len(KEY_PREFIX):]] = cast(SettingValue, value)
    return values
