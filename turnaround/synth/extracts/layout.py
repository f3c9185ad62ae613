"""Writing rows in an agency's own layout: its date formats, record ids and text columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def format_dates(values: pd.Series | np.ndarray, fmt: str) -> np.ndarray:
    """Dates written in an agency's own format; blank where there is no date."""
    arr = pa.array(
        np.asarray(pd.to_datetime(values), dtype="datetime64[s]"), type=pa.timestamp("s")
    )
    text = pc.fill_null(pc.strftime(arr, format=fmt), "")
    return np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)


def record_ids(prefix: str, n: int, width: int = 7) -> np.ndarray:
    """Record ids ``prefix`` + a zero-padded running number from 1."""
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width)).astype(object)


def sex_word(sex: pd.Series) -> np.ndarray:
    """Sex codes F and M written out, as some agencies hold them."""
    return np.where(sex.to_numpy(dtype=object) == "F", "Female", "Male").astype(object)


def _str(
    values: np.ndarray | pd.Series,
) -> pd.arrays.ArrowStringArray | pd.api.extensions.ExtensionArray:
    return pd.array(np.asarray(values, dtype=object), dtype="str")


def extract_table(columns: dict[str, object]) -> pd.DataFrame:
    """An extract table: every column as text, the way the agency's CSV holds it."""
    out = {}
    for name, values in columns.items():
        arr = np.asarray(values)
        out[name] = arr if arr.dtype.kind in "iu" else _str(arr.astype(object))
    return pd.DataFrame(out)
