"""`Problem`: one thing wrong with an input, as a code and details. Flask-free.

Readers of files (margins, JSON-stat, register series) report problems this way and never
word them; each feature's `messages` module puts them into the user's language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from werkzeug.http import HTTP_STATUS_CODES


@dataclass(frozen=True)
class Problem:
    """One thing wrong with (or worth knowing about) an input; `code` names it for translation."""

    code: str
    details: dict[str, Any] = field(default_factory=dict)


#: The most cells a JSON-stat table may declare: SCB's own API refuses bigger requests,
#: and a cube is allocated in memory.
MAX_CELLS = 10_000_000
#: Digits a JSON number may have (a count of people has at most ten).
MAX_DIGITS = 30


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ValueError("number too long")
    return int(text)


def load_json_file(text: str) -> tuple[object | None, Problem | None]:
    """JSON from an uploaded file, with numbers and nesting bounded: (data, None), or
    (None, the problem) for text that is not JSON, nests too deep or has an absurd number."""
    try:
        return json.loads(text, parse_int=_bounded_int), None
    except json.JSONDecodeError as error:
        return None, Problem("not_json", {"line": error.lineno, "column": error.colno})
    except (RecursionError, ValueError):
        return None, Problem("not_json", {"line": 1, "column": 1})


def too_many_cells(sizes: list[int]) -> Problem | None:
    """A table larger than MAX_CELLS, found before anything is allocated."""
    cells = 1
    for size in sizes:
        cells *= max(int(size), 0)
        if cells > MAX_CELLS:
            return Problem("too_many_cells", {"limit": MAX_CELLS})
    return None


#: The ``type`` of the API's own problems is this prefix and the problem's code.
PROBLEM_TYPE = "tag:delaktig.se,2026:problem:"


def http_problem(status: int, code: str, detail: str, title: str | None = None
                 ) -> dict[str, Any]:
    """An API error as RFC 9457 problem details with our `code`: a problem type of our own
    when it has a `title`, else a plain HTTP error (``about:blank``, the status phrase as
    title). `error` repeats code and message in the shape of the API's first version."""
    kind = PROBLEM_TYPE + code if title else "about:blank"
    return {"type": kind, "title": title or HTTP_STATUS_CODES.get(status, "Error"),
            "status": status, "detail": detail, "code": code,
            "error": {"code": code, "message": detail}}
