"""Errors a user can act on: a stable code, a clear message, and the file it concerns."""

from __future__ import annotations


class CadenzaError(Exception):
    """Base of every refusal the platform gives. `code` is stable; `message` is for people."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, file: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.file = file

    def __str__(self) -> str:
        return f"{self.file}: {self.message}" if self.file else self.message


class NotFound(CadenzaError):
    code = "not_found"
    status = 404


class InvalidRequest(CadenzaError):
    code = "invalid_request"
    status = 422


class InvalidDelivery(CadenzaError):
    """A delivery (upload, folder, zip) that cannot be ingested as given."""

    code = "invalid_delivery"
    status = 422


class Conflict(CadenzaError):
    code = "conflict"
    status = 409


class Unauthorized(CadenzaError):
    code = "unauthorized"
    status = 401


class TooManyAttempts(CadenzaError):
    """Slow down: `retry_after` seconds until the next attempt is considered."""

    code = "too_many_attempts"
    status = 429

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DeviceSwapLimit(TooManyAttempts):
    """Too many new download devices in 30 days: one frees up after `retry_after` seconds."""

    code = "device_swap_limit"


class Forbidden(CadenzaError):
    code = "forbidden"
    status = 403


class ChallengeRequired(CadenzaError):
    """Too many failures from this address: solve the proof of work and send it with the login."""

    code = "challenge_required"
    status = 429

    def __init__(self, message: str, *, challenge: str, difficulty: int) -> None:
        super().__init__(message)
        self.challenge = challenge
        self.difficulty = difficulty


class PaymentDeclined(CadenzaError):
    """The payment provider refused the card or the charge; nothing was charged."""

    code = "payment_declined"
    status = 402
