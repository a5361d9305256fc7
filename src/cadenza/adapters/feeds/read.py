"""Reading a podcast feed: the XML checked first by defusedxml (no DTD, no entities, no external
references, so an entity bomb is refused before anything expands), then feedparser for RSS 2.0
and the iTunes namespace, the Podcasting 2.0 elements read from the checked tree, and every
description through nh3 (a maintained HTML sanitiser)."""

from __future__ import annotations

import calendar
import hashlib
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeTree
import feedparser
import nh3
from defusedxml import DefusedXmlException

from cadenza.domain.podcasts import (
    MAX_DESCRIPTION,
    MAX_EPISODES_PER_FEED,
    MAX_TITLE,
    FeedEpisode,
    FeedRefused,
    FeedShow,
    Person,
    clock_ms,
)

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
_PODCAST_NAMESPACES = (
    PODCAST_NS,
    "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
)
TAGS = {
    "a",
    "p",
    "br",
    "b",
    "strong",
    "i",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
}


class FeedparserReader:
    def read(self, body: bytes) -> FeedShow:
        root = _checked_tree(body)
        parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
        if parsed.get("bozo") and not parsed.entries and not parsed.feed.get("title"):
            raise FeedRefused("the feed is not well-formed XML", "feed_malformed")
        channel = root.find("channel")
        if root.tag != "rss" or channel is None or not parsed.feed.get("title"):
            raise FeedRefused(
                "not an RSS 2.0 podcast feed (no channel with a title)", "feed_not_podcast"
            )
        items = channel.findall("item")
        if len(items) > MAX_EPISODES_PER_FEED:
            raise FeedRefused(
                f"more than {MAX_EPISODES_PER_FEED} episodes", "feed_too_many_episodes"
            )
        episodes = []
        seen: set[str] = set()
        for entry, item in zip(parsed.entries, items, strict=False):
            episode = _episode(entry, item)
            if episode.guid in seen:
                continue
            seen.add(episode.guid)
            episodes.append(episode)
        feed = parsed.feed
        image = (feed.get("image") or {}).get("href") or (feed.get("image") or {}).get("url")
        return FeedShow(
            title=_text(feed.get("title"), MAX_TITLE),
            publisher=_text(
                feed.get("author")
                or (feed.get("publisher_detail") or {}).get("name")
                or feed.get("publisher"),
                MAX_TITLE,
            ),
            description_html=sanitised_html(feed.get("summary") or feed.get("subtitle") or ""),
            link=_url(feed.get("link")),
            language=_text(feed.get("language"), 20) or None,
            explicit=_explicit(feed.get("itunes_explicit")),
            image_url=_url(image),
            podcast_guid=_text(_podcast_text(channel, "guid"), 100) or None,
            categories=tuple(
                _text(t.get("term"), 100) for t in feed.get("tags", [])[:10] if t.get("term")
            ),
            persons=_persons(channel),
            episodes=tuple(episodes),
        )


def _checked_tree(body: bytes) -> Element:
    try:
        return SafeTree.fromstring(body, forbid_dtd=True)
    except DefusedXmlException:
        raise FeedRefused(
            "the feed declares a DTD or entities (refused: they can expand without end)",
            "feed_entities_forbidden",
        ) from None
    except SafeTree.ParseError:
        raise FeedRefused("the feed is not well-formed XML", "feed_malformed") from None


def _episode(entry: Any, item: Element) -> FeedEpisode:
    enclosure = next(iter(entry.get("enclosures") or []), None) or {}
    kind = (enclosure.get("type") or "").split(";")[0].strip().lower() or None
    href = _url(enclosure.get("href"))
    if href and kind and not kind.startswith("audio/"):
        raise FeedRefused(
            f"an episode's enclosure is {kind}, not audio: {_text(entry.get('title'), 80)!r}",
            "enclosure_not_audio",
        )
    length = str(enclosure.get("length") or "")
    guid = _text(entry.get("id") or href or entry.get("title"), 500)
    if not guid:
        guid = hashlib.sha256(SafeTree.tostring(item)).hexdigest()
    chapters = _podcast(item, "chapters")
    transcript = _best_transcript(item)
    published = entry.get("published_parsed") or entry.get("updated_parsed")
    content = entry.get("content") or []
    description = content[0].get("value") if content else entry.get("summary", "")
    return FeedEpisode(
        guid=guid,
        title=_text(entry.get("title"), MAX_TITLE) or "Untitled episode",
        description_html=sanitised_html(description or ""),
        published_at=datetime.fromtimestamp(calendar.timegm(published), UTC) if published else None,
        duration_ms=clock_ms(str(entry.get("itunes_duration") or "")) or None,
        explicit=_explicit(entry.get("itunes_explicit")),
        season=_number(entry.get("itunes_season")),
        number=_number(entry.get("itunes_episode")),
        enclosure_url=href,
        enclosure_type=kind,
        enclosure_length=int(length) if length.isdigit() else None,
        image_url=_url((entry.get("image") or {}).get("href")),
        chapters_url=_url(chapters.get("url")) if chapters is not None else None,
        transcript_url=_url(transcript.get("url")) if transcript is not None else None,
        transcript_type=(transcript.get("type") or "").lower() or None
        if transcript is not None
        else None,
        persons=_persons(item),
    )


def _podcast(element: Element, name: str) -> Element | None:
    for ns in _PODCAST_NAMESPACES:
        found = element.find(f"{{{ns}}}{name}")
        if found is not None:
            return found
    return None


def _podcast_text(element: Element, name: str) -> str:
    found = _podcast(element, name)
    return (found.text or "").strip() if found is not None else ""


TRANSCRIPT_PREFERENCE = (
    "text/vtt",
    "application/x-subrip",
    "application/srt",
    "text/srt",
    "application/json",
)


def _best_transcript(item: Element) -> Element | None:
    found = [t for ns in _PODCAST_NAMESPACES for t in item.findall(f"{{{ns}}}transcript")]
    ranked = sorted(
        (t for t in found if (t.get("type") or "").lower() in TRANSCRIPT_PREFERENCE),
        key=lambda t: TRANSCRIPT_PREFERENCE.index((t.get("type") or "").lower()),
    )
    return ranked[0] if ranked else None


def _persons(element: Element) -> tuple[Person, ...]:
    people = [p for ns in _PODCAST_NAMESPACES for p in element.findall(f"{{{ns}}}person")]
    return tuple(
        Person(_text(p.text, 200), _text(p.get("role") or "host", 50).lower(), _url(p.get("href")))
        for p in people[:20]
        if (p.text or "").strip()
    )


def _text(value: object, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def sanitised_html(value: str) -> str:
    """Show notes as HTML a page can show: only plain formatting and http(s) links kept."""

    cleaned: str = nh3.clean(
        value[: MAX_DESCRIPTION * 4], tags=TAGS, url_schemes={"http", "https", "mailto"}
    )
    return cleaned[:MAX_DESCRIPTION]


def _url(value: object) -> str | None:
    text = str(value or "").strip()
    return text[:2000] if text.startswith(("http://", "https://")) else None


def _explicit(value: object) -> bool:
    return value is True or str(value).strip().lower() in ("yes", "true", "explicit")


def _number(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 7 else None
