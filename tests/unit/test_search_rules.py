"""How typed text becomes a query: Spotify's filters, folded words, typo budgets."""

from __future__ import annotations

from cadenza.domain.search import (
    Kind,
    close_words,
    edit_distance,
    parse_query,
    spelling_keys,
    typo_keys,
    words,
)


def test_filters_come_out_of_the_text() -> None:
    q = parse_query('artist:"Daft Punk" year:1990-1999 album:homework genre:house around')
    assert (q.text, q.artist, q.album, q.genre) == ("around", "Daft Punk", "homework", "house")
    assert (q.year_from, q.year_to) == (1990, 1999)
    assert q.kinds_allowed() == {Kind.TRACK, Kind.RELEASE}
    assert parse_query("year:1999-1990").year_from == 1990  # reversed ranges mean the same
    assert parse_query("isrc:us-sm1-68-00001").isrc == "USSM16800001"
    assert parse_query("upc:074640905524").kinds_allowed() == {Kind.RELEASE}
    assert parse_query("tag:new").tag_new and parse_query("tag:new").kinds_allowed() == {
        Kind.RELEASE
    }
    assert parse_query("track:halo").kinds_allowed() == {Kind.TRACK}
    assert parse_query("year:soon").text == "soon"  # not a year: kept as words, not lost
    assert parse_query("   ").empty


def test_words_fold_case_accents_scripts_and_featuring() -> None:
    assert words("Beyoncé") == ["beyonce"]
    assert words("Ágætis Byrjun") == ["agaetis", "byrjun"]
    assert words("Simon & Garfunkel") == ["simon", "and", "garfunkel"]
    assert words("Get Lucky (feat. Pharrell Williams)") == ["get", "lucky", "pharrell", "williams"]
    assert words("Группа Крови") == ["группа", "крови"]
    assert words("東京事変") == ["東", "京", "事", "変"]  # no spaces in CJK: one character a word
    assert words("فيروز") == ["فيروز"]
    assert parse_query("simon & garfunkel").terms == ["simon", "garfunkel"]


def test_typos_cost_edits_within_a_budget() -> None:
    assert edit_distance("beyonse", "beyonce") == 1
    assert edit_distance("dfat", "daft") == 1  # a swap is one typo
    # seven letters: one typo allowed, so "beyond" (two away) is not what was meant
    assert close_words("beyonse", ["beyonce", "beyond", "bey"], prefix=False) == {"beyonce": 1}
    assert close_words("cat", ["cut"], prefix=False) == {}  # short words carry no typo
    assert close_words("levitatin", ["levitating"], prefix=True) == {"levitating": 0}
    assert close_words("kendrik", ["kendrick"], prefix=False) == {"kendrick": 1}


def test_a_typo_and_its_word_share_a_spelling_key() -> None:
    # one letter changed, swapped, lost or added, early or late, typed whole or still typing
    for typed, word, prefix in [
        ("bohemain", "bohemian", False),  # swapped
        ("rhapsdy", "rhapsody", False),  # lost
        ("bohhemian", "bohemian", False),  # added early: the start shifts by one
        ("rhepsody", "rhapsody", True),
        ("bphem", "bohemian", True),  # still typing, a typo in the first letters
        ("rhao", "rhapsody", True),
    ]:
        assert typo_keys(typed, prefix=prefix) & spelling_keys(word), (typed, word)
        assert word in close_words(typed, [word], prefix=prefix)
    # a word apart shares none; short words are not corrected
    assert not typo_keys("bohemian", prefix=False) & spelling_keys("symphony")
    assert typo_keys("boh", prefix=True) == set()
