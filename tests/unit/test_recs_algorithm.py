"""The recommendation engine's algorithms on small made-up listening: a listener hears their own
crowd's songs first, a song nobody has played yet sits beside its artist's, a saved model answers
as the trained one, and a group list serves every member."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse
from hypothesis import given
from hypothesis import strategies as st

from cadenza.recs.algorithm import TasteVectors, train
from cadenza.recs.blend import balance

LISTENERS_PER_GROUP = 30
ITEMS_PER_GROUP = 20
ITEMS_PER_ARTIST = 5


def two_crowds(seed: int = 0) -> scipy.sparse.csr_matrix:
    """Listeners 0-29 play only items 0-19 (crowd A), listeners 30-59 only items 20-39 (B),
    each about half of their crowd's items, 1 to 50 times."""
    rng = np.random.default_rng(seed)
    n = 2 * LISTENERS_PER_GROUP
    plays = np.zeros((n, 2 * ITEMS_PER_GROUP), dtype=np.float32)
    for listener in range(n):
        own = 0 if listener < LISTENERS_PER_GROUP else ITEMS_PER_GROUP
        chosen = own + rng.choice(ITEMS_PER_GROUP, size=ITEMS_PER_GROUP // 2, replace=False)
        plays[listener, chosen] = rng.integers(1, 51, size=len(chosen))
    return scipy.sparse.csr_matrix(plays)


def artists_of(n_items: int) -> scipy.sparse.csr_matrix:
    """Items x artists one-hot: five items per artist, in order."""
    artist = np.arange(n_items) // ITEMS_PER_ARTIST
    return scipy.sparse.csr_matrix(
        (np.ones(n_items, dtype=np.float32), (np.arange(n_items), artist)),
        shape=(n_items, int(artist.max()) + 1),
    )


def unplayed_ranking(taste: np.ndarray, vectors: TasteVectors, played: np.ndarray) -> list[int]:
    scores = vectors.items @ taste
    scores[played] = -np.inf
    return [int(i) for i in np.argsort(-scores)[: ITEMS_PER_GROUP - len(played)]]


@pytest.fixture(scope="module")
def crowds() -> tuple[scipy.sparse.csr_matrix, TasteVectors]:
    history = two_crowds()
    return history, train(history, artists_of(history.shape[1]), seed=0, factors=8)


def test_a_listener_of_one_crowd_is_recommended_that_crowds_songs_first(
    crowds: tuple[scipy.sparse.csr_matrix, TasteVectors],
) -> None:
    history, vectors = crowds
    for listener in (0, 7, LISTENERS_PER_GROUP + 3):
        played = history[listener].indices
        crowd = range(0, ITEMS_PER_GROUP) if listener < LISTENERS_PER_GROUP else None
        top = unplayed_ranking(vectors.listeners[listener], vectors, played)
        if crowd is None:
            assert all(item >= ITEMS_PER_GROUP for item in top)
        else:
            assert all(item < ITEMS_PER_GROUP for item in top)


def test_a_new_listener_folded_in_from_a_few_plays_gets_their_crowds_songs(
    crowds: tuple[scipy.sparse.csr_matrix, TasteVectors],
) -> None:
    _, vectors = crowds
    row = scipy.sparse.csr_matrix(
        ([12.0, 3.0, 0.0], ([0, 0, 0], [ITEMS_PER_GROUP + 1, ITEMS_PER_GROUP + 4, 2])),
        shape=(1, 2 * ITEMS_PER_GROUP),
    )  # two plays of crowd B's songs; the 0 (unknown) for a crowd A song counts for nothing
    taste = vectors.listener_from_history(row)
    assert taste.shape == (vectors.dimensions,)
    top = unplayed_ranking(taste, vectors, np.array([ITEMS_PER_GROUP + 1, ITEMS_PER_GROUP + 4]))
    assert all(item >= ITEMS_PER_GROUP for item in top[:10])


def test_a_song_nobody_played_yet_lands_beside_the_songs_of_its_artist() -> None:
    history = two_crowds()
    n_items = history.shape[1] + 1  # one more song of artist 5 (crowd B's items 25-29)
    history = scipy.sparse.csr_matrix(
        (history.data, history.indices, history.indptr), shape=(history.shape[0], n_items)
    )
    artist = np.append(np.arange(n_items - 1) // ITEMS_PER_ARTIST, 5)
    content = scipy.sparse.csr_matrix(
        (np.ones(n_items, dtype=np.float32), (np.arange(n_items), artist))
    )
    vectors = train(history, content, seed=0, factors=8)
    unit = vectors.items / np.linalg.norm(vectors.items, axis=1, keepdims=True)
    similar = unit @ unit[n_items - 1]
    similar[n_items - 1] = -np.inf
    nearest = {int(i) for i in np.argsort(-similar)[:ITEMS_PER_ARTIST]}
    assert nearest == set(range(25, 30))


def test_saved_taste_vectors_load_back_and_answer_as_before(
    crowds: tuple[scipy.sparse.csr_matrix, TasteVectors], tmp_path: Path
) -> None:
    history, vectors = crowds
    vectors.save(tmp_path / "model")
    loaded = TasteVectors.load(tmp_path / "model")
    assert np.array_equal(loaded.items, vectors.items)
    assert np.array_equal(loaded.listeners, vectors.listeners)
    assert loaded.settings == vectors.settings
    row = history[5]
    assert np.allclose(loaded.listener_from_history(row), vectors.listener_from_history(row))
    in_memory = TasteVectors.load(tmp_path / "model", mmap=False)
    assert np.array_equal(in_memory.items, vectors.items)


def test_a_folder_of_another_format_is_refused(
    crowds: tuple[scipy.sparse.csr_matrix, TasteVectors], tmp_path: Path
) -> None:
    _, vectors = crowds
    vectors.save(tmp_path)
    meta = tmp_path / "taste_vectors.json"
    meta.write_text(meta.read_text().replace('"format": 1', '"format": 99'))
    with pytest.raises(ValueError, match="format 99"):
        TasteVectors.load(tmp_path)


def test_a_blend_draws_from_every_member_and_credits_them() -> None:
    rock = {i: 10.0 - i * 0.1 for i in range(0, 50)}
    jazz = {i: 1.0 - i * 0.01 for i in range(100, 150)}  # small scores: ranks, not sizes, count
    folk = {i: 5.0 for i in range(200, 210)}
    picked = balance([rock, jazz, folk], 9)
    assert len(picked) == 9
    assert {member for _, member in picked} == {0, 1, 2}
    assert sorted(member for _, member in picked) == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    for item, member in picked:
        assert item in [rock, jazz, folk][member]


def test_a_song_both_members_love_comes_before_one_only_one_of_them_likes() -> None:
    first = {1: 0.9, 2: 0.8, 3: 0.7, 4: 0.6}
    second = {5: 0.9, 2: 0.85, 6: 0.7, 7: 0.6}
    picked = [item for item, _ in balance([first, second], 2)]
    assert picked[0] == 2


@given(
    st.lists(
        st.dictionaries(st.integers(0, 40), st.floats(-5, 5), min_size=1, max_size=15),
        min_size=1,
        max_size=6,
    ),
    st.integers(1, 20),
)
def test_a_blend_never_repeats_a_song_and_every_member_gets_a_turn(
    members: list[dict[int, float]], k: int
) -> None:
    picked = balance(members, k)
    items = [item for item, _ in picked]
    assert len(items) == len(set(items))
    assert len(picked) == min(k, len(set().union(*members)))
    credited = {member for _, member in picked}
    # a member goes without a turn only when the list is full or their candidates are all taken
    starved = [m for m in range(len(members)) if m not in credited]
    assert all(len(picked) == k or set(members[m]) <= set(items) for m in starved)
    if k >= len(members) and all(len(m) >= len(members) for m in members):
        assert credited == set(range(len(members)))
