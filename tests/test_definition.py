"""Survey definitions as JSON: round trip, and any malformed file gets reasons, never a crash."""

from __future__ import annotations

import copy

import pytest

from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.extensions import db
from surveys.survey.definition import definition_problems
from surveys.survey.services import import_definition
from tests.support.surveys import small_definition

@pytest.fixture
def org_id(make_org) -> int:
    return make_org().id


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8)
    | st.sampled_from(["sv", "ar", "scale", "single_choice", "matrix", "member", "yes"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["key", "type", "settings", "options", "code", "label", "condition",
                         "question", "values", "text", "help", "required", "min", "max",
                         "items", "dont_know", "questions", "title", "sv", "en"]), inner, max_size=5),
    max_leaves=12,
)


def _paths(node, prefix=()):
    """Every path into a JSON tree."""
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(
        node, list) else ()
    for key, child in children:
        yield from _paths(child, (*prefix, key))


PATHS = st.sampled_from([list(p) for p in _paths(small_definition()) if p])


def _replace(tree, path, value):
    """`tree` with the node at `path` (as far as it exists) replaced by `value`."""
    node = tree
    for step in path[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return tree
    try:
        node[path[-1]] = value
    except (IndexError, TypeError):
        pass
    return tree


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=PATHS, value=JSON)
def test_a_definition_with_any_part_replaced_by_junk_gets_reasons_not_a_crash(app, org_id, path,
                                                                            value):
    tree = _replace(copy.deepcopy(small_definition()), path, value)
    with app.test_request_context(), force_locale("en"):
        problems = definition_problems(tree)
        assert isinstance(problems, list) and all(isinstance(p, str) and p for p in problems)
        if not problems:
            # What passes validation imports, and renders for a resident.
            survey = import_definition(tree, organisation_id=org_id, slug="fuzz")
            assert survey.questions() or not tree["pages"]
            db.session.rollback()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=JSON)
def test_any_json_document_gets_reasons_not_a_crash(app, value):
    with app.test_request_context(), force_locale("en"):
        assert definition_problems(value)


def test_a_valid_definition_has_no_problems(app):
    with app.test_request_context():
        assert definition_problems(small_definition()) == []
