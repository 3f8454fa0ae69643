"""The limiter skips its per-request work only where no limit applies (surveys.extensions).
That limits still answer 429 is tested with each limited route (test_auth, test_fieldwork,
dialog/test_service, followup/test_api, test_health)."""

from __future__ import annotations

from flask import request
from flask_limiter.util import get_qualified_name
from werkzeug.routing import IntegerConverter

from surveys.extensions import limiter


def _requests(app):
    """(endpoint, path, method) for every route and method of the app."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        values = {name: 1 if isinstance(converter, IntegerConverter) else "x"
                  for name, converter in rule._converters.items()}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, adapter.build(rule.endpoint, values, method=method), method


def test_the_limiter_is_skipped_only_where_flask_limiter_finds_no_limit(app):
    manager = limiter.limit_manager
    skipped, limited = set(), set()
    for endpoint, path, method in _requests(app):
        with app.test_request_context(path, method=method):
            assert request.endpoint == endpoint, path
            view = app.view_functions[endpoint]
            defaults, decorated = manager.resolve_limits(
                app, endpoint, request.blueprint, get_qualified_name(view))
            if limiter.may_limit(endpoint):
                limited.add(endpoint)
            else:
                assert not defaults and not decorated, (endpoint, method)
                skipped.add(endpoint)
    # The answering pages take the short way; logins, codes, votes and the APIs do not.
    assert {"public.page", "public.start"} <= skipped
    assert {"auth.login", "public.resume", "participate.vote"} <= limited
    assert any(endpoint.startswith("api.") for endpoint in limited)  # a limited blueprint
    assert any(endpoint.startswith("fieldwork_api.") for endpoint in limited)

