"""The pages of the settings screen, in the order they are shown.

Each entry builds one page from the counter's services; a responsibility adds
its page here with one line (its module defines the page and its settings).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from merchant_pos.ui.counter_settings import counter_page
from merchant_pos.ui.printer_page import printer_page
from merchant_pos.ui.settings.camera_page import CameraPage
from merchant_pos.ui.settings.page import SettingsPage
from merchant_pos.ui.settings.setup_pages import LanguagePage, ServerPage, StaffPage

if TYPE_CHECKING:
    from merchant_pos.ui.counter_window import CounterServices

PageFactory = Callable[["CounterServices"], SettingsPage]

PAGE_FACTORIES: list[PageFactory] = [
    counter_page,
    CameraPage,
    LanguagePage,
    ServerPage,
    StaffPage,
    printer_page,  # issue 12
]


def build_pages(services: CounterServices) -> list[SettingsPage]:
    return [factory(services) for factory in PAGE_FACTORIES]
