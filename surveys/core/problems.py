"""`Problem`: one thing wrong with an input, as a code and details. Flask-free.

Readers of files (margins, JSON-stat, register series) report problems this way and never
word them; each feature's `messages` module puts them into the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with (or worth knowing about) an input; `code` names it for translation."""

    code: str
    details: dict[str, Any] = field(default_factory=dict)
