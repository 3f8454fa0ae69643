"""The OpenAPI 3.1 description of the read API, served at /api/v1/openapi.json.

Built from small helpers so the schemas follow `api_figures` (field lists are shared), and
kept in English: it is a document for developers, like the code.
"""

from __future__ import annotations

from typing import Any

from surveys.followup.api_figures import CSV_COLUMNS

SCHEMAS = "#/components/schemas/"
#: Anonymous answers may be cached this long (seconds); answers to a token never are.
PUBLIC_MAX_AGE = 300


def _ref(name: str) -> dict[str, str]:
    return {"$ref": SCHEMAS + name}


def _nullable(kind: str | list[str], **extra: Any) -> dict[str, Any]:
    kinds = [kind] if isinstance(kind, str) else list(kind)
    return {"type": [*kinds, "null"], **extra}


def _object(properties: dict[str, Any], description: str | None = None,
            required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties,
                              "required": required or list(properties)}
    if description:
        schema["description"] = description
    return schema


NUMBER = _nullable("number")
GROUP_VALUE = _nullable(["string", "number", "boolean"],
                        description="The group's code, e.g. \"utrikes\" or a district.")
SUPPRESSED = _nullable("string", enum=["small_group", "complement", "no_data", None],
                       description=(
    "Why the figure is withheld: `small_group` (fewer respondents than `min_group_size`), "
    "`complement` (withheld so that no small group of the same breakdown can be worked out "
    "from the total and the other groups; the group itself may be small or not) or "
    "`no_data`. Value, SE, interval and n are then null."))
UNCERTAIN = {"type": "boolean",
             "description": "Relative standard error above `max_rse` (for a share, SE over the "
                            "smaller of p and 1 - p), or a share of exactly 0 or 1 (its "
                            "interval is then exact, Clopper-Pearson): read with care."}

ESTIMATE = {
    "value": _nullable("number", description=(
        "Share 0-1 (kind share), the item's scale (mean), 0-100 (index) or the register's "
        "unit (register).")),
    "se": _nullable("number", description="Standard error (null for register values)."),
    "ci_low": _nullable("number", description="Lower end of the 95% confidence interval."),
    "ci_high": _nullable("number", description="Upper end of the 95% confidence interval."),
    "n": _nullable("integer", description="Respondents counted (unweighted)."),
    "suppressed": SUPPRESSED,
    "uncertain": UNCERTAIN,
}
LABEL = {"type": "string", "description": "The group's name in the language asked."}
GAP = {
    "variable": {"type": "string"},
    "minuend": GROUP_VALUE,
    "subtrahend": GROUP_VALUE,
    "minuend_label": LABEL,
    "subtrahend_label": LABEL,
    "value": _nullable("number", description="minuend's value minus subtrahend's."),
    "se": NUMBER, "ci_low": NUMBER, "ci_high": NUMBER,
    "p_value": _nullable("number", description="Two-sided test of \"no gap\"."),
    "p_adjusted": _nullable("number", description=(
        "p_value adjusted (Benjamini-Hochberg) for the wave's other gaps of this "
        "indicator.")),
    "significant": _nullable("boolean", description="p_adjusted < 0.05."),
    "suppressed": SUPPRESSED,
    "uncertain": UNCERTAIN,
}
CHANGE = {
    "since": {"description": "The earlier wave (its year)."},
    "value": _nullable("number", description="Latest value minus the earlier one."),
    "se": NUMBER, "ci_low": NUMBER, "ci_high": NUMBER, "z": NUMBER,
    "p_value": _nullable("number", description="Two-sided test of \"no change\"."),
    "p_adjusted": _nullable("number", description=(
        "p_value adjusted (Benjamini-Hochberg) for the changes tested with it: every "
        "group's change, or every gap's, since the same wave; the whole population's "
        "change is one test (p_adjusted = p_value).")),
    "significant": _nullable("boolean", description="p_adjusted < 0.05."),
    "assessment": _nullable("string", enum=["improved", "worsened", "unchanged", None]),
    "suppressed": _nullable("string"),
}
#: A comparison figure of an indicator (`comparisons` on each indicator entry).
COMPARISON = {
    "role": {"type": "string", "enum": ["county", "country", "group", "member", "organisation"],
             "description": (
                 "`county`: the municipality's county (region), `country`: Sweden, `group`: "
                 "the comparison group's unweighted mean, `member`: one of its members "
                 "(all from Kolada, register indicators); `organisation`: the same public "
                 "survey indicator of another organisation on the platform that shares it.")},
    "area_code": _nullable("string", description=(
        "Kolada's id: a municipality's or a region's four digits (`0000` is Sweden, `0014` "
        "the region of county 14), a group's G and digits; for an organisation its "
        "kommunkod.")),
    "name": {"type": "string"},
    "year": {"type": "integer"},
    "value": _nullable("number", description="In the indicator's own unit and scale."),
    "se": _nullable("number", description="Standard error (survey indicators only)."),
    "ci_low": _nullable("number", description="95% confidence interval (survey only)."),
    "ci_high": NUMBER,
    "n": _nullable("integer", description="Respondents (survey only)."),
    "difference": {"oneOf": [_object({
        "value": {"type": "number", "description": "This indicator's value minus this one."},
        "se": NUMBER, "ci_low": NUMBER, "ci_high": NUMBER, "z": NUMBER,
        "p_value": _nullable("number", description=(
            "Two-sided z test of \"no difference\" (independent samples); null for "
            "register values, which have no sampling error.")),
        "significant": _nullable("boolean", description="p < 0.05.")}),
        {"type": "null"}]},
}


def _comparison() -> dict[str, Any]:
    change = {"oneOf": [_ref("Change"), {"type": "null"}]}
    return {"since_previous": change, "since_baseline": change}


def _schemas() -> dict[str, Any]:
    fieldwork_group = {
        "sampled": {"type": "integer"},
        "counts": _object({code: {"type": "integer"} for code in
                           ("I", "P", "R", "NC", "O", "UH", "UO", "NE")},
                          "Sampled people per AAPOR final disposition code."),
        "rates": _object({name: _nullable("number", minimum=0, maximum=1) for name in
                          ("RR1", "RR2", "RR3", "RR4", "COOP1", "REF1", "e")},
                         "Shares (0-1); null where the denominator is zero."),
    }
    localized = {"type": "object", "additionalProperties": {"type": "string"},
                 "description": "Text per language code (sv, en, ar, fa, so, ti, uk, sv-ll).",
                 "examples": [{"sv": "Tillit", "en": "Trust"}]}
    goal = _object({"id": {"type": "integer"}, "title": _ref("LocalizedText"),
                    "indicators": {"type": "array", "items": {"type": "string"},
                                   "description": "Keys of the indicators you may see."},
                    "subgoals": {"type": "array", "items": _ref("Goal")}},
                   required=["id", "title", "indicators"])
    head = {
        "slug": {"type": "string"},
        "title": _ref("LocalizedText"),
        "published": {"type": "boolean"},
        "access": {"type": "string", "enum": ["public", "organisation"], "description": (
            "`public`: only public indicators; `organisation`: all of them (a token of the "
            "framework's organisation was sent).")},
        "disclosure": _object({"min_group_size": {"type": "integer"},
                               "max_rse": {"type": "number"}},
                              "Groups with fewer respondents are suppressed; estimates with "
                              "a larger relative standard error are marked uncertain."),
        "waves": {"type": "array", "items": {"type": "integer"}, "description": "Years."},
    }
    indicator = {
        "key": {"type": "string"},
        "organisation": {"type": "string", "description": "The organisation's name."},
        "municipality_code": _nullable("string", pattern="^[0-9]{4}$", description=(
            "SCB's four-digit municipality code (kommunkod), e.g. `1480`; null for an "
            "organisation that is not a municipality or has not given it.")),
        "decimals": _nullable("integer", description=(
            "Shares (kind `share`, 0-1) are rounded to this many decimals, as are their SE, "
            "interval, gaps, changes and `required`; null: full precision.")),
        "kind": {"type": "string", "enum": ["share", "mean", "index", "register"]},
        "direction": {"type": "string", "enum": ["higher", "lower"],
                      "description": "Whether a higher value is the better one."},
        "baseline": {"description": "The wave (year) changes are measured from."},
        "target": {"oneOf": [_object({"value": {"type": "number"}, "year": {"type": "integer"}}),
                             {"type": "null"}]},
        "title": _ref("LocalizedText"),
        "description": _ref("LocalizedText"),
        "focus_area": {"type": "string"},
        "goal": _object({"id": {"type": "integer"}, "title": _ref("LocalizedText"),
                         "parent_id": _nullable("integer")}),
        "public": {"type": "boolean"},
        "definition": {"type": "object", "description": "How the value is computed."},
        "register": {"oneOf": [_object({k: _nullable("string") for k in
                                        ("source", "label", "unit", "updated")}),
                               {"type": "null"}]},
        "comparisons": {"type": "array", "items": _ref("Comparison"), "description": (
            "The same figure elsewhere, oldest year first: for a register indicator linked "
            "to Kolada the county, Sweden and the comparison group (as last fetched); for a "
            "survey indicator other organisations that share theirs, in the same wave "
            "years. Filtered by `year` like the waves.")},
    }
    wave = {"year": {"type": "integer"}, "wave": {"description": "The wave's label."},
            "source": _nullable("string", description="Register values: their source."),
            "overall": _ref("Estimate")}
    breakdown = {"groups": {"type": "array", "items": _ref("GroupEstimate")},
                 "gaps": {"type": "array", "items": _ref("Gap")}}
    follow_up = {
        "latest_wave": {}, "previous_wave": {}, "baseline_wave": {},
        **_comparison(),
        "status": {"type": "string",
                   "enum": ["reached", "on_track", "not_on_track", "no_target", "unknown"]},
        "required": _nullable("number", description="The value on track for the latest year."),
    }
    group_follow_up = _object({"variable": {"type": "string"}, "group": GROUP_VALUE,
                               "label": LABEL, **_comparison()})
    gap_follow_up = _object({"variable": {"type": "string"}, "minuend": GROUP_VALUE,
                             "subtrahend": GROUP_VALUE, "minuend_label": LABEL,
                             "subtrahend_label": LABEL, **_comparison()})
    return {
        "LocalizedText": localized,
        "Estimate": _object(ESTIMATE),
        "GroupEstimate": _object({"variable": {"type": "string"}, "group": GROUP_VALUE,
                                  "label": LABEL, **ESTIMATE}),
        "Gap": _object(GAP),
        "Change": _object(CHANGE),
        "Comparison": _object(COMPARISON),
        "Goal": goal,
        "FocusArea": _object({"key": {"type": "string"}, "title": _ref("LocalizedText"),
                              "goals": {"type": "array", "items": _ref("Goal")}}),
        "Framework": _object({
            **head, "organisation": {"type": "string"},
            "groupings": {"type": "array", "items": {"type": "string"}},
            "gaps": {"type": "array", "items": _object({
                "variable": {"type": "string"}, "minuend": GROUP_VALUE,
                "subtrahend": GROUP_VALUE})},
            "focus_areas": {"type": "array", "items": _ref("FocusArea")}}),
        "Wave": _object({**wave, **breakdown}, "`groups` and `gaps` only when `group` was "
                        "asked for (that grouping's).", required=list(wave)),
        "WaveDetail": _object({**wave, **breakdown}),
        "FollowUp": _object(follow_up, "Change since the previous wave and the baseline, "
                                       "and status against the target."),
        "FollowUpDetail": _object({**follow_up,
                                   "groups": {"type": "array", "items": group_follow_up},
                                   "gaps": {"type": "array", "items": gap_follow_up}}),
        "Indicator": _object({
            **indicator, "waves": {"type": "array", "items": _ref("Wave")},
            "follow_up": {"oneOf": [_ref("FollowUp"), {"type": "null"}]}}),
        "IndicatorDetail": _object({
            **indicator, "waves": {"type": "array", "items": _ref("WaveDetail")},
            "follow_up": {"oneOf": [_ref("FollowUpDetail"), {"type": "null"}]}}),
        "IndicatorList": _object({**head, "indicators": {"type": "array",
                                                         "items": _ref("Indicator")}}),
        "IndicatorResponse": _object({**head, "indicator": _ref("IndicatorDetail")}),
        "FieldworkFigures": _object({
            "survey": {"type": "string"},
            "sample_size": {"type": "integer"},
            "drawn_at": {"type": "string", "format": "date"},
            "strata_columns": {"type": "array", "items": {"type": "string"}},
            **fieldwork_group,
            "strata": {"type": "array", "items": _object(
                {"stratum": {"type": "string", "description": "The stratum's values joined "
                             "by ` × `, or `other`."}, **fieldwork_group})},
            "notes": {"type": "object"},
        }),
        "Error": _object({
            "type": {"type": "string", "format": "uri", "description": (
                "`tag:delaktig.se,2026:problem:<code>` for the API's own problems, "
                "`about:blank` for plain HTTP errors (404, 405, 429).")},
            "title": {"type": "string", "description": "The problem type in English."},
            "status": {"type": "integer"},
            "detail": {"type": "string", "description": "For people, in the language asked."},
            "code": {"type": "string", "examples": ["invalid_token", "invalid_parameter"]},
            "error": _object({"code": {"type": "string"}, "message": {"type": "string"}},
                             "Deprecated: `code` and `detail` as the API's first errors "
                             "gave them."),
        }, "An error as RFC 9457 problem details (`application/problem+json`)."),
    }


def _parameter(name: str, where: str, description: str, example: str | None = None,
               **schema: Any) -> dict[str, Any]:
    out = {"name": name, "in": where, "required": where == "path",
           "description": description, "schema": {"type": "string", **schema}}
    if example is not None:
        out["example"] = example
    return out


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/problem+json": {"schema": _ref("Error")}}}


#: Every answer carries these: its version for If-None-Match, and CORS.
ANSWER_HEADERS = {
    "ETag": {"description": "The answer's version; send it as If-None-Match to get 304 "
                            "when nothing changed.", "schema": {"type": "string"}},
    "Access-Control-Allow-Origin": {"description": "`*`: any web page may read the API.",
                                    "schema": {"type": "string"}},
}


def _json(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "headers": ANSWER_HEADERS,
            "content": {"application/json": {"schema": _ref(schema)}}}


CSV_DESCRIPTION = (
    "A long table, one row per indicator x wave x row type: `overall` (the whole population, "
    "`variable` and `group` empty), `group` (one group of `variable`) and `gap` (`group` "
    "minus `compared_with`). Suppressed figures are empty and `suppressed` gives the reason. "
    "UTF-8 with a byte-order mark and CRLF line ends. By default fields are separated by "
    "commas and numbers use a decimal point (RFC 4180, for programs such as R, pandas and "
    "Power BI); `dialect=semicolon` separates by semicolons and writes decimal commas, which "
    "is what Excel set to Swedish opens directly. Columns: " + ", ".join(CSV_COLUMNS) + ".")


FIELDWORK_DESCRIPTION = (
    "Public and without a token: the sample size, the cases per final disposition code of "
    "AAPOR's Standard Definitions (10th edition, 2023: I complete, P partial, R refusal and "
    "break-off, NC non-contact, O other eligible, UH and UO unknown eligibility, NE not "
    "eligible) and the rates RR1-RR4, COOP1 and REF1, with the eligibility rate e that RR3 "
    "and RR4 used (the eligible share among cases of known eligibility). The same per "
    "stratum, where strata with fewer than 10 sampled people are merged into `other`, and "
    "an `other` still that small is left out. Updated live during fieldwork.")


def openapi_document() -> dict[str, Any]:
    """The API described in OpenAPI 3.1."""
    slug = _parameter("slug", "path", "The framework's address, e.g. `exempelby-kommun`.",
                      "exempelby-kommun")
    key = _parameter("key", "path", "The indicator's key, e.g. `tillit_manniskor`.",
                     "tillit_manniskor")
    lang = _parameter("lang", "query", "Language of error messages, group labels and the "
                      "CSV's `title`: sv, sv-ll, en, ar, fa, so, ti or uk. Without it, or with "
                      "another code, Accept-Language decides.", "en")
    dialect = _parameter("dialect", "query", "CSV separators: `comma` (default) or "
                         "`semicolon` (with decimal commas).", enum=["comma", "semicolon"],
                         default="comma")
    fmt = _parameter("format", "query", "`json` (default) or `csv` (as indicators.csv).",
                     enum=["json", "csv"], default="json")
    year = {"name": "year", "in": "query", "required": False, "style": "form", "explode": True,
            "description": "Only the waves of these years (repeat for several).",
            "schema": {"type": "array", "items": {"type": "integer", "minimum": 1900,
                                                  "maximum": 2100}}}
    group = _parameter("group", "query", "Only this grouping's groups and gaps, e.g. `born`; "
                       "in the list, each wave then has them too. One of the framework's "
                       "`groupings`.", "born", pattern="^[a-z0-9_]{1,40}$")
    chosen = {"name": "indicator", "in": "query", "required": False, "style": "form",
              "explode": True, "description": "Only these indicators (keys; repeat for "
                                              "several).",
              "schema": {"type": "array", "items": {"type": "string",
                                                    "pattern": "^[a-z][a-z0-9_]{0,59}$"}}}
    bad_filter = _error("A malformed filter: a year outside 1900-2100, or a grouping or "
                        "indicator key that cannot be one (`invalid_parameter`).")
    not_modified = {"description": "Not modified: the If-None-Match ETag is current.",
                    "headers": ANSWER_HEADERS}
    errors = {"401": _error("The Authorization header holds no valid, unrevoked token "
                            "(`WWW-Authenticate: Bearer`)."),
              "404": _error("No such framework, or it is unpublished and no token of its "
                            "organisation was sent; or no such indicator visible to you; or "
                            "a filter names a grouping the framework does not have "
                            "(`grouping_not_found`) or an indicator you may not see."),
              "429": _error("Too many requests: the limit is counted per token, or per "
                            "address without one.")}
    secured = [{}, {"bearerToken": []}]
    csv_content = {"text/csv": {"schema": {"type": "string"}, "example": (
        "indicator,title,kind,year,row_type,variable,group,compared_with,value,ci_low,"
        "ci_high,se,n,p_value,p_adjusted,suppressed,uncertain,source\r\n")}}

    def operation(operation_id: str, summary: str, parameters: list, ok: dict,
                  description: str | None = None, extra: dict | None = None) -> dict:
        op = {"operationId": operation_id, "summary": summary, "parameters": parameters,
              "security": secured, "responses": {"200": ok, "304": not_modified, **errors,
                                                 **(extra or {})}}
        if description:
            op["description"] = description
        return {"get": op}

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Delaktig indicator API",
            "version": "1.0.0",
            "description": (
                "Read-only access to a municipality's trust and participation indicators: "
                "weighted estimates with 95% confidence intervals per survey wave, by group, "
                "gaps between groups, change over waves and status against targets. Every "
                "figure has passed the framework's disclosure rules. Public indicators of a "
                "published framework are open; a bearer token of the framework's "
                "organisation opens all of them. Anonymous answers may be cached for "
                f"{PUBLIC_MAX_AGE // 60} minutes; answers to a token are `no-store`. Every "
                "answer has an ETag: send it as `If-None-Match` and an unchanged answer is "
                "`304 Not Modified`. Any web page may read the API (CORS, "
                "`Access-Control-Allow-Origin: *`, preflight with OPTIONS). Errors are RFC "
                "9457 problem details (`application/problem+json`). Shares are rounded to "
                "the indicator's `decimals`. Each indicator names its organisation and "
                "municipality code (kommunkod); groups have a `label` next to their code, "
                "in the language of `lang` or Accept-Language.\n\n" + CSV_DESCRIPTION),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/openapi.json": {"get": {
                "operationId": "openapi", "summary": "This document.", "security": [{}],
                "responses": {"200": {"description": "OpenAPI 3.1 document.",
                                      "content": {"application/json": {
                                          "schema": {"type": "object"}}}}}}},
            "/frameworks/{slug}": operation(
                "getFramework", "A framework: focus areas, goals, rules and waves.",
                [slug, lang], _json("The framework.", "Framework")),
            "/frameworks/{slug}/indicators": operation(
                "listIndicators", "Every indicator you may see, each wave's overall value "
                "and the follow-up.", [slug, fmt, dialect, year, group, chosen, lang],
                {**_json("The indicators.", "IndicatorList"),
                 "content": {**_json("", "IndicatorList")["content"], **csv_content}},
                extra={"400": _error("Unknown `format` or `dialect`, or a malformed filter "
                                     "(`invalid_parameter`).")}),
            "/frameworks/{slug}/indicators.csv": operation(
                "indicatorsCsv", "Every indicator you may see as a long CSV table.",
                [slug, dialect, year, group, chosen, lang],
                {"description": "The table.", "headers": ANSWER_HEADERS,
                 "content": csv_content},
                description=CSV_DESCRIPTION,
                extra={"400": _error("Unknown `dialect`, or a malformed filter "
                                     "(`invalid_parameter`).")}),
            "/surveys/{slug}/fieldwork": {"get": {
                "operationId": "getFieldwork",
                "summary": "A drawn sample's size, outcomes and response rates.",
                "description": FIELDWORK_DESCRIPTION,
                "parameters": [_parameter("slug", "path", "The survey's address, as in "
                                          "`/s/{slug}`."), lang],
                "security": [{}],
                "responses": {
                    "200": _json("The figures.", "FieldworkFigures"),
                    "404": _error("No such survey, or it has no drawn sample."),
                    "429": _error("Too many requests from this address.")}}},
            "/frameworks/{slug}/indicators/{key}": operation(
                "getIndicator", "One indicator with every wave's groups and gaps.",
                [slug, key, year, group, lang], _json("The indicator.", "IndicatorResponse"),
                extra={"400": bad_filter}),
        },
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"bearerToken": {
                "type": "http", "scheme": "bearer",
                "description": "A token an administrator creates under Indicators > API "
                               "tokens. Sent as `Authorization: Bearer <token>`."}},
        },
    }
