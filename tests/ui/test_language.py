"""Every window and dialog, opened in zh_CN, shows no Latin word outside an allow-list (Qt's
own buttons, menus and file/print/message dialogs included: qtbase_zh_CN is loaded); in
English, no stray Chinese outside the data (names); English plurals are right."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QFileSystemModel,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from merchant_pos.store.reference import CategoryInfo, ProgramInfo
from merchant_pos.store.settings import CounterSettings
from merchant_pos.store.staff import StaffManager
from merchant_pos.ui.counter_window import CounterServices, CounterWindow
from merchant_pos.ui.dialogs import (
    FirstSupervisorDialog,
    SignInDialog,
    SupervisorApprovalDialog,
    TypeCodeDialog,
)
from merchant_pos.ui.feedback import Feedback
from merchant_pos.ui.labels import Labels
from merchant_pos.ui.receipt_view import ReceiptDialog
from merchant_pos.ui.records_dialog import RecordsDialog
from merchant_pos.ui.settings.controller import SupervisorPinDialog
from merchant_pos.ui.settings.dialog import SettingsDialog
from merchant_pos.ui.settings.pages import build_pages
from merchant_pos.ui.staff_dialog import (
    AccountUnlockDialog,
    NewOperatorDialog,
    RecoveryCodeDialog,
    SetPinDialog,
    StaffDialog,
)
from merchant_pos.ui.stuck_dialog import StuckEntriesDialog
from merchant_pos.ui.theme import install_translator, remove_translators
from tests.support.codes import claims, make_code
from tests.ui.conftest import PROGRAMS, Shop

MEALS = ProgramInfo("elder-meal", "长者助餐", "Elderly meals", "Asia/Shanghai", (
    CategoryInfo("meal", "餐食", "Meal"), CategoryInfo("fruit", "水果", "Fruit")))
LATIN = re.compile(r"[A-Za-z]{2,}")
CHINESE = re.compile(r"[\u3400-\u9fff]")
# Key caps (printed in Latin on every keyboard), the code format's prefix, units.
LATIN_ALLOWED = {"F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "Ctrl", "Esc",
                 "Del", "Enter", "Tab", "Shift", "Alt", "Up", "Down", "BC", "PIN", "px",
                 "PDF", "PostScript", "Letter", "Legal", "A4", "mm", "ISO", "Tabloid",
                 "Executive", "Ledger", "PNG", "JPG", "JPEG", "GIF", "BMP",
                 "zxing", "pyzbar",  # the decoders' product names, like PDF
                 "ESC", "POS", "USB",  # the printer standard and port, written so in Chinese
                 "XXXX"}  # the recovery code's format mask
# Each language's own name in a language chooser is the same in every language.
ENDONYMS = {"English", "中文（简体）", "中文"}


def texts_of(window: QWidget) -> list[str]:
    """What a person sees: titles, labels, buttons, fields, combo items, table headers/cells."""
    out = [window.windowTitle()]
    for w in [window, *window.findChildren(QWidget)]:
        if not w.isVisibleTo(window) and w is not window:
            continue
        if isinstance(w, QLabel | QAbstractButton):
            out.append(w.text())
        elif isinstance(w, QLineEdit):
            out += [w.text(), w.placeholderText()]
        elif isinstance(w, QPlainTextEdit):
            out += [w.toPlainText(), w.placeholderText()]
        elif isinstance(w, QComboBox):
            out += [w.itemText(i) for i in range(w.count())]
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            out += model_texts(w.model())
        state = getattr(w, "_state_text", None)  # the camera panel paints its text
        if isinstance(state, str):
            out.append(state)
    return [t for t in out if t]


def model_texts(model: QAbstractItemModel) -> list[str]:
    out = []
    root = QModelIndex()
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(root)
    files = isinstance(model, QFileSystemModel | QSortFilterProxyModel)  # cells: file names
    for col in range(min(columns, 12)):
        out.append(str(model.headerData(col, Qt.Orientation.Horizontal) or ""))
        for row in range(0 if files else min(model.rowCount(root), 20)):
            out.append(str(model.data(model.index(row, col)) or ""))
    return out


def stray(texts: list[str], language: str, data: set[str]) -> list[str]:
    found = []
    for text in texts:
        if text.startswith("/") or text in ("root", "wt") or "://" in text:
            continue  # a folder or file path, an address: data
        if text in ENDONYMS:
            continue
        for known in sorted(data, key=len, reverse=True):
            text = text.replace(known, "")
        if language == "zh_CN":
            found += [f"{w!r} in {text!r}" for w in LATIN.findall(text)
                      if w not in LATIN_ALLOWED]
        else:
            found += [f"{text!r}"] if CHINESE.search(text) else []
    return found


@pytest.fixture(params=["zh_CN", "en"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_translator(app, request.param)
    yield request.param
    remove_translators(app)


def test_every_window_and_dialog_speaks_one_language(qtbot: QtBot, shop: Shop,
                                                     language: str) -> None:
    base = shop.window.services
    services = CounterServices(base.redemptions, base.operators, base.profile,
                               Labels([*PROGRAMS, MEALS], language), language,
                               feedback=Feedback())
    window = CounterWindow(services, shop.window.session)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    data = {"马*花", base.profile.merchant_name, "王主管", "李收银"}
    for printer in QPrinterInfo.availablePrinters():  # the system's printers (CUPS) name themselves
        data |= {printer.printerName(), printer.description(), printer.makeAndModel()} - {""}
    seen: dict[str, list[str]] = {}

    def look(name: str, widget: QWidget) -> None:
        if not isinstance(widget, QPrintDialog):  # shown offscreen it crashes in Qt's code;
            widget.show()                          # its texts are there all the same
            qtbot.wait(20)
        seen[name] = stray(texts_of(widget), language, data)

    look("counter waiting", window)
    code = make_code(shop.key, claims(sub="B-LANG"))
    from tests.ui.test_counter_window import _add, _scan

    shop.window.close()
    shop.window = window
    _scan(shop, qtbot, code)
    look("counter quoted", window)
    _add(shop, qtbot, "formula", "69")
    look("counter cart", window)
    with qtbot.waitSignal(window.redeemed, timeout=10_000) as sig:
        window.confirm_redemption()
    look("counter result", window)
    receipt = sig.args[0]
    dialogs: list[tuple[str, QDialog]] = [
        ("sign in", SignInDialog(["王主管"], window)),
        ("first supervisor", FirstSupervisorDialog(window)),
        ("type code", TypeCodeDialog(window)),
        ("void approval", SupervisorApprovalDialog(["王主管"], "", window)),
        ("supervisor pin", SupervisorPinDialog(["王主管"], window)),
        ("receipt", ReceiptDialog(receipt, services.labels, services.profile, window)),
        ("records", RecordsDialog(services, window)),
        ("settings", SettingsDialog(CounterSettings(shop.ledger).snapshot(),
                                    build_pages(services), window)),
        ("message box", QMessageBox(QMessageBox.Icon.Question, "", "",
                                    QMessageBox.StandardButton.Yes
                                    | QMessageBox.StandardButton.No
                                    | QMessageBox.StandardButton.Cancel, window)),
        ("file dialog", QFileDialog(window)),
        ("print dialog", QPrintDialog(QPrinter(), window)),
    ]
    # The staff and lock screens (issue 13) and the stuck-entries list (issue 11).
    staff = StaffManager(base.operators)
    boss = base.operators.sign_in("王主管", "9999").operator
    recovery = "K7QX-3MPD-9WTR-HZ2N"
    data.add(recovery)  # a code to copy: data
    dialogs += [
        ("staff", StaffDialog(staff, boss, language, window)),
        ("new operator", NewOperatorDialog(staff, boss, language, window)),
        ("set pin", SetPinDialog(staff, "李收银", language, by=boss, parent=window)),
        ("account unlock", AccountUnlockDialog(staff, "李收银", ["王主管"], language, window)),
        ("recovery code", RecoveryCodeDialog(recovery, window, language=language)),
        ("stuck entries", StuckEntriesDialog(services, window)),
    ]
    for name, dialog in dialogs:
        if isinstance(dialog, QFileDialog):
            dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        if isinstance(dialog, RecordsDialog):
            qtbot.waitUntil(lambda d=dialog: d.model.rowCount() == 1, timeout=10_000)
        look(name, dialog)
        if isinstance(dialog, SettingsDialog):  # every page, not only the first
            for row in range(1, dialog.index.count()):
                dialog.index.setCurrentRow(row)
                look(f"settings: {dialog.index.item(row).text()}", dialog)
        dialog.close()
    window.lock()
    look("lock screen", window.locker.screen)
    menu = window.entry.amount.createStandardContextMenu()
    seen["context menu"] = stray([a.text() for a in menu.actions()], language, data)
    problems = {name: found for name, found in seen.items() if found}
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())
    pages = len(build_pages(services))
    assert len(seen) == 16 + 6 + (pages - 1) + 1 and pages >= 6
    window.close()


def test_english_plurals(qtbot: QtBot, shop: Shop) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_translator(app, "en")
    try:
        dialog = RecordsDialog(shop.window.services, shop.window)
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: bool(dialog.summary.text()), timeout=10_000)
        assert "0 redemptions" in dialog.summary.text()
        one = dialog.tr("%n redemption(s)", "", 1)
        assert one == "1 redemption" and dialog.tr("%n redemption(s)", "", 2) == "2 redemptions"
    finally:
        remove_translators(app)
