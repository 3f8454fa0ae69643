"""Values on their way out: JSON to store, cells for spreadsheets. Flask-free.

Every export (raw answers, weighted microdata, dialogue tables, the indicator API's CSV)
follows the same conventions: UTF-8 with a byte-order mark, so Excel reads å, ä, ö and
Arabic right, and text that a spreadsheet would run as a formula neutralised.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

#: Excel treats a cell starting with one of these as a formula; tab and CR too, says OWASP.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: The byte-order mark at the start of every CSV file.
BOM = "\ufeff"


def safe_cell(value: Any) -> Any:
    """A cell Excel will not run: text that looks like a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def jsonable(value: Any) -> Any:
    """Plain JSON: numpy scalars and arrays to Python, NaN, inf and missing values to None,
    keys to text (a tuple key joined with ", "), anything else (a date, an interval) to text."""
    if isinstance(value, Mapping):
        return {", ".join(map(str, k)) if isinstance(k, tuple) else str(k): jsonable(v)
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if pd.isna(value):
        return None
    return str(value)
