"""Categorise a day's samples on every core, results in input order.

`categorise()` of one sample depends only on the sample, its text, the drift baseline and its
novelty, so a big day is cut into chunks that worker processes categorise while the caller goes on
with what must stay ordered (near-duplicate assignment) as each chunk comes back: on 2 cores the
two overlap. Small days stay in-process, where starting workers would cost more than it saves.
The text's normal form and MinHash signature depend on the text alone too: they are computed with
the categorisation, so the caller's ordered assignment does not sign (and the signature is what the
candidate stores).

Workers come from a 'forkserver' context: a Dagster step process runs threads, and forking it
could copy a lock some other thread holds. The fork server imports the categorisers once and
forks workers from that clean single-threaded process.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Iterator, Sequence

from logmine_dagster.curation.categorise import Categorisation, categorise
from logmine_dagster.curation.near_duplicates import Signer, signature_bytes
from logmine_dagster.curation.novelty import Novelty

PARALLEL_MIN = 5000  # samples in a day before workers pay for their start-up (a couple of seconds)
CHUNK = 500  # samples per task: small enough that the caller's ordered work starts early

Item = tuple[dict, str, Novelty | None]  # sample, its user text, its novelty
# Its categorisation, the text's normal form (near_duplicates.normalise) and its stored signature
# (near_duplicates.signature_bytes; None for a text too short to have one).
Done = tuple[Categorisation, str, bytes | None]

_signer: Signer | None = None


def _prepare_chunk(chunk: Sequence[Item], baseline: dict[str, set[str]]) -> list[Done]:
    global _signer
    if _signer is None:
        _signer = Signer()
    signed: dict[str, tuple[str, bytes | None]] = {}  # text -> normal form and signature: repeats are signed once per chunk
    done = []
    for sample, text, novelty in chunk:
        prepared = signed.get(text)
        if prepared is None:
            normal, signature = _signer.prepare(text)
            prepared = signed[text] = (normal, signature_bytes(signature))
        done.append((categorise(sample, text, baseline, novelty), *prepared))
    return done


def _categorise_chunk(chunk: list[Item], baseline: dict[str, set[str]]) -> tuple[list[Done], float]:
    """The chunk's results and the CPU seconds they took (the caller's process_time cannot see them)."""
    started = time.process_time()
    return _prepare_chunk(chunk, baseline), time.process_time() - started


def workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def categorise_all(items: Sequence[Item], baseline: dict[str, set[str]], stats: dict | None = None,
                   parallel_min: int | None = None, chunk: int | None = None) -> Iterator[Done]:
    """`categorise()` of every item with its text's normal form and signature, yielded in input order;
    on worker processes when the day has at least `parallel_min` items and the machine more than one
    core. `stats["worker_cpu_s"]` adds up the workers' CPU seconds.

    On workers every chunk is submitted before this returns, so the caller can prepare what it needs
    next while they work; close() the iterator (contextlib.closing) to stop them if it gives up early."""
    parallel_min = PARALLEL_MIN if parallel_min is None else parallel_min
    chunk = CHUNK if chunk is None else chunk
    count = workers()
    if len(items) < parallel_min or count < 2:
        return _in_process(items, baseline, chunk)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["logmine_dagster.curation.parallel_categorise"])
    chunks = [list(items[start:start + chunk]) for start in range(0, len(items), chunk)]
    pool = ProcessPoolExecutor(max_workers=count, mp_context=context)
    try:
        done = pool.map(_categorise_chunk, chunks, [baseline] * len(chunks))
    except BaseException:
        pool.shutdown(cancel_futures=True)
        raise
    return _Submitted(pool, done, stats)


def _in_process(items: Sequence[Item], baseline: dict[str, set[str]], chunk: int) -> Iterator[Done]:
    for start in range(0, len(items), chunk):
        yield from _prepare_chunk(items[start:start + chunk], baseline)


class _Submitted:
    """The results of chunks already submitted to the pool, in input order; the pool stops when they
    are all read or on close(), whether or not reading began."""

    def __init__(self, pool: ProcessPoolExecutor, done: Iterator[tuple[list[Done], float]], stats: dict | None):
        self._pool, self._stats = pool, stats
        self._results = self._read(done)

    def _read(self, done: Iterator[tuple[list[Done], float]]) -> Iterator[Done]:
        try:
            for results, cpu in done:
                if self._stats is not None:
                    self._stats["worker_cpu_s"] = self._stats.get("worker_cpu_s", 0.0) + cpu
                yield from results
        finally:
            self.close()

    def __iter__(self) -> "_Submitted":
        return self

    def __next__(self) -> Done:
        return next(self._results)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
