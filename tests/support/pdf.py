"""Checks on PDF documents the app makes."""

from __future__ import annotations

from pypdf import PdfReader


def assert_tagged(reader: PdfReader, lang: str) -> None:
    """A PDF/UA document: tagged, marked, in `lang`, saying it is PDF/UA in its metadata."""
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == lang
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()

