"""First start of a real counter: connect it to the foundation's server."""

from __future__ import annotations

import socket
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from merchant_pos.app import PosContext
from merchant_pos.sync.enrollment import enroll_device
from merchant_pos.ui.tasks import BackgroundTasks


class EnrollDialog(QDialog):
    """Server address + the one-time code the foundation gave the shop."""

    def __init__(self, ctx: PosContext, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.language = language
        self.tasks = BackgroundTasks(self)
        self.result_info: Any = None
        self.setWindowTitle(self.tr("Connect this counter"))
        intro = QLabel(self.tr("Type the server address and the one-time enrollment code "
                               "from the foundation. You need the internet only for this "
                               "step; afterwards the counter also works offline."))
        intro.setWordWrap(True)
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://pos.example.org")
        self.code = QLineEdit()
        self.name = QLineEdit(socket.gethostname()[:64])
        self.ca = QLineEdit()
        self.ca.setPlaceholderText(self.tr("Only if the foundation gave you a certificate file"))
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(self._choose_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca, 1)
        ca_row.addWidget(browse)
        form = QFormLayout()
        form.addRow(self.tr("Server address"), self.url)
        form.addRow(self.tr("Enrollment code"), self.code)
        form.addRow(self.tr("Name of this computer"), self.name)
        form.addRow(self.tr("Certificate (optional)"), ca_row)
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.enroll)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def _choose_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Certificate file"), "",
                                              self.tr("Certificates (*.pem *.crt)"))
        if path:
            self.ca.setText(path)

    def enroll(self) -> None:
        ctx, sync = self.ctx, self.ctx.sync
        assert sync is not None
        url, code, name = self.url.text().strip(), self.code.text(), self.name.text()
        ca = self.ca.text().strip() or None
        self.buttons.setEnabled(False)
        self.error.setText(self.tr("Connecting…"))

        def work() -> Any:
            done = enroll_device(sync.ledger, sync.tokens, url, code, name, ca_bundle=ca,
                                 clock=ctx.clock)
            sync.sync_now()  # keys, revocations, programs: the counter is ready offline
            return done

        self.tasks.run(work, self._done, self._failed)

    def _done(self, info: Any) -> None:
        self.result_info = info
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        describe = getattr(exc, "message", None)
        self.error.setText(str(describe(self.language)) if callable(describe) else str(exc))
