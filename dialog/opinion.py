"""Opinion groups, representative statements and group-informed consensus, the Pol.is way.

Flask-free: NumPy, SciPy and pandas only. :func:`analyse` takes the vote matrix of a
dialogue (one row a participant, one column a statement; 1 agree, -1 disagree, 0 pass,
NaN not seen) and follows the method of Pol.is as published by the Computational Democracy
Project (``math/src/polismath/math/`` in https://github.com/compdemocracy/polis:
``conversation.clj``, ``pca.clj``, ``clusters.clj``, ``repness.clj``, ``stats.clj``;
Small et al., "Polis: Scaling deliberation by mapping high dimensional opinion spaces",
Recerca 26(2), 2021). The code here is our own; the steps are:

1. **In conversation.** A participant takes part in the grouping when they voted (pass
   included) on at least ``min(min_votes, n_statements)`` statements, counting statements
   someone has voted on; Pol.is uses 7.
   Everyone else gets group ``None``. Votes on moderated-out statements count here, as in
   Pol.is (they show participation), but those statements are left out of steps 2-5.
2. **PCA to two dimensions.** Missing votes are imputed with the statement's mean vote
   over everyone who voted on it; the matrix is centred on those means, so an imputed cell
   is exactly 0 after centring. The two leading right-singular vectors ``v1, v2`` of the
   centred matrix ``C`` are the principal components (Pol.is finds the same vectors by
   power iteration). Each participant ``i`` is projected with Pol.is' sparsity scaling

       (x_i, y_i) = sqrt(m / max(n_i, 1)) * (C_i . v1, C_i . v2)

   where ``m`` is the number of statements analysed and ``n_i`` the participant's votes on
   them: someone who saw few statements would otherwise sit near the centre only because
   their imputed cells are neutral.
3. **k-means, k by silhouette.** The participants in conversation are clustered with
   k-means (k-means++ starts, ``n_init`` restarts from a fixed seed, the lowest inertia
   kept) for every k from 2 to ``min(max_k, 2 + n_in_conversation // 12)`` (Pol.is' cap,
   so that 20 people are not split five ways); the k with the largest mean silhouette
   ``s_i = (b_i - a_i) / max(a_i, b_i)`` wins (ties: the smaller k). ``a_i`` is the mean
   distance to the rest of one's own group, ``b_i`` to the nearest other group; ``s_i = 0``
   in a group of one. Groups are numbered by size, largest first.
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

Where this differs from Pol.is' server, on purpose:

* Pol.is first reduces participants to 100 "base clusters" and clusters their centres;
  that is a device for conversations of many thousands. We cluster participants directly
  (for up to 100 distinct participants the two coincide).
* Pol.is starts k-means from the first k distinct points and from the previous update's
  clusters, and only changes k after it has won four updates in a row; this is a one-shot
  analysis, so we use seeded k-means++ restarts and the current best k.
* Pol.is zeroes out moderated-out columns: they add nothing to the PCA but count as
  statements "passed" by everyone in the scaling of step 2, which becomes
  ``sqrt((m + h) / (n_i + h))`` with ``h`` the moderated-out statements that had votes. By
  default we drop them, so hiding spam does not move anyone; ``moderated_out_as_pass=True``
  reproduces Pol.is. Pol.is also tops up "in conversation" with the most
  active voters until 15 participants are in; we do not, so a participant below the
  threshold is always ``None``.
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
#: Pol.is' cap on the number of groups grows by one per this many participants.
PARTICIPANTS_PER_EXTRA_GROUP = 12
#: Votes a participant needs to be grouped (Pol.is: 7).
MIN_VOTES = 7
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
    n_init: int = 25,
    seed: int = 0,
    moderated_out_as_pass: bool = False,
) -> OpinionResult:
    """Opinion groups, representative statements, consensus and divisive statements.

    ``votes``: one row a participant, one column a statement; 1 agree, -1 disagree, 0 pass,
    NaN not seen. ``min_votes``: votes needed to be grouped (Pol.is: 7; with fewer
    statements than that, all of them). ``moderated_out``: statements hidden by a moderator
    (counted as participation, otherwise ignored). ``max_k``: most groups tried (from 2).
    ``n_representative``: representative statements kept per group. ``n_init`` k-means
    restarts from ``seed``: the same input always gives the same result (25 restarts: on
    the three Pol.is conversations every seed from 0 to 19 then finds the same groups,
    which 10 restarts did not).
    ``moderated_out_as_pass``: Pol.is compatibility, see the module docstring.

    See the module docstring for the formulas. Raises :class:`OpinionInputError` for a
    matrix that is not votes.
    """
    if min_votes < 1 or max_k < 2 or n_representative < 1 or n_init < 1:
        raise OpinionInputError("min_votes, n_representative and n_init must be >= 1, "
                                "max_k >= 2", min_votes=min_votes, max_k=max_k,
                                n_representative=n_representative, n_init=n_init)
    matrix = _validated(votes)
    participants = list(matrix.index)
    hidden = set(moderated_out)
    unknown = [s for s in hidden if s not in matrix.columns]
    if unknown:
        raise OpinionInputError(f"moderated_out names {len(unknown)} unknown statement(s)",
                                statements=unknown[:20])

    values = matrix.to_numpy(dtype=float)
    seen = ~np.isnan(values)
    # Participation counts every column (moderated-out too), as Pol.is' raw rating matrix.
    n_votes_all = seen.sum(axis=1)
    # Pol.is' matrix has a column only once someone voted: unseen statements do not count.
    threshold = max(1, min(min_votes, int(seen.any(axis=0).sum())))
    in_conv = (n_votes_all >= threshold) & (n_votes_all > 0)

    active = np.array([c not in hidden for c in matrix.columns], dtype=bool) & seen.any(axis=0)
    statements = tuple(matrix.columns[active])
    excluded = tuple(matrix.columns[~active])
    x = values[:, active]
    present = seen[:, active]

    # Pol.is' zeroed columns: statements that had votes, then count as passed by everyone.
    extra = int((seen[:, ~active].any(axis=0)).sum()) if moderated_out_as_pass else 0
    xy, explained = _pca_projection(x, present, extra_passes=extra)

    labels = np.full(len(participants), -1)
    silhouettes: dict[int, float] = {}
    k = 0
    status = "ok"
    members = np.flatnonzero(in_conv)
    if not statements:
        status = "no_votes"
    else:
        points = xy[members]
        ks = _candidate_ks(points, max_k)
        if len(members) < 2:
            status = "too_few_participants"
        elif not ks:
            status = "no_differences"
        else:
            fits: dict[int, np.ndarray] = {}
            for kk in ks:
                rng = np.random.default_rng([seed, kk])
                fits[kk], _, _ = kmeans(points, kk, rng=rng, n_init=n_init)
                silhouettes[kk] = silhouette_score(points, fits[kk])
            # max() returns the first maximum: the smallest k among ties.
            k = max(ks, key=lambda kk: round(silhouettes[kk], 12))
            labels[members] = _by_size(fits[k])

    counts = _group_counts(x, labels, max(k, 1), members if k == 0 else None)
    groups = _groups(participants, labels, xy, k, counts, statements, n_representative)
    consensus = _consensus(counts, statements, k)
    divisive = _divisive(counts, statements) if k >= 2 else ()

    group_col = pd.array([g if g >= 0 else pd.NA for g in labels], dtype="Int64")
    projection = pd.DataFrame(
        {"x": xy[:, 0], "y": xy[:, 1], "n_votes": n_votes_all, "in_conversation": in_conv,
         "group": group_col}, index=matrix.index)
    group_votes = _group_votes_table(counts, statements, k)
    return OpinionResult(
        status=status,
        participant_groups={p: (int(g) if g >= 0 else None)
                            for p, g in zip(participants, labels, strict=True)},
        projection=projection,
        groups=groups,
        k=k,
        silhouettes=silhouettes,
        consensus=consensus,
        divisive=divisive,
        group_votes=group_votes,
        explained_variance=explained,
        statements=statements,
        excluded_statements=excluded,
        parameters={"min_votes": min_votes, "vote_threshold": threshold, "max_k": max_k,
                    "n_representative": n_representative, "n_init": n_init, "seed": seed,
                    "moderated_out": sorted(hidden, key=str),
                    "moderated_out_as_pass": moderated_out_as_pass},
    )


def _validated(votes: pd.DataFrame) -> pd.DataFrame:
    """The matrix as floats, after checking labels and that every value is -1, 0, 1 or NaN."""
    if not isinstance(votes, pd.DataFrame):
        raise OpinionInputError(f"votes must be a pandas DataFrame, not {type(votes).__name__}")
    for axis, labels in (("participant", votes.index), ("statement", votes.columns)):
        dup = labels[labels.duplicated()].unique().tolist()
        if dup:
            raise OpinionInputError(f"duplicate {axis} labels: {dup[:10]}", labels=dup[:20])
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
    _, sv, vt = np.linalg.svd(centred, full_matrices=False)
    comps = np.zeros((2, m))
    comps[: min(2, len(vt))] = vt[:2]
    # An eigenvector's sign is arbitrary; fix it so that runs and versions agree.
    for c in comps:
        if c.any() and c[np.argmax(np.abs(c))] < 0:
            c *= -1
    scale = np.sqrt((m + extra_passes) / np.maximum(present.sum(axis=1) + extra_passes, 1))
    xy = (centred @ comps.T) * scale[:, None]
    total = float((sv**2).sum())
    var = [float(s**2 / total) if total > 0 else 0.0 for s in sv[:2]] + [0.0, 0.0]
    return xy, (var[0], var[1])


def _candidate_ks(points: np.ndarray, max_k: int) -> list[int]:
    """k = 2 .. min(max_k, 2 + n // 12, distinct points): Pol.is' cap on groups."""
    if len(points) < 2:
        return []
    distinct = len(np.unique(np.round(points, 12), axis=0))
    top = min(max_k, 2 + len(points) // PARTICIPANTS_PER_EXTRA_GROUP, distinct)
    return list(range(2, top + 1))


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


def kmeans(points: np.ndarray, k: int, *, rng: np.random.Generator, n_init: int = 25,
           max_iter: int = 300) -> tuple[np.ndarray, np.ndarray, float]:
    """Lloyd's k-means from ``n_init`` k-means++ starts; (labels, centres, inertia) of the best.

    k-means++ (Arthur & Vassilvitskii 2007) picks each next start centre with probability
    proportional to the squared distance to the nearest centre chosen so far. Inertia is
    the sum of squared distances to the assigned centre; the lowest wins, the first on ties.
    Needs at least ``k`` distinct points.
    """
    best: tuple[np.ndarray, np.ndarray, float] | None = None
    for _ in range(n_init):
        labels, centres, inertia = _lloyd(points, _kmeans_pp(points, k, rng), max_iter)
        if best is None or inertia < best[2] - 1e-12 * max(1.0, best[2]):
            best = (labels, centres, inertia)
    assert best is not None
    return best


def _kmeans_pp(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    centres = [points[rng.integers(len(points))]]
    d2 = ((points - centres[0]) ** 2).sum(axis=1)
    for _ in range(1, k):
        total = d2.sum()
        if total <= 0:
            break  # fewer distinct points than k; _lloyd reports it
        centres.append(points[rng.choice(len(points), p=d2 / total)])
        d2 = np.minimum(d2, ((points - centres[-1]) ** 2).sum(axis=1))
    return np.array(centres)


def _lloyd(points: np.ndarray, centres: np.ndarray, max_iter: int
           ) -> tuple[np.ndarray, np.ndarray, float]:
    k = len(centres)
    labels = np.full(len(points), -1)
    for _ in range(max_iter):
        d2 = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        new = d2.argmin(axis=1)
        for g in range(k):
            if not (new == g).any():
                # Empty group: take over the point farthest from its centre in a group of 2+.
                sizes = np.bincount(new, minlength=k)
                dist = d2[np.arange(len(points)), new]
                dist[sizes[new] < 2] = -1.0
                new[int(np.argmax(dist))] = g
        if np.array_equal(new, labels):
            break
        labels = new
        centres = np.array([points[labels == g].mean(axis=0) for g in range(k)])
    inertia = float(((points - centres[labels]) ** 2).sum())
    return labels, centres, inertia


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
