"""`cadenza ads list | create-campaign`: campaigns, for operators; and the demo's campaign."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cadenza.cli_console import err
from cadenza.domain.errors import CadenzaError

# The app is built inside each command, and the ads' rules imported there: `cadenza --help` and
# every other command start at once.
if TYPE_CHECKING:
    from cadenza.bootstrap import App
    from cadenza.domain.ads import CampaignTerms

ads = typer.Typer(help="Advertisers' campaigns, for operators.", no_args_is_help=True)

DEMO_ADVERTISER = "advertiser@demo.cadenza.localhost"


@ads.command("list")
def ads_list() -> None:
    """Every campaign: id, advertiser, name, status, flight, CPM, budget, spent, impressions."""
    from cadenza.bootstrap import bootstrap
    from cadenza.domain.ads import cents_text

    app = bootstrap()
    try:
        emails = {a.id: a.email for a in app.accounts.all_accounts(limit=100_000)}
        for c in app.ad_campaigns.all_campaigns():
            t = c.terms
            owner = emails.get(c.advertiser_id or 0, "-")
            typer.echo(
                f"{c.id}\t{owner}\t{t.name}\t{c.status.value}\t{t.starts_on}..{t.ends_on}\t"
                f"cpm {t.cpm_cents}c\tbudget {t.budget_cents}c\t"
                f"spent {cents_text(c.spent_millicents)}c\t{c.impressions} impressions"
            )
    finally:
        app.close()


@ads.command("create-campaign")
def create_campaign(
    advertiser: Annotated[str, typer.Argument(help="The advertiser account's e-mail")],
    name: Annotated[str, typer.Option(help="Campaign name")],
    audio: Annotated[Path, typer.Option(help="The creative: 15 to 30 s of audio")],
    image: Annotated[Path, typer.Option(help="Companion image, JPEG or PNG, 640 px or more")],
    click_url: Annotated[str, typer.Option(help="Where a click on the ad leads")],
    budget_cents: Annotated[int, typer.Option(help="Total budget in cents")],
    cpm_cents: Annotated[int, typer.Option(help="Price per 1000 impressions in cents")],
    starts: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD (today)")] = None,
    ends: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD (in 30 days)")] = None,
    country: Annotated[list[str] | None, typer.Option(help="Target country (repeat)")] = None,
    genre: Annotated[list[str] | None, typer.Option(help="Target genre (repeat)")] = None,
    min_age: Annotated[int | None, typer.Option(help="Youngest listener")] = None,
    max_age: Annotated[int | None, typer.Option(help="Oldest listener")] = None,
    frequency_cap: Annotated[int, typer.Option(help="Ads per listener per day")] = 3,
) -> None:
    """Create a campaign for an advertiser account (made with `users create --role advertiser`)."""
    today = datetime.now(UTC).date()
    from cadenza.bootstrap import bootstrap
    from cadenza.domain.ads import CampaignTerms, Targeting

    app = bootstrap()
    try:
        terms = CampaignTerms(
            name=name,
            click_url=click_url,
            targeting=Targeting(frozenset(country or ()), min_age, max_age, frozenset(genre or ())),
            starts_on=date.fromisoformat(starts) if starts else today,
            ends_on=date.fromisoformat(ends) if ends else today + timedelta(days=30),
            budget_cents=budget_cents,
            cpm_cents=cpm_cents,
            frequency_cap=frequency_cap,
        )
        made = _create(app, advertiser, terms, audio, image.read_bytes())
    except (CadenzaError, ValueError, OSError) as exc:
        err.print(f"[red]refused[/]: {getattr(exc, 'message', exc)}")
        raise typer.Exit(2) from None
    finally:
        app.close()
    typer.echo(f"{made}\t{name}")


def _create(app: App, email: str, terms: CampaignTerms, audio: Path, image: bytes) -> int:
    owner = next((a for a in app.accounts.all_accounts(limit=100_000) if a.email == email), None)
    if owner is None:
        raise ValueError(f"no account for {email}")
    return app.ad_campaigns.create(owner.id, terms, audio, image).id


def demo_ads(app: App, password: str) -> None:
    """The demo advertiser and one campaign for everyone, with a synthesised jingle; made once."""
    from cadenza.domain.accounts import Role

    known = {a.email: a for a in app.accounts.all_accounts(limit=100_000)}
    advertiser = known.get(DEMO_ADVERTISER) or app.accounts.create(
        DEMO_ADVERTISER, password, roles=[Role.ADVERTISER]
    )
    if not app.ad_campaigns.campaigns(advertiser.id):
        _make_demo_campaign(app)


def _make_demo_campaign(app: App) -> None:
    from cadenza.demo.ads import write_demo_ad
    from cadenza.domain.ads import CampaignTerms, Targeting

    audio, image = write_demo_ad(app.settings.data_dir / "demo-ads")
    today = datetime.now(UTC).date()
    terms = CampaignTerms(
        name="Cadenza Plus: on demand for 0.99",
        click_url="https://cadenza.localhost/plus",
        targeting=Targeting(),
        starts_on=today,
        ends_on=today + timedelta(days=365),
        budget_cents=100_000,
        cpm_cents=500,
        frequency_cap=20,
    )
    _create(app, DEMO_ADVERTISER, terms, audio, image.read_bytes())
