"""The counter's settings store: typed values, validation, audit rows only on change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from merchant_pos.store import Ledger, LedgerError, LedgerErrorId
from merchant_pos.store.settings import KEY_PREFIX, CounterSettings, Setting
from tests.store.conftest import FakeClock

AUTO = Setting("counter.auto_confirm", False)
SIZE = Setting("counter.text_size", 100, choices=(100, 125, 150))
PRINTER = Setting("printer.target", "")
TOKENISH = Setting("test.secret_thing", "", secret=True)


def _audit_rows(ledger: Ledger) -> list[dict[str, object]]:
    with ledger.read_raw() as db:
        rows = db.execute("SELECT kind, operator_id, payload FROM audit_log ORDER BY seq")
        return [{"kind": k, "op": op, **json.loads(p)} for k, op, p in rows
                if json.loads(p).get("what") == "counter_setting"]


def test_defaults_until_set(ledger: Ledger) -> None:
    settings = CounterSettings(ledger)
    assert settings.get(AUTO) is False
    assert settings.get(SIZE) == 100
    snap = settings.snapshot()
    assert snap.get(PRINTER) == ""
    assert not snap.is_set(PRINTER)


def test_update_stores_audits_and_survives_reopen(tmp_path: Path, clock: FakeClock) -> None:
    with Ledger.open(tmp_path / "d", clock=clock) as ledger:
        changed = CounterSettings(ledger).update({AUTO: True, SIZE: 150}, operator_id=7)
        assert sorted(changed) == ["counter.auto_confirm", "counter.text_size"]
        rows = _audit_rows(ledger)
        assert [(r["key"], r["old"], r["new"], r["op"]) for r in rows] == [
            ("counter.auto_confirm", None, True, 7), ("counter.text_size", None, 150, 7)]
        assert ledger.verify_audit().ok
    with Ledger.open(tmp_path / "d", clock=clock) as ledger:
        settings = CounterSettings(ledger)
        assert settings.get(AUTO) is True
        assert settings.snapshot().get(SIZE) == 150


def test_unchanged_value_writes_no_audit_row(ledger: Ledger) -> None:
    settings = CounterSettings(ledger)
    settings.update({PRINTER: "tcp://127.0.0.1:9100"}, operator_id=1)
    before = ledger.audit_head().seq
    assert settings.update({PRINTER: "tcp://127.0.0.1:9100"}, operator_id=1) == []
    assert ledger.audit_head().seq == before
    assert settings.update({PRINTER: "file:/tmp/x"}, operator_id=1) == ["printer.target"]
    assert ledger.audit_head().seq == before + 1
    assert _audit_rows(ledger)[-1]["old"] == "tcp://127.0.0.1:9100"


@pytest.mark.parametrize("setting,value", [
    (AUTO, 1), (AUTO, "yes"), (SIZE, 130), (SIZE, True), (SIZE, "125"), (PRINTER, 5),
    (PRINTER, "x" * 501),
])
def test_bad_value_changes_nothing(ledger: Ledger, setting: Setting[bool], value: object) -> None:
    settings = CounterSettings(ledger)
    before = ledger.audit_head()
    with pytest.raises(LedgerError) as info:
        settings.update({AUTO: True, setting: value}, operator_id=1)
    assert info.value.error is LedgerErrorId.INVALID_SETTING
    assert settings.get(AUTO) is False  # the good value in the same call was not stored either
    assert ledger.audit_head() == before


def test_secret_values_stay_out_of_the_audit_payload(ledger: Ledger) -> None:
    CounterSettings(ledger).update({TOKENISH: "s3cr3t-value"}, operator_id=1)
    row = _audit_rows(ledger)[-1]
    assert row["key"] == "test.secret_thing"
    assert "s3cr3t-value" not in json.dumps(row)


def test_tampered_or_foreign_values_read_as_default(ledger: Ledger) -> None:
    settings = CounterSettings(ledger)
    with ledger.write() as session:
        db = session.connection()
        db.exec_driver_sql("INSERT INTO settings (key, value) VALUES (?, ?)",
                           (KEY_PREFIX + SIZE.key, "999"))
        db.exec_driver_sql("INSERT INTO settings (key, value) VALUES (?, ?)",
                           (KEY_PREFIX + AUTO.key, "not json"))
        db.exec_driver_sql("INSERT INTO settings (key, value) VALUES (?, ?)",
                           ("clock_offset", "12"))
    assert settings.get(SIZE) == 100
    assert settings.get(AUTO) is False
    snap = settings.snapshot()
    assert "clock_offset" not in snap.values
    assert snap.get(SIZE) == 100


def test_setting_definitions_are_checked() -> None:
    with pytest.raises(TypeError):
        Setting("a.b", 1.5)  # type: ignore[type-var]
    with pytest.raises(ValueError):
        Setting("nodot", 1)
    with pytest.raises(ValueError):
        Setting("a.b", 3, choices=(1, 2))
