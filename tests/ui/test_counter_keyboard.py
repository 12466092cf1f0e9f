"""The counter driven by key events alone, on the embedded demo server: a lunch rush, a
baby-shop sale with a void, the Enter rules, and scanner bursts in every state."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from merchant_pos.app import DEMO_SUPERVISOR_PIN
from merchant_pos.store import RedemptionStatus
from merchant_pos.ui.dialogs import SupervisorApprovalDialog, TypeCodeDialog
from merchant_pos.ui.feedback import Sound
from merchant_pos.ui.records_dialog import RecordsDialog
from tests.ui.counter_world import Counter

CTRL = Qt.KeyboardModifier.ControlModifier


def test_lunch_rush_of_50_diners_is_scan_and_enter_each(canteen: Counter) -> None:
    c, w = canteen, canteen.window
    codes = c.new_codes(50)
    c.world.pos.sync.sync_now()  # type: ignore[union-attr]  # the new beneficiaries' keys etc.
    c.keys = 0
    for i, code in enumerate(codes):
        c.scan_and_wait(code)
        # Quick mode: the scan put the standard lunch in the cart (the meal covers 10 yuan,
        # the weekly fruit-and-meal allowance the other 2).
        assert [(ln.cat, ln.amount) for ln in w.cart.lines()] == [("meal", 1200)], i
        assert w.confirm.isEnabled()
        receipt = c.enter_and_wait()
        assert (receipt.covered, receipt.pays) == (1200, 0)
        assert w.banner.kind == "accepted" and w.pays.text() == "Customer pays ¥0.00"
        assert QApplication.activeModalWidget() is None  # nothing in the next diner's way
    assert c.keys == 2 * 50  # one scan and one Enter per diner
    recorded = c.world.pos.redemptions.recent(100)
    assert len(recorded) == 50 and len({r.sub for r in recorded}) == 50
    assert w.feedback.played[Sound.ACCEPTED] == 50 and w.feedback.played[Sound.REJECTED] == 0


def test_the_same_diner_twice_is_nothing_covered(canteen: Counter) -> None:
    c, w = canteen, canteen.window
    [code] = c.new_codes(1, "TWICE")
    c.world.pos.sync.sync_now()  # type: ignore[union-attr]
    c.scan_and_wait(code)
    c.enter_and_wait()
    c.scan_and_wait(code)  # today's meal is used: no lunch is put in the cart
    assert w.cart.lines() == [] and w.banner.kind in ("info", "nothing")
    c.key(Qt.Key.Key_Return)  # Enter with nothing to confirm does nothing
    assert len(c.world.pos.redemptions.recent()) == 1


def test_three_line_cart_with_enter_after_each_line(baby_shop: Counter) -> None:
    c, w = baby_shop, baby_shop.window
    [code] = c.new_codes(1, "THREE")
    c.world.pos.sync.sync_now()  # type: ignore[union-attr]
    c.scan_and_wait(code)
    assert w.cart.lines() == []  # money vouchers: the scan guesses no item
    for key, price in ((Qt.Key.Key_F1, "30"), (Qt.Key.Key_F2, "20"), (Qt.Key.Key_F1, "10")):
        c.key(key)
        with c.qtbot.waitSignal(w.quoted, timeout=15_000):
            c.type(price)
            c.key(Qt.Key.Key_Return)
        assert c.world.pos.redemptions.recent() == []  # Enter added a line, nothing else
    assert len(w.cart.lines()) == 3
    c.enter_and_wait()  # Enter in the empty price field: confirm
    assert len(c.world.pos.redemptions.recent()) == 1


def test_baby_shop_sale_with_partial_cover_and_a_void_keyboard_only(baby_shop: Counter,
                                                                    qtbot: QtBot) -> None:
    c, w = baby_shop, baby_shop.window
    [code] = c.new_codes(1, "BABY")
    c.world.pos.sync.sync_now()  # type: ignore[union-attr]
    c.scan_and_wait(code)
    with qtbot.waitSignal(w.quoted, timeout=15_000):
        c.key(Qt.Key.Key_F6)  # the second standard item: the formula can, 128 yuan
    c.key(Qt.Key.Key_F2)  # diapers
    c.key(Qt.Key.Key_Up, CTRL)  # quantity 2
    with qtbot.waitSignal(w.quoted, timeout=15_000):
        c.type("69")
        c.key(Qt.Key.Key_Return)
    # Four single-use 50-yuan vouchers cover 200 of 266 yuan: the rest is written in the line.
    assert w.cart.quote is not None and w.cart.quote.covered == 20000
    assert "Partly" in w.cart.note(1)
    receipt = c.enter_and_wait()
    assert (receipt.total, receipt.covered, receipt.pays) == (26600, 20000, 6600)
    assert w.pays.text() == "Customer pays ¥66.00"

    # The void: Ctrl+R, typing starts in the search field and the newest row is picked;
    # Tab to the list, Del, then PIN, reason, Enter in the supervisor's dialog.
    c.key(Qt.Key.Key_R, CTRL)
    dialog = w.findChild(RecordsDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.selected() is not None, timeout=15_000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.search, timeout=5000)

    def picked() -> str | None:
        row = dialog.selected()
        return row.redemption_id if row is not None else None

    assert picked() == receipt.redemption_id
    assert dialog.void_button.text() == "Void selected… (Del)"
    qtbot.keyClick(dialog.search, Qt.Key.Key_Down)  # arrows in the search move the pick
    assert picked() == receipt.redemption_id
    qtbot.keyClick(dialog.search, Qt.Key.Key_Delete)  # in the search field: a character
    assert dialog.findChild(SupervisorApprovalDialog) is None
    qtbot.keyClick(dialog.search, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.table

    def approve() -> None:
        approval = dialog.findChild(SupervisorApprovalDialog)
        assert approval is not None and approval.isVisible()
        assert approval.focusWidget() is approval.pin  # typing starts in the PIN field
        c.type(DEMO_SUPERVISOR_PIN, widget=approval.pin)
        c.type("customer returned it", widget=approval.reason)
        c.key(Qt.Key.Key_Return, widget=approval.reason)

    QTimer.singleShot(300, approve)
    with qtbot.waitSignal(dialog.changed, timeout=15_000):
        qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: c.world.pos.redemptions.recent()[0].status
                    is RedemptionStatus.VOIDED, timeout=15_000)
    qtbot.waitUntil(lambda: dialog.model.receipts[0].status is RedemptionStatus.VOIDED)
    assert picked() == receipt.redemption_id  # the same row, still picked after the reload
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_burst_split_by_a_pause_leaves_the_cart_unchanged(baby_shop: Counter,
                                                            qtbot: QtBot) -> None:
    c, w = baby_shop, baby_shop.window
    first, second = c.new_codes(2, "SPLIT")
    c.world.pos.sync.sync_now()  # type: ignore[union-attr]
    c.scan_and_wait(first)
    before, category, qty = w.cart.lines(), w.entry.selected_category(), w.entry.qty.value()
    half = len(second) // 2
    c._chars(w.entry.amount, second[:half], 3)
    c.stamp += 400  # the scanner stalls …
    qtbot.wait(300)  # … and the first half is handed to the field as typing
    assert w.entry.amount.text() == second[:half]
    c.scan(second[half:], widget=w.entry.amount)
    assert w.cart.lines() == before
    assert w.code_text == first  # still the first customer
    assert w.banner.kind == "rejected"  # the second half is not a code: said so
    assert c.world.pos.redemptions.recent() == []
    # No letter, digit, + or - picked a category or changed the quantity.
    assert (w.entry.selected_category(), w.entry.qty.value()) == (category, qty)


def test_scans_in_every_state(canteen: Counter, qtbot: QtBot) -> None:
    c, w = canteen, canteen.window
    a, b, d, e = c.new_codes(4, "STATE")
    c.world.pos.sync.sync_now()  # type: ignore[union-attr]

    # Result showing: the next scan starts the next customer.
    c.scan_and_wait(a)
    c.enter_and_wait()
    c.scan_and_wait(b)
    assert w.result is None and w.code_text == b and len(w.cart.lines()) == 1

    # Mid-quote: a second code before the first quote returns wins, nothing is mixed.
    with qtbot.waitSignal(w.quoted, timeout=15_000):
        c.scan(d)
        c.scan(e)
    qtbot.waitUntil(lambda: w.current is not None and w.current.code.claims.sub
                    == "B-STATE-003", timeout=15_000)

    # An unconfirmed cart the clerk made: the scan asks; Esc keeps the cart.
    w.entry.select_category("fruit")
    with qtbot.waitSignal(w.quoted, timeout=15_000):
        c.type("5")
        c.key(Qt.Key.Key_Return)
    c.scan(d)
    assert w.asking is not None and w.banner.kind == "question" and w.code_text == e
    c.scan(a)  # another code while asking: refused visibly, the question stays
    assert w.asking is not None and w.waiting is None
    c.key(Qt.Key.Key_Escape)
    assert w.asking is None and w.code_text == e and len(w.cart.lines()) == 2
    # … and Enter discards it and serves the new customer.
    c.scan(d)
    with qtbot.waitSignal(w.quoted, timeout=15_000):
        c.key(Qt.Key.Key_Return)
    assert w.code_text == d and len(w.cart.lines()) == 1
    assert c.world.pos.redemptions.recent(10)[0].sub == "B-STATE-000"  # nothing else saved

    # A dialog open (records): the scan waits and runs when the dialog closes.
    c.key(Qt.Key.Key_R, CTRL)
    dialog = w.findChild(RecordsDialog)
    assert dialog is not None and dialog.isVisible()
    c.scan(b, widget=dialog)
    assert w.waiting is not None and w.code_text == d
    with qtbot.waitSignal(w.quoted, timeout=15_000):
        dialog.close()
    assert w.code_text == b
    w.activateWindow()  # the window manager gives the counter its focus back
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)

    # The typed-code dialog starts in its field; a scan into it waits as well.
    def in_dialog() -> None:
        typed = w.findChild(TypeCodeDialog)
        assert typed is not None and typed.isVisible()
        assert typed.focusWidget() is typed.text
        c.scan(a, widget=typed.text)
        assert typed.code() == ""  # the burst did not land in the field
        typed.reject()

    QTimer.singleShot(200, in_dialog)
    with qtbot.waitSignal(w.quoted, timeout=15_000):
        c.key(Qt.Key.Key_K, CTRL)
    assert w.code_text == a


def test_records_screen_arrows_pick_and_a_reload_keeps_the_pick(canteen: Counter,
                                                                qtbot: QtBot) -> None:
    c, w = canteen, canteen.window
    codes = c.new_codes(3, "REC")
    c.world.pos.sync.sync_now()  # type: ignore[union-attr]
    for code in codes:
        c.scan_and_wait(code)
        c.enter_and_wait()
    c.key(Qt.Key.Key_R, CTRL)
    dialog = w.findChild(RecordsDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 3, timeout=15_000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.search, timeout=5000)
    ids = [r.redemption_id for r in dialog.model.receipts]

    def picked() -> str | None:
        row = dialog.selected()
        return row.redemption_id if row is not None else None

    assert picked() == ids[0]  # the first row is picked from the start
    qtbot.keyClick(dialog.search, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.search, Qt.Key.Key_Down)
    assert picked() == ids[2] and QApplication.focusWidget() is dialog.search
    qtbot.keyClick(dialog.search, Qt.Key.Key_Up)
    assert picked() == ids[1]
    with qtbot.waitSignal(dialog.changed, timeout=15_000):
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)  # Enter in the search: search again
    assert dialog.isVisible() and picked() == ids[1]  # the same redemption still picked
    assert dialog.message.text() == "", dialog.message.text()  # no button pressed
    assert dialog.findChild(SupervisorApprovalDialog) is None
    qtbot.keyClick(dialog.search, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.table
    qtbot.keyClick(dialog.table, Qt.Key.Key_Home, CTRL)
    assert picked() == ids[0]
