"""The yearly follow-up: indicator frameworks, waves, dashboards, the report and the API.

The numbers come from the Flask-free core in :mod:`surveys.indicators`; this feature stores
the framework an organisation edits, links survey waves to years, computes and caches the
values from each wave's approved weighting run, and shows them.

- ``blueprint.py``: the URL map (staff /followup/..., residents /indicators/..., /api/v1/...)
- ``views.py``, ``services.py`` (framework, waves, cached figures, tokens), ``queries.py``,
  ``models.py``, ``forms.py``, ``templates/followup/``
- ``values.py``: what a cached figure depends on, and the core's inputs (no database)
- ``present.py`` and ``charts.py`` (figures in words and SVG geometry), ``report.py`` (the
  yearly report as HTML and PDF), ``api_figures.py`` and ``openapi.py`` (the API's JSON and
  CSV), ``messages.py`` (codes in words), ``demo.py``
"""
