"""A run: plan, draw and write by batches of whole contracts, optionally writing from a second thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from queue import Queue

from django.db import connection

from pilotactions.contracts.models import Contract

from .drafting import Drafter, draft_contracts
from .drafts import ContractDraft
from .pacts import generate_pacts
from .planning import plan_contracts
from .reference import Reference, reference_data_ensure
from .targets import BATCH_ACTIONS
from .writer import Writer


def batches(drafts: Iterable[ContractDraft], size: int) -> Iterator[list[ContractDraft]]:
    """Whole contracts, about `size` actions at a time."""
    batch: list[ContractDraft] = []
    pending = 0
    for draft in drafts:
        batch.append(draft)
        pending += len(draft.actions)
        if pending >= size:
            yield batch
            batch, pending = [], 0
    if batch:
        yield batch


def write_in_background(work: Iterable[list[ContractDraft]], write: Callable[[list[ContractDraft]], None]) -> None:
    """Draw the next batches while a second thread (with its own database connection) writes the
    previous one, so that PostgreSQL works while Python draws. At most two batches wait in memory."""
    queue: Queue = Queue(maxsize=2)
    errors: list[BaseException] = []

    def worker():
        try:
            while (batch := queue.get()) is not None:
                write(batch)
        except BaseException as exc:
            errors.append(exc)
            while queue.get() is not None:  # unblock the producer
                pass
        finally:
            connection.close()

    thread = threading.Thread(target=worker, name="generate-data-writer")
    thread.start()
    try:
        for batch in work:
            if errors:
                break
            queue.put(batch)
    finally:
        queue.put(None)
        thread.join()
    if errors:
        raise errors[0]


def generate(
    *,
    actions: int,
    seed: int = 1,
    year: int = 2024,
    progress: Callable[[int], None] | None = None,
    batch_actions: int = BATCH_ACTIONS,
    background: bool | None = None,
) -> dict[str, int]:
    """Create the contracts and `actions` actions; returns the number of rows written per table.

    `progress(n)` is called after each batch with the number of actions just written. `background`
    (default: on PostgreSQL outside a transaction) writes from a second thread while the next batch is
    drawn; inside a transaction (tests) everything runs in the caller's connection.
    """
    if actions < 1:
        raise ValueError("Le nombre d’actions doit être au moins 1.")
    reference_data_ensure()
    reference = Reference.load(seed)
    taken = set(Contract.objects.values_list("reference", flat=True))
    plans = plan_contracts(actions=actions, seed=seed, year=year, reference=reference, taken=taken)
    drafter = Drafter(reference, year)
    writer = Writer(reference)

    def write(batch: list[ContractDraft]) -> None:
        written = writer.write(batch)
        if progress:
            progress(written)

    work = batches(draft_contracts(plans, drafter, seed), batch_actions)
    if background is None:
        background = connection.vendor == "postgresql" and not connection.in_atomic_block
    if background:
        write_in_background(work, write)
    else:
        for batch in work:
            write(batch)
    writer.analyze()
    # The local pacts, their actions and survey answers, in proportion with the contract actions (pacts.py).
    return {**writer.counts, **generate_pacts(plans=plans, seed=seed, year=year)}
