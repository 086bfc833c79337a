"""The store fills itself from the dossier kernel's events (the kernel never calls it): the
accepted inputs at reception and when a supplement is accepted, a paper scanned at the counter
into a received dossier as it is attached, the result once it is issued.
Inside the action's transaction: the document is in the store exactly when the action happened,
and a replayed event adds nothing (one row per owner and SHA-256). The inputs and the results
are kept in batches (``events.subscribe_batch``): a bulk import asks for the documents of a
batch's dossiers once, not once per event."""

from __future__ import annotations

from motcua.common import events

from .services import digitised_keep, inputs_keep_many, results_keep_many

INPUT_EVENTS = ("dossier.received", "dossier.supplement_submitted")
# A paper scanned at the counter after reception comes with its own event.
SCAN_EVENT = "dossier.document_attached"
# The result is the applicant's when it is handed over; a result file attached after that
# comes with its own event.
RESULT_EVENTS = ("dossier.result_returned", "dossier.document_attached")


def on_inputs(batch: list[events.Event]) -> None:
    inputs_keep_many(
        (event.data["dossier"], event.data["event"].at)
        for event in batch
        if event.data.get("dossier") is not None and event.data["dossier"].received_at is not None
    )


def payload_of(event: events.Event) -> dict[str, object]:
    return getattr(event.data.get("event"), "payload", None) or {}


def on_scan(event: events.Event) -> None:
    dossier = event.data.get("dossier")
    payload = payload_of(event)
    if dossier is None or payload.get("kind") != "input":
        return
    digitised_keep(dossier, str(payload.get("sha256") or ""), event.data["event"].at)


def on_result(batch: list[events.Event]) -> None:
    results_keep_many(
        (event.data["dossier"], event.data["event"].at)
        for event in batch
        if event.data.get("dossier") is not None and result_event(event)
    )


def result_event(event: events.Event) -> bool:
    """Every hand-over; an attachment only when it is a result file."""
    return event.name != "dossier.document_attached" or payload_of(event).get("kind") == "result"


def subscribe() -> None:
    for name in INPUT_EVENTS:
        events.subscribe_batch(name, on_inputs)
    events.subscribe(SCAN_EVENT, on_scan)
    for name in RESULT_EVENTS:
        events.subscribe_batch(name, on_result)
