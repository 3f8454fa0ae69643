"""Delaktig: survey and citizen-dialogue platform for Swedish municipalities.

`create_app` is imported lazily so that the Flask-free parts (``surveys.weighting``)
can be used from a notebook without loading Flask.
"""

__all__ = ["create_app"]


def __getattr__(name: str):
    if name == "create_app":
        from surveys.app import create_app

        return create_app
    raise AttributeError(name)
