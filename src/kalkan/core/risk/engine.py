"""Mean-mode event losses and expected annual losses, streamed over event blocks.

The same block computation runs in this process (numba threads over the blocks of a chunk) or as Dask
tasks (one task per chunk); per-group partial sums are folded in block order in both cases, so results
are bit-identical across thread counts and schedulers for a given ``block_events``.
Memory: O(non-zeros of one chunk + groups x blocks per chunk + events), never events x assets.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from kalkan.core.hazard.hazardset import HazardSet
from kalkan.core.risk import kernel
from kalkan.core.risk.groups import Groups
from kalkan.core.risk.tables import FunctionTable, pack_functions
from kalkan.core.vulnerability.functions import VulnerabilityFunction
from kalkan.errors import InputError

DEFAULT_BLOCK_EVENTS = 1024
DEFAULT_CHUNK_BLOCKS = 32

ProgressCallback = Callable[[int, str], None]
BucketSink = Callable[[int, NDArray[np.float64]], None]


@dataclass(frozen=True, slots=True)
class CsrChunk:
    """Events ``start:stop`` of an events x sites CSR matrix, ``indptr`` rebased to 0."""

    start: int
    stop: int
    indptr: NDArray[np.int64]
    indices: NDArray[np.int32]
    data: NDArray[np.floating[Any]]


class EventSource(Protocol):
    """Anything that yields the intensity matrix by event chunks (in memory or read from disk)."""

    @property
    def n_events(self) -> int: ...

    @property
    def n_sites(self) -> int: ...

    def chunks(self, events_per_chunk: int) -> Iterator[CsrChunk]: ...


class InMemorySource:
    """Event chunks of a HazardSet's CSR matrix, as views (no copy of data or indices)."""

    def __init__(self, hazard: HazardSet) -> None:
        self.hazard = hazard

    @property
    def n_events(self) -> int:
        return self.hazard.n_events

    @property
    def n_sites(self) -> int:
        return self.hazard.n_sites

    def chunks(self, events_per_chunk: int) -> Iterator[CsrChunk]:
        m = self.hazard.intensity
        indptr = m.indptr.astype(np.int64, copy=False)
        for start in range(0, self.n_events, events_per_chunk):
            stop = min(self.n_events, start + events_per_chunk)
            lo, hi = int(indptr[start]), int(indptr[stop])
            yield CsrChunk(start, stop, indptr[start : stop + 1] - lo, m.indices[lo:hi], m.data[lo:hi])


@dataclass(frozen=True, slots=True)
class MeanResult:
    """Event losses (in the exposure's currency) and per-group expected annual loss per unit value."""

    event_loss: NDArray[np.float64]
    group_rate: NDArray[np.float64]
    bucket_loss: NDArray[np.float64] | None
    groups: Groups
    block_events: int

    def group_aal(self) -> NDArray[np.float64]:
        """Expected annual loss of each group (value x sum over events of frequency x mean damage ratio)."""
        return self.groups.g_value * self.group_rate

    def asset_aal(self, n_assets: int) -> NDArray[np.float64]:
        """Expected annual loss per asset and loss type, shape (n_assets, n_loss_types), per year."""
        g = self.groups
        share = g.contrib_value * self.group_rate[g.contrib_group]
        if g.one_per_asset and len(g.loss_types) == 1 and share.size == n_assets:
            return share[:, None]
        out = np.zeros((n_assets, len(g.loss_types)))
        for lt in range(len(g.loss_types)):
            sel = g.contrib_loss_type == lt if len(g.loss_types) > 1 else slice(None)
            out[:, lt] = np.bincount(g.contrib_asset[sel], weights=share[sel], minlength=n_assets)
        return out


def site_layout(groups: Groups) -> tuple[NDArray[np.int64], NDArray[np.float64]] | None:
    """(function, summed value) per site when every site has at most one function and no output buckets are
    asked for: the fast kernel then applies (None otherwise). Sites without assets get function -1."""
    if groups.n_buckets or groups.n_groups == 0:
        return None
    first = groups.g_func[groups.site_ptr[groups.g_site]]
    if np.any(groups.g_func != first):
        return None
    site_func = np.full(groups.n_sites, -1, dtype=np.int64)
    site_func[groups.g_site] = groups.g_func
    site_value = np.bincount(groups.g_site, weights=groups.g_value, minlength=groups.n_sites).astype(np.float64)
    return site_func, site_value


def _chunk_compute(
    chunk: CsrChunk,
    freq: NDArray[np.float64],
    groups: Groups,
    table: FunctionTable,
    block_events: int,
    layout: tuple[NDArray[np.int64], NDArray[np.float64]] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Run the kernel on one chunk; returns (event losses, bucket losses, per-block group partial sums)."""
    mean_blocks: Any = kernel.mean_blocks  # numba dispatchers are untyped
    by_site: Any = kernel.mean_blocks_by_site
    n = chunk.stop - chunk.start
    block_start = np.arange(0, n + block_events, block_events, dtype=np.int64)
    block_start[-1] = n
    block_start = np.unique(np.minimum(block_start, n))
    if block_start.size < 2:
        block_start = np.array([0, n], dtype=np.int64)
    event_loss = np.zeros(n)
    if layout is not None:
        s_partial = np.zeros((block_start.size - 1, groups.n_sites))
        if table.params.shape[0] == 1 and table.params[0, 9] > 0.0:  # one function, equally spaced
            by_site = kernel.mean_blocks_one_uniform
        by_site(chunk.indptr, chunk.indices, chunk.data, freq, block_start, layout[0], layout[1],
                *table.as_tuple(), event_loss, s_partial)  # fmt: skip
        return event_loss, np.zeros((n, 0)), s_partial[:, groups.g_site]
    bucket_loss = np.zeros((n, groups.n_buckets))
    partial = np.zeros((block_start.size - 1, groups.n_groups))
    mean_blocks(
        chunk.indptr, chunk.indices, chunk.data, freq, block_start,
        groups.site_ptr, groups.g_func, groups.g_value, groups.g_bucket,
        *table.as_tuple(),
        event_loss, bucket_loss, partial,
    )  # fmt: skip
    return event_loss, bucket_loss, partial


def warm_up(data_dtype: np.dtype[Any], n_dims: int = 0, *, groups: Groups | None = None, maps: bool = False) -> None:
    """Compile (or load from numba's cache) the kernels a run will use for this intensity dtype, so that the
    computation's timing does not include the JIT. With ``groups``, only the kernel those groups need."""
    table = pack_functions([VulnerabilityFunction("warm-up", "PGA", "g", np.array([0.0, 1.0]), np.array([0.0, 1.0]))])
    one, i64 = np.array([0, 1], dtype=np.int64), np.zeros(1, dtype=np.int64)
    data = np.ones(1, dtype=data_dtype)
    by_site = groups is not None and site_layout(groups) is not None
    k: Any
    if groups is None or not by_site:
        k = kernel.mean_blocks
        k(one, np.zeros(1, dtype=np.int32), data, np.ones(1), one, one, i64, np.ones(1),
               np.zeros((1, n_dims), dtype=np.int64), *table.as_tuple(), np.zeros(1), np.zeros((1, max(n_dims, 1))),
               np.zeros((1, 1)))  # fmt: skip
    if groups is None or by_site:
        own = pack_functions(groups.functions) if groups is not None else None
        one_uniform = own is not None and own.params.shape[0] == 1 and own.params[0, 9] > 0.0
        for k in ((kernel.mean_blocks_one_uniform,) if one_uniform else (kernel.mean_blocks_by_site,)) if groups else (
            kernel.mean_blocks_by_site, kernel.mean_blocks_one_uniform,
        ):  # fmt: skip
            k(one, np.zeros(1, dtype=np.int32), data, np.ones(1), one, i64, np.ones(1), *table.as_tuple(),
                   np.zeros(1), np.zeros((1, 1)))  # fmt: skip
    if maps:
        k = kernel.eval_many
        k(0, data, *table.as_tuple(), np.zeros(1))
        k = kernel.site_curves
        k(one, i64, np.zeros(1), np.ones(1), 1.0, i64, np.ones(1), np.zeros((1, 1)))


def check_functions(groups: Groups, imt: str, unit: str, where: str) -> None:
    """Every function used must be for the hazard's intensity measure and unit, and zero at zero."""
    used = np.unique(groups.g_func)
    for f in used:
        fn = groups.functions[int(f)]
        if fn.imt != imt or fn.unit != unit:
            raise InputError(
                f"{where}: vulnerability function '{fn.id}' ({fn.source}) is for {fn.imt} in {fn.unit}, but the "
                f"hazard gives {imt} in {unit}. Use functions for this hazard's intensity measure.",
                code="input.inconsistent",
                field="imt",
            )
        if not fn.zero_at_zero:
            raise InputError(
                f"{where}: vulnerability function '{fn.id}' gives a loss ratio of "
                f"{fn.mean_loss_ratio(np.zeros(1))[0]:g} at zero intensity; Kalkan treats sites an event does not "
                "reach as undamaged, which this function contradicts. Set its value at zero intensity to 0.",
                code="input.range",
                field="mean_lr",
            )


def compute_mean(
    source: EventSource,
    frequency: NDArray[np.float64],
    groups: Groups,
    *,
    block_events: int = DEFAULT_BLOCK_EVENTS,
    chunk_blocks: int = DEFAULT_CHUNK_BLOCKS,
    keep_buckets: bool = True,
    bucket_sink: BucketSink | None = None,
    on_progress: ProgressCallback | None = None,
    client: Any = None,
) -> MeanResult:
    """Mean-mode losses for every event of ``source``.

    ``block_events`` fixes the summation order of the per-group sums (a run parameter: recorded, and
    the same value gives identical results anywhere). ``bucket_sink(start, losses)`` receives each chunk's
    events x buckets losses (for streaming to disk) and ``keep_buckets`` keeps them in memory too.
    ``client``: a dask.distributed Client; chunks then run as tasks on its workers.
    """
    if block_events < 1 or chunk_blocks < 1:
        raise InputError("block_events and chunk_blocks must be positive.", code="input.range", field="block_events")
    n_events = source.n_events
    if frequency.shape != (n_events,):
        raise InputError(
            f"frequency has {frequency.shape} values for {n_events} events.",
            code="input.inconsistent",
            field="frequency",
        )
    table = pack_functions(groups.functions)
    layout = site_layout(groups)
    # Keep the per-block partial sums (blocks x groups or sites) under ~64 MB.
    width = groups.n_sites if layout is not None else max(groups.n_groups, 1)
    chunk_blocks = max(1, min(chunk_blocks, int(8e6 // max(width, 1))))
    event_loss = np.zeros(n_events)
    rate = np.zeros(groups.n_groups)
    buckets = np.zeros((n_events, groups.n_buckets)) if keep_buckets else None
    per_chunk = block_events * chunk_blocks

    def consume(chunk: CsrChunk, out: tuple[NDArray[np.float64], ...]) -> None:
        ev, bl, partial = out
        event_loss[chunk.start : chunk.stop] = ev
        for row in partial:  # fold in block order: the summation order is fixed by block_events alone
            rate[:] += row
        if buckets is not None:
            buckets[chunk.start : chunk.stop] = bl
        if bucket_sink is not None:
            bucket_sink(chunk.start, bl)
        if on_progress is not None:
            on_progress(int(100 * chunk.stop / n_events), f"events {chunk.stop:,} of {n_events:,}")

    if client is None:
        for chunk in source.chunks(per_chunk):
            consume(
                chunk, _chunk_compute(chunk, frequency[chunk.start : chunk.stop], groups, table, block_events, layout)
            )
    else:
        _compute_on_dask(client, source, frequency, groups, table, block_events, per_chunk, consume, layout)
    return MeanResult(event_loss, rate, buckets, groups, block_events)


def _compute_on_dask(
    client: Any,
    source: EventSource,
    frequency: NDArray[np.float64],
    groups: Groups,
    table: FunctionTable,
    block_events: int,
    per_chunk: int,
    consume: Callable[[CsrChunk, tuple[NDArray[np.float64], ...]], None],
    layout: tuple[NDArray[np.int64], NDArray[np.float64]] | None = None,
) -> None:
    """Submit chunks as tasks (at most two per worker thread in flight) and consume results in order."""
    g_future, t_future = client.scatter([groups, table], broadcast=True)
    n_threads = max(1, sum(client.nthreads().values()))
    pending: deque[tuple[CsrChunk, Any]] = deque()
    for chunk in source.chunks(per_chunk):
        future = client.submit(
            _chunk_compute,
            chunk,
            frequency[chunk.start : chunk.stop],
            g_future,
            t_future,
            block_events,
            layout,
            pure=False,
        )
        pending.append((chunk, future))
        while len(pending) > 2 * n_threads:
            done_chunk, done = pending.popleft()
            consume(done_chunk, done.result())
    while pending:
        done_chunk, done = pending.popleft()
        consume(done_chunk, done.result())
