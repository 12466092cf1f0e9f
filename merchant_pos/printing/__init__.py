"""Receipts and slips: what goes on them (content), how they are laid out on a 32- or
48-column roll (layout), ESC/POS bytes through python-escpos (escpos_render, targets),
and the persisted print queue that never blocks or loses a redemption (queue, spooler).

Qt-free. The PDF / system-printer path is ``merchant_pos.ui.qt_pdf`` (Qt lives in ui/).
"""
