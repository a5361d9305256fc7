"""Plans and subscriptions: offers, the listener's plan, cards, invoices, and payment webhooks."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Header, Path, Query, Request, status
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from cadenza.api.deps import AccountsDep, CurrentSession, Id, PricesDep, SubscriptionsDep
from cadenza.api.request_body import RequestBody
from cadenza.domain.plans import Period, Plan, PlanFeatures, Price
from cadenza.domain.subscriptions import Invoice, PaymentMethod, Subscription
from cadenza.ports.payments import CardDetails

router = APIRouter(prefix="/api/v1", tags=["plans"])
pages = APIRouter(tags=["plans"], include_in_schema=False)


class FeaturesOut(BaseModel):
    accounts: int
    ads: bool
    on_demand: bool
    skips_per_hour: int | None
    max_quality: str
    qualities: list[str]
    offline_devices: int
    offline_tracks_per_device: int
    radio: bool
    daily_mix: bool
    group_mix: str | None

    @classmethod
    def of(cls, f: PlanFeatures) -> FeaturesOut:
        return cls(
            accounts=f.accounts,
            ads=f.ads,
            on_demand=f.on_demand,
            skips_per_hour=f.skips_per_hour,
            max_quality=f.max_quality.value,
            qualities=[q.value for q in f.qualities],
            offline_devices=f.offline_devices,
            offline_tracks_per_device=f.offline_tracks_per_device,
            radio=f.radio,
            daily_mix=f.daily_mix,
            group_mix=f.group_mix,
        )


class OfferOut(BaseModel):
    plan: Plan
    period: Period
    price_cents: int
    currency: str
    label: str
    features: FeaturesOut

    @classmethod
    def of(cls, p: Price) -> OfferOut:
        return cls(
            plan=p.plan,
            period=p.period,
            price_cents=p.cents,
            currency=p.currency,
            label=p.label,
            features=FeaturesOut.of(p.plan.features),
        )


class SubscriptionOut(BaseModel):
    id: int
    plan: Plan
    period: Period
    status: str
    manager: bool
    period_start: datetime
    period_end: datetime
    renews: bool
    cancel_at_period_end: bool
    next_plan: Plan | None
    price_cents: int
    currency: str
    members: int
    complimentary: bool
    next_retry_at: datetime | None

    @classmethod
    def of(cls, s: Subscription, manager: bool) -> SubscriptionOut:
        return cls(
            id=s.id,
            plan=s.plan,
            period=s.period,
            status=s.status.value,
            manager=manager,
            period_start=s.period_start,
            period_end=s.period_end,
            renews=s.renews,
            cancel_at_period_end=s.cancel_at_period_end,
            next_plan=s.next_plan,
            price_cents=s.price_cents if manager else 0,
            currency=s.currency,
            members=s.members,
            complimentary=s.complimentary,
            next_retry_at=s.next_retry_at if manager else None,
        )


class CardOut(BaseModel):
    brand: str
    last4: str
    exp_month: int
    exp_year: int

    @classmethod
    def of(cls, m: PaymentMethod) -> CardOut:
        return cls(brand=m.brand, last4=m.last4, exp_month=m.exp_month, exp_year=m.exp_year)


class MyPlanOut(BaseModel):
    plan: Plan
    features: FeaturesOut
    subscription: SubscriptionOut | None
    payment_method: CardOut | None
    warning: str | None = None


class CheckoutOut(BaseModel):
    subscription: SubscriptionOut
    confirm_url: str | None = Field(
        None, description="Where the listener confirms the payment, when the bank asks"
    )


class CardIn(RequestBody):
    number: str = Field(min_length=12, max_length=23)
    exp_month: int = Field(ge=1, le=12)
    exp_year: int = Field(ge=2000, le=2100)
    cvc: str = Field(pattern=r"^\d{3,4}$")


class SubscribeIn(RequestBody):
    plan: Plan
    period: Period = Period.MONTH


class ChangePlanIn(RequestBody):
    plan: Plan
    period: Period | None = None


class InvoiceOut(BaseModel):
    id: int
    number: str
    kind: str
    plan: Plan
    period_start: datetime
    period_end: datetime
    amount_cents: int
    currency: str
    status: str
    description: str
    created_at: datetime
    paid_at: datetime | None

    @classmethod
    def of(cls, i: Invoice) -> InvoiceOut:
        return cls(
            id=i.id,
            number=i.number,
            kind=i.kind.value,
            plan=i.plan,
            period_start=i.period_start,
            period_end=i.period_end,
            amount_cents=i.cents,
            currency=i.currency,
            status=i.status.value,
            description=i.description,
            created_at=i.created_at,
            paid_at=i.paid_at,
        )


@router.get("/plans", response_model=list[OfferOut])
def plans(
    prices: PricesDep,
    country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
) -> list[OfferOut]:
    """Every plan offered in a market (the default market without a country), with its price."""
    return [OfferOut.of(p) for p in prices.offers(country)]


def _my_plan(accounts: AccountsDep, subscriptions: SubscriptionsDep, account_id: int) -> MyPlanOut:
    account = accounts.profile(account_id)
    plan = Plan(account.plan)
    sub, manager = subscriptions.current(account_id)
    method = subscriptions.payment_method(account_id)
    warning = None
    if sub is not None and sub.status.value == "past_due" and manager:
        warning = "your last payment was declined: update your card to keep your plan"
    return MyPlanOut(
        plan=plan,
        features=FeaturesOut.of(plan.features),
        subscription=SubscriptionOut.of(sub, manager) if sub else None,
        payment_method=CardOut.of(method) if method else None,
        warning=warning,
    )


@router.get("/me/plan", response_model=MyPlanOut)
def my_plan(
    session: CurrentSession, accounts: AccountsDep, subscriptions: SubscriptionsDep
) -> MyPlanOut:
    """The plan I listen on, what it includes, and the subscription behind it."""
    return _my_plan(accounts, subscriptions, session.account_id)


@router.put("/me/payment-method", response_model=CardOut)
def add_card(body: CardIn, session: CurrentSession, subscriptions: SubscriptionsDep) -> CardOut:
    """Add (or replace) the card plans are billed to. The number is never stored here."""
    card = CardDetails(body.number, body.exp_month, body.exp_year, body.cvc)
    return CardOut.of(subscriptions.add_card(session.account_id, card))


@router.delete("/me/payment-method", status_code=status.HTTP_204_NO_CONTENT)
def remove_card(session: CurrentSession, subscriptions: SubscriptionsDep) -> None:
    subscriptions.remove_card(session.account_id)


@router.post("/me/subscription", response_model=CheckoutOut, status_code=201)
def subscribe(
    body: SubscribeIn, session: CurrentSession, subscriptions: SubscriptionsDep
) -> CheckoutOut:
    """Start a plan: a free Premium month the first time (one per person and card)."""
    checkout = subscriptions.subscribe(session.account_id, body.plan, body.period)
    return CheckoutOut(
        subscription=SubscriptionOut.of(checkout.subscription, True),
        confirm_url=checkout.confirm_url,
    )


@router.patch("/me/subscription", response_model=CheckoutOut)
def change_plan(
    body: ChangePlanIn, session: CurrentSession, subscriptions: SubscriptionsDep
) -> CheckoutOut:
    """Upgrade at once (the rest of the period prorated) or downgrade at the period's end."""
    checkout = subscriptions.change_plan(session.account_id, body.plan, body.period)
    return CheckoutOut(
        subscription=SubscriptionOut.of(checkout.subscription, True),
        confirm_url=checkout.confirm_url,
    )


@router.post("/me/subscription/cancel", response_model=SubscriptionOut)
def cancel(session: CurrentSession, subscriptions: SubscriptionsDep) -> SubscriptionOut:
    """Stop renewing; the plan lasts to the end of the paid period."""
    return SubscriptionOut.of(subscriptions.cancel(session.account_id), True)


@router.post("/me/subscription/resume", response_model=SubscriptionOut)
def resume(session: CurrentSession, subscriptions: SubscriptionsDep) -> SubscriptionOut:
    return SubscriptionOut.of(subscriptions.resume(session.account_id), True)


@router.get("/me/invoices", response_model=list[InvoiceOut])
def invoices(session: CurrentSession, subscriptions: SubscriptionsDep) -> list[InvoiceOut]:
    return [InvoiceOut.of(i) for i in subscriptions.invoices(session.account_id)]


@router.get("/me/invoices/{invoice_id}", response_model=InvoiceOut)
def invoice(invoice_id: Id, session: CurrentSession, subscriptions: SubscriptionsDep) -> InvoiceOut:
    return InvoiceOut.of(subscriptions.invoice(session.account_id, invoice_id))


@router.get("/me/invoices/{invoice_id}/document", response_class=HTMLResponse)
def invoice_document(
    invoice_id: Id, session: CurrentSession, subscriptions: SubscriptionsDep, accounts: AccountsDep
) -> Response:
    """The invoice as a printable HTML document, to download."""
    found = subscriptions.invoice(session.account_id, invoice_id)
    account = accounts.profile(session.account_id)
    return HTMLResponse(
        _invoice_html(found, account.display_name, account.email),
        headers={"content-disposition": f'attachment; filename="{found.number}.html"'},
    )


@router.post("/payments/webhook", include_in_schema=False)
async def webhook(
    request: Request,
    subscriptions: SubscriptionsDep,
    cadenza_signature: Annotated[str, Header(max_length=300)],
) -> dict[str, str]:
    """The payment provider's events, signed. Repeats and out-of-order events change nothing."""
    body = await request.body()
    return {"outcome": subscriptions.handle_event(body[:65536], cadenza_signature)}


@pages.get("/payments/local/confirm/{charge_id}", response_class=HTMLResponse)
def confirm_page(
    charge_id: Annotated[str, Path(max_length=100)], subscriptions: SubscriptionsDep
) -> HTMLResponse:
    """The local provider's stand-in for a bank's 3-D Secure page."""
    cents, currency, reference = subscriptions.awaiting_confirmation(charge_id)
    safe = html.escape(charge_id)
    return HTMLResponse(
        f"<!doctype html><title>Confirm payment</title><h1>Confirm {cents / 100:.2f} {currency}"
        f"</h1><p>For {html.escape(reference)}.</p>"
        f'<form method="post"><button name="approve" value="true">Confirm</button>'
        f'<button name="approve" value="false">Refuse</button></form><!-- {safe} -->'
    )


@pages.post("/payments/local/confirm/{charge_id}", response_class=HTMLResponse)
def confirm(
    charge_id: Annotated[str, Path(max_length=100)],
    subscriptions: SubscriptionsDep,
    approve: Annotated[bool, Form()] = True,
) -> HTMLResponse:
    outcome = subscriptions.answer_confirmation(charge_id, approve=approve)
    word = "confirmed" if approve else "refused"
    return HTMLResponse(
        f"<!doctype html><title>Payment {word}</title><p>Payment {word} ({outcome})."
    )


def _invoice_html(i: Invoice, name: str, email: str) -> str:
    e = html.escape
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Invoice {e(i.number)}</title></head><body>
<h1>Invoice {e(i.number)}</h1>
<p>Cadenza<br>Billed to: {e(name)} &lt;{e(email)}&gt;</p>
<p>Issued {i.created_at.date()} &middot; Status: {e(i.status.value)}</p>
<table border="1" cellpadding="6"><tr><th>Description</th><th>Period</th><th>Amount</th></tr>
<tr><td>{e(i.description)}</td><td>{i.period_start.date()} to {i.period_end.date()}</td>
<td>{i.cents / 100:.2f} {e(i.currency)}</td></tr></table>
<p><strong>Total: {i.cents / 100:.2f} {e(i.currency)}</strong>
{f"(paid {i.paid_at.date()})" if i.paid_at else ""}</p>
</body></html>
"""
