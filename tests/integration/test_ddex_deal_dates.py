"""A DDEX release starts in each territory on its own deal's date and leaves a territory when
that deal's end date has passed, by the deal clock, without another message; when its last deal
has ended it is taken down (its history kept), and a new message with a current deal brings it
back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cadenza.bootstrap import App
from cadenza.domain.catalog import Viewer
from tests.e2e.royalty_helpers import FixedClock
from tests.fixtures.ddex import HERE, stage
from tests.integration.test_ingest_ddex import NOW, run

DEAL = """<Deal>
        <DealTerms>
          <CommercialModelType>AdvertisementSupportedModel</CommercialModelType>
          <Usage><UseType>OnDemandStream</UseType></Usage>
          <TerritoryCode>{territory}</TerritoryCode>
          <ValidityPeriod>{dates}</ValidityPeriod>
        </DealTerms>
      </Deal>"""


def message(deals: list[tuple[str, str, str | None]]) -> str:
    """01_delivery.xml with these deals (territory, start date, end date or None)."""
    text = (HERE / "01_delivery.xml").read_text()
    start, end = text.index("<Deal>"), text.rindex("</Deal>") + len("</Deal>")
    made = [
        DEAL.format(
            territory=territory,
            dates=f"<StartDate>{first}</StartDate>"
            + (f"<EndDate>{last}</EndDate>" if last else ""),
        )
        for territory, first, last in deals
    ]
    return text[:start] + "\n      ".join(made) + text[end:]


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def seen(app: App, release_id: int, country: str, day: str) -> bool:
    with app.uow() as uow:
        release = uow.catalog.release(release_id)
    assert release is not None
    return release.visible_to(Viewer(country=country, now=at(day)))


def test_each_territory_starts_on_its_date_and_an_end_date_is_kept(
    app: App, tmp_path: Path
) -> None:
    app.deal_clock.clock = FixedClock(NOW)
    deals = [("FR", "2026-12-10", None), ("DE", "2026-12-20", "2027-01-31")]
    report = run(app, stage("01_delivery.xml", tmp_path / "b1", text=message(deals))).as_json()
    (answer,) = report["messages"]
    assert answer["status"] == "published", answer
    assert "warnings" not in answer  # the end date is scheduled, nothing to warn about
    release_id = report["release_id"]
    with app.uow() as uow:
        release = uow.catalog.release(release_id)
    assert release is not None
    assert release.release_at == at("2026-12-10")  # the first deal's start
    assert release.territories == ("FR",)
    assert not seen(app, release_id, "FR", "2026-12-09")
    assert seen(app, release_id, "FR", "2026-12-10")

    assert app.deal_clock.run(at("2026-12-19T23:59")) == 0  # nothing due yet
    assert not seen(app, release_id, "DE", "2026-12-19T23:59")
    assert app.deal_clock.run(at("2026-12-20T00:01")) == 1  # Germany's deal starts
    assert seen(app, release_id, "DE", "2026-12-20T00:01") and seen(
        app, release_id, "FR", "2026-12-21"
    )
    assert app.deal_clock.run(at("2027-01-31T23:00")) == 0  # its last day still holds
    assert seen(app, release_id, "DE", "2027-01-31T23:00")
    assert app.deal_clock.run(at("2027-02-01T00:05")) == 1  # ended: out of Germany only
    assert not seen(app, release_id, "DE", "2027-02-01T00:05")
    assert seen(app, release_id, "FR", "2027-02-01T00:05")

    # An update ends France too: after its end date, the release is taken down, history kept.
    again = message([("FR", "2026-12-10", "2027-02-28")])
    app.deal_clock.clock = FixedClock(at("2027-02-02"))
    updated = run(app, stage("01_delivery.xml", tmp_path / "b2", text=again)).as_json()
    assert updated["messages"][0]["status"] == "published"
    assert app.deal_clock.run(at("2027-03-01T00:01")) == 1
    with app.uow() as uow:
        down = uow.catalog.release(release_id)
        history = uow.takedowns.takedown_history(release_id)
    assert down is not None and down.taken_down_at is not None and len(down.tracks) == 1
    assert history[0].action == "taken_down" and "every deal has ended" in (history[0].reason or "")
    assert app.deal_clock.run(at("2027-06-01")) == 0  # nothing left to do for it

    back = run(
        app, stage("01_delivery.xml", tmp_path / "b3", text=message([("FR", "2026-12-10", None)]))
    )
    assert back.as_json()["messages"][0]["status"] == "published"
    assert seen(app, release_id, "FR", "2027-06-01")
