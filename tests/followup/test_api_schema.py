"""Schemathesis against the API on the demo: every answer keeps the OpenAPI document's
promises (status codes, media types, schemas, headers), for generated valid and invalid
requests. Examples are few and derandomized, so the run is short and the same each time."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from .conftest import demo_database

#: Generated requests per operation and mode.
EXAMPLES = 12


@pytest.fixture(scope="module")
def api_schema(request):
    """The document as the demo's app serves it, requests sent to the app in-process."""
    with demo_database(request, "schemathesis") as app:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_the_promises_of_its_openapi_document(api_schema, mode):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {o.label for o in operations} >= {
        "GET /frameworks/{slug}", "GET /frameworks/{slug}/indicators",
        "GET /frameworks/{slug}/indicators.csv", "GET /frameworks/{slug}/indicators/{key}"}

    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def keeps_its_promises(case):
            case.call_and_validate()

        keeps_its_promises()
