"""Action plans: the organisation's units, the actions (åtgärder) they own, and their status.

An action serves goals of the organisation's frameworks (`surveys.followup`), names the
indicators meant to show its effect, and links to what it answers (dialogue events, through
`links.py`). Unit reporters see and update only their own units' actions.

- ``blueprint.py``: the URL map (/actions/...)
- ``views.py``, ``services.py``, ``queries.py``, ``models.py``, ``forms.py``,
  ``templates/actions/``
- ``links.py``: the kinds of things an action can answer, registered by their features
- ``messages.py`` (codes in words), ``demo.py``
"""
