"""Dialogue events: join with a code, write and vote on statements, opinion groups, and
what was heard.

- ``blueprint.py``: the URL map (participants at /d/..., facilitators at /dialog/...)
- ``views.py``, ``services.py`` (every change), ``queries.py`` (reads), ``models.py``,
  ``forms.py``, ``templates/dialog/``, ``static/``
- ``live.py`` (the live screen), ``room.py`` (who is in the room), ``groups.py`` (opinion
  groups for the page), ``heard.py`` (what was heard), ``exports.py`` (CSV, XLSX, PDF),
  ``charts.py`` (SVG geometry), ``translated.py`` (a statement in the reader's language),
  ``bylanguage.py`` (agreement by language, bridging statements), ``demo.py``
- Flask-free: ``opinion.py`` (opinion groups the Pol.is way), ``polis_import.py`` and
  ``machine.py`` (machine drafts from a LibreTranslate-compatible service)
"""
