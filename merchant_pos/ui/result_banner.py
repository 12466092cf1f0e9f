"""The full-width banner at the top of the counter: what just happened and what to do.

Kinds: ``info`` (waiting, checking), ``accepted`` (recorded: green),
``rejected`` (refused: red), ``nothing`` (valid, but nothing covered: amber)
and ``question`` (a new code arrived while a cart is unconfirmed). The
banner keeps one height whatever it says, so nothing below it moves.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

KINDS = ("info", "accepted", "rejected", "nothing", "question")


def repolish(widget: QWidget) -> None:
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


class ResultBanner(QFrame):
    """Title (large), detail (reason + what to do) and the actions that apply now."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.title = QLabel()
        self.title.setObjectName("bannerTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        # A long title (a receipt number) is cut, never widens the window past the screen.
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setMinimumWidth(1)
        self.detail = QLabel()
        self.detail.setObjectName("bannerDetail")
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.detail.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.undo_button = QPushButton()
        self.receipt_button = QPushButton()
        self.discard_button = QPushButton()
        self.keep_button = QPushButton()
        self.actions_ = (self.undo_button, self.receipt_button, self.discard_button,
                         self.keep_button)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self.title)
        texts.addWidget(self.detail, 1)
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 8, 14, 8)
        row.addLayout(texts, 1)
        for button in self.actions_:
            button.setVisible(False)
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.kind, self._styled = "info", False
        self.show_result("info", "", "")

    def show_result(self, kind: str, title: str, detail: str = "",
                    actions: tuple[QPushButton, ...] = ()) -> None:
        assert kind in KINDS, kind
        self.title.setText(title)
        self.detail.setText(detail)
        if kind != self.kind or not self._styled:  # a re-style costs milliseconds: only
            self.kind, self._styled = kind, True  # when the colour changes
            for w in (self, self.title, self.detail):
                w.setProperty("kind", kind)
                repolish(w)
        for button in self.actions_:
            if button.isVisibleTo(self) != (button in actions):
                button.setVisible(button in actions)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self.fix_height()  # the theme (or the text size) is known now
        super().changeEvent(event)

    def fix_height(self) -> None:
        """Keep the height of a two-line detail whatever the text (call after styling)."""
        for label in (self.title, self.detail):
            label.ensurePolished()
        lines = self.title.fontMetrics().height() + 2 * self.detail.fontMetrics().height()
        self.setFixedHeight(max(lines + 28, self.undo_button.sizeHint().height() + 20))
