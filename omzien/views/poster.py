"""A poster for a signal point or a partner: printable A4 (PDF) and a square image for social media (PNG).

Both carry the same few things: the question, a QR code of the start link, the point's name, three lines of
what to do, and the bot's name for who types it instead of scanning. The QR code is drawn as vector squares
in the PDF, so it stays sharp at any print size.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import reportlab
import segno
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from omzien.core.i18n import gettext as _

ACCENT = "#1F5C99"
FONTS = Path(reportlab.__file__).parent / "fonts"
"""Bitstream Vera, shipped with reportlab: the PNG looks the same on every machine."""


@dataclass(frozen=True)
class Poster:
    point: str
    link: str
    bot_username: str
    partner: str | None = None

    @property
    def question(self) -> str:
        return _("Maakt u zich zorgen om iemand in de buurt?")

    @property
    def steps(self) -> list[str]:
        return [_("1. Scan de code met de camera van uw telefoon."),
                _("2. Typ de postcode en het huisnummer."),
                _("3. Tik aan wat u opviel. Een naam is niet nodig.")]

    @property
    def who(self) -> str:
        return _("{point} kijkt wat er nodig is.").format(point=self.point)

    @property
    def typed(self) -> str:
        return _("Geen camera? Zoek in Telegram naar @{bot}.").format(bot=self.bot_username.lstrip("@"))

    @property
    def footer(self) -> str:
        return _("Bij acuut gevaar: bel 112.")


def _modules(link: str) -> list[tuple[int, int]]:
    """The dark squares of the QR code (row, column), with error correction M (a poster can get scuffed)."""
    qr = segno.make(link, error="m", micro=False)
    return [(row, col) for row, line in enumerate(qr.matrix) for col, dark in enumerate(line) if dark]


def _side(link: str) -> int:
    return len(segno.make(link, error="m", micro=False).matrix)


def write_pdf(poster: Poster, path: Path) -> None:
    """Printable A4: the question on top, the QR code large in the middle, what to do below it."""
    width, height = A4
    canvas = Canvas(str(path), pagesize=A4)
    canvas.setTitle(poster.question)
    canvas.setFillColor(HexColor(ACCENT))
    canvas.rect(0, height - 5.2 * cm, width, 5.2 * cm, stroke=0, fill=1)
    canvas.setFillColor(HexColor("#FFFFFF"))
    y = height - 2.2 * cm
    for line in simpleSplit(poster.question, "Helvetica-Bold", 30, width - 4 * cm):
        canvas.setFont("Helvetica-Bold", 30)
        canvas.drawCentredString(width / 2, y, line)
        y -= 1.2 * cm
    side, size = _side(poster.link), 10 * cm
    module = size / (side + 8)  # four modules of quiet zone on each side
    left, bottom = (width - size) / 2, height - 5.8 * cm - size
    canvas.setFillColor(HexColor("#000000"))
    for row, col in _modules(poster.link):
        canvas.rect(left + (col + 4) * module, bottom + size - (row + 5) * module, module, module, stroke=0, fill=1)
    y = bottom - 1.2 * cm
    canvas.setFont("Helvetica-Bold", 20)
    canvas.setFillColor(HexColor(ACCENT))
    canvas.drawCentredString(width / 2, y, poster.who)
    canvas.setFillColor(HexColor("#000000"))
    y -= 1.3 * cm
    for step in poster.steps:
        canvas.setFont("Helvetica", 17)
        canvas.drawString(3 * cm, y, step)
        y -= 0.95 * cm
    y -= 0.4 * cm
    canvas.setFont("Helvetica", 14)
    canvas.drawCentredString(width / 2, y, poster.typed)
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawCentredString(width / 2, 2.2 * cm, poster.footer)
    if poster.partner:
        canvas.setFont("Helvetica", 10)
        canvas.drawCentredString(width / 2, 1.4 * cm, poster.partner)
    canvas.showPage()
    canvas.save()


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / ("VeraBd.ttf" if bold else "Vera.ttf")), size)


def _wrapped(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line else lines


def write_png(poster: Poster, path: Path, side: int = 1080) -> None:
    """A square image for social media (1080 × 1080): the question, the QR code, the point and the bot's name."""
    image = Image.new("RGB", (side, side), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, side, 250), fill=ACCENT)
    title = _font(52, bold=True)
    y = 40
    for line in _wrapped(draw, poster.question, title, side - 120):
        draw.text((side / 2, y), line, font=title, fill="white", anchor="ma")
        y += 66
    count = _side(poster.link)
    scale = 520 // (count + 8)
    left = (side - (count + 8) * scale) // 2
    for row, col in _modules(poster.link):
        x, top = left + (col + 4) * scale, 280 + (row + 4) * scale
        draw.rectangle((x, top, x + scale - 1, top + scale - 1), fill="black")
    y = 280 + (count + 8) * scale + 20
    draw.text((side / 2, y), poster.who, font=_font(36, bold=True), fill=ACCENT, anchor="ma")
    draw.text((side / 2, y + 60), poster.typed, font=_font(30), fill="black", anchor="ma")
    draw.text((side / 2, side - 60), poster.footer, font=_font(30, bold=True), fill="black", anchor="ma")
    image.save(path)
