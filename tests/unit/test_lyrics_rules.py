"""Lyrics as the player reads them: LRC lines in time order, plain lines as they are."""

from __future__ import annotations

from cadenza.domain.lyrics import LyricLine, parse_lyrics


def test_lrc_lines_come_in_time_order_with_repeats_and_offset_applied() -> None:
    text = (
        "[ti:Song]\r\n[offset:+200]\r\n[00:10.00][00:30.00]Chorus\r\n[00:05.5]Verse\r\ncredits\r\n"
    )
    lyrics = parse_lyrics(text)
    assert lyrics is not None and lyrics.synced
    assert lyrics.lines == (
        LyricLine(5300, "Verse"),
        LyricLine(9800, "Chorus"),
        LyricLine(29800, "Chorus"),
    )
    assert parse_lyrics(lyrics.stored()) == lyrics  # kept as LRC, read back the same


def test_plain_lyrics_keep_their_lines_and_blank_text_is_none() -> None:
    lyrics = parse_lyrics("One\n\nTwo [not a time]\n")
    assert lyrics is not None and not lyrics.synced
    assert [line.text for line in lyrics.lines] == ["One", "", "Two [not a time]"]
    assert parse_lyrics("  \n ") is None
    assert parse_lyrics(None) is None
