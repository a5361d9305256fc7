"""A hosted show's RSS 2.0 feed with the iTunes and Podcasting 2.0 namespaces, so other podcast
apps can list it. Pure: the show, its published episodes and the public addresses in, XML out."""

from __future__ import annotations

from collections.abc import Callable
from email.utils import format_datetime
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

from cadenza.domain.podcasts import Episode, Show

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
register_namespace("itunes", ITUNES)
register_namespace("podcast", PODCAST)
register_namespace("content", CONTENT)


def hosted_feed(
    show: Show,
    episodes: list[Episode],
    page_url: str,
    image_url: str | None,
    audio_url: Callable[[Episode], tuple[str, int]],
) -> bytes:
    """`audio_url`: an episode's public audio address and its length in bytes."""
    rss = Element("rss", {"version": "2.0"})
    channel = SubElement(rss, "channel")
    _text(channel, "title", show.title)
    _text(channel, "link", page_url)
    _text(channel, "description", show.description_html or show.title)
    _text(channel, "language", show.language or "en")
    _text(channel, f"{{{ITUNES}}}author", show.publisher)
    _text(channel, f"{{{ITUNES}}}explicit", "true" if show.explicit else "false")
    SubElement(
        channel, f"{{{ITUNES}}}category", {"text": (show.categories or ("Society & Culture",))[0]}
    )
    if image_url:
        SubElement(channel, f"{{{ITUNES}}}image", {"href": image_url})
        image = SubElement(channel, "image")
        _text(image, "url", image_url)
        _text(image, "title", show.title)
        _text(image, "link", page_url)
    if show.podcast_guid:
        _text(channel, f"{{{PODCAST}}}guid", show.podcast_guid)
    for e in episodes:
        item = SubElement(channel, "item")
        _text(item, "title", e.title)
        _text(item, "guid", e.guid).set("isPermaLink", "false")
        if e.published_at is not None:
            _text(item, "pubDate", format_datetime(e.published_at))
        _text(item, "description", e.description_html or e.title)
        _text(item, f"{{{CONTENT}}}encoded", e.description_html or e.title)
        url, length = audio_url(e)
        SubElement(item, "enclosure", {"url": url, "length": str(length), "type": "audio/ogg"})
        if e.duration_ms:
            _text(item, f"{{{ITUNES}}}duration", str(round(e.duration_ms / 1000)))
        _text(item, f"{{{ITUNES}}}explicit", "true" if e.explicit else "false")
        if e.season:
            _text(item, f"{{{ITUNES}}}season", str(e.season))
        if e.number:
            _text(item, f"{{{ITUNES}}}episode", str(e.number))
    body: bytes = tostring(rss, encoding="utf-8", xml_declaration=True)
    return body


def _text(parent: Element, tag: str, value: str) -> Element:
    child = SubElement(parent, tag)
    child.text = value
    return child
