"""The signallers, the *eyes and ears*: who they are, when they hear a thank-you, and how they find the bot.

- **Who.** The longread names some 25 kinds of people who meet residents every day. They are asked once,
  in two taps: a group that fits on one screen, then the role in it (``ROLE_GROUPS``). *Anders* is one tap.
- **Thanks.** After the 1st, 5th and 25th report a signaller hears a warm line (``THANKED_AFTER``): no
  points, no ranking, nothing about residents.
- **Partners.** An organisation that hangs up a poster (a PostNL depot, a pharmacy) has its own start link,
  ``t.me/<bot>?start=p-<code>``; whoever starts the bot through it is counted for that partner, as a figure
  only, and never below ``SMALLEST_COUNT`` (fewer is shown as "<5").
"""

from __future__ import annotations

import secrets
from enum import StrEnum

from omzien.flows.signal import REFERENCE_ALPHABET, Role


class RoleGroup(StrEnum):
    DELIVERY = "delivery"  # bezorging
    SHOPS = "shops"  # winkel en dienstverlening
    CARE = "care"  # zorg en welzijn
    HOUSING = "housing"  # wonen
    NEIGHBOURHOOD = "buurt"
    OTHER = "other"


ROLE_GROUPS: dict[RoleGroup, tuple[Role, ...]] = {
    RoleGroup.DELIVERY: (Role.DELIVERER, Role.MEALS),
    RoleGroup.SHOPS: (Role.HAIRDRESSER, Role.BAKER, Role.SUPERMARKET, Role.SHOP),
    RoleGroup.CARE: (Role.GP, Role.PHARMACY, Role.HOME_CARE, Role.DISTRICT_NURSE, Role.WELFARE),
    RoleGroup.HOUSING: (Role.CARETAKER, Role.HOUSING, Role.MECHANIC),
    RoleGroup.NEIGHBOURHOOD: (Role.NEIGHBOUR, Role.VOLUNTEER, Role.FAMILY, Role.POLICE),
    RoleGroup.OTHER: (Role.OTHER,),
}
"""Every role in exactly one group; a group of one role is chosen with one tap."""

GROUP_OF = {role: group for group, roles in ROLE_GROUPS.items() for role in roles}


def stored_role(value: str | None) -> Role | None:
    """A role as stored on an account; a value this version does not know reads as *Anders*."""
    if value is None:
        return None
    return Role(value) if value in set(Role) else Role.OTHER


THANKED_AFTER = (1, 5, 25)
"""The reports after which a signaller is thanked: the first, when it became a habit, and when it is a lot."""


def thanked(reports_made: int) -> bool:
    return reports_made in THANKED_AFTER


PARTNER_PREFIX = "p-"
"""The start payload of a partner's link: ``p-`` and its code (Telegram allows letters, digits, _ and -)."""


def new_partner_code(length: int = 6) -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(length))


def partner_code_of(start_payload: str | None) -> str | None:
    """The partner code in ``/start p-XXXXXX``, if that is what it is."""
    if not start_payload or not start_payload.startswith(PARTNER_PREFIX):
        return None
    code = start_payload[len(PARTNER_PREFIX):].upper()
    return code if code and len(code) <= 16 and all(c in REFERENCE_ALPHABET for c in code) else None


def start_link(bot_username: str, start_payload: str | None = None) -> str:
    """The link that opens a chat with the bot (and sends ``/start payload`` when tapped)."""
    link = f"https://t.me/{bot_username.lstrip('@')}"
    return f"{link}?start={start_payload}" if start_payload else link


def partner_link(bot_username: str, code: str) -> str:
    return start_link(bot_username, PARTNER_PREFIX + code)


SMALLEST_COUNT = 5
"""Figures below this are shown as "<5": a small count can point to a person."""


def shown_count(count: int) -> str:
    return "0" if count == 0 else f"<{SMALLEST_COUNT}" if count < SMALLEST_COUNT else str(count)
