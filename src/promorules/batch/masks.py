"""Batch backend: ``failed`` and ``missing`` lists from bit masks, built in Arrow.

The embedded engine's statement gives, per row, a bit mask of the entries that hold (see
:func:`promorules.batch.program.compile_select`, ``masks=True``): a failed leaf, a missing
fact. The list of each distinct mask is made once, then taken for every row by Arrow, so
that no row costs Python work and SQL builds no list per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["mask_lists"]


def _names(key: Sequence[int], names: Sequence[str], bits: int, dedupe: bool) -> list[str]:
    out: list[str] = []
    for n, mask in enumerate(key):
        k = 0
        while mask:
            if mask & 1:
                name = names[n * bits + k]
                if not dedupe or name not in out:
                    out.append(name)
            mask >>= 1
            k += 1
    return out


def mask_lists(columns: Sequence[Any], names: Sequence[str], bits: int,
               dedupe: bool = False) -> Any:
    """A ``list<string>`` array: for each row, the names whose bits are set in its masks
    (``columns``: int64 arrays, ``bits`` entries each), in entry order (``dedupe``: each
    name once, at its first entry)."""
    import numpy as np
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    columns = [c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in columns]
    n = len(columns[0]) if columns else 0
    if not names or n == 0 or all((pc.max(c).as_py() or 0) == 0 for c in columns):
        # no row has any (the usual case for missing facts and invalid values)
        return pa.ListArray.from_arrays(pa.array(np.zeros(n + 1, np.int32)),
                                        pa.array([], pa.string()))
    if len(columns) == 1:  # the usual case: one hash pass in Arrow
        encoded = columns[0].fill_null(0).dictionary_encode()
        distinct: list[tuple[int, ...]] = [(int(k),) for k in
                                           encoded.dictionary.to_pylist()]
        lists = pa.array([_names(k, names, bits, dedupe) for k in distinct],
                         pa.list_(pa.string()))
        return lists.take(encoded.indices)
    values = [np.asarray(c.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
              for c in columns]
    keys, inverse = np.unique(np.stack(values, axis=1), axis=0, return_inverse=True)
    distinct = [tuple(int(x) for x in row) for row in keys]
    lists = pa.array([_names(k, names, bits, dedupe) for k in distinct],
                     pa.list_(pa.string()))
    return lists.take(pa.array(inverse.reshape(-1), pa.int64()))
