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
