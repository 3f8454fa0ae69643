"""A table from SCB's statistical database by its id, through PxWebApi 2. Flask-free.

``GET {base}/tables/{id}/data?lang=sv&outputFormat=json-stat2&valueCodes[Region]=0180,1480``
answers with one JSON-stat 2.0 dataset. The query is written as the analyst would read
it, one dimension a line (``Alder = *``, ``Tid = top(1)``, ``Region = 0180, 1480``);
PxWebApi picks its defaults for dimensions left out. Failures are
:class:`~surveys.core.problems.Problem` codes (``scb_unreachable``, ``scb_no_table``,
``scb_refused``, ``scb_too_big``), raised as :class:`ScbError`; what came back is parsed by
the caller, which calls an answer that is no table ``scb_garbage``.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request

from surveys.core.problems import Problem

TABLE_RE = re.compile(r"^[A-Za-z0-9_]{1,40}$")
DIMENSION_RE = re.compile(r"^[A-Za-z0-9_\-]{1,60}$")
#: A value code, or one of PxWebApi's expressions: *, top(3), from(2020), range(16,29) ...
VALUE_RE = re.compile(r"^[\w\-+.*?()\s]{1,60}$")


class ScbError(Exception):
    """The table could not be fetched; `problems` says why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.code for p in problems))
        self.problems = problems


def parse_query(text: str) -> dict[str, list[str]]:
    """"Region = 0180, 1480" lines -> {"Region": ["0180", "1480"]}; ScbError naming bad lines."""
    query: dict[str, list[str]] = {}
    problems = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        name, sep, rest = line.partition("=")
        name = name.strip()
        values = [v.strip() for v in re.split(r",(?![^()]*\))", rest) if v.strip()]
        if (not sep or not DIMENSION_RE.match(name) or not values
                or not all(VALUE_RE.match(v) for v in values) or name in query):
            problems.append(Problem("bad_query_line", {"line": number, "text": line.strip()[:60]}))
            continue
        query[name] = values
    if problems:
        raise ScbError(problems)
    return query


def data_url(base_url: str, table_id: str, query: dict[str, list[str]], lang: str = "sv") -> str:
    """The PxWebApi 2 address of a table's data in JSON-stat 2.0."""
    params = [("lang", lang), ("outputFormat", "json-stat2")]
    params += [(f"valueCodes[{name}]", ",".join(values)) for name, values in query.items()]
    return (f"{base_url.rstrip('/')}/tables/{urllib.parse.quote(table_id)}/data?"
            + urllib.parse.urlencode(params, safe="[]*(),"))


def fetch(base_url: str, table_id: str, query: dict[str, list[str]], *, timeout: float,
          max_bytes: int, lang: str = "sv") -> bytes:
    """The body of SCB's answer, at most `max_bytes`; ScbError when there is none to read."""
    if not TABLE_RE.match(table_id or ""):
        raise ScbError([Problem("scb_no_table", {"table": (table_id or "")[:40]})])
    request = urllib.request.Request(data_url(base_url, table_id, query, lang), headers={
        "Accept": "application/json", "User-Agent": "Delaktig"})
    host = urllib.parse.urlsplit(base_url).netloc
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            declared = answer.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise ScbError([Problem("scb_too_big", {"limit": max_bytes})])
            body = answer.read(max_bytes + 1)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            raise ScbError([Problem("scb_no_table", {"table": table_id})]) from None
        raise ScbError([Problem("scb_refused", {"status": error.code,
                                                "reason": _reason(error)})]) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
        raise ScbError([Problem("scb_unreachable", {"host": host})]) from None
    if len(body) > max_bytes:
        raise ScbError([Problem("scb_too_big", {"limit": max_bytes})])
    return body


def _reason(error: urllib.error.HTTPError) -> str:
    """PxWebApi's own words on a refusal (its problem details' title or detail), if any."""
    try:
        data = json.loads(error.read(20_000) or b"null")
    except (ValueError, OSError):
        return ""
    if isinstance(data, dict):
        return str(data.get("detail") or data.get("title") or "")[:200]
    return ""
