"""Trust indicators: the Flask-free computation core of the yearly follow-up.

From an approved weighting (a :class:`surveys.weighting.WeightedDesign`) and the answers of
one survey wave to indicator values with intervals, by group, gaps between groups, change
over waves and status against targets, with disclosure control::

    >>> trust = ShareIndicator(key="tillit_hog", item="trust_kommun",         # doctest: +SKIP
    ...                        values=range(7, 11), baseline_wave=2025,
    ...                        target=Target(value=0.45, year=2030))
    >>> wave = estimate_wave(trust, weighted, answers, year=2026,            # doctest: +SKIP
    ...                      groups=["born", "district"],
    ...                      gaps=[GapSpec("born", "utrikes", "inrikes")])
    >>> follow_up(trust, [wave_2025, wave]).status                             # doctest: +SKIP

Modules: :mod:`.definitions` (indicator kinds and per-respondent scores),
:mod:`.compute` (estimates, group domains, gaps), :mod:`.trends` (changes, tests, target
status), :mod:`.disclosure` (suppression and uncertainty rules), :mod:`.multiple`
(the Benjamini–Hochberg adjustment of many tests), :mod:`.register`
(CSV / JSON-stat yearly series). Standard errors are the weighting engine's (R ``survey``
linearization with calibration residuals); :mod:`._engine` is the only module that uses
the engine's internals. Nothing here imports Flask or SQLAlchemy, and no text is meant
for users: errors carry codes for the web layer to translate.
"""

from __future__ import annotations

from .compute import (
    Estimate,
    Gap,
    GapSpec,
    WaveResult,
    category_order,
    estimate_wave,
    gap_between,
    natural_key,
)
from .definitions import (
    DONT_KNOW,
    Direction,
    DontKnow,
    IndexIndicator,
    IndexItem,
    Indicator,
    MeanIndicator,
    RegisterIndicator,
    ShareIndicator,
    SurveyIndicator,
    Target,
    indicator_from_dict,
    indicator_to_dict,
    normalize_answer,
)
from .disclosure import (
    COMPLEMENT,
    NO_DATA,
    RULES_VERSION,
    SMALL_GROUP,
    Cell,
    DisclosureRules,
    Protection,
    protect_breakdown,
)
from .errors import IndicatorError, RegisterFormatError
from .multiple import benjamini_hochberg
from .register import (
    RegisterSeries,
    read_register_csv,
    read_register_jsonstat,
    register_waves,
)
from .trends import (
    Assessment,
    Change,
    Comparison,
    FollowUp,
    GapComparison,
    GroupComparison,
    TargetStatus,
    adjusted_changes,
    change,
    follow_up,
    required_value,
    target_status,
)

__all__ = [
    "COMPLEMENT",
    "DONT_KNOW",
    "NO_DATA",
    "RULES_VERSION",
    "SMALL_GROUP",
    "Assessment",
    "Cell",
    "Change",
    "Comparison",
    "Direction",
    "DisclosureRules",
    "DontKnow",
    "Estimate",
    "FollowUp",
    "Gap",
    "GapComparison",
    "GapSpec",
    "GroupComparison",
    "IndexIndicator",
    "IndexItem",
    "Indicator",
    "IndicatorError",
    "MeanIndicator",
    "Protection",
    "RegisterFormatError",
    "RegisterIndicator",
    "RegisterSeries",
    "ShareIndicator",
    "SurveyIndicator",
    "Target",
    "TargetStatus",
    "WaveResult",
    "adjusted_changes",
    "benjamini_hochberg",
    "category_order",
    "change",
    "estimate_wave",
    "follow_up",
    "gap_between",
    "indicator_from_dict",
    "indicator_to_dict",
    "natural_key",
    "normalize_answer",
    "protect_breakdown",
    "read_register_csv",
    "read_register_jsonstat",
    "register_waves",
    "required_value",
    "target_status",
]
