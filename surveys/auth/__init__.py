"""Organisations, users, roles and login.

- ``blueprint.py``: the URL map (/login, /logout, /manage/users/...)
- ``views.py``, ``services.py`` (user administration), ``queries.py``, ``models.py``,
  ``forms.py``, ``templates/auth/``
- ``access.py``: `roles_required` and `own`, which every feature's views use
"""
