"""The request class: form fields and query arguments never carry NUL characters.

Nobody types U+0000, PostgreSQL refuses it in text, and a form sent with one would be
refused as a whole. It is dropped from every value, so what the person typed is kept and
saved (a statement "Mer ljus%00" is stored as "Mer ljus").
"""

from __future__ import annotations

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict


def _clean(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class NulFreeMultiDict(ImmutableMultiDict):
    """Query and form values with NUL characters taken out (files are left as they are)."""

    def __init__(self, mapping=None):
        if isinstance(mapping, MultiDict):
            pairs = mapping.items(multi=True)
        elif isinstance(mapping, dict):
            pairs = mapping.items()
        else:
            pairs = mapping or ()
        super().__init__([(_clean(key), _clean(value)) for key, value in pairs])


class DelaktigRequest(Request):
    """Flask's request, with NUL-free query arguments and form fields."""

    parameter_storage_class = NulFreeMultiDict
