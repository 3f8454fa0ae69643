"""Delaktig: survey and citizen-dialogue platform for Swedish municipalities."""

from surveys.app import create_app

__all__ = ["create_app"]
