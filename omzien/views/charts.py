"""The figures as pictures (PNG, matplotlib without a screen): the Okabe–Ito colours, which people with a
colour vision deficiency can tell apart, Dutch labels, and no count from 1 to 4: hidden parts are drawn as one
grey hatched block (what the shown total leaves), labels say "<5" or "x". Drawn with Agg: no screen needed."""

from __future__ import annotations

import io
import logging
from typing import Any

from matplotlib.figure import Figure

from omzien.core.i18n import gettext as _
from omzien.flows.figures import Count, Figures
from omzien.flows.signal import Outcome, Status
from omzien.views.figures import NEEDS, STANDING, row_name, step_name
from omzien.views.texts import OUTCOMES

OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000", "#999999"]
STACK = [*(str(o) for o in Outcome), Status.CLAIMED.value, Status.NEW.value, Status.UNROUTED.value]
logging.getLogger("matplotlib").setLevel(logging.WARNING)  # months like "2026-11" are labels, not dates


def _figure(width: float, height: float) -> tuple[Figure, Any]:
    """A figure of its own, drawn by Agg (no pyplot, no screen, nothing shared between threads)."""
    figure = Figure(figsize=(width, height))
    return figure, figure.subplots()


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=110, bbox_inches="tight")
    return out.getvalue()


def _label(name: str) -> str:
    return str(OUTCOMES[Outcome(name)]) if name in set(Outcome) else str(STANDING[name])


def months_chart(figures: Figures) -> bytes:
    """Signals per month, stacked by how they stand. Parts that are hidden (<5, x) are not drawn one by one: what
    they add up to (the shown total minus the shown parts) is one grey hatched block, labelled with them."""
    figure, axes = _figure(9, 4.5)
    months = [row for row, _values in figures.months.rows]
    bottoms = [0.0] * len(months)
    for colour, part in zip(OKABE_ITO, STACK, strict=False):
        counts: list[Count] = [values[part] for _row, values in figures.months.rows]
        if not any(c.value for c in counts):
            continue
        heights = [float(c.value or 0) for c in counts]
        axes.bar(months, heights, bottom=bottoms, color=colour, label=_label(part), edgecolor="white")
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    hidden_label = _("verborgen (<5 of x)")
    for index, (_row, values) in enumerate(figures.months.rows):
        hidden = [f"{_label(part)}: {values[part]}" for part in STACK if not values[part].shown]
        total = values["signals"]
        if hidden and total.value is not None:
            height = total.value - bottoms[index]
            axes.bar(months[index], height, bottom=bottoms[index], color="none", hatch="//", edgecolor="#999999",
                     label=hidden_label)
            hidden_label = "_"  # once in the legend
            bottoms[index] += height
        axes.annotate(str(total), (index, bottoms[index]), textcoords="offset points", xytext=(0, 3),
                      ha="center", fontsize=9, fontweight="bold")
    axes.set_ylim(0, max([*bottoms, 5.0]) * 1.15)
    axes.set_title(_("Signalen per maand, naar uitkomst"))
    axes.set_ylabel(_("signalen"))
    axes.set_xlabel(_("maand van melden"))
    axes.tick_params(axis="x", rotation=45)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes.text(0, -0.32, _("<5: 1 tot 4 signalen. x: verborgen, zodat een klein aantal niet uit te rekenen is."),
              transform=axes.transAxes, fontsize=8)
    return _png(figure)


def deadlines_chart(figures: Figures) -> bytes:
    """Per month the share of signals within each deadline, and the point's goal as a dashed line."""
    figure, axes = _figure(9, 4.5)
    months = [month for month, _shares in figures.deadlines]
    for colour, step, marker in zip(OKABE_ITO[4:7], ("claim", "contact", "close"), ("o", "s", "^"), strict=True):
        values = [shares[step] * 100 if shares[step] is not None else float("nan") for _m, shares in figures.deadlines]
        axes.plot(months, values, marker=marker, color=colour, label=step_name(step))
        goal = figures.goals.get(step)
        if goal is not None:
            axes.axhline(goal * 100, color=colour, linestyle="--", linewidth=1,
                         label=_("doel {step}").format(step=step_name(step)))
    axes.set_ylim(0, 105)
    axes.set_ylabel(_("% binnen de termijn"))
    axes.set_xlabel(_("maand van melden"))
    axes.set_title(_("Deel binnen de termijn per maand, met het doel"))
    axes.tick_params(axis="x", rotation=45)
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes.text(0, -0.32, _("Geen punt: te weinig signalen om een deel te tonen."), transform=axes.transAxes,
              fontsize=8)
    return _png(figure)


def gaps_chart(figures: Figures) -> bytes:
    """The gap report as a heat map: needs against areas, how often residents found nothing in their area."""
    areas = sorted({area for _need, area in figures.heat})
    needs = [str(n) for n in NEEDS]
    figure, axes = _figure(max(5, 0.6 * len(areas) + 3), 4)
    grid = [[float(figures.heat[(n, a)].value or 0) if (n, a) in figures.heat else 0.0 for a in areas] for n in needs]
    axes.imshow(grid or [[0.0]], cmap="cividis", aspect="auto")
    for y, need in enumerate(needs):
        for x, area in enumerate(areas):
            count = figures.heat.get((need, area), Count(0))
            axes.text(x, y, str(count), ha="center", va="center", fontsize=8,
                      color="white" if (count.value or 0) < 10 else "black")
    axes.set_xticks(range(len(areas)), areas, rotation=45)
    axes.set_yticks(range(len(needs)), [row_name("need", n) for n in needs])
    axes.set_xlabel(_("postcodegebied"))
    axes.set_title(_("Zoekvragen zonder aanbod in de buurt"))
    return _png(figure)
