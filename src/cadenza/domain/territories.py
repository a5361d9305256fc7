"""Where a release may be heard: ISO 3166-1 country codes, or everywhere."""

from __future__ import annotations

from cadenza.domain.errors import InvalidDelivery

WORLDWIDE = "WORLDWIDE"

# ISO 3166-1 alpha-2, officially assigned codes (plus XK, used by the industry for Kosovo).
ISO_COUNTRIES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ
    BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR
    CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU
    ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ
    LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF
    PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI
    SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR
    TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW
    """.split()  # noqa: SIM905
)


def parse_territories(codes: list[str] | str | None) -> tuple[str, ...]:
    """ISO country codes, or WORLDWIDE. An unknown code is refused, never silently dropped."""
    if codes is None:
        return (WORLDWIDE,)
    items = codes.replace(",", " ").split() if isinstance(codes, str) else list(codes)
    cleaned = [str(c).strip().upper() for c in items if str(c).strip()]
    if not cleaned or WORLDWIDE in cleaned or "WW" in cleaned:
        return (WORLDWIDE,)
    unknown = sorted({c for c in cleaned if c not in ISO_COUNTRIES})
    if unknown:
        raise InvalidDelivery(
            f"unknown territory code(s): {', '.join(unknown)} (use ISO 3166-1 alpha-2 or WORLDWIDE)",
            code="unknown_territory",
        )
    return tuple(sorted(set(cleaned)))


def available_in(territories: tuple[str, ...], country: str | None) -> bool:
    if WORLDWIDE in territories:
        return True
    return country is not None and country.upper() in territories
