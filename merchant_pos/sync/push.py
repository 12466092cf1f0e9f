"""Pushing the outbox: batches in order, a one-deep pipeline, bisecting refused batches.

Split out of :mod:`merchant_pos.sync.engine`, which drives it once per sync.
Entries the server cannot take (``error``, or a refusal narrowed down to one
entry) stay pending and are marked stuck with the server's answer: never
dropped, re-sent next time, and reported so the sync does not say "all done".
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from merchant_pos.store.sync_state import SyncKind
from merchant_pos.sync import server_api
from merchant_pos.sync.errors import Cancelled, RequestRefused, TransientError
from merchant_pos.sync.ledger_port import (
    OUTBOX_ERROR,
    ItemOutcome,
    OutboxEntry,
    SyncLedger,
    outcome_detail,
)
from merchant_pos.sync.push_items import UnsendableEntry, push_item
from merchant_pos.sync.report import SyncReport

BISECT_STATUSES = frozenset({400, 413, 422})


class OutboxPusher:
    """One sync's push; ``call`` is the engine's retrying call, ``observe_clock`` its
    clock reading of an answer."""

    def __init__(self, ledger: SyncLedger, *, call: Callable[..., Any],
                 observe_clock: Callable[[server_api.Timed], None],
                 now: Callable[[], int], batch_size: int,
                 progress: Callable[[str, int], None]) -> None:
        self.ledger = ledger
        self._call = call
        self._observe_clock = observe_clock
        self._now = now
        self.batch_size = batch_size
        self._progress = progress

    def push(self, api: server_api.ServerApi, cancel: threading.Event,
             report: SyncReport) -> None:
        """Batches go to the server strictly one after another, in outbox order; while
        batch N+1 is on the wire, batch N's answers are written to the ledger and
        batch N+2 is read (a one-deep pipeline: the local work hides behind the
        network). An answer is only ever applied after it arrived; a batch whose answer
        is lost stays pending and is resent, same UUIDs, by the next sync."""
        self._progress("push", 0)
        up_to = self.ledger.last_seq()  # what this sync is answerable for
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mpos-push") as wire:
            current = self.ledger.pending_outbox(0, self.batch_size)
            in_flight = wire.submit(self._exchange, api, current, cancel, report) \
                if current else None
            while current and in_flight is not None:
                following = self.ledger.pending_outbox(current[-1].seq, self.batch_size)
                outcomes = in_flight.result()
                in_flight = None
                if following and not cancel.is_set():
                    in_flight = wire.submit(self._exchange, api, following, cancel, report)
                self._apply_answers(current, outcomes, report)
                self._progress("push", report.pushed)
                if cancel.is_set():
                    if in_flight is not None:  # let the request on the wire land
                        self._apply_answers(following, in_flight.result(), report)
                    raise Cancelled()
                current = following
        report.left_pending = self.ledger.pending_count(up_to)
        report.stuck = self.ledger.stuck_count()
        if report.left_pending == 0:
            self.ledger.state.mark_fresh(SyncKind.PUSH, self._now())

    def _exchange(self, api: server_api.ServerApi, entries: Sequence[OutboxEntry],
                  cancel: threading.Event, report: SyncReport) -> dict[str, ItemOutcome]:
        """Send one batch (retrying transient failures); the server's answer per entry.

        A batch the server refuses as malformed (400/413/422) is split in halves
        until the one entry it cannot take is found; that entry is answered
        ``error`` (kept pending, stuck, with the reason), the others go through.
        """
        outcomes: dict[str, ItemOutcome] = {}
        items: list[dict[str, Any]] = []
        sendable: list[OutboxEntry] = []
        for entry in entries:
            try:
                items.append(push_item(entry.payload, entry.seq))
                sendable.append(entry)
            except UnsendableEntry as exc:
                outcomes[entry.entry_id] = ItemOutcome(
                    entry.entry_id, OUTBOX_ERROR, outcome_detail({"reason": "unsendable",
                                                                  "message": str(exc)}))
        if not items:
            return outcomes

        def failed(exc: TransientError) -> None:
            self.ledger.record_push_failure(sendable, str(exc), self._now())
        try:
            timed = self._call(lambda: api.push(items), cancel, report, failed)
        except RequestRefused as exc:
            if exc.status not in BISECT_STATUSES:
                raise
            if len(sendable) > 1:
                half = len(sendable) // 2
                outcomes.update(self._exchange(api, sendable[:half], cancel, report))
                outcomes.update(self._exchange(api, sendable[half:], cancel, report))
                return outcomes
            outcomes[sendable[0].entry_id] = ItemOutcome(
                sendable[0].entry_id, OUTBOX_ERROR,
                outcome_detail({"reason": exc.error_id or f"http_{exc.status}",
                                "message": exc.detail}))
            return outcomes
        self._observe_clock(timed)
        for result in timed.body["results"]:
            outcome = outcome_of(result)
            outcomes[outcome.entry_id] = outcome
            _count(report, result, outcome)
        return outcomes

    def _apply_answers(self, entries: Sequence[OutboxEntry],
                       outcomes: dict[str, ItemOutcome], report: SyncReport) -> None:
        known = {e.entry_id for e in entries}
        mine = {k: v for k, v in outcomes.items() if k in known}
        if not mine:
            return
        answered = [e for e in entries if e.entry_id in mine]
        self.ledger.apply_push_results(answered, mine, self._now())
        report.pushed += len(answered)
        report.errors += sum(1 for o in mine.values() if o.status == OUTBOX_ERROR)


def outcome_of(result: dict[str, Any]) -> ItemOutcome:
    status = result.get("status")
    if status == "duplicate":
        status = result.get("outcome")
    if status not in ("accepted", "conflict", "rejected"):
        status = OUTBOX_ERROR
    return ItemOutcome(str(result["uuid"]), str(status), outcome_detail(result),
                       str(result.get("status")))


def _count(report: SyncReport, result: dict[str, Any], outcome: ItemOutcome) -> None:
    if result.get("status") == "duplicate":
        report.duplicates += 1
    if outcome.status == "accepted":
        report.accepted += 1
    elif outcome.status == "conflict":
        report.conflicts += 1
    elif outcome.status == "rejected":
        report.rejected += 1
