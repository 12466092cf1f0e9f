"""The supervisor's settings screen: one page per responsibility, one store in the ledger.

Pages subclass :class:`~merchant_pos.ui.settings.page.SettingsPage` and are
listed in :mod:`merchant_pos.ui.settings.pages`; the values live in
:class:`merchant_pos.store.settings.CounterSettings`.
"""
