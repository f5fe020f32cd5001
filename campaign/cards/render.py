"""Drawing a share card: plain data and a photo in, JPEG bytes out (no app, no database).

Run in a bounded child process (cards.services), so it is given everything it
needs. Two designs, after the campaign's own printed cards (DESIGN.md: one face,
one quote, nothing else competes):

- with a portrait: the photo on the reading side's start (left, or right on a
  right-to-left card), cut around the face (the photo's focal point), the text
  beside it on 1200×630 and under it on the tall sizes;
- without one: a quote card in the campaign's accent colour.

The quote is set as large as fits its box, wrapped between words only; a quote
too long even at the smallest size ends after its last whole word with "…".
Then the name as the storyteller chose it, how far from home, and at the foot
the campaign's mark, name and short address. Right-to-left cards are mirrored
(photo side, alignment, the order of the runs in a line).
"""

import io
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from campaign.cards import fonts

# name: (width, height), what each is for on the story page.
SIZES = {"1200x630": (1200, 630), "1080x1350": (1080, 1350), "1080x1920": (1080, 1920)}
# Raise it whenever the drawing changes: every kept card is then made again.
DESIGN_VERSION = 1
JPEG_OPTIONS = {"quality": 88, "optimize": False, "subsampling": 0}
ELLIPSIS = "…"


@dataclass(frozen=True)
class CardContent:
    """What a card shows, all public, in the story's language (cards.services)."""

    quote: str
    name: str
    distance: str | None  # "2,345 km from home", or None
    campaign: str
    address: str  # the site's short address, "example.org"
    language: str  # BCP 47, for shaping (Persian digits and forms differ from Arabic's)
    rtl: bool
    colours: dict = field(default_factory=dict)  # identity.COLOURS' names
    mark: bool = True  # the built-in mark (a deployment's own SVG mark is not drawn)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


class _Setter:
    """Sets lines of text in the card's families, right to left where the card is."""

    def __init__(self, content: CardContent):
        self.base = "arabic" if content.rtl else "latin"
        self.direction = "rtl" if content.rtl else "ltr"
        self.language = content.language

    def _font(self, family, weight, size):
        return fonts.font(family, weight, size)

    def _run_direction(self, family: str) -> str:
        return "rtl" if family == "arabic" else "ltr"

    def width(self, text: str, weight: int, size: int) -> float:
        return sum(
            self._font(family, weight, size).getlength(
                part, direction=self._run_direction(family), language=self.language
            )
            for family, part in fonts.runs(text, self.base)
        )

    def draw(self, draw, text, *, start, baseline, weight, size, fill) -> None:
        """One line on ``baseline``, against the start edge (``start`` is the left edge
        of a left-to-right card's box, the right edge of a right-to-left one's)."""
        leftwards = self.direction == "rtl"  # pieces in logical order, from the start edge
        x = start
        for family, part in fonts.runs(text, self.base):
            font = self._font(family, weight, size)
            direction = self._run_direction(family)
            length = font.getlength(part, direction=direction, language=self.language)
            if leftwards:
                x -= length
            draw.text(
                (x, baseline),
                part,
                font=font,
                fill=fill,
                anchor="ls",
                direction=direction,
                language=self.language,
            )
            if not leftwards:
                x += length

    def wrap(self, text: str, weight: int, size: int, width: float) -> list[str] | None:
        """Whole words per line within ``width``; None when one word alone is wider."""
        space = self.width(" ", weight, size)
        lines, line, used = [], [], 0.0
        for word in text.split():
            length = self.width(word, weight, size)
            if length > width:
                return None
            if line and used + space + length > width:
                lines.append(" ".join(line))
                line, used = [], 0.0
            used += (space if line else 0) + length
            line.append(word)
        if line:
            lines.append(" ".join(line))
        return lines

    def line_height(self, size: int) -> float:
        # Arabic script needs more room above and below its letters (DESIGN.md).
        return size * (1.55 if self.base == "arabic" else 1.3)


def fit_quote(
    setter: _Setter,
    text: str,
    width: float,
    height: float,
    largest: int,
    smallest: int,
    weight: int = 400,
):
    """(size, lines): the largest size at which the whole quote fits the box, wrapped
    between words; at the smallest size, as many whole words as fit, then "…"."""
    for size in range(largest, smallest - 1, -4):
        lines = setter.wrap(text, weight, size, width)
        if lines is not None and len(lines) * setter.line_height(size) <= height:
            return size, lines
    size = smallest
    rows = max(1, int(height // setter.line_height(size)))
    words = text.split()
    while words:
        candidate = " ".join(words) + ELLIPSIS
        lines = setter.wrap(candidate, weight, size, width)
        if lines is not None and len(lines) <= rows:
            return size, lines
        words.pop()
    return size, [ELLIPSIS]


def _cropped(photo: Image.Image, focal: tuple[float, float], box: tuple[int, int]) -> Image.Image:
    """The photo cut to the box's proportions around the focal point, then scaled."""
    width, height = photo.size
    box_w, box_h = box
    scale = max(box_w / width, box_h / height)
    crop_w, crop_h = box_w / scale, box_h / scale
    centre_x, centre_y = focal[0] * width, focal[1] * height
    left = min(max(centre_x - crop_w / 2, 0), width - crop_w)
    # A face sits a little above the middle of a portrait, not dead centre.
    top = min(max(centre_y - crop_h * 0.4, 0), height - crop_h)
    return photo.resize(box, Image.Resampling.BICUBIC, box=(left, top, left + crop_w, top + crop_h))


def _draw_mark(draw, x: int, y: int, side: int, colours: dict) -> None:
    """The built-in mark (static/img/mark.svg): a journey from one place to another."""
    unit = side / 64
    accent, ink = _rgb(colours["accent"]), _rgb(colours["accent-ink"])
    draw.rounded_rectangle((x, y, x + side, y + side), radius=14 * unit, fill=accent)
    draw.rounded_rectangle(
        (x, y, x + side, y + side), radius=14 * unit, outline=_rgb(colours["paper"]), width=1
    )
    # The dotted path: the SVG's cubic from (16,47) to (45,20), a dot every few units.
    points = [(16, 47), (18, 30), (30, 22), (45, 20)]
    for step in range(1, 6):
        t = step / 6
        px = sum(c * p[0] for c, p in zip(_bernstein(t), points, strict=True))
        py = sum(c * p[1] for c, p in zip(_bernstein(t), points, strict=True))
        dot = (px - 2.5, py - 2.5, px + 2.5, py + 2.5)
        draw.ellipse(_scaled(dot, x, y, unit), fill=ink)
    draw.ellipse(_scaled((11, 42, 21, 52), x, y, unit), fill=ink)  # where the journey began
    draw.ellipse(_scaled((38, 12, 54, 28), x, y, unit), fill=(255, 217, 168))  # and where it led


def _scaled(box, x: int, y: int, unit: float) -> tuple[float, float, float, float]:
    """A box in the mark's 64-unit drawing, placed at (x, y) at this scale."""
    left, top, right, bottom = box
    return (x + left * unit, y + top * unit, x + right * unit, y + bottom * unit)


def _bernstein(t: float) -> tuple[float, float, float, float]:
    u = 1 - t
    return (u**3, 3 * u * u * t, 3 * u * t * t, t**3)


@dataclass(frozen=True)
class _Layout:
    photo: tuple[int, int, int, int] | None  # left, top, right, bottom
    text: tuple[int, int, int, int]
    quote_sizes: tuple[int, int]  # largest, smallest


def _layout(size: str, with_photo: bool, rtl: bool) -> _Layout:
    width, height = SIZES[size]
    margin = round(width * 0.06)
    if size == "1200x630":
        if not with_photo:
            return _Layout(None, (margin, margin, width - margin, height - margin), (64, 28))
        panel = 504  # 4:5, the site's portrait proportions
        photo = (width - panel, 0, width, height) if rtl else (0, 0, panel, height)
        text = (margin, margin, width - panel - margin, height - margin)
        if not rtl:
            text = (panel + margin, margin, width - margin, height - margin)
        return _Layout(photo, text, (52, 24))
    # The tall sizes: a story (1080×1920) keeps clear of the app's own bars.
    top_safe = 0 if size == "1080x1350" else 220
    bottom_safe = margin if size == "1080x1350" else 260
    if not with_photo:
        return _Layout(
            None, (margin, top_safe + margin, width - margin, height - bottom_safe), (96, 40)
        )
    photo_height = round(height * (0.52 if size == "1080x1350" else 0.5))
    photo = (0, 0, width, photo_height)
    return _Layout(
        photo, (margin, photo_height + margin, width - margin, height - bottom_safe), (72, 34)
    )


def render(
    content: CardContent,
    size: str,
    photo_data: bytes | None = None,
    focal: tuple[float, float] = (0.5, 0.4),
) -> bytes:
    """The card as JPEG bytes: a new image, saved with no EXIF, ICC profile or comment."""
    width, height = SIZES[size]
    colours = content.colours
    with_photo = photo_data is not None
    layout = _layout(size, with_photo, content.rtl)
    background = _rgb(colours["paper"] if with_photo else colours["accent"])
    ink = _rgb(colours["ink"] if with_photo else colours["accent-ink"])
    accent = _rgb(colours["accent"] if with_photo else colours["accent-ink"])
    card = Image.new("RGB", (width, height), background)
    if with_photo:
        left, top, right, bottom = layout.photo
        with Image.open(io.BytesIO(photo_data)) as photo:
            photo.draft("RGB", (right - left, bottom - top))
            box = (right - left, bottom - top)
            upright = photo if photo.mode == "RGB" else photo.convert("RGB")
            card.paste(_cropped(upright, focal, box), (left, top))
    draw = ImageDraw.Draw(card)
    setter = _Setter(content)
    left, top, right, bottom = layout.text
    start = right if content.rtl else left
    box_width = right - left
    scale = width / 1200 if size == "1200x630" else width / 1080
    name_size = round(34 * scale)
    small_size = round(26 * scale)
    footer = round(64 * scale)
    # Name, distance and footer from the bottom up; the quote fills what is left.
    y = bottom
    mark_side = round(48 * scale)
    footer_top = y - mark_side
    if content.mark:
        mark_x = right - mark_side if content.rtl else left
        _draw_mark(draw, mark_x, footer_top, mark_side, colours)
        gap = mark_side + round(16 * scale)
    else:
        gap = 0
    footer_start = start - gap if content.rtl else start + gap
    setter.draw(
        draw,
        content.campaign,
        start=footer_start,
        baseline=footer_top + small_size,
        weight=700,
        size=small_size,
        fill=ink,
    )
    setter.draw(
        draw,
        content.address,
        start=footer_start,
        baseline=footer_top + mark_side,
        weight=400,
        size=round(small_size * 0.85),
        fill=ink,
    )
    y = footer_top - footer // 2
    if content.distance:
        setter.draw(
            draw, content.distance, start=start, baseline=y, weight=400, size=small_size, fill=ink
        )
        y -= round(small_size * 1.6)
    setter.draw(
        draw, content.name, start=start, baseline=y, weight=700, size=name_size, fill=accent
    )
    y -= round(name_size * 1.9)
    # The quote, with a rule of the accent colour above it.
    rule = round(6 * scale)
    rule_length = round(72 * scale)
    rule_x = right - rule_length if content.rtl else left
    draw.rectangle((rule_x, top, rule_x + rule_length, top + rule), fill=accent)
    quote_top = top + rule * 4
    largest, smallest = layout.quote_sizes
    quote_size, lines = fit_quote(
        setter, content.quote, box_width, y - quote_top, largest, smallest
    )
    line_height = setter.line_height(quote_size)
    baseline = quote_top + quote_size
    for line in lines:
        setter.draw(
            draw, line, start=start, baseline=round(baseline), weight=400, size=quote_size, fill=ink
        )
        baseline += line_height
    out = io.BytesIO()
    card.save(out, format="JPEG", **JPEG_OPTIONS)
    return out.getvalue()


@dataclass(frozen=True)
class PageContent:
    """A page's link image (1200×630): its title and a line about it, in the reader's
    language, with the campaign's identity (cards.pages)."""

    title: str
    subtitle: str
    campaign: str
    address: str
    language: str
    rtl: bool
    colours: dict = field(default_factory=dict)
    mark: bool = True


@dataclass(frozen=True)
class JourneyMap:
    """The journeys map drawn small: country outlines, and lines from home to now."""

    view_box: tuple[float, float, float, float]  # min x, min y, width, height
    outlines: list  # [[(x, y), ...], ...]: every country's outlines
    shaded: list  # the outlines of countries with stories
    lines: list  # [((x0, y0), (x1, y1), weight 1..4), ...]


def _draw_map(card: Image.Image, journeys: JourneyMap, box, colours: dict) -> None:
    left, top, right, bottom = box
    min_x, min_y, map_w, map_h = journeys.view_box
    scale = min((right - left) / map_w, (bottom - top) / map_h)
    off_x = left + ((right - left) - map_w * scale) / 2
    off_y = top + ((bottom - top) - map_h * scale) / 2

    def place(point):
        return (off_x + (point[0] - min_x) * scale, off_y + (point[1] - min_y) * scale)

    draw = ImageDraw.Draw(card)
    land, shaded = (226, 222, 214), _rgb(colours["accent"])
    for outline in journeys.outlines:
        if len(outline) > 2:
            draw.polygon([place(p) for p in outline], fill=land)
    for outline in journeys.shaded:
        if len(outline) > 2:
            draw.polygon([place(p) for p in outline], fill=_mix(shaded, land, 0.45))
    for start, end, weight in journeys.lines:
        (x0, y0), (x1, y1) = place(start), place(end)
        # The same bow as the page's arcs (gallery.journeys._arc), as a polyline.
        cx, cy = (x0 + x1) / 2 + (y1 - y0) * 0.2, (y0 + y1) / 2 - (x1 - x0) * 0.2
        points = [
            ((1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x1,
             (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y1)
            for t in (step / 24 for step in range(25))
        ]  # fmt: skip
        draw.line(points, fill=shaded, width=1 + weight, joint="curve")
        draw.ellipse((x1 - 4, y1 - 4, x1 + 4, y1 + 4), fill=shaded)


def _mix(a, b, share: float) -> tuple[int, int, int]:
    return tuple(round(x * share + y * (1 - share)) for x, y in zip(a, b, strict=True))


def render_page(
    content: PageContent, portraits: list | tuple = (), journeys: JourneyMap | None = None
) -> bytes:
    """A page's 1200×630 link image: up to three portraits of its stories (photo bytes
    and focal point), or the journeys map, beside its title; else the title alone."""
    width, height = SIZES["1200x630"]
    colours = content.colours
    card = Image.new(
        "RGB", (width, height), _rgb(colours["paper"] if journeys else colours["accent"])
    )
    ink = _rgb(colours["ink"] if journeys else colours["accent-ink"])
    margin = 72
    text = (margin, margin, width - margin, height - margin)
    if journeys is not None:
        _draw_map(card, journeys, (0, 0, width, height - 190), colours)
        text = (margin, height - 190, width - margin, height - 48)
    elif portraits:
        strip = 168
        shown = list(portraits)[:3]
        panel = strip * len(shown)
        for index, (data, focal) in enumerate(shown):
            with Image.open(io.BytesIO(data)) as photo:
                photo.draft("RGB", (strip, height))
                upright = photo if photo.mode == "RGB" else photo.convert("RGB")
                piece = _cropped(upright, focal, (strip, height))
            x = width - panel + index * strip if not content.rtl else panel - (index + 1) * strip
            card.paste(piece, (x, 0))
        text = (margin, margin, width - panel - 56, height - margin)
        if content.rtl:
            text = (panel + 56, margin, width - margin, height - margin)
    draw = ImageDraw.Draw(card)
    setter = _Setter(content)
    left, top, right, bottom = text
    start = right if content.rtl else left
    mark_side = 48
    footer_top = bottom - mark_side
    gap = 0
    if content.mark:
        _draw_mark(draw, right - mark_side if content.rtl else left, footer_top, mark_side, colours)
        gap = mark_side + 16
    footer_start = start - gap if content.rtl else start + gap
    setter.draw(draw, content.campaign, start=footer_start, baseline=footer_top + 24,
                weight=700, size=24, fill=ink)  # fmt: skip
    setter.draw(draw, content.address, start=footer_start, baseline=footer_top + mark_side,
                weight=400, size=21, fill=ink)  # fmt: skip
    if journeys is not None:  # one line under the map: the title, as large as fits
        size, lines = fit_quote(
            setter, content.title, right - left, setter.line_height(40), 40, 24, weight=700
        )
        setter.draw(draw, lines[0], start=start, baseline=top + 44, weight=700, size=size,
                    fill=ink)  # fmt: skip
    else:
        size, lines = fit_quote(
            setter, content.title, right - left, (bottom - top) * 0.45, 72, 36, weight=700
        )
        baseline = top + size
        for line in lines:
            setter.draw(draw, line, start=start, baseline=round(baseline), weight=700,
                        size=size, fill=ink)  # fmt: skip
            baseline += setter.line_height(size)
        sub_size, sub_lines = fit_quote(
            setter, content.subtitle, right - left, footer_top - baseline - 24, 32, 22
        )
        baseline += sub_size * 0.6
        for line in sub_lines:
            setter.draw(draw, line, start=start, baseline=round(baseline), weight=400,
                        size=sub_size, fill=ink)  # fmt: skip
            baseline += setter.line_height(sub_size)
    out = io.BytesIO()
    card.save(out, format="JPEG", **JPEG_OPTIONS)
    return out.getvalue()
