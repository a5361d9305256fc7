"""Outgoing HTTP for feeds with httpx: conditional requests, size caps while streaming, and
every hop of a redirect checked against private and loopback addresses (unless allowed)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from cadenza.domain.podcasts import FeedRefused
from cadenza.ports.feeds import FetchedFeed

MAX_REDIRECTS = 5
USER_AGENT = "Cadenza podcasts (+https://github.com/cadenza)"


class HttpFeedFetcher:
    def __init__(
        self,
        *,
        allow_private: bool = False,
        trusted_hosts: frozenset[str] = frozenset(),
        max_feed_bytes: int = 16 << 20,
        timeout_s: float = 15.0,
    ) -> None:
        self.allow_private, self.max_feed_bytes = allow_private, max_feed_bytes
        self.trusted_hosts = trusted_hosts  # fetched even where private (an operator's own)
        self.client = httpx.Client(
            follow_redirects=False,
            timeout=timeout_s,
            headers={"user-agent": USER_AGENT},
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )

    def close(self) -> None:
        self.client.close()

    def feed(self, url: str, etag: str | None, last_modified: str | None) -> FetchedFeed:
        headers = {"accept": "application/rss+xml, application/xml;q=0.9, */*;q=0.5"}
        if etag:
            headers["if-none-match"] = etag
        if last_modified:
            headers["if-modified-since"] = last_modified
        with self._open(url, headers) as (final, response):
            if response.status_code == 304:
                return FetchedFeed(final, None, etag, last_modified)
            body = b"".join(_capped(response, self.max_feed_bytes, "feed_too_large"))
            return FetchedFeed(
                final,
                body,
                response.headers.get("etag"),
                response.headers.get("last-modified"),
            )

    def small(self, url: str, max_bytes: int) -> tuple[bytes, str]:
        with self._open(url, {}) as (_, response):
            body = b"".join(_capped(response, max_bytes, "file_too_large"))
            return body, response.headers.get("content-type", "").split(";")[0].strip().lower()

    def download(self, url: str, dest: Path, max_bytes: int) -> str:
        with self._open(url, {}) as (_, response):
            kind = str(response.headers.get("content-type", "")).split(";")[0].strip().lower()
            if not (kind.startswith("audio/") or kind in ("application/ogg", "video/mp4")):
                raise FeedRefused(
                    f"the enclosure is {kind or 'untyped'}, not audio", "enclosure_not_audio"
                )
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FeedRefused("the enclosure is larger than allowed", "enclosure_too_large")
            with dest.open("wb") as out:
                for chunk in _capped(response, max_bytes, "enclosure_too_large"):
                    out.write(chunk)
            return kind

    @contextmanager
    def _open(self, url: str, headers: dict[str, str]) -> Iterator[tuple[str, httpx.Response]]:
        """The final answer after checked redirects, streamed (its body not read yet)."""
        for _ in range(MAX_REDIRECTS + 1):
            self._check_address(url)
            try:
                request = self.client.build_request("GET", url, headers=headers)
                response = self.client.send(request, stream=True)
            except httpx.HTTPError as exc:
                raise FeedRefused(
                    f"{_host(url)} did not answer ({type(exc).__name__})", "feed_unreachable"
                ) from None
            try:
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                if response.status_code != 304 and response.status_code >= 400:
                    raise FeedRefused(
                        f"{_host(url)} answered {response.status_code}", "feed_http_error"
                    )
                try:
                    yield url, response
                except httpx.HTTPError as exc:
                    raise FeedRefused(
                        f"{_host(url)} stopped answering ({type(exc).__name__})", "feed_unreachable"
                    ) from None
                return
            finally:
                response.close()
        raise FeedRefused("too many redirects", "feed_redirect_loop")

    def _check_address(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FeedRefused("only http and https addresses are fetched", "feed_bad_url")
        if parts.username or parts.password:
            raise FeedRefused(
                "addresses with a user name or password are not fetched", "feed_bad_url"
            )
        if self.allow_private or parts.hostname in self.trusted_hosts:
            return
        try:
            found = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError):
            raise FeedRefused(f"{parts.hostname} has no address", "feed_unreachable") from None
        for *_, sockaddr in found:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
            if not address.is_global:
                raise FeedRefused(
                    f"{parts.hostname} is a private or local address (set "
                    "CADENZA_FEEDS_ALLOW_PRIVATE=true to allow your own network)",
                    "feed_address_private",
                )


def _capped(response: httpx.Response, max_bytes: int, code: str) -> Iterator[bytes]:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FeedRefused(f"larger than {max_bytes} bytes", code)
    read = 0
    for chunk in response.iter_bytes(1 << 16):
        read += len(chunk)
        if read > max_bytes:
            raise FeedRefused(f"larger than {max_bytes} bytes", code)
        yield chunk


def _host(url: str) -> str:
    return urlsplit(url).hostname or url
