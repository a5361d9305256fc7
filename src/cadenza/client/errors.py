"""What the server refused, as values a program can act on: the server's stable `code`."""

from __future__ import annotations


class CadenzaClientError(Exception):
    """A refusal from the server (its `code` and message) or a network failure (`offline`)."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{message} ({code})")
        self.code = code
        self.message = message
        self.status = status


class SecondFactorRequired(CadenzaClientError):
    """Log in again with `totp` (code `totp_required`) or `email_code` (`email_code_required`)."""


class Offline(CadenzaClientError):
    """The server could not be reached."""

    def __init__(self, message: str) -> None:
        super().__init__("offline", message)
