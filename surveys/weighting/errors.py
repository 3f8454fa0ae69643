"""Exception family for the weighting engine.

Every error is a :class:`WeightingError` (a ``ValueError``) carrying a machine-readable
``code`` and its details both as attributes and in ``details`` (a dict), so the UI can
translate the message instead of showing the English text.
"""

from __future__ import annotations

from typing import Any


class WeightingError(ValueError):
    """Base class: a weighting or estimation request that cannot be carried out."""

    code: str = "weighting_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details
        for key, value in details.items():
            setattr(self, key, value)

    def to_dict(self) -> dict[str, Any]:
        """Return code, message and details as a JSON-friendly dict."""
        return {"code": self.code, "message": self.message, "details": dict(self.details)}


class DesignError(WeightingError):
    """The sample/design specification is invalid (columns, weights, strata, fpc)."""

    code = "invalid_design"


class MarginsFormatError(WeightingError):
    """Margins table malformed: missing columns, bad counts, duplicates (with line numbers)."""

    code = "margins_format"


class EmptyCategoryError(WeightingError):
    """A population category (or post-stratification cell) has no respondents.

    Attributes: ``variable``, ``category`` (the first one found), ``empty`` (list of
    ``(variable, category)`` pairs), ``neighbours`` (adjacent categories of the first one,
    candidates for ``collapse=``).
    """

    code = "empty_category"


class UnknownCategoryError(WeightingError):
    """Respondents have a value that is not among the population categories.

    Attributes: ``variable``, ``n_respondents``, ``values`` (dict value -> respondent count).
    """

    code = "unknown_category"


class PopulationZeroError(WeightingError):
    """Respondents fall in a category whose population count is zero."""

    code = "population_zero"


class MissingValueError(WeightingError):
    """Respondents lack a value for a weighting variable.

    Attributes: ``variable`` (first), ``n_respondents`` (rows with any missing weighting
    value), ``by_variable`` (dict variable -> count).
    """

    code = "missing_weighting_value"


class InconsistentTotalsError(WeightingError):
    """Margins of different variables sum to different population totals (``totals``)."""

    code = "inconsistent_totals"


class CollapseError(WeightingError):
    """A ``collapse=`` mapping refers to unknown variables or categories."""

    code = "invalid_collapse"


class ConvergenceError(WeightingError):
    """Calibration (Newton iterations) did not reach the requested accuracy."""

    code = "calibration_failed"


class OutcomeError(WeightingError):
    """An outcome variable is missing, non-numeric, or not 0/1 for a proportion."""

    code = "invalid_outcome"


class TrimError(WeightingError):
    """Trimming bounds are invalid or cannot be met."""

    code = "invalid_trim"
