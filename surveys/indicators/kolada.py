"""A client of Kolada's open API v2 (https://api.kolada.se/v2/) and the comparison of two
survey estimates. Flask-free.

Kolada (RKA) publishes key figures (KPIs) per municipality, county (region) and year.
Every answer is ``{"values": [...], "count": n, "next_page": url?}``; a page holds at most
5,000 values, and ``next_page`` (a full address) leads to the rest. The client reads:

* ``/kpi/<id>``: the KPI's title, description, unit and whether it is divided by gender;
* ``/municipality`` and ``/municipality?title=``: ``{"id", "title", "type": "K" | "L"}``;
  Sweden is ``0000`` and a county's region is ``00`` + the county's two digits;
* ``/municipality_groups/<id>`` and ``?title=``: ``{"id", "title", "members": [{"id",
  "title"}]}``, among them the "similar municipalities" groups (Liknande kommuner);
* ``/data/kpi/<kpi>/municipality/<ids>/year/<years>``: per municipality and period a
  ``values`` list of ``{"gender": "T" | "K" | "M", "value": float | null, "count",
  "status"}`` (T is everyone, K women, M men).

Failures are :class:`~surveys.core.problems.Problem` codes raised as :class:`KoladaError`:
``kolada_unreachable``, ``kolada_timeout``, ``kolada_refused`` (an HTTP error status),
``kolada_garbage`` (an answer not in the documented shape), ``kolada_unknown_kpi``,
``kolada_unknown_group``, ``kolada_bad_id``. Missing years are not errors: the caller
gets the values there are and the years asked for, and words the difference.
"""

from __future__ import annotations

import json
import math
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.client import HTTPException

from scipy import stats

from surveys.core.problems import Problem

DEFAULT_URL = "https://api.kolada.se/v2"
#: Kolada's KPI ids: a letter and five digits (N00945, U28116).
KPI_RE = re.compile(r"^[A-Z][0-9]{5}$")
#: Municipality and region ids (four digits) and group ids (G and digits).
AREA_RE = re.compile(r"^[0-9]{4}$")
GROUP_RE = re.compile(r"^G[0-9]{1,8}$")
SWEDEN = "0000"
GENDERS = ("T", "K", "M")
#: Pages followed before the client gives up (5,000 values each).
MAX_PAGES = 20


class KoladaError(Exception):
    """Kolada could not answer the question; `problems` says why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.code for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Kpi:
    id: str
    title: str
    description: str = ""
    unit: str | None = None
    by_gender: bool = False


@dataclass(frozen=True)
class Area:
    """A municipality (type K), a region (L), Sweden, or a group."""

    id: str
    title: str
    type: str | None = None


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    members: tuple[Area, ...] = field(default=())


def county_of(municipality_code: str) -> str:
    """The Kolada id of the region a municipality lies in: 1480 -> 0014."""
    return "00" + municipality_code[:2]


def _garbage(what: str) -> KoladaError:
    return KoladaError([Problem("kolada_garbage", {"what": what})])


class Kolada:
    """The API at `base_url` (``KOLADA_URL``), waiting `timeout` seconds per request."""

    def __init__(self, base_url: str = DEFAULT_URL, *, timeout: float = 20.0,
                 max_bytes: int = 20 * 1024 * 1024):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.host = urllib.parse.urlsplit(self.base_url).netloc

    # -- transport --------------------------------------------------------------------------
    def _read(self, url: str) -> dict:
        request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                       "User-Agent": "Delaktig"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                body = answer.read(self.max_bytes + 1)
        except urllib.error.HTTPError as error:
            error.close()
            raise KoladaError([Problem("kolada_refused", {"status": error.code})]) from None
        except (TimeoutError, socket.timeout):
            raise KoladaError([Problem("kolada_timeout", {"host": self.host,
                                                          "seconds": self.timeout})]) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, (TimeoutError, socket.timeout)):
                raise KoladaError([Problem("kolada_timeout", {
                    "host": self.host, "seconds": self.timeout})]) from None
            raise KoladaError([Problem("kolada_unreachable", {"host": self.host})]) from None
        except (HTTPException, OSError, ValueError):
            raise KoladaError([Problem("kolada_unreachable", {"host": self.host})]) from None
        if len(body) > self.max_bytes:
            raise _garbage("too_big")
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise _garbage("not_json") from None
        if not isinstance(data, dict) or not isinstance(data.get("values"), list):
            raise _garbage("no_values_list")
        count = data.get("count")
        if count is not None and (not isinstance(count, int) or count != len(data["values"])):
            raise _garbage("count")  # a cut-off answer says more than it holds
        return data

    def _get(self, path: str, params: dict[str, str] | None = None) -> list[dict]:
        """Every value of every page; a next page elsewhere than Kolada is not followed."""
        url = self.base_url + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        values: list[dict] = []
        for _page in range(MAX_PAGES):
            data = self._read(url)
            if not all(isinstance(v, dict) for v in data["values"]):
                raise _garbage("values_not_objects")
            values += data["values"]
            following = data.get("next_page")
            if not following:
                return values
            if (not isinstance(following, str)
                    or urllib.parse.urlsplit(following).netloc != self.host):
                raise _garbage("next_page")
            url = following
        raise _garbage("too_many_pages")

    # -- metadata ---------------------------------------------------------------------------
    def kpi(self, kpi_id: str) -> Kpi:
        """A KPI's metadata; kolada_unknown_kpi when Kolada has none by that id."""
        if not KPI_RE.match(kpi_id or ""):
            raise KoladaError([Problem("kolada_bad_id", {"id": (kpi_id or "")[:20]})])
        found = [v for v in self._get(f"/kpi/{kpi_id}") if v.get("id") == kpi_id]
        if not found:
            raise KoladaError([Problem("kolada_unknown_kpi", {"kpi": kpi_id})])
        v = found[0]
        if not isinstance(v.get("title"), str):
            raise _garbage("kpi")
        return Kpi(kpi_id, v["title"], str(v.get("description") or ""),
                   v.get("unit") if isinstance(v.get("unit"), str) else None,
                   bool(v.get("is_divided_by_gender")))

    def municipalities(self, ids: Iterable[str] = (), title: str | None = None) -> list[Area]:
        """Municipalities and regions by id, or whose title contains `title`, or all."""
        ids = list(ids)
        if any(not AREA_RE.match(i) for i in ids):
            raise KoladaError([Problem("kolada_bad_id", {"id": next(
                i for i in ids if not AREA_RE.match(i))[:20]})])
        path = "/municipality" + (f"/{','.join(ids)}" if ids else "")
        rows = self._get(path, {"title": title} if title else None)
        return [_area(v) for v in rows]

    def group(self, group_id: str) -> Group:
        """A municipality group with its members; kolada_unknown_group when there is none."""
        if not GROUP_RE.match(group_id or ""):
            raise KoladaError([Problem("kolada_bad_id", {"id": (group_id or "")[:20]})])
        found = [v for v in self._get(f"/municipality_groups/{group_id}")
                 if v.get("id") == group_id]
        if not found:
            raise KoladaError([Problem("kolada_unknown_group", {"group": group_id})])
        return _group(found[0])

    def groups(self, title: str) -> list[Group]:
        """Municipality groups whose title contains `title` (e.g. a municipality's name)."""
        return [_group(v) for v in self._get("/municipality_groups", {"title": title})]

    # -- data -------------------------------------------------------------------------------
    def values(self, kpi_id: str, area_ids: Iterable[str], years: Iterable[int],
               gender: str = "T") -> dict[str, dict[int, float]]:
        """{area id: {year: value}} of one gender (T, K or M); null values left out."""
        area_ids = list(dict.fromkeys(area_ids))
        years = sorted(set(years))
        if not KPI_RE.match(kpi_id or ""):
            raise KoladaError([Problem("kolada_bad_id", {"id": (kpi_id or "")[:20]})])
        bad = [a for a in area_ids if not (AREA_RE.match(a) or GROUP_RE.match(a))]
        if bad or gender not in GENDERS or not area_ids or not years:
            raise KoladaError([Problem("kolada_bad_id", {"id": (bad or [gender])[0][:20]})])
        path = (f"/data/kpi/{kpi_id}/municipality/{','.join(area_ids)}"
                f"/year/{','.join(str(y) for y in years)}")
        found: dict[str, dict[int, float]] = {a: {} for a in area_ids}
        for row in self._get(path):
            area, period = row.get("municipality"), row.get("period")
            if row.get("kpi") not in (kpi_id, None) or area not in found:
                continue  # not what was asked for: ignore rather than mix in
            year = _year(period)
            entries = row.get("values")
            if year is None or not isinstance(entries, list):
                raise _garbage("data")
            for entry in entries:
                if not isinstance(entry, dict):
                    raise _garbage("data")
                if entry.get("gender") != gender:
                    continue
                value = entry.get("value")
                if value is None:
                    continue
                if isinstance(value, bool) or not isinstance(value, (int, float)) \
                        or not math.isfinite(value):
                    raise _garbage("data")
                found[area][year] = float(value)
        return found


def _year(period) -> int | None:
    text = str(period)
    return int(text) if re.fullmatch(r"(19|20|21)[0-9]{2}", text) else None


def _area(v: dict) -> Area:
    if not isinstance(v.get("id"), str) or not isinstance(v.get("title"), str):
        raise _garbage("municipality")
    return Area(v["id"], v["title"], v.get("type") if isinstance(v.get("type"), str) else None)


def _group(v: dict) -> Group:
    members = v.get("members")
    if (not isinstance(v.get("id"), str) or not isinstance(v.get("title"), str)
            or not isinstance(members, list)):
        raise _garbage("group")
    return Group(v["id"], v["title"], tuple(_area(m) for m in members if isinstance(m, dict)))


# -- two organisations' survey estimates ------------------------------------------------------
@dataclass(frozen=True)
class Difference:
    """Ours minus theirs, with its interval and two-sided z test (independent samples)."""

    value: float
    se: float | None
    ci_low: float | None
    ci_high: float | None
    z: float | None
    p_value: float | None
    significant: bool | None


def difference(ours: float, our_se: float | None, theirs: float, their_se: float | None,
               level: float = 0.95, alpha: float = 0.05) -> Difference:
    """The difference of two estimates from independent samples and its z test."""
    d = ours - theirs
    if our_se is None or their_se is None:
        return Difference(d, None, None, None, None, None, None)
    se = math.sqrt(our_se ** 2 + their_se ** 2)
    if se == 0:
        return Difference(d, 0.0, d, d, None, None, None)
    q = float(stats.norm.ppf((1 + level) / 2))
    z = d / se
    p = float(2 * stats.norm.sf(abs(z)))
    return Difference(d, se, d - q * se, d + q * se, z, p, p < alpha)
