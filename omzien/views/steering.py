"""A coordinator's private overview of their points, and the choices to reassign, move or reopen a signal."""

from __future__ import annotations

from html import escape
from typing import Any

from omzien.core.i18n import gettext as _
from omzien.views.buttons import Steer, SteerAction
from omzien.views.common import button, grid, payload, rows
from omzien.views.facts import SignalFacts
from omzien.views.group import signal_line


def steer_overview_payload(points: list[tuple[str, list[SignalFacts], list[SignalFacts]]]) -> dict[str, Any]:
    """Who holds what and how late, per point; a button per signal to steer it."""
    lines, buttons = [], []
    for point, open_signals, closed in points:
        lines.append(_("<b>{point}</b>").format(point=escape(point)))
        lines += [signal_line(s) + " · " + (escape(s.claimer) if s.claimer else _("nog niemand")) for s in open_signals]
        if not open_signals:
            lines.append(_("Niets open."))
        if closed:
            lines.append(_("Afgerond in de laatste 30 dagen: {references}").format(
                references=", ".join(s.reference for s in closed)))
        buttons += [button(s.reference, Steer(signal_id=s.id, action=SteerAction.MENU)) for s in open_signals + closed]
    lines.append(_("Tik op een signaal om het aan iemand anders te geven, te verplaatsen of te heropenen."))
    return payload("\n".join(lines), grid(buttons, 3) if buttons else None)


def steer_menu_payload(signal: SignalFacts, closed: bool) -> dict[str, Any]:
    choices = [[button(_("Heropenen"), Steer(signal_id=signal.id, action=SteerAction.REOPEN))]] if closed else [
        [button(_("Geven aan …"), Steer(signal_id=signal.id, action=SteerAction.REASSIGN))],
        [button(_("Verplaatsen naar ander signaalpunt …"), Steer(signal_id=signal.id, action=SteerAction.MOVE))]]
    return payload(signal_line(signal) + (" · " + escape(signal.claimer) if signal.claimer else ""), rows(*choices))


def workers_payload(signal: SignalFacts, workers: list[tuple[int, str]]) -> dict[str, Any]:
    if not workers:
        return payload(_("Er is nog niemand die een signaal van dit signaalpunt heeft opgepakt. Wie het eerst "
                         "oppakt, kunt u daarna kiezen."))
    buttons = [button(name, Steer(signal_id=signal.id, action=SteerAction.REASSIGN, target=worker_id))
               for worker_id, name in workers]
    return payload(_("Aan wie geeft u {reference}? Die krijgt het adres; wie het had, niet meer.").format(
        reference=signal.reference), grid(buttons, 2))


def points_payload(signal: SignalFacts, points: list[tuple[int, str]]) -> dict[str, Any]:
    buttons = [button(name, Steer(signal_id=signal.id, action=SteerAction.MOVE, target=point_id))
               for point_id, name in points]
    return payload(_("Naar welk signaalpunt gaat {reference}? Daar komt het als nieuw signaal in de groep. De "
                     "melder merkt er niets van.").format(reference=signal.reference), grid(buttons, 1))
