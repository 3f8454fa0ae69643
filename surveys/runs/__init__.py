"""Weighting runs: population margins, answer mappings, runs, diagnostics, the
representation monitor and the weighted microdata export.

The statistics live in the Flask-free engine `surveys.weighting`; this feature stores its
inputs and outputs and puts pages around it.

- ``blueprint.py``: the URL map (/analysis/...)
- ``views.py``, ``services.py`` (margin sets, mappings, runs, approval), ``queries.py``,
  ``models.py``, ``forms.py``, ``templates/runs/``
- ``weighing.py``: the engine called exactly as a run calls it, no database
- ``mapping.py`` (answers to categories), ``margin_files.py`` and ``jsonstat.py`` (reading
  margins), ``monitor.py`` (who is missing), ``messages.py`` (codes in words),
  ``charts.py`` (the weight histogram)
- ``microdata.py``: weighted microdata and its codebook as CSV, Excel, SPSS, Stata or
  Parquet; ``syntax.py``: the SPSS syntax and the R script that go with them; both
  Flask-free, usable from a notebook
"""
