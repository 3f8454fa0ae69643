"""Exceptions of the indicator core: a machine-readable ``code`` and details, no UI text.

The web layer translates ``code`` (with ``details``) into the user's language, as it does
for :class:`surveys.weighting.WeightingError`; the English ``str()`` is for logs and notebooks.
"""

from __future__ import annotations

from typing import Any

from surveys.core.problems import Problem


class IndicatorError(ValueError):
    """An indicator definition or computation request that cannot be carried out."""

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(f"{code}: {details}" if details else code)
        self.code = code
        self.details: dict[str, Any] = details

    def to_dict(self) -> dict[str, Any]:
        """Code and details as a JSON-friendly dict."""
        return {"code": self.code, "details": dict(self.details)}


class RegisterFormatError(ValueError):
    """A register file cannot become a yearly series; ``problems`` lists every reason found."""

    code = "register_format"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.code}: {p.details}" for p in problems))
        self.problems = problems
