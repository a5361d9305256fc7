"""Sign-in with an OpenID provider (Google, a company's own...) beside e-mail and password.

The provider's identity (issuer's name + subject) signs in to the account it is linked to. The
first time, an account with the same e-mail address is linked only when the provider says the
address is verified AND the listener confirms on a page of ours; an unverified address never
reaches an existing account (no takeover by someone who merely typed the address at the
provider). With no account at that address, a new one is made."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from cadenza.domain.accounts import ACCESS_TOKEN_TTL, REFRESH_TOKEN_TTL, AuditEvent
from cadenza.domain.errors import InvalidRequest, NotFound, Unauthorized
from cadenza.domain.mail import normalise_email
from cadenza.domain.scopes import ExternalIdentity, IdClaims, OidcProvider
from cadenza.ports.clock import Clock
from cadenza.ports.oauth import OpenIdClient
from cadenza.ports.passwords import PasswordHasher
from cadenza.ports.two_factor import Totp
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.access_tokens import AccessTokens, new_secret_token, token_hash
from cadenza.services.sessions import SecondFactorRequired, TokenPair
from cadenza.services.two_factor import spend_second_factor

STEP_TTL = timedelta(minutes=10)
MAX_CODE_TRIES = 5  # a second-factor code typed wrong this often ends the sign-in
DEVICE_NAME = "Web player (signed in with {})"


@dataclass(frozen=True)
class SignedIn:
    tokens: TokenPair
    next: str


@dataclass(frozen=True)
class LinkNeeded:
    """A verified address that has an account: the listener must confirm linking. Or
    (`link` False) a linked account with two-factor on: the listener types its code."""

    ticket: str
    provider: str
    email: str
    next: str
    link: bool = True


@dataclass(frozen=True)
class Linked:
    """An identity linked from the account page (the listener was signed in already)."""

    provider: str


def parse_providers(text: str | None) -> list[OidcProvider]:
    """The operator's CADENZA_OIDC_PROVIDERS (a JSON list)."""
    if not text:
        return []
    found: list[OidcProvider] = []
    for item in json.loads(text):
        name = str(item["name"])
        if not name.isascii() or not name.replace("-", "").isalnum() or len(name) > 40:
            raise ValueError(f"an OpenID provider's name is letters, digits and -: {name!r}")
        found.append(
            OidcProvider(
                name=name,
                display_name=str(item.get("display_name") or name)[:60],
                issuer=str(item["issuer"]),
                client_id=str(item["client_id"]),
                client_secret=str(item.get("client_secret") or ""),
                scopes=str(item.get("scopes") or "openid email profile"),
            )
        )
    return found


class ExternalSignIn:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        tokens: AccessTokens,
        hasher: PasswordHasher,
        relying_party: OpenIdClient,
        providers: list[OidcProvider],
        public_url: str,
        default_country: str,
        totp: Totp,
    ) -> None:
        self.uow, self.clock, self.tokens, self.hasher = uow, clock, tokens, hasher
        self.totp = totp
        self.rp = relying_party
        self.providers = {p.name: p for p in providers}
        self.public_url = public_url.rstrip("/")
        self.default_country = default_country

    def listed(self) -> list[OidcProvider]:
        return list(self.providers.values())

    def redirect_uri(self, name: str) -> str:
        return f"{self.public_url}/api/v1/auth/oidc/{name}/callback"

    def start(
        self, name: str, next_path: str, linking_account: int | None = None
    ) -> tuple[str, str]:
        """The provider's authorization URL, and the state the browser must bring back (the
        route also keeps it in a cookie: a sign-in started in another browser fails). With
        `linking_account`, the identity is linked to that signed-in account instead."""
        from authlib.oauth2.rfc7636 import create_s256_code_challenge

        provider = self._provider(name)
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        data = {"nonce": nonce, "verifier": verifier, "next": _local(next_path)}
        if linking_account is not None:
            data["linking"] = str(linking_account)
        with self.uow() as uow:
            uow.oauth.identities.add_step(
                "state", token_hash(state), name, data, self.clock.now() + STEP_TTL
            )
            uow.commit()
        url = self.rp.authorization_url(
            provider, self.redirect_uri(name), state, nonce, create_s256_code_challenge(verifier)
        )
        return url, state

    def finish(
        self, name: str, code: str, state: str, browser_state: str | None, ip: str | None
    ) -> SignedIn | LinkNeeded | Linked:
        provider = self._provider(name)
        if not browser_state or not secrets.compare_digest(state, browser_state):
            raise Unauthorized(
                "this sign-in was started in another browser or has expired; start again",
                code="external_state_mismatch",
            )
        with self.uow() as uow:
            step = uow.oauth.identities.take_step("state", token_hash(state), self.clock.now())
            uow.commit()
        if step is None or step[0] != name:
            raise Unauthorized(
                "this sign-in has expired or was used; start again", code="external_state_mismatch"
            )
        data = step[1]
        claims = self.rp.exchange(
            provider, code, data["verifier"], self.redirect_uri(name), data["nonce"]
        )
        if "linking" in data:
            return self._link_signed_in(provider, claims, int(data["linking"]), ip)
        return self._arrive(provider, claims, data["next"], ip)

    def confirm_link(self, ticket: str, ip: str | None, code: str | None = None) -> SignedIn:
        """The listener confirmed linking (or, for an account with two-factor on, typed its
        code): link if asked, and sign in."""
        now = self.clock.now()
        with self.uow() as uow:
            step = uow.oauth.identities.take_step("link", token_hash(ticket), now)
            if step is None:
                raise InvalidRequest(
                    "this link request has expired; sign in again", code="invalid_link"
                )
            name, data = step
            account_id = int(data["account_id"])
            creds = uow.accounts.credentials(account_id)
            two_factor = creds is not None and creds.totp_secret is not None
            if (
                creds is not None
                and two_factor
                and not spend_second_factor(uow, self.totp, creds, code or "", now)
            ):
                tries = int(data.get("tries", "0")) + (1 if code else 0)
                if tries < MAX_CODE_TRIES:  # the same ticket, one try fewer
                    uow.oauth.identities.add_step(
                        "link",
                        token_hash(ticket),
                        name,
                        data | {"tries": str(tries)},
                        now + STEP_TTL,
                    )
                uow.commit()
                if code:
                    raise Unauthorized("the two-factor code is not right", code="invalid_totp")
                raise SecondFactorRequired(
                    "enter the code from your authenticator app", code="totp_required"
                )
            if data.get("link") != "0":
                uow.oauth.identities.link(name, data["subject"], account_id, data["email"], now)
                uow.audit.add(account_id, self._event("external_identity_linked", ip, name))
            uow.commit()
        return SignedIn(self._session(account_id, self._provider(name), ip), data["next"])

    def identities(self, account_id: int) -> list[ExternalIdentity]:
        with self.uow() as uow:
            return uow.oauth.identities.identities_of(account_id)

    def unlink(self, account_id: int, name: str) -> None:
        with self.uow() as uow:
            if not uow.oauth.identities.unlink(account_id, name[:40]):
                raise NotFound("no such sign-in method on this account", code="not_linked")
            uow.audit.add(account_id, self._event("external_identity_unlinked", None, name))
            uow.commit()

    # -- helpers ---------------------------------------------------------------------------
    def _arrive(
        self, provider: OidcProvider, claims: IdClaims, next_path: str, ip: str | None
    ) -> SignedIn | LinkNeeded:
        now = self.clock.now()
        with self.uow() as uow:
            known = uow.oauth.identities.identity(provider.name, claims.subject)
        if known is not None:
            if self._two_factor(known.account_id):
                return self._ticket(provider, claims, known.account_id, next_path, link=False)
            return SignedIn(self._session(known.account_id, provider, ip), next_path)
        if claims.email is None:
            raise Unauthorized(
                f"{provider.display_name} did not share an e-mail address; allow it and retry",
                code="external_email_missing",
            )
        email = normalise_email(claims.email)
        with self.uow() as uow:
            existing = uow.accounts.id_by_email(email)
            if existing is not None:
                if not claims.email_verified:
                    raise Unauthorized(
                        f"{provider.display_name} has not verified this e-mail address, which "
                        "has an account here: log in with your password, then link "
                        f"{provider.display_name} from your account page",
                        code="external_email_unverified",
                    )
                return self._ticket(provider, claims, existing, next_path, link=True)
            # An unusable password: the owner can set one with "forgot password" later.
            unusable = self.hasher.hash(secrets.token_urlsafe(32))
            name = (claims.name or email.split("@")[0]).strip()[:100] or "Listener"
            account_id = uow.accounts.add(
                email, unusable, name, self.default_country, date(2000, 1, 1)
            )
            if account_id is None:  # an account made meanwhile at this address
                raise Unauthorized("sign in again", code="external_sign_in_failed")
            if claims.email_verified:
                uow.accounts.mark_verified(account_id, now)
            uow.oauth.identities.link(provider.name, claims.subject, account_id, email, now)
            uow.audit.add(account_id, self._event("signed_up_external", ip, provider.name))
            uow.commit()
        return SignedIn(self._session(account_id, provider, ip), next_path)

    def _ticket(
        self,
        provider: OidcProvider,
        claims: IdClaims,
        account_id: int,
        next_path: str,
        *,
        link: bool,
    ) -> LinkNeeded:
        ticket = new_secret_token()
        email = normalise_email(claims.email) if claims.email else ""
        with self.uow() as uow:
            uow.oauth.identities.add_step(
                "link",
                token_hash(ticket),
                provider.name,
                {
                    "account_id": str(account_id),
                    "subject": claims.subject,
                    "email": email,
                    "next": next_path,
                    "link": "1" if link else "0",
                },
                self.clock.now() + STEP_TTL,
            )
            uow.commit()
        return LinkNeeded(ticket, provider.display_name, email, next_path, link)

    def _two_factor(self, account_id: int) -> bool:
        with self.uow() as uow:
            creds = uow.accounts.credentials(account_id)
        return creds is not None and creds.totp_secret is not None

    def _link_signed_in(
        self, provider: OidcProvider, claims: IdClaims, account_id: int, ip: str | None
    ) -> Linked:
        email = normalise_email(claims.email) if claims.email else None
        with self.uow() as uow:
            known = uow.oauth.identities.identity(provider.name, claims.subject)
            if known is not None and known.account_id != account_id:
                raise Unauthorized(
                    f"this {provider.display_name} account signs in to another Cadenza account",
                    code="external_identity_taken",
                )
            if known is None:
                uow.oauth.identities.link(
                    provider.name, claims.subject, account_id, email, self.clock.now()
                )
                uow.audit.add(
                    account_id, self._event("external_identity_linked", ip, provider.name)
                )
            uow.commit()
        return Linked(provider.display_name)

    def _session(self, account_id: int, provider: OidcProvider, ip: str | None) -> TokenPair:
        now = self.clock.now()
        refresh = new_secret_token()
        with self.uow() as uow:
            creds = uow.accounts.credentials(account_id)
            if creds is None or creds.disabled or creds.locked:
                raise Unauthorized(
                    "this account cannot sign in; see the e-mail we sent you",
                    code="account_unavailable",
                )
            device = DEVICE_NAME.format(provider.display_name)[:100]
            device_id = uow.sessions.save_device(
                account_id, token_hash(new_secret_token()), device, None, now
            )
            session_id = uow.sessions.start_session(
                account_id,
                device_id,
                token_hash(refresh),
                now,
                now + REFRESH_TOKEN_TTL,
                creds.version,
            )
            uow.audit.add(account_id, AuditEvent("logged_in", now, ip, device))
            uow.commit()
        access = self.tokens.issue(account_id, session_id, now + ACCESS_TOKEN_TTL)
        return TokenPair(access, refresh, int(ACCESS_TOKEN_TTL.total_seconds()))

    def _provider(self, name: str) -> OidcProvider:
        provider = self.providers.get(name)
        if provider is None:
            raise NotFound("no such sign-in provider", code="unknown_provider")
        return provider

    def _event(self, kind: str, ip: str | None, provider: str) -> AuditEvent:
        return AuditEvent(kind, self.clock.now(), ip, provider[:100])


def _local(path: str) -> str:
    """Only a path on this server: never an open redirect."""
    path = path[:500]
    return path if path.startswith("/") and not path.startswith(("//", "/\\")) else "/"
