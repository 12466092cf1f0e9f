"""The counter window on a real ledger: scan, cart, quote, confirm, errors."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from merchant_pos.scan.classify import ScanSource, classify
from merchant_pos.store.redemptions import Receipt
from merchant_pos.ui.feedback import Sound
from tests.support.codes import NOW, claims, make_code
from tests.ui.conftest import Shop


def _scan(shop: Shop, qtbot: QtBot, text: str) -> None:
    with qtbot.waitSignal(shop.window.quoted, timeout=10_000):
        shop.window.on_scan(classify(text, ScanSource.SCANNER))


def _add(shop: Shop, qtbot: QtBot, category: str, price: str, qty: int = 1) -> None:
    w = shop.window
    w.entry.select_category(category)
    w.entry.qty.setValue(qty)
    w.entry.amount.setFocus()
    with qtbot.waitSignal(w.quoted, timeout=10_000):
        qtbot.keyClicks(w.entry.amount, price, delay=80)  # a person typing, not a scanner
        qtbot.keyClick(w.entry.amount, Qt.Key.Key_Return, delay=80)


def test_scan_cart_confirm_records_once(shop: Shop, qtbot: QtBot, tmp_path: Path) -> None:
    w = shop.window
    _scan(shop, qtbot, make_code(shop.key, claims(sub="B-UI-1")))
    assert w.card.name.text() == "马*花", w.message.text()
    assert "¥50.00" in w.card.entitlements.text()
    assert not w.confirm.isEnabled()  # nothing in the cart yet
    _add(shop, qtbot, "formula", "128")
    _add(shop, qtbot, "diaper", "49", qty=2)
    assert w.cart.rowCount() == 2
    assert w.cart.lines()[1].amount == 9800  # unit price × quantity
    # Four 50-yuan vouchers cover 200 of 226 yuan.
    assert w.totals.text() == "Total ¥226.00   Covered ¥200.00"
    assert w.pays.text() == "Customer pays ¥26.00"
    assert w.confirm.isEnabled()
    w.grab().save(str(tmp_path / "counter.png"))
    with qtbot.waitSignal(w.redeemed, timeout=10_000) as sig:
        qtbot.mouseClick(w.confirm, Qt.MouseButton.LeftButton)
    receipt: Receipt = sig.args[0]
    assert (receipt.total, receipt.covered, receipt.pays) == (22600, 20000, 2600)
    recorded = shop.service.recent()
    assert [r.redemption_id for r in recorded] == [receipt.redemption_id]
    # The result stays in the window (no dialog) until the next scan: receipt number,
    # covered, and what the customer pays at the largest size.
    assert w.cart.rowCount() == 0 and w.result == receipt
    assert w.banner.kind == "accepted" and receipt.receipt_no in w.banner.title.text()
    assert "¥200.00" in w.banner.detail.text()
    assert w.pays.text() == "Customer pays ¥26.00"
    # The card shows what is left after it at once (the redemption's own balances).
    left = w.card.entitlements.text().splitlines()
    assert len(left) == 4 and all("used" in row for row in left), left
    assert QApplication.activeModalWidget() is None
    assert w.feedback.played[Sound.ACCEPTED] == 1


def test_the_same_beneficiary_sees_what_is_left(shop: Shop, qtbot: QtBot) -> None:
    code = make_code(shop.key, claims(sub="B-UI-2"))
    _scan(shop, qtbot, code)
    _add(shop, qtbot, "formula", "60")
    with qtbot.waitSignal(shop.window.redeemed, timeout=10_000):
        shop.window.confirm_redemption()
    _scan(shop, qtbot, code)
    # 60 yuan opened two single-use vouchers (v2's last 40 yuan are forfeited).
    card = shop.window.card.entitlements.text().splitlines()
    assert [("used" in row, "¥50.00" in row) for row in card] == [
        (True, True), (True, True), (False, True), (False, True)]


def test_rejected_code_shows_the_clerks_message(shop: Shop, qtbot: QtBot) -> None:
    expired = make_code(shop.key, claims(exp=NOW - 3600))
    _scan(shop, qtbot, expired)
    assert shop.window.message.text() == "此码已过期"
    assert shop.window.banner.kind == "rejected"
    assert shop.window.feedback.played[Sound.REJECTED] == 1
    assert not shop.window.confirm.isEnabled()
    assert shop.service.recent() == []


def test_not_a_beneficiary_code(shop: Shop, qtbot: QtBot) -> None:
    shop.window.on_scan(classify("https://example.com/pay?x=1", ScanSource.CAMERA))
    assert "受助码" in shop.window.banner.detail.text()
    assert shop.window.banner.kind == "rejected"
    assert shop.window.code_text is None


def test_category_this_shop_may_not_redeem(shop: Shop, qtbot: QtBot) -> None:
    _scan(shop, qtbot, make_code(shop.key, claims(sub="B-UI-3")))
    from merchant_pos.domain.quote import CartLine

    with qtbot.waitSignal(shop.window.quoted, timeout=10_000):
        shop.window.add_line(CartLine("clothing", 5000))
    assert "衣物" in shop.window.message.text() or "clothing" in shop.window.message.text()
    assert not shop.window.confirm.isEnabled()


def test_bad_price_is_refused_in_place(shop: Shop, qtbot: QtBot) -> None:
    w = shop.window
    w.entry.amount.setFocus()
    with qtbot.waitSignal(w.entry.invalid, timeout=5000):
        qtbot.keyClicks(w.entry.amount, "12.345", delay=80)  # a person typing
        qtbot.keyClick(w.entry.amount, Qt.Key.Key_Return, delay=80)
    assert w.cart.rowCount() == 0
    assert w.banner.kind == "rejected"


def test_scanner_burst_anywhere_in_the_window_is_a_scan(shop: Shop, qtbot: QtBot) -> None:
    code = make_code(shop.key, claims(sub="B-UI-WEDGE"))
    w = shop.window
    w.entry.amount.setFocus()
    with qtbot.waitSignal(w.quoted, timeout=10_000):
        qtbot.keyClicks(w.entry.amount, code, delay=0)
        qtbot.keyClick(w.entry.amount, Qt.Key.Key_Return)
    assert w.code_text == code
    assert w.entry.amount.text() == ""  # the burst did not land in the price field


def test_records_dialog_lists_voids_and_settles(shop: Shop, qtbot: QtBot) -> None:
    code = make_code(shop.key, claims(sub="B-UI-REC"))
    _scan(shop, qtbot, code)
    _add(shop, qtbot, "formula", "80")
    with qtbot.waitSignal(shop.window.redeemed, timeout=10_000) as sig:
        shop.window.confirm_redemption()
    receipt: Receipt = sig.args[0]
    with qtbot.waitSignal(shop.window.quoted, timeout=10_000):
        shop.window.on_scan(classify(code, ScanSource.SCANNER))
    dialog = shop.window.open_records()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    assert "1" in dialog.summary.text() and "¥80.00" in dialog.summary.text()
    # A wrong PIN changes nothing and says why.
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.void(receipt, "王主管", "0000", "顾客退货")
    assert dialog.message.text()
    assert shop.service.recent()[0].status.value == "pending"
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.void(receipt, "王主管", "9999", "顾客退货")
    qtbot.waitUntil(lambda: dialog.model.receipts[0].status.value == "voided", timeout=10_000)
    assert "¥0.00" in dialog.summary.text().split("·")[1]  # nothing owed any more
    dialog.close()


def test_offline_policy_refuses_with_a_reason(shop: Shop, qtbot: QtBot, tmp_path: Path) -> None:
    from merchant_pos.store import SyncStateStore
    from merchant_pos.store.redeem_limits import POLICIES, current_findings

    # The server's policy (72 h offline at most) and a counter that has never synced:
    # the ledger refuses inside redeem; the window only shows what it said.
    SyncStateStore(shop.ledger).set_setting(POLICIES, {"max_offline_hours": 72})
    assert shop.window.services.sync is None  # no engine asked beforehand
    _scan(shop, qtbot, make_code(shop.key, claims(sub="B-UI-POLICY")))
    _add(shop, qtbot, "formula", "20")
    shop.window.confirm_redemption()
    qtbot.waitUntil(lambda: not shop.window._busy and shop.window.banner.kind
                    == "rejected", timeout=10_000)
    finding = current_findings(shop.ledger, shop.ledger.clock(), 2000)[0]
    assert finding.message_id == "never_synced"
    assert shop.window.message.text() == finding.message("zh_CN")
    assert shop.service.recent() == []


def test_a_conflict_found_at_sync_is_shown_on_this_counter(shop: Shop, qtbot: QtBot,
                                                           tmp_path: Path) -> None:
    import json

    from merchant_pos.store import PushOutcome, PushResult, RedemptionOutbox
    from merchant_pos.sync.engine import SyncEngine
    from merchant_pos.sync.ledger_port import SyncLedger
    from merchant_pos.sync.token_store import TokenStore

    _scan(shop, qtbot, make_code(shop.key, claims(sub="B-UI-CONFLICT")))
    _add(shop, qtbot, "formula", "40")
    with qtbot.waitSignal(shop.window.redeemed, timeout=10_000) as sig:
        shop.window.confirm_redemption()
    rid = sig.args[0].redemption_id
    # The server's answer, as the sync engine stores it: valid, but over the limit.
    detail = {"conflict": {"exceeded": [
        {"ent": "v1", "unit": "fen", "per": "total", "lim": 5000, "used_before": 5000,
         "drawn": 4000}]}}
    RedemptionOutbox(shop.ledger).apply_results(
        [PushResult(rid, PushOutcome.CONFLICT, json.dumps(detail))])
    shop.window.services.sync = SyncEngine(SyncLedger(shop.ledger),
                                           TokenStore(tmp_path, use_keyring=False))
    dialog = shop.window.open_records()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    status = dialog.model.index(0, 5)
    assert dialog.model.data(status) == "Conflict: over the limit elsewhere"  # no translator
    tip = str(dialog.model.data(status, Qt.ItemDataRole.ToolTipRole))
    assert "与其他商户的使用冲突" in tip and "50.00" in tip
    assert tip in dialog.flagged.text()
    dialog.close()


def test_a_scan_while_saving_waits_and_starts_the_next_customer(shop: Shop,
                                                               qtbot: QtBot) -> None:
    _scan(shop, qtbot, make_code(shop.key, claims(sub="B-UI-BUSY-1")))
    _add(shop, qtbot, "formula", "30")
    next_code = make_code(shop.key, claims(sub="B-UI-BUSY-2"))
    with qtbot.waitSignal(shop.window.redeemed, timeout=10_000):
        shop.window.confirm_redemption()
        assert shop.window._busy  # the save runs off the UI thread
        shop.window.on_scan(classify(next_code, ScanSource.SCANNER))
        assert shop.window.waiting is not None and shop.window.banner.title.text()
    assert len(shop.service.recent()) == 1
    # When the save ends, the waiting code starts the next customer by itself.
    qtbot.waitUntil(lambda: shop.window.code_text == next_code
                    and shop.window.current is not None, timeout=10_000)
    assert shop.window.current.code.claims.sub == "B-UI-BUSY-2"  # type: ignore[union-attr]


def test_nothing_moves_when_the_banner_says_more(shop: Shop, qtbot: QtBot) -> None:
    w = shop.window
    w.resize(1024, 768)
    qtbot.wait(50)

    def places() -> tuple[int, ...]:
        return (w.banner.height(), w.card.mapTo(w, w.card.rect().topLeft()).y(),
                w.confirm.mapTo(w, w.confirm.rect().topLeft()).y())

    waiting = places()
    _scan(shop, qtbot, make_code(shop.key, claims(sub="B-UI-MOVE-1")))
    _add(shop, qtbot, "formula", "30")
    w.on_scan(classify(make_code(shop.key, claims(sub="B-UI-MOVE-2")), ScanSource.SCANNER))
    assert w.banner.kind == "question" and w.banner.detail.text()
    qtbot.wait(50)
    assert places() == waiting  # a two-line question: the banner keeps its height


def test_the_clerk_sees_what_a_cart_forfeits_before_confirming(shop: Shop,
                                                               qtbot: QtBot) -> None:
    w = shop.window
    _scan(shop, qtbot, make_code(shop.key, claims(sub="B-UI-FORFEIT")))
    _add(shop, qtbot, "formula", "100")  # two whole 50-yuan vouchers: nothing lost
    assert "forfeited" not in w.banner.detail.text()
    _add(shop, qtbot, "formula", "19")  # opens a third single-use voucher for 19 of 50
    detail = w.banner.detail.text()
    assert "single-use" in detail and "¥19.00" in detail and "¥31.00 will be forfeited" in detail
    assert w.confirm.isEnabled()  # information only: the allocation is the spec's
    with qtbot.waitSignal(w.redeemed, timeout=10_000) as sig:
        w.confirm_redemption()
    assert (sig.args[0].total, sig.args[0].covered) == (11900, 11900)
