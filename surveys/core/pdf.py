"""Documents laid out as PDF by WeasyPrint: self-contained, and tagged for screen readers."""

from __future__ import annotations

#: Tagged PDF/UA-1: a structure tree (headings, tables, lists, figures with their text),
#: the document's language (from <html lang>) and its <title> shown as the window title.
TAGGED = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


def no_fetching(url: str, *args, **kwargs):
    """WeasyPrint's URL fetcher for documents that carry everything they show: anything they
    might still point to is refused, so laying one out never makes a request."""
    raise ValueError(f"This document does not load {url}.")


def document(html: str):
    """The laid-out document (WeasyPrint), whose pages can be merged before writing."""
    from weasyprint import HTML  # imported here: only PDFs need it, and it loads pango

    return HTML(string=html, url_fetcher=no_fetching).render()


def tagged_pdf(html: str) -> bytes:
    """A self-contained HTML document as tagged PDF/UA (A4 and page numbers from its CSS)."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=no_fetching).write_pdf(**TAGGED)
