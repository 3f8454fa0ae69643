"""Surveys: authoring and translating them, residents answering, unweighted results.

- ``blueprint.py``: the URL map (residents at /s/..., staff at /manage/... and /results/...)
- ``views.py``: parse, call, render
- ``services.py``: every state change (authoring and answering), ``queries.py``: reads
- ``models.py``, ``forms.py``, ``templates/survey/``
- ``questions.py``: one class per question type, owning everything type-specific
- ``definition.py`` (JSON definitions and templates), ``texts.py`` (translatable texts),
  ``translation_files.py`` (PO files), ``export.py`` (raw answers as CSV),
  ``results.py`` (the unweighted results page), ``stats.py`` (Flask-free counts and times)
"""
