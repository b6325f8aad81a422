"""What every view needs: the payload, times in a point's time zone, buttons, and the private menu."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date

from omzien.core.i18n import get_i18n
from omzien.core.i18n import gettext as _
from omzien.core.i18n import lazy_gettext as __
from omzien.flows.signal import Observation
from omzien.flows.signallers import ROLE_GROUPS, RoleGroup
from omzien.views import texts
from omzien.views.buttons import ForgetMe, IntentChoice, RoleChoice, RoleGroupChoice
from omzien.views.callback_data import CallbackData

Button = dict[str, str]
"""An inline button as the Bot API takes it: ``{"text": …, "callback_data": …}``."""
Keyboard = dict[str, Any]
"""A ``reply_markup`` as the Bot API takes it: ``{"inline_keyboard": [[button, …], …]}``, or a reply
keyboard ``{"keyboard": …}``. Plain data, so a view renders without aiogram (the command line renders too)."""


def payload(text: str, markup: Keyboard | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"text": text, "parse_mode": "HTML"}
    if markup is not None:
        data["reply_markup"] = markup
    return data


def locale() -> str:
    return get_i18n().current_locale


def when(moment: datetime, time_zone: str) -> str:
    """"di 24 nov 10:30" on the wall clock of ``time_zone`` (a point's), in the current language: Babel's
    "EEE d MMM HH:mm", with its names looked up once per language (an overview shows many moments)."""
    days, months = _short_names(locale())
    local = moment.astimezone(ZoneInfo(time_zone))
    return f"{days[local.weekday()]} {local.day} {months[local.month]} {local.hour:02}:{local.minute:02}"


@cache
def _short_names(language: str) -> tuple[Mapping[int, str], Mapping[int, str]]:
    """Plain dicts: Babel's own look every key up through its aliases."""
    names = Locale.parse(language)
    return dict(names.days["format"]["abbreviated"]), dict(names.months["format"]["abbreviated"])


def button(text: str, data: CallbackData) -> Button:
    return {"text": text, "callback_data": data.pack()}


def grid(buttons: list[Button], width: int, *rows: list[Button]) -> Keyboard:
    """``buttons`` ``width`` to a row, then each of ``rows`` as a row of its own (split at Telegram's ``MAX_ROW``)."""
    lines = [buttons[at:at + width] for at in range(0, len(buttons), width)]
    for row in rows:
        lines += [row[at:at + MAX_ROW] for at in range(0, len(row), MAX_ROW)]
    return {"inline_keyboard": lines}


MAX_ROW = 8
"""Buttons in one row of an inline keyboard, at most."""


def rows(*buttons: list[Button]) -> Keyboard:
    """Each list of buttons as a row."""
    return grid([], 1, *buttons)


def menu_keyboard() -> Keyboard:
    return {"keyboard": [[{"text": str(texts.REPORT_BUTTON)}], [{"text": str(texts.FIND_BUTTON)}]],
            "is_persistent": True, "resize_keyboard": True}


def welcome_payload() -> dict[str, Any]:
    """The first /start: what brings you here? Only someone who reports is asked who they are."""
    choices = [[button(str(label), IntentChoice(intent=intent))] for intent, label in texts.INTENTS.items()]
    return payload(_("Welkom bij Omzien. Hier geeft u door dat u zich zorgen maakt om iemand die misschien "
                     "eenzaam is. En hier vindt u wat er is tegen eenzaamheid, voor uzelf of een ander.") + "\n\n" +
                   _("Wat brengt u hier?"), rows(*choices))


def role_payload(group: RoleGroup | None = None) -> dict[str, Any]:
    if group is not None:
        return payload(_("Wie bent u? Kies wat het best past."), role_keyboard(group))
    return payload(_("Eerst één vraag, die ik onthoud: wie bent u?"), role_keyboard())


def known_role_payload(role: str) -> dict[str, Any]:
    """/start for a signaller who chose before: who they are now, and a way to change it."""
    return payload(_("U meldt als: {role}.").format(role=role),
                   rows([button(_("Iets anders kiezen"), RoleGroupChoice())]))


def worker_payload(name: str) -> dict[str, Any]:
    return payload(_("Hallo {name}. Pak je in de groep een signaal op? Dan stuur ik je hier het adres, met de "
                     "knoppen om het af te ronden.").format(name=escape(name)))


def privacy_payload() -> dict[str, Any]:
    """/privacy: what is kept, why, how long, and who sees it, in plain words."""
    return payload("\n\n".join([
        _("<b>Wat Omzien bewaart</b>"),
        _("Meldt u iemand? Dan bewaar ik de postcode en het huisnummer, wat u zag en uw toelichting. Een naam van "
          "de bewoner vraag ik niet."),
        _("Alleen de medewerker die de melding oppakt, ziet het adres en de toelichting. De groep ziet alleen de "
          "4 cijfers van de postcode."),
        _("Is de melding afgerond? Dan verdwijnen het adres en de toelichting na 90 dagen. Een signaalpunt kan "
          "een andere termijn kiezen. Wat niemand aanwijst, blijft voor de cijfers."),
        _("Vraagt u om een belletje? Dan bewaar ik uw telefoonnummer en adres op dezelfde manier."),
        _("Zoekt u aanbod? Wat u typt, bewaar ik niet. Alleen wat u koos, zonder wie u bent."),
        _("Uw naam in Telegram verdwijnt een jaar nadat u mij voor het laatst gebruikte."),
        _("Wat weet ik van u? Stuur /mijngegevens. Wilt u dat ik u vergeet? Stuur /vergeetmij."),
    ]))


STATUS_WORDS = {"unrouted": __("bewaard, nog geen signaalpunt"), "on_hold": __("een coördinator kijkt eerst mee"),
                "new": __("wacht op een medewerker"),
                "claimed": __("opgepakt"), "closed": __("afgerond")}


def my_data_payload(name: str, role: str | None, reports: list[tuple[str, datetime, str]]) -> dict[str, Any]:
    """/mijngegevens: what Omzien knows of the person asking, and their reports — nothing about the resident."""
    lines = [_("<b>Wat ik van u weet</b>"), _("Uw voornaam in Telegram: {name}").format(name=escape(name))]
    if role:
        lines.append(_("Wie u bent: {role}").format(role=role))
    if reports:
        lines.append(_("Uw meldingen:"))
        lines += [f"• {reference} · {format_date(at, 'd MMMM yyyy', locale=locale())} · {STATUS_WORDS[status]}"
                  for reference, at, status in reports]
    else:
        lines.append(_("U heeft nog niets gemeld."))
    lines.append(_("Wilt u dat ik u vergeet? Stuur /vergeetmij."))
    return payload("\n".join(lines))


def forget_question_payload() -> dict[str, Any]:
    return payload(_("Zal ik u vergeten? Uw naam verdwijnt. Wat u meldde, blijft bij het signaalpunt, maar niet meer "
                     "met uw naam. U hoort er dan ook niets meer over."),
                   rows([button(_("Ja, vergeet mij"), ForgetMe(sure=True))],
                        [button(_("Nee"), ForgetMe(sure=False))]))


def role_keyboard(group: RoleGroup | None = None) -> Keyboard:
    """The groups of signallers; in a group, its roles and the way back. A group of one role is chosen at once."""
    if group is None:
        return grid([button(str(label), RoleChoice(role=ROLE_GROUPS[one][0]) if len(ROLE_GROUPS[one]) == 1
                            else RoleGroupChoice(group=one)) for one, label in texts.ROLE_GROUPS.items()], 2)
    return grid([button(str(texts.ROLES[role]), RoleChoice(role=role)) for role in ROLE_GROUPS[group]], 2,
                [button(str(texts.BACK), RoleGroupChoice())])


def menu_text() -> str:
    return _("Maakt u zich zorgen om iemand? Tik op de knop hieronder, "
             "of typ meteen de postcode en het huisnummer (bijvoorbeeld {example}).").format(
        example=texts.EXAMPLE_ADDRESS) + "\n\n" + _(
        "Zoekt u iets tegen eenzaamheid, voor uzelf of voor een ander? Tik op „{button}”.").format(
        button=texts.FIND_BUTTON)


def observations(codes: Iterable[str]) -> str:
    return ", ".join(str(texts.OBSERVATIONS[Observation(code)]) for code in codes)
