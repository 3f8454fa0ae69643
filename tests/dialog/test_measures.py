"""The yardsticks: adjusted Rand index, silhouette and k-means, checked against hand sums."""

from __future__ import annotations

import numpy as np
import pytest

from dialog import opinion
from dialog.opinion import adjusted_rand_index, kmeans, silhouette_score


def test_adjusted_rand_index_of_a_small_hand_computed_example() -> None:
    # Contingency [[2, 1, 0], [0, 1, 2]]: sum C(n_ij) = 2; rows C(3)+C(3) = 6;
    # columns 3 * C(2) = 3; C(6) = 15; E = 6*3/15 = 1.2; max = (6+3)/2 = 4.5.
    a = [0, 0, 0, 1, 1, 1]
    b = [0, 0, 1, 1, 2, 2]
    assert adjusted_rand_index(a, b) == pytest.approx((2 - 1.2) / (4.5 - 1.2))  # 8/33
    assert adjusted_rand_index(b, a) == pytest.approx(8 / 33)
    # [[2, 0, 0], [0, 1, 1]]: (1 - 1/3) / (3/2 - 1/3) = 4/7.
    assert adjusted_rand_index([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(4 / 7)
    # Crossed halves agree less than chance: (0 - 2/3) / (2 - 2/3) = -1/2.
    assert adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(-0.5)


def test_adjusted_rand_index_ignores_label_names() -> None:
    assert adjusted_rand_index([0, 0, 1, 2], ["x", "x", "y", "z"]) == 1.0
    assert adjusted_rand_index([1, 1, 1], [5, 5, 5]) == 1.0
    assert adjusted_rand_index([7], [3]) == 1.0
    with pytest.raises(ValueError):
        adjusted_rand_index([0, 1], [0])


def test_adjusted_rand_index_is_near_zero_for_random_labels() -> None:
    rng = np.random.default_rng(3)
    values = [adjusted_rand_index(rng.integers(0, 3, 300), rng.integers(0, 3, 300))
              for _ in range(50)]
    assert abs(np.mean(values)) < 0.01


def test_silhouette_of_two_pairs_on_a_line() -> None:
    points = np.array([[0.0, 0], [1, 0], [10, 0], [11, 0]])
    # a = 1 for everyone; b = 10.5 for the outer points and 9.5 for the inner ones.
    expected = np.mean([9.5 / 10.5, 8.5 / 9.5, 8.5 / 9.5, 9.5 / 10.5])
    assert silhouette_score(points, np.array([0, 0, 1, 1])) == pytest.approx(expected)
    # A group of one scores 0: (0.9 + 8/9 + 0) / 3.
    s = silhouette_score(points[:3], np.array([0, 0, 1]))
    assert s == pytest.approx(np.mean([(10 - 1) / 10, (9 - 1) / 9, 0.0]))


def naive_silhouette(points: np.ndarray, labels: np.ndarray) -> float:
    """Rousseeuw's definition, one point at a time."""
    values = []
    for i in range(len(points)):
        d = np.linalg.norm(points - points[i], axis=1)
        own = labels == labels[i]
        if own.sum() == 1:
            values.append(0.0)
            continue
        a = d[own].sum() / (own.sum() - 1)
        b = min(d[labels == g].mean() for g in set(labels) if g != labels[i])
        values.append((b - a) / max(a, b))
    return float(np.mean(values))


def test_silhouette_in_blocks_equals_the_definition(monkeypatch) -> None:
    rng = np.random.default_rng(5)
    points = rng.normal(size=(203, 2))
    labels = rng.integers(0, 4, 203)
    monkeypatch.setattr(opinion, "SILHOUETTE_CHUNK", 17)
    assert silhouette_score(points, labels) == pytest.approx(naive_silhouette(points, labels))


def test_kmeans_finds_well_separated_blobs_and_is_reproducible() -> None:
    rng = np.random.default_rng(2)
    centres = np.array([[0, 0], [8, 0], [0, 8]])
    points = np.vstack([c + rng.normal(size=(40, 2)) for c in centres])
    truth = np.repeat([0, 1, 2], 40)
    # Started, as Pol.is starts, from given points: here one of each blob.
    labels, found = kmeans(points, points[[0, 40, 80]])
    assert adjusted_rand_index(labels, truth) == 1.0
    again = kmeans(points, points[[0, 40, 80]])
    assert np.array_equal(again[0], labels) and np.array_equal(again[1], found)
    np.testing.assert_allclose(found, [points[labels == g].mean(axis=0) for g in range(3)])
