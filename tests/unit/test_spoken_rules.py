"""The spoken-command grammar: what each phrasing asks the player for."""

from __future__ import annotations

import pytest

from cadenza.domain.spoken import Action, Intent, Wanted, parse


@pytest.mark.parametrize(
    ("said", "wanted", "words", "artist"),
    [
        ("play a little disco", Wanted.GENRE, "disco", None),
        ("Play some jazz!", Wanted.GENRE, "jazz", None),
        ("put on a little bit of bossa nova music", Wanted.GENRE, "bossa nova", None),
        ("play the album Kind of Blue", Wanted.RELEASE, "kind of blue", None),
        (
            "play the album Kind of Blue by Miles Davis",
            Wanted.RELEASE,
            "kind of blue",
            "miles davis",
        ),
        ("play the song 'So What' by Miles Davis", Wanted.TRACK, "so what", "miles davis"),
        ("play track Blue in Green", Wanted.TRACK, "blue in green", None),
        ("play the playlist Morning Run", Wanted.PLAYLIST, "morning run", None),
        ("play something by Nina Simone", Wanted.ARTIST, "nina simone", None),
        ("play Miles Davis", Wanted.ANYTHING, "miles davis", None),
        ("play Night Drive by The Testers", Wanted.ANYTHING, "night drive", "the testers"),
        ("hey cadenza, please play some jazz", Wanted.GENRE, "jazz", None),
        ("could you put on Kind of Blue please", Wanted.ANYTHING, "kind of blue", None),
    ],
)
def test_play_commands_name_what_to_play(
    said: str, wanted: Wanted, words: str, artist: str | None
) -> None:
    assert parse(said) == Intent(Action.PLAY, wanted, words, artist=artist)


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("next", Intent(Action.NEXT)),
        ("Skip this song.", Intent(Action.NEXT)),
        ("previous", Intent(Action.PREVIOUS)),
        ("go back", Intent(Action.PREVIOUS)),
        ("pause", Intent(Action.PAUSE)),
        ("stop the music", Intent(Action.PAUSE)),
        ("resume", Intent(Action.RESUME)),
        ("play", Intent(Action.RESUME)),
        ("louder", Intent(Action.VOLUME, volume_step=10)),
        ("turn it down", Intent(Action.VOLUME, volume_step=-10)),
        ("volume 40", Intent(Action.VOLUME, volume=40)),
        ("set the volume to 75 percent", Intent(Action.VOLUME, volume=75)),
        ("mute", Intent(Action.VOLUME, volume=0)),
        ("shuffle on", Intent(Action.SHUFFLE, on=True)),
        ("stop shuffling", Intent(Action.SHUFFLE, on=False)),
        ("repeat this song", Intent(Action.REPEAT, repeat="track")),
        ("repeat", Intent(Action.REPEAT, repeat="context")),
        ("repeat off", Intent(Action.REPEAT, repeat="off")),
    ],
)
def test_player_controls(said: str, intent: Intent) -> None:
    assert parse(said) == intent


@pytest.mark.parametrize(
    "said",
    ["", "   ", "what's the weather", "volume 400", "make me a sandwich", "play " + "x" * 400],
)
def test_words_outside_the_grammar_are_not_understood(said: str) -> None:
    assert parse(said) is None
