"""Signals between features that must not import each other.

`survey_figures_changed` is sent, inside the operation that causes it, when what a survey's
weighted figures rest on changes: a weighting run approved or withdrawn, an answer of a
finished response edited. The follow-up recomputes its cached indicator values then, so
page views and API reads never write.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent with `survey_id=`.
survey_figures_changed = _signals.signal("survey-figures-changed")

#: Sent with `goal_ids=` (a set) before goals are deleted; each receiver returns how many of
#: its things (a feature's actions, ...) hang on those goals, and any answer above 0 keeps
#: them. Lets the follow-up refuse a deletion without knowing the features built on it.
goals_in_use = _signals.signal("goals-in-use")
