"""A small local server that answers like Kolada's open API v2, for the comparison tests.

Answers are in the documented shape: ``{"values": [...], "count": n, "next_page": url?}``,
at most `page_size` values a page (Kolada's is 5,000; small here so that paging is
exercised), the next page a full address. Routes: /kpi/<ids>, /municipality[/<ids>]
[?title=], /municipality_groups[/<ids>][?title=], /data/kpi/<kpi>/municipality/<ids>/year/
<years>. `mode` makes it misbehave: "slow" (answers after `delay` s), "garbage" (HTML),
"error" (500), "shape" (JSON without a values list), "count" (a count that
disagrees with the values), "elsewhere" (next_page on another
host). Every path asked is kept in `seen`.
"""

from __future__ import annotations

import json
import time
import urllib.parse

from tests.support.stub_http import StubHandler, StubServer

KPIS = {
    "N00914": {"id": "N00914", "title": "Invånare 20-64 år som är förvärvsarbetande, andel (%)",
               "description": "Antal förvärvsarbetande invånare 20-64 år dividerat med antal "
                              "invånare 20-64 år.", "unit": "procent",
               "is_divided_by_gender": 1, "municipality_type": "K",
               "operating_area": "Arbetsmarknad", "auspice": "X", "perspective": "Resultat",
               "publication_date": "2026-03-01", "ou_publication_date": None,
               "definition": ""},
}
MUNICIPALITIES = [
    {"id": "0000", "title": "Riket", "type": "L"},
    {"id": "0014", "title": "Region Västra Götaland", "type": "L"},
    {"id": "1480", "title": "Göteborg", "type": "K"},
    {"id": "1280", "title": "Malmö", "type": "K"},
    {"id": "0180", "title": "Stockholm", "type": "K"},
]
GROUPS = [
    {"id": "G124026", "title": "Liknande kommuner, arbetsmarknad, Göteborg",
     "members": [{"id": "1280", "title": "Malmö"}, {"id": "0180", "title": "Stockholm"}]},
]


def default_data() -> dict[tuple[str, str, int], dict[str, float | None]]:
    """(kpi, area, year) -> {gender: value}: Göteborg lacks 2025, the group has means."""
    data = {}
    base = {"1480": 76.0, "0014": 80.0, "0000": 79.0, "1280": 70.0, "0180": 82.0,
            "G124026": 76.0}
    for area, level in base.items():
        for year in range(2021, 2026):
            if area == "1480" and year == 2025:
                continue
            step = year - 2021
            data[("N00914", area, year)] = {"T": level + step * 0.5,
                                            "K": level - 2 + step * 0.5,
                                            "M": level + 2 + step * 0.5}
    return data


class KoladaServer(StubServer):
    """The server in a thread on a free loopback port; `url` is the API's base (…/v2)."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.delay = 1.0
        self.page_size = 3
        self.kpis = dict(KPIS)
        self.municipalities = list(MUNICIPALITIES)
        self.groups = [dict(g) for g in GROUPS]
        self.data = default_data()
        self.seen: list[str] = []
        service = self

        class Handler(StubHandler):
            def do_GET(self) -> None:
                service.seen.append(self.path)
                if service.mode == "slow":
                    time.sleep(service.delay)
                if service.mode == "error":
                    return self._send(500, b'{"error": "boom"}')
                if service.mode == "garbage":
                    return self._send(200, b"<html>Service Unavailable</html>", "text/html")
                if service.mode == "shape":
                    return self._send(200, b'{"result": []}')
                parts = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(parts.query)
                path = parts.path.removeprefix("/v2")
                values = service.answer(path, query.get("title", [None])[0])
                if values is None:
                    return self._send(404, b'{"error": "not found"}')
                page = int(query.get("page", ["1"])[0])
                size = service.page_size
                chunk = values[(page - 1) * size: page * size]
                body = {"values": chunk,
                        "count": len(chunk) + (service.mode == "count")}
                if page * size < len(values):
                    query["page"] = [str(page + 1)]
                    host = ("elsewhere.example" if service.mode == "elsewhere"
                            else self.headers["Host"])
                    body["next_page"] = (f"http://{host}{parts.path}?"
                                         + urllib.parse.urlencode(query, doseq=True))
                self._send(200, json.dumps(body).encode())

        self.serve(Handler, "/v2")

    def answer(self, path: str, title: str | None) -> list[dict] | None:
        parts = [p for p in path.split("/") if p]
        if not parts:
            return None
        if parts[0] == "kpi" and len(parts) == 2:
            return [self.kpis[i] for i in parts[1].split(",") if i in self.kpis]
        if parts[0] in ("municipality", "municipality_groups") and len(parts) <= 2:
            rows = self.municipalities if parts[0] == "municipality" else self.groups
            if len(parts) == 2:
                rows = [r for r in rows if r["id"] in parts[1].split(",")]
            if title:
                rows = [r for r in rows if title.lower() in r["title"].lower()]
            return rows
        if (parts[0] == "data" and len(parts) == 7 and parts[1] == "kpi"
                and parts[3] == "municipality" and parts[5] == "year"):
            rows = []
            for kpi in parts[2].split(","):
                for area in parts[4].split(","):
                    for year in parts[6].split(","):
                        found = self.data.get((kpi, area, int(year)))
                        if found is None:
                            continue
                        rows.append({"kpi": kpi, "municipality": area, "period": int(year),
                                     "values": [{"gender": g, "value": v, "count": 1,
                                                 "status": ""} for g, v in found.items()]})
            return rows
        return None
