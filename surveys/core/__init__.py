"""The shared core: what every feature uses, and nothing feature-specific.

- ``i18n``: languages, locale selection, localized texts, `language_name`.
- ``time``: `utcnow`; stored UTC to and from the staff member's wall-clock time.
- ``roles``: `Role` and the role tuples the views check (`AUTHORS`, `ANALYSTS` ...).
- ``forms``: the form helpers every feature's forms use.
- ``urls``: `add_rules`, how each feature's ``blueprint.py`` lists its URL map.
- ``data``: `jsonable`, `safe_cell` and the spreadsheet conventions (Flask-free).
- ``problems``: `Problem`, a code and details for the web layer to word (Flask-free).

The core imports no feature. Its Flask-free modules (``roles``, ``data``, ``problems``)
may be used by the statistical cores (`surveys.weighting`, `surveys.indicators`,
`surveys.runs.microdata`).
"""
