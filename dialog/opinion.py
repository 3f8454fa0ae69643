"""Opinion groups, representative statements and group-informed consensus, the Pol.is way.

Flask-free: NumPy, SciPy and pandas only. :func:`analyse` takes the vote matrix of a
dialogue (one row a participant, one column a statement; 1 agree, -1 disagree, 0 pass,
NaN not seen) and follows the method of Pol.is as published by the Computational Democracy
Project (``math/src/polismath/math/`` in https://github.com/compdemocracy/polis:
``conversation.clj``, ``pca.clj``, ``clusters.clj``, ``repness.clj``, ``stats.clj``;
Small et al., "Polis: Scaling deliberation by mapping high dimensional opinion spaces",
Recerca 26(2), 2021). The code here is our own; the steps are:

1. **In conversation.** A participant takes part in the grouping when they voted (pass
   included, moderated-out statements too) on at least ``min(min_votes, n_statements)``
   statements, counting statements someone has voted on; Pol.is uses 7. Everyone else
   gets group ``None``.
2. **PCA to two dimensions.** Missing votes are imputed with the statement's mean vote
   over everyone who voted on it; the matrix is centred on those means, so an imputed cell
   is exactly 0 after centring. The two leading principal axes ``v1, v2`` of the centred
   matrix ``C`` are found by power iteration with deflation, as Pol.is does. A
   moderated-out statement is set to 0 (pass) for everyone, as Pol.is' ``zero-out-columns``:
   it adds no variance but counts as seen. Each participant ``i`` is projected with Pol.is'
   sparsity scaling

       (x_i, y_i) = sqrt(m / max(n_i, 1)) * (C_i . v1, C_i . v2)

   where ``m`` is the number of statements with votes (moderated-out ones included) and
   ``n_i`` the participant's votes on them: someone who saw few statements would otherwise
   sit near the centre only because their imputed cells are neutral.
3. **Base clusters, then groups.** The participants in conversation are first put into at
   most 100 base clusters by k-means started from the first 100 distinct positions (in
   row order, which is the order participants joined; at most 100 steps). The groups are
   then a k-means of the base-cluster centres weighted by their member counts, for every
   k from 2 to ``min(max_k, 2 + n_base_clusters // 12)`` (at most 20 steps). Pol.is'
   k-means gives each point to the nearest centre, drops a centre left without points, and
   stops when no centre moves by 0.01 or more. Each k is started twice, as Pol.is starts a
   clustering: from the first k base clusters, and by growing from one cluster, adding
   the base cluster farthest from every centre (``clean-start-clusters``); the fit with the
   smaller weighted sum of squares is kept. Each k is scored by the mean silhouette
   ``s = (b - a) / max(a, b)`` of the base-cluster centres (``a`` the mean distance to the
   rest of one's group, ``b`` to the nearest other group; 0 in a group of one); the
   largest wins, the larger k on a tie. A participant's group is their base cluster's.
   Groups are numbered by size, largest first.
   **k smoother.** Pol.is changes the number of groups only when a new k has won four
   updates in a row, and every conversation starts at two. We replay the last updates: the
   analysis as the conversation stood when 85 %, 90 % and 95 % of its voters (in row order)
   had come, and now. If the same k won all four it is chosen, otherwise two. This keeps
   near ties between two values of k from flipping the groups when a few people come or go.
4. **Representative statements** (repness). For group ``g`` and statement ``j`` let
   ``A, D, S`` be the agree, disagree and total (pass included) votes inside ``g`` and
   ``A', D', S'`` those in all other groups. Pol.is' smoothed estimates and tests:

       p_a = (1 + A) / (2 + S)                                (agree probability in g)
       r_a = p_a / ((1 + A') / (2 + S'))                      (representativeness ratio)
       z_pa = 2 sqrt(S + 1) ((A + 1) / (S + 1) - 1/2)          (is p_a above 1/2?)
       z_ra = (q1 - q2) / sqrt(q (1 - q) (1/(S+1) + 1/(S'+1)))  (two-proportion z-test)
              with q1 = (A+1)/(S+1), q2 = (A'+1)/(S'+1), q = (A+A'+2)/(S+S'+2)

   and the same with ``D`` for disagreement. A statement is representative of ``g`` when,
   for agree or for disagree, both ``z_p`` and ``z_r`` exceed 1.2816 (one-sided 90 %).
   Representative statements are ranked by ``r * z_r * p * z_p`` and the best
   ``n_representative`` kept. If none is significant, the statement with the largest
   ``z_r`` is returned flagged ``significant=False`` (Pol.is always shows one).
5. **Group-informed consensus** (Pol.is' "group-aware consensus"): for statement ``j``

       consensus_j = prod over groups g of (1 + A_gj) / (2 + S_gj)

   high only when every group, large or small, tends to agree. Statements are ranked by
   it. **Divisive** statements are ranked by the spread ``max_g p_a - min_g p_a`` of the
   smoothed agree probability between groups.

Where this differs from Pol.is' server, which updates a conversation as votes come in and
starts each update from the last one's state; this analysis is run once on the votes as
they are:

* Pol.is' PCA starts from the last update's axes (an unseeded random vector the first
  time) and runs 100 steps; we start from a seeded random vector and iterate to
  convergence.
* Pol.is starts base clusters and every k from the last update's clusters; we start from
  its cold start (first distinct points) and its growing start and keep the tighter fit.
  The k smoother is replayed on three earlier states of the same votes, not on the real
  history (votes cast later by the early participants are already in).
* Pol.is keeps a participant "in conversation" once they were in (they stay grouped after
  the statement count grows past their votes); we decide on today's votes. Pol.is also
  tops the participants in conversation up with the most active voters until there are
  15; we do not, so a small evening gets an explanation rather than groups of people who
  voted once (whose positions the scaling throws far out).
* Pol.is puts the best "agree" statement first among the representative ones; we keep the
  plain ranking by the repness metric.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist

__all__ = [
    "ConsensusStatement",
    "DivisiveStatement",
    "OpinionGroup",
    "OpinionInputError",
    "OpinionResult",
    "RepresentativeStatement",
    "adjusted_rand_index",
    "analyse",
    "kmeans",
    "silhouette_score",
]

#: One-sided 90 % critical value of the standard normal (Pol.is ``z-sig-90?``).
Z_90 = 1.2816
#: Pol.is' cap on the number of groups grows by one per this many base clusters.
BASE_CLUSTERS_PER_EXTRA_GROUP = 12
#: Votes a participant needs to be grouped (Pol.is: 7).
MIN_VOTES = 7
#: Pol.is' base clusters (k and iterations) and its group k-means' iterations.
BASE_K = 100
BASE_ITERS = 100
GROUP_ITERS = 20
#: k-means stops when no centre moves this far (Pol.is ``same-clustering?``).
KMEANS_TOLERANCE = 0.01
#: Updates a new number of groups must win before Pol.is switches to it
#: (``group-k-buffer``), and the earlier ones we replay: the conversation as it stood when
#: these shares of its voters had come.
K_BUFFER = 4
#: Power iteration for the principal axes: most steps, and the change that counts as none.
POWER_ITERS = 1000
POWER_TOLERANCE = 1e-10
EARLIER_UPDATES = tuple(1 - 0.05 * i for i in range(K_BUFFER - 1, 0, -1))
#: Rows of the distance matrix computed at once in the silhouette (memory ~ rows * n * 8 B).
SILHOUETTE_CHUNK = 512


class OpinionInputError(ValueError):
    """The vote matrix cannot be analysed (wrong type, duplicate labels, values not -1/0/1)."""

    code = "opinion_input"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """Code, message and details as a JSON-friendly dict."""
        return {"code": self.code, "message": self.message, "details": _plain(self.details)}


# --- results -------------------------------------------------------------------------


@dataclass(frozen=True)
class RepresentativeStatement:
    """A statement on which a group stands apart from the other groups (Pol.is repness)."""

    #: Statement id (column label of the vote matrix).
    statement: Hashable
    #: "agree" or "disagree": how the group differs.
    direction: str
    #: Votes in the group in that direction, and all its votes on the statement.
    n_success: int
    n_trials: int
    #: Smoothed probability (1 + n_success) / (2 + n_trials) in the group and in the rest.
    probability: float
    probability_rest: float
    #: Ratio ``probability / probability_rest`` and its two-proportion z statistic.
    repness: float
    repness_z: float
    #: z statistic of ``probability`` against 1/2.
    probability_z: float
    #: Pol.is' ranking metric ``repness * repness_z * probability * probability_z``.
    metric: float
    #: Both z statistics above the 90 % one-sided critical value.
    significant: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return _plain(self.__dict__)


@dataclass(frozen=True)
class OpinionGroup:
    """One opinion group."""

    #: 0 is the largest group.
    id: int
    #: Participant ids, in the order of the vote matrix.
    members: tuple[Hashable, ...]
    #: Mean position in the PCA plane.
    centre: tuple[float, float]
    #: Representative statements, best first.
    representative: tuple[RepresentativeStatement, ...]

    @property
    def size(self) -> int:
        """Number of members."""
        return len(self.members)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"id": self.id, "size": self.size, "members": _plain(list(self.members)),
                "centre": _plain(list(self.centre)),
                "representative": [r.to_dict() for r in self.representative]}


@dataclass(frozen=True)
class ConsensusStatement:
    """A statement's group-informed consensus: the product of the groups' agree probabilities."""

    statement: Hashable
    #: 1 = the most agreed across groups.
    rank: int
    #: prod_g (1 + A_g) / (2 + S_g).
    score: float
    #: Smoothed agree probability per group id.
    agree_probability: dict[int, float]

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"statement": _plain(self.statement), "rank": self.rank, "score": self.score,
                "agree_probability": _plain_groups(self.agree_probability)}


@dataclass(frozen=True)
class DivisiveStatement:
    """A statement ranked by how far the groups' agreement on it lies apart."""

    statement: Hashable
    #: 1 = the most divisive.
    rank: int
    #: max_g p_a - min_g p_a of the smoothed agree probability.
    spread: float
    #: Groups agreeing most and least.
    most_agreeing_group: int
    least_agreeing_group: int
    agree_probability: dict[int, float]

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        out = _plain({k: v for k, v in self.__dict__.items() if k != "agree_probability"})
        out["agree_probability"] = _plain_groups(self.agree_probability)
        return out


@dataclass(frozen=True)
class OpinionResult:
    """Everything :func:`analyse` finds; ``to_dict()`` gives a JSON-friendly copy."""

    #: "ok", or why there are no groups: "no_votes" (nothing to analyse),
    #: "too_few_participants" (fewer than two in conversation), "no_differences" (all of
    #: them at the same position). Without groups, consensus pools everyone in conversation.
    status: str
    #: Group id per participant (every row of the vote matrix); None = not in conversation.
    participant_groups: dict[Hashable, int | None]
    #: Per participant: x, y (PCA plane), n_votes, in_conversation, group (nullable Int64).
    projection: pd.DataFrame
    groups: tuple[OpinionGroup, ...]
    #: Chosen number of groups (0 when no grouping was possible).
    k: int
    #: Mean silhouette per k tried.
    silhouettes: dict[int, float]
    #: All analysed statements, most agreed across groups first.
    consensus: tuple[ConsensusStatement, ...]
    #: All analysed statements, most divisive first (empty with fewer than two groups).
    divisive: tuple[DivisiveStatement, ...]
    #: Long table: group, statement, agree, disagree, pass, seen (votes of group members).
    group_votes: pd.DataFrame
    #: Share of the variance of the centred, imputed matrix along each of the two axes.
    explained_variance: tuple[float, float]
    #: Statements analysed (voted on, not moderated out) and those left out.
    statements: tuple[Hashable, ...]
    excluded_statements: tuple[Hashable, ...]
    #: The arguments that shaped the result.
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def group_sizes(self) -> dict[int, int]:
        """Members per group id."""
        return {g.id: g.size for g in self.groups}

    @property
    def n_in_conversation(self) -> int:
        """Participants with enough votes to be grouped."""
        return int(self.projection["in_conversation"].sum())

    def group_of(self, participant: Hashable) -> int | None:
        """The participant's group id, or None."""
        return self.participant_groups[participant]

    def representative(self, group: int) -> tuple[RepresentativeStatement, ...]:
        """Representative statements of a group, best first."""
        return self.groups[group].representative

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (lists of records; no pandas or NumPy objects)."""
        projection = self.projection.reset_index()
        projection["group"] = projection["group"].astype(object).where(
            projection["group"].notna(), None)
        return {
            "status": self.status,
            "k": self.k,
            "n_participants": len(self.participant_groups),
            "n_in_conversation": self.n_in_conversation,
            "group_sizes": _plain_groups(self.group_sizes),
            "participant_groups": [{"participant": _plain(p), "group": g}
                                   for p, g in self.participant_groups.items()],
            "groups": [g.to_dict() for g in self.groups],
            "consensus": [c.to_dict() for c in self.consensus],
            "divisive": [d.to_dict() for d in self.divisive],
            "silhouettes": _plain_groups(self.silhouettes),
            "explained_variance": list(self.explained_variance),
            "projection": _plain(projection.to_dict(orient="records")),
            "group_votes": _plain(self.group_votes.to_dict(orient="records")),
            "statements": _plain(list(self.statements)),
            "excluded_statements": _plain(list(self.excluded_statements)),
            "parameters": _plain(self.parameters),
        }


# --- the analysis --------------------------------------------------------------------


def analyse(
    votes: pd.DataFrame,
    *,
    min_votes: int = MIN_VOTES,
    moderated_out: Iterable[Hashable] = (),
    max_k: int = 5,
    n_representative: int = 5,
) -> OpinionResult:
    """Opinion groups, representative statements, consensus and divisive statements.

    ``votes``: one row a participant, in the order they joined (Pol.is' participant ids;
    its k-means starts from the first positions), one column a statement; 1 agree,
    -1 disagree, 0 pass, NaN not seen. ``min_votes``: votes needed to be grouped (Pol.is:
    7; with fewer statements than that, all of them). ``moderated_out``: statements hidden
    by a moderator (they count as passes of everyone, as in Pol.is, and are otherwise
    ignored). ``max_k``: most groups tried (from 2). ``n_representative``: representative
    statements kept per group. The same input always gives the same result.

    See the module docstring for the steps. Raises :class:`OpinionInputError` for a matrix
    that is not votes.
    """
    if min_votes < 1 or max_k < 2 or n_representative < 1:
        raise OpinionInputError("min_votes and n_representative must be >= 1, max_k >= 2",
                                min_votes=min_votes, max_k=max_k,
                                n_representative=n_representative)
    matrix = _validated(votes)
    participants = list(matrix.index)
    hidden = set(moderated_out)
    unknown = [s for s in hidden if s not in matrix.columns]
    if unknown:
        raise OpinionInputError(f"moderated_out names {len(unknown)} unknown statement(s)",
                                statements=unknown[:20])

    values = matrix.to_numpy(dtype=float)
    seen = ~np.isnan(values)
    is_hidden = np.array([c in hidden for c in matrix.columns], dtype=bool)
    active = ~is_hidden & seen.any(axis=0)
    statements = tuple(matrix.columns[active])
    excluded = tuple(matrix.columns[~active])

    now = _update(values, seen, is_hidden, min_votes, max_k)
    labels = np.full(len(participants), -1)
    k, status, history = 0, now.status, []
    if not statements:
        status = "no_votes"
    elif now.status == "ok":
        k, history = _smoothed_k(now, values, seen, is_hidden, min_votes, max_k)
        labels[now.members] = _by_size(now.fits[k][now.base_labels])

    x = values[:, active]
    counts = _group_counts(x, labels, max(k, 1), now.members if k == 0 else None)
    groups = _groups(participants, labels, now.xy, k, counts, statements, n_representative)
    consensus = _consensus(counts, statements, k)
    divisive = _divisive(counts, statements) if k >= 2 else ()

    group_col = pd.array([g if g >= 0 else pd.NA for g in labels], dtype="Int64")
    projection = pd.DataFrame(
        {"x": now.xy[:, 0], "y": now.xy[:, 1], "n_votes": seen.sum(axis=1),
         "in_conversation": now.in_conv, "group": group_col}, index=matrix.index)
    return OpinionResult(
        status=status,
        participant_groups={p: (int(g) if g >= 0 else None)
                            for p, g in zip(participants, labels, strict=True)},
        projection=projection,
        groups=groups,
        k=k,
        silhouettes=now.silhouettes,
        consensus=consensus,
        divisive=divisive,
        group_votes=_group_votes_table(counts, statements, k),
        explained_variance=now.explained,
        statements=statements,
        excluded_statements=excluded,
        parameters={"min_votes": min_votes, "vote_threshold": now.threshold, "max_k": max_k,
                    "n_representative": n_representative,
                    "moderated_out": sorted(hidden, key=str),
                    "base_clusters": len(now.base_centres),
                    "best_k_by_update": history},
    )


@dataclass
class _Update:
    """One run of Pol.is' conversation update on a vote matrix (see :func:`_update`)."""

    status: str
    xy: np.ndarray
    explained: tuple[float, float]
    threshold: int
    in_conv: np.ndarray
    #: Rows in conversation; their base cluster; base centres and member counts.
    members: np.ndarray
    base_labels: np.ndarray
    base_centres: np.ndarray
    #: Per k: the group of each base cluster; mean silhouette of the base clusters.
    fits: dict[int, np.ndarray]
    silhouettes: dict[int, float]

    @property
    def best_k(self) -> int | None:
        """Pol.is' ``max-key`` over k: the largest silhouette, the larger k on a tie."""
        if not self.silhouettes:
            return None
        return max(self.silhouettes, key=lambda k: (round(self.silhouettes[k], 12), k))


def _update(values: np.ndarray, seen: np.ndarray, hidden: np.ndarray, min_votes: int,
            max_k: int) -> _Update:
    """Projection, participants in conversation, base clusters and groups for k = 2..K."""
    voted = seen.any(axis=0)
    active = voted & ~hidden
    # Pol.is sets moderated-out columns to 0 for everyone: no variance, but they count as
    # seen statements in the projection's scaling.
    xy, explained = _pca_projection(values[:, active], seen[:, active],
                                    extra_passes=int((voted & hidden).sum()))
    n_votes = seen.sum(axis=1)
    threshold = max(1, min(min_votes, int(voted.sum())))
    in_conv = (n_votes >= threshold) & (n_votes > 0)
    members = np.flatnonzero(in_conv)
    empty = np.zeros(0, dtype=int)
    result = _Update("ok", xy, explained, threshold, in_conv, members, empty,
                     np.zeros((0, 2)), {}, {})
    if not active.any():
        result.status = "no_votes"
        return result
    points = xy[members]
    if len(members) < 2:
        result.status = "too_few_participants"
        return result
    if _distinct(points).sum() < 2:
        result.status = "no_differences"
        return result
    result.base_labels, result.base_centres = kmeans(
        points, _first_distinct(points, BASE_K), max_iter=BASE_ITERS)
    centres = result.base_centres
    weights = np.bincount(result.base_labels, minlength=len(centres)).astype(float)
    top = min(max_k, 2 + len(centres) // BASE_CLUSTERS_PER_EXTRA_GROUP,
              int(_distinct(centres).sum()))
    for k in range(2, top + 1):
        fit = _group_fit(centres, weights, k)
        if len(np.unique(fit)) == k:
            result.fits[k] = fit
            result.silhouettes[k] = silhouette_score(centres, fit)
    return result


def _group_fit(centres: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """Weighted k-means of the base clusters from Pol.is' two starts; the tighter fit wins.

    Pol.is starts a new k from the first k base clusters, and a k it has seen before from
    the previous clustering, adding the point farthest from every centre until there are k
    (``clean-start-clusters``). Run once, we try both and keep the smaller weighted sum of
    squares (the first on a tie).
    """
    best: tuple[float, np.ndarray] | None = None
    for start in (_first_distinct(centres, k), _grown_centres(centres, weights, k)):
        labels, fitted = kmeans(centres, start, weights=weights, max_iter=GROUP_ITERS)
        wss = float((weights * ((centres - fitted[labels]) ** 2).sum(axis=1)).sum())
        if best is None or wss < best[0] - 1e-12 * max(1.0, best[0]):
            best = (wss, labels)
    assert best is not None
    return best[1]


def _smoothed_k(now: _Update, values: np.ndarray, seen: np.ndarray, hidden: np.ndarray,
                min_votes: int, max_k: int) -> tuple[int, list[int | None]]:
    """Pol.is' k smoother for a one-off analysis: a new k must win ``K_BUFFER`` updates.

    Pol.is moves to another number of groups only when it has had the best silhouette at
    four updates in a row, and starts every conversation at two (while there are fewer
    than 12 base clusters it can only try two). We replay the last updates as the
    conversation stood when 85 %, 90 % and 95 % of its voters (in the order they joined)
    had come, plus now; the best k now is kept when it won all of them, otherwise 2.
    """
    voters = np.flatnonzero(seen.any(axis=1))
    history: list[int | None] = []
    for share in EARLIER_UPDATES:
        rows = voters[: int(len(voters) * share)]
        history.append(_update(values[rows], seen[rows], hidden, min_votes, max_k).best_k)
    history.append(now.best_k)
    k = history[-1] if len(set(history)) == 1 else 2
    return (k if k in now.fits else min(now.fits)), history


def _validated(votes: pd.DataFrame) -> pd.DataFrame:
    """The matrix as floats, after checking labels and that every value is -1, 0, 1 or NaN."""
    if not isinstance(votes, pd.DataFrame):
        raise OpinionInputError(f"votes must be a pandas DataFrame, not {type(votes).__name__}")
    for axis, labels in (("participant", votes.index), ("statement", votes.columns)):
        dup = labels[labels.duplicated()].unique().tolist()
        if dup:
            raise OpinionInputError(f"duplicate {axis} labels: {dup[:10]}", labels=dup[:20])
    if all(pd.api.types.is_numeric_dtype(t) for t in votes.dtypes):
        numeric = votes.astype(float)
    else:
        numeric = votes.apply(lambda col: pd.to_numeric(col, errors="coerce")).astype(float)
    bad = (numeric.isna() & votes.notna()) | ~(numeric.isin([-1.0, 0.0, 1.0]) | numeric.isna())
    if bad.to_numpy().any():
        rows, cols = np.nonzero(bad.to_numpy())
        cells = [(votes.index[r], votes.columns[c], votes.iat[r, c])
                 for r, c in zip(rows[:10], cols[:10], strict=True)]
        shown = "; ".join(f"participant {p!r}, statement {s!r}: {v!r}" for p, s, v in cells)
        raise OpinionInputError(
            f"{len(rows)} vote(s) are not 1, -1, 0 or missing: {shown}",
            cells=[{"participant": p, "statement": s, "value": str(v)} for p, s, v in cells])
    return numeric


def _pca_projection(x: np.ndarray, present: np.ndarray, extra_passes: int = 0
                    ) -> tuple[np.ndarray, tuple[float, float]]:
    """Pol.is' sparsity-aware projection on the two leading principal components.

    ``extra_passes``: all-pass columns that Pol.is would carry (moderated out, zeroed);
    they add nothing to the components but enter the scaling ``sqrt((m + h) / (n_i + h))``.
    """
    n, m = x.shape
    if n == 0 or m == 0:
        return np.zeros((n, 2)), (0.0, 0.0)
    counts = present.sum(axis=0)
    means = np.where(present, x, 0.0).sum(axis=0) / np.maximum(counts, 1)
    # Imputing the column mean and then centring leaves exactly 0 in a missing cell.
    centred = np.where(present, x - means, 0.0)
    comps = _power_components(centred)
    # An eigenvector's sign is arbitrary; fix it so that runs and versions agree.
    for c in comps:
        if c.any() and c[np.argmax(np.abs(c))] < 0:
            c *= -1
    scale = np.sqrt((m + extra_passes) / np.maximum(present.sum(axis=1) + extra_passes, 1))
    xy = (centred @ comps.T) * scale[:, None]
    total = float((centred**2).sum())
    # Deflated components are orthogonal, so the variance along each is |C v|^2.
    along = ((centred @ comps.T) ** 2).sum(axis=0)
    var = [float(a / total) if total > 0 else 0.0 for a in along]
    return xy, (var[0], var[1])


def _power_components(centred: np.ndarray) -> np.ndarray:
    """The two leading principal axes by power iteration with deflation (Pol.is' ``pca.clj``).

    Pol.is starts from its previous axes, or from a random vector in [0, 1) the first time;
    we start from such a vector drawn with a fixed seed (not all ones: that start is
    orthogonal to an axis like "the first half of the statements against the second") and
    iterate to convergence (``POWER_ITERS`` at most) rather than 100 steps per update.
    Matrix-vector products only, which stay fast when other processes hold the cores.
    """
    m = centred.shape[1]
    comps = np.zeros((2, m))
    data = centred
    starts = np.random.default_rng(0).random((2, m))
    for i in range(min(2, *centred.shape)):
        v = starts[i] / np.linalg.norm(starts[i])
        for _ in range(POWER_ITERS):
            product = data.T @ (data @ v)
            norm = float(np.linalg.norm(product))
            if norm == 0.0:
                v = np.zeros(m)
                break
            product /= norm
            converged = float(np.abs(product - v).max()) < POWER_TOLERANCE
            v = product
            if converged:
                break
        comps[i] = v
        # Gram-Schmidt: remove the found axis from every row before the next one.
        data = data - np.outer(data @ v, v)
    return comps


def _by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber groups 0, 1, ... by size, largest first; ties by first member."""
    ids = np.unique(labels)
    order = sorted(ids, key=lambda g: (-(labels == g).sum(), np.argmax(labels == g)))
    mapping = {old: new for new, old in enumerate(order)}
    return np.array([mapping[g] for g in labels])


@dataclass(frozen=True)
class _Counts:
    agree: np.ndarray  # (groups, statements)
    disagree: np.ndarray
    seen: np.ndarray


def _group_counts(x: np.ndarray, labels: np.ndarray, k: int,
                  pool: np.ndarray | None) -> _Counts:
    """Agree/disagree/seen counts per group; ``pool`` = rows forming one group when k = 0."""
    if pool is not None:
        labels = np.full(len(x), -1)
        labels[pool] = 0
    onehot = (labels[:, None] == np.arange(k)[None, :]).astype(float)
    return _Counts(agree=onehot.T @ (x == 1), disagree=onehot.T @ (x == -1),
                   seen=onehot.T @ ~np.isnan(x))


def prop_test(success: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Pol.is' one-proportion z: 2 sqrt(n + 1) ((success + 1) / (n + 1) - 1/2)."""
    return 2.0 * np.sqrt(n + 1.0) * ((success + 1.0) / (n + 1.0) - 0.5)


def two_prop_test(s1: np.ndarray, s2: np.ndarray, n1: np.ndarray, n2: np.ndarray
                  ) -> np.ndarray:
    """Pol.is' two-proportion z with one pseudo-count added to each of the four counts."""
    s1, s2, n1, n2 = s1 + 1.0, s2 + 1.0, n1 + 1.0, n2 + 1.0
    pooled = (s1 + s2) / (n1 + n2)
    denom = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (s1 / n1 - s2 / n2) / denom
    # Everyone agreed (pooled = 1): no evidence of a difference; Pol.is returns 0 too.
    return np.where(pooled >= 1.0, 0.0, z)


def _repness(counts: _Counts) -> dict[str, dict[str, np.ndarray]]:
    """Per direction: p, p_rest, ratio, z_p, z_r, each (groups, statements)."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for direction, success in (("agree", counts.agree), ("disagree", counts.disagree)):
        rest = success.sum(axis=0) - success
        seen_rest = counts.seen.sum(axis=0) - counts.seen
        p = (1.0 + success) / (2.0 + counts.seen)
        p_rest = (1.0 + rest) / (2.0 + seen_rest)
        out[direction] = {"p": p, "p_rest": p_rest, "ratio": p / p_rest,
                          "z_p": prop_test(success, counts.seen),
                          "z_r": two_prop_test(success, rest, counts.seen, seen_rest),
                          "n": success}
    return out


def _groups(participants: Sequence[Hashable], labels: np.ndarray, xy: np.ndarray, k: int,
            counts: _Counts, statements: tuple[Hashable, ...], n_rep: int
            ) -> tuple[OpinionGroup, ...]:
    if k == 0:
        return ()
    rep = _repness(counts)
    groups = []
    for g in range(k):
        rows = np.flatnonzero(labels == g)
        chosen = _select_representative(rep, g, counts.seen[g], statements, n_rep)
        centre = xy[rows].mean(axis=0)
        groups.append(OpinionGroup(id=g, members=tuple(participants[i] for i in rows),
                                   centre=(float(centre[0]), float(centre[1])),
                                   representative=chosen))
    return tuple(groups)


def _select_representative(rep: dict[str, dict[str, np.ndarray]], g: int, seen: np.ndarray,
                           statements: tuple[Hashable, ...], n_rep: int
                           ) -> tuple[RepresentativeStatement, ...]:
    """Significant statements by Pol.is' metric; otherwise the single best by z_r."""
    candidates = []
    for j, statement in enumerate(statements):
        passes = {d: bool(rep[d]["z_p"][g, j] > Z_90 and rep[d]["z_r"][g, j] > Z_90)
                  for d in rep}
        # Prefer a direction that passes; between two that pass (or none), the larger z_r.
        direction = max(rep, key=lambda d: (passes[d], rep[d]["z_r"][g, j]))
        r = rep[direction]
        metric = float(r["ratio"][g, j] * r["z_r"][g, j] * r["p"][g, j] * r["z_p"][g, j])
        candidates.append(RepresentativeStatement(
            statement=statement, direction=direction, n_success=int(r["n"][g, j]),
            n_trials=int(seen[j]), probability=float(r["p"][g, j]),
            probability_rest=float(r["p_rest"][g, j]), repness=float(r["ratio"][g, j]),
            repness_z=float(r["z_r"][g, j]), probability_z=float(r["z_p"][g, j]),
            metric=metric, significant=passes[direction]))
    significant = [c for c in candidates if c.significant]
    if significant:
        # sorted() is stable: ties keep statement order.
        return tuple(sorted(significant, key=lambda c: -c.metric)[:n_rep])
    voted = [c for c in candidates if c.n_trials > 0]
    if not voted:
        return ()
    return (max(voted, key=lambda c: c.repness_z),)


def _agree_probability(counts: _Counts) -> np.ndarray:
    return (1.0 + counts.agree) / (2.0 + counts.seen)


def _consensus(counts: _Counts, statements: tuple[Hashable, ...], k: int
               ) -> tuple[ConsensusStatement, ...]:
    """Group-aware consensus, prod_g (1 + A_g) / (2 + S_g); one pooled group when k = 0."""
    pa = _agree_probability(counts)
    score = pa.prod(axis=0)
    order = np.argsort(-score, kind="stable")
    return tuple(
        ConsensusStatement(statement=statements[j], rank=rank, score=float(score[j]),
                           agree_probability={g: float(pa[g, j]) for g in range(k)})
        for rank, j in enumerate(order, start=1))


def _divisive(counts: _Counts, statements: tuple[Hashable, ...]
              ) -> tuple[DivisiveStatement, ...]:
    """Statements by the spread of the groups' smoothed agree probability."""
    pa = _agree_probability(counts)
    spread = pa.max(axis=0) - pa.min(axis=0)
    order = np.argsort(-spread, kind="stable")
    return tuple(
        DivisiveStatement(statement=statements[j], rank=rank, spread=float(spread[j]),
                          most_agreeing_group=int(np.argmax(pa[:, j])),
                          least_agreeing_group=int(np.argmin(pa[:, j])),
                          agree_probability={g: float(pa[g, j]) for g in range(len(pa))})
        for rank, j in enumerate(order, start=1))


def _group_votes_table(counts: _Counts, statements: tuple[Hashable, ...], k: int
                       ) -> pd.DataFrame:
    columns = ["group", "statement", "agree", "disagree", "pass", "seen"]
    rows = [(g, s, int(counts.agree[g, j]), int(counts.disagree[g, j]),
             int(counts.seen[g, j] - counts.agree[g, j] - counts.disagree[g, j]),
             int(counts.seen[g, j]))
            for g in range(k) for j, s in enumerate(statements)]
    return pd.DataFrame(rows, columns=columns)


# --- k-means, silhouette, adjusted Rand index -------------------------------------------


def kmeans(points: np.ndarray, centres: np.ndarray, *, weights: np.ndarray | None = None,
           max_iter: int = GROUP_ITERS) -> tuple[np.ndarray, np.ndarray]:
    """Pol.is' k-means (``clusters.clj``) from the given start centres; (labels, centres).

    Each step gives every point to its nearest centre (the first on a tie), drops centres
    left without points and moves the others to the (weighted) mean of their points. It
    stops when no centre moved by ``KMEANS_TOLERANCE`` or more, or after ``max_iter + 1``
    steps. Labels are 0..c-1 in the order of the surviving start centres.
    """
    w = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=float)
    centres = np.asarray(centres, dtype=float)
    labels = np.zeros(len(points), dtype=int)
    for _ in range(max_iter + 1):
        labels = cdist(points, centres, "sqeuclidean").argmin(axis=1)
        kept, labels = np.unique(labels, return_inverse=True)
        onehot = np.zeros((len(points), len(kept)))
        onehot[np.arange(len(points)), labels] = w
        moved = (onehot.T @ points) / onehot.sum(axis=0)[:, None]
        done = (len(kept) == len(centres) and bool(
            (np.sqrt(((moved - centres) ** 2).sum(axis=1)) < KMEANS_TOLERANCE).all()))
        centres = moved
        if done:
            break
    return labels, centres


def _first_distinct(points: np.ndarray, k: int) -> np.ndarray:
    """The first ``k`` distinct rows, in row order (Pol.is' ``init-clusters``)."""
    return points[_distinct(points)][:k]


def _distinct(points: np.ndarray) -> np.ndarray:
    """Mask of the first occurrence of each distinct row."""
    return ~pd.DataFrame(points).duplicated().to_numpy()


def _grown_centres(points: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """Pol.is' ``clean-start-clusters`` from one cluster of everything: the point farthest
    from all centres becomes a centre of its own, the rest stay one cluster, until k."""
    chosen: list[int] = []
    rest = np.ones(len(points), dtype=bool)
    centres = np.average(points, axis=0, weights=weights)[None, :]
    while len(centres) < k:
        nearest = cdist(points, centres).min(axis=1)
        far = int(np.argmax(nearest))
        if nearest[far] <= 0:
            break
        chosen.append(far)
        rest[far] = False
        centres = np.vstack([np.average(points[rest], axis=0, weights=weights[rest]),
                             points[chosen]])
    return centres


def silhouette_score(points: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette (Rousseeuw 1987) with Euclidean distances; 0 for a one-member group.

    ``s_i = (b_i - a_i) / max(a_i, b_i)``, ``a_i`` the mean distance from i to the other
    members of its group, ``b_i`` the smallest mean distance from i to another group.
    Computed in row blocks so memory stays O(block * n).
    """
    labels = np.asarray(labels)
    ids, labels = np.unique(labels, return_inverse=True)
    n, k = len(points), len(ids)
    if k < 2 or n < 2:
        raise ValueError("silhouette needs at least two groups")
    onehot = np.zeros((n, k))
    onehot[np.arange(n), labels] = 1.0
    sizes = onehot.sum(axis=0)
    s = np.empty(n)
    for start in range(0, n, SILHOUETTE_CHUNK):
        stop = min(start + SILHOUETTE_CHUNK, n)
        rows = np.arange(stop - start)
        own = labels[start:stop]
        sums = cdist(points[start:stop], points) @ onehot
        a = sums[rows, own] / np.maximum(sizes[own] - 1, 1)
        mean_other = sums / sizes
        mean_other[rows, own] = np.inf
        b = mean_other.min(axis=1)
        top = np.maximum(a, b)
        chunk = np.divide(b - a, top, out=np.zeros_like(a), where=top > 0)
        chunk[sizes[own] == 1] = 0.0
        s[start:stop] = chunk
    return float(s.mean())


def adjusted_rand_index(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Adjusted Rand index of two labelings of the same items (Hubert & Arabie 1985).

    With the contingency table ``n_ij``, row sums ``a_i``, column sums ``b_j`` and
    ``C(x) = x (x - 1) / 2``:

        ARI = (sum C(n_ij) - E) / ((sum C(a_i) + sum C(b_j)) / 2 - E),
        E = sum C(a_i) * sum C(b_j) / C(n)

    1 for identical partitions (whatever the label names), about 0 for chance agreement.
    Defined as 1 when both partitions are trivial in the same way (one group, or all
    singletons) and for fewer than two items.
    """
    a_arr, b_arr = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    if a_arr.shape != b_arr.shape or a_arr.ndim != 1:
        raise ValueError("labelings must be one-dimensional and of equal length")
    n = len(a_arr)
    if n < 2:
        return 1.0
    _, ai = np.unique(a_arr.astype(str), return_inverse=True)
    _, bi = np.unique(b_arr.astype(str), return_inverse=True)
    table = np.zeros((ai.max() + 1, bi.max() + 1))
    np.add.at(table, (ai, bi), 1.0)

    def pairs(x: np.ndarray) -> float:
        return float((x * (x - 1) / 2).sum())

    index = pairs(table)
    sum_a, sum_b = pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    expected = sum_a * sum_b / (n * (n - 1) / 2)
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


# --- JSON helpers ----------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Recursively turn NumPy/pandas scalars and containers into plain Python."""
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, (str, int)) else k: _plain(v)
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _plain_groups(mapping: dict[int, Any]) -> dict[str, Any]:
    """Group-keyed dicts with string keys, as JSON objects need."""
    return {str(k): _plain(v) for k, v in mapping.items()}
