"""The accessibility statement (tillgänglighetsredogörelse) and barrier reports.

- ``blueprint.py``: the URL map (/accessibility...)
- ``views.py``, ``services.py``, ``queries.py``, ``models.py``, ``forms.py``,
  ``templates/accessibility/``
"""
