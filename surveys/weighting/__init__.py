"""Flask-free survey weighting engine (raking, post-stratification, calibration, trimming).

Estimates and standard errors follow R's ``survey`` package 4.1 (``svydesign`` with
``ids=~1``, ``rake``, ``postStratify``, ``calibrate``, ``trimWeights``, ``svymean``,
``svyby``, ``svyciprop``); see ``tests/data/weighting/README.md`` for the reference cases.
A drawn sample is weighted in three steps (design weights, non-response adjustment,
calibration) by :class:`SampledDesign` (:mod:`.sampled`).
"""

from __future__ import annotations

from .design import Design, WeightedDesign
from .diagnostics import Diagnostics, Message
from .errors import (
    CollapseError,
    ConvergenceError,
    DesignError,
    EmptyCategoryError,
    InconsistentTotalsError,
    MarginsFormatError,
    MissingValueError,
    OutcomeError,
    PopulationZeroError,
    TrimError,
    UnknownCategoryError,
    WeightingError,
)
from .margins import Margin, Margins, as_margins, read_margins, validate_margins
from .sampled import DrawnSample, SampledDesign

__all__ = [
    "CollapseError",
    "ConvergenceError",
    "Design",
    "DesignError",
    "Diagnostics",
    "DrawnSample",
    "EmptyCategoryError",
    "InconsistentTotalsError",
    "Margin",
    "Margins",
    "MarginsFormatError",
    "Message",
    "MissingValueError",
    "OutcomeError",
    "PopulationZeroError",
    "SampledDesign",
    "TrimError",
    "UnknownCategoryError",
    "WeightedDesign",
    "WeightingError",
    "as_margins",
    "read_margins",
    "validate_margins",
]
