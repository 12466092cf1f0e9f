"""Reconciliation: this counter's business day against the server's list of the same day.

Every difference is named to the redemption, with what to do:

* ``missing_on_server``: recorded here, not on the server (not uploaded yet, or lost);
* ``not_here``: on the server for this device, not in this ledger;
* ``status_differs``: e.g. accepted here, conflict there (the verdict changed);
* ``amount_differs``: the totals or covered amounts disagree.

A day without differences is marked reconciled, with the fingerprint of the local
entries it matched; any later change to them (a verdict flipped by the outcome
feed, a void) shows the day as no longer reconciled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from merchant_pos.reports import messages
from merchant_pos.reports.entries import Entry, day_entries
from merchant_pos.reports.server_state import (
    ServerItem,
    ServerSnapshot,
    fingerprint,
    load_snapshots,
    save_snapshot,
)
from merchant_pos.store.ledger import Ledger

DAY_REDEMPTIONS = "/v1/device/redemptions"
FetchDay = Callable[[date], list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Difference:
    kind: str               # missing_on_server, not_here, status_differs, amount_differs
    redemption_id: str
    receipt_no: str | None
    here: str | None        # local status / amount as text
    server: str | None

    def message(self, language: str = "zh_CN") -> str:
        what = messages.text(f"diff_{self.kind}", language, self.receipt_no or self.redemption_id,
                             self.here or "-", self.server or "-")
        return f"{what} {messages.text(f'todo_{self.kind}', language)}"


@dataclass(frozen=True, slots=True)
class DayReconciliation:
    day: date
    differences: tuple[Difference, ...]

    @property
    def reconciled(self) -> bool:
        return not self.differences


def _local_fingerprint(entries: list[Entry]) -> str:
    return fingerprint((e.id, e.status, e.total, e.covered) for e in entries)


def compare(entries: list[Entry], server: dict[str, ServerItem]) -> list[Difference]:
    """The differences between the local entries of a day and the server's items."""
    out = []
    mine = {e.id: e for e in entries}
    for entry in entries:
        item = server.get(entry.id)
        if item is None:
            out.append(Difference("missing_on_server", entry.id, entry.receipt_no,
                                  entry.status, None))
            continue
        if item.status != entry.status:
            out.append(Difference("status_differs", entry.id, entry.receipt_no, entry.status,
                                  item.status))
        if (item.total, item.covered) != (entry.total, entry.covered):
            out.append(Difference("amount_differs", entry.id, entry.receipt_no,
                                  f"{entry.total}/{entry.covered}",
                                  f"{item.total}/{item.covered}"))
    for uuid, item in server.items():
        if uuid not in mine:
            out.append(Difference("not_here", uuid, item.receipt, None, item.status))
    return out


def reconcile_day(ledger: Ledger, day: date, fetch: FetchDay, *, now: int) -> DayReconciliation:
    """Fetch the server's view of ``day`` (raises the fetcher's errors, e.g. unreachable),
    compare, store the snapshot (reconciled or not), and return the differences."""
    items = {i["uuid"]: ServerItem.from_json(i) for i in fetch(day)}
    entries = list(day_entries(ledger, day).entries)
    differences = compare(entries, items)
    matched = None if differences else _local_fingerprint(entries)
    save_snapshot(ledger, ServerSnapshot(day, now, items, matched))
    return DayReconciliation(day, tuple(differences))


def stored_differences(ledger: Ledger, day: date) -> tuple[Difference, ...]:
    """The differences with the server's list as last fetched for ``day`` (none when it
    was never fetched), against the ledger as it is now: what the records screen lists."""
    snapshot = load_snapshots(ledger, [day]).get(day)
    if snapshot is None:
        return ()
    return tuple(compare(list(day_entries(ledger, day).entries), snapshot.items))


def reconciled_state(ledger: Ledger, day: date) -> str:
    """``reconciled``, ``changed`` (reconciled, then a local entry changed: a flipped
    verdict or a void), ``differences`` (compared, did not match) or ``unchecked``."""
    snapshot = load_snapshots(ledger, [day]).get(day)
    if snapshot is None:
        return "unchecked"
    if snapshot.matched_fingerprint is None:
        return "differences"
    current = _local_fingerprint(list(day_entries(ledger, day).entries))
    return "reconciled" if current == snapshot.matched_fingerprint else "changed"


def server_fetcher(ledger: Ledger, tokens: Any, *, page_size: int = 500,
                   timeout: float = 10.0) -> FetchDay:
    """A fetcher over the device's own token and server (the sync engine's client)."""
    from merchant_pos.sync.engine import CA_BUNDLE
    from merchant_pos.sync.errors import NotEnrolled
    from merchant_pos.sync.http_client import ApiClient
    from merchant_pos.sync.ledger_port import SyncLedger

    def fetch(day: date) -> list[dict[str, Any]]:
        token = tokens.load()
        if token is None:
            raise NotEnrolled()
        ca = SyncLedger(ledger).get_setting(CA_BUNDLE)
        items: list[dict[str, Any]] = []
        after = "0"
        with ApiClient(token.server_url, token=token.secret, ca_bundle=ca,
                       connect_timeout=min(timeout, 5.0), read_timeout=timeout) as client:
            while True:
                body = client.request("GET", DAY_REDEMPTIONS, params={
                    "day": day.isoformat(), "after": after, "limit": page_size}).body
                items += list(body["items"])
                after = str(body["cursor"])
                if not body["more"]:
                    return items

    return fetch
