"""Share cards as images: every size decodes right, carries no metadata, shows the
quote whole (wrapped between words, sized to fit), and shapes Arabic and Persian."""

import io

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from campaign.cards import fonts, render
from campaign.i18n.identity import COLOURS

QUOTE = "I left with a small bag and a big hope. Today my children laugh in a new language."
ARABIC = "تركت بيتي وفي قلبي أمل كبير، واليوم يضحك أطفالي بلغة جديدة."
PERSIAN = "خانه‌ام را با امیدی بزرگ ترک کردم و امروز فرزندانم به زبانی تازه می‌خندند."


def content(quote=QUOTE, *, language="en", rtl=False, **changes) -> render.CardContent:
    values = {
        "quote": quote,
        "name": "Amina",
        "distance": "3,214 km from home",
        "campaign": "I am a migrant",
        "address": "example.org",
        "language": language,
        "rtl": rtl,
        "colours": dict(COLOURS),
    }
    return render.CardContent(**{**values, **changes})


def portrait() -> bytes:
    """A 4:5 photo: grey, with a white "face" high in the middle."""
    image = Image.new("RGB", (800, 1000), (90, 100, 110))
    image.paste((255, 255, 255), (300, 200, 500, 400))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.fixture(autouse=True)
def _fonts(app):
    """The fonts, read once per process in a bounded child, whose bounds are the
    app's settings: inside an app context, whichever test of a worker comes first."""
    fonts.load_all()


@pytest.mark.parametrize("size", list(render.SIZES))
@pytest.mark.parametrize("photo", [None, "portrait"], ids=["quote-card", "photo-card"])
def test_every_size_decodes_at_its_dimensions_without_metadata(size, photo):
    data = render.render(content(), size, portrait() if photo else None, (0.5, 0.3))
    image = decoded(data)
    assert image.format == "JPEG" and image.size == render.SIZES[size]
    assert not image.getexif()
    assert not {"exif", "icc_profile", "comment", "xmp", "photoshop"} & set(image.info)
    assert b"Exif" not in data[:200] and b"http://ns.adobe.com" not in data


def test_the_quote_is_drawn_where_the_text_goes():
    """The same card without its quote differs only in the quote's box: the text run
    is there, and measured as wide as the lines the layout set."""
    size = "1080x1350"
    with_quote = decoded(render.render(content(), size))
    without = decoded(render.render(content(quote=" "), size))
    box = ImageChops.difference(with_quote, without).getbbox()
    assert box is not None
    left, top, right, bottom = box
    setter = render._Setter(content())
    _size, lines = render.fit_quote(setter, QUOTE, 1080 - 2 * 65, 800, 96, 40)
    widest = max(setter.width(line, 400, _size) for line in lines)
    assert abs((right - left) - widest) < 12  # the drawn run is as wide as measured
    assert top > 65 and bottom < 1350 - 300  # above the name and the footer


def test_long_quotes_are_wrapped_between_words_and_sized_down_to_fit():
    setter = render._Setter(content())
    short_size, short = render.fit_quote(setter, "Home.", 800, 400, 96, 40)
    long_quote = " ".join(["Migration changed everything I knew about home."] * 3)
    long_size, lines = render.fit_quote(setter, long_quote, 800, 400, 96, 40)
    assert short == ["Home."] and short_size == 96
    assert long_size < short_size
    assert " ".join(lines) == long_quote  # every word, none cut
    assert all(setter.width(line, 400, long_size) <= 800 for line in lines)


def test_a_quote_too_long_even_at_the_smallest_size_ends_after_a_whole_word():
    setter = render._Setter(content())
    words = [f"word{number}" for number in range(400)]
    _size, lines = render.fit_quote(setter, " ".join(words), 600, 300, 60, 30)
    text = " ".join(lines)
    assert text.endswith(render.ELLIPSIS)
    kept = text.removesuffix(render.ELLIPSIS).split()
    assert kept == words[: len(kept)]  # a prefix of whole words


@pytest.mark.parametrize(
    ("text", "language"), [(ARABIC, "ar"), (PERSIAN, "fa")], ids=["arabic", "persian"]
)
def test_arabic_and_persian_are_shaped_by_raqm(text, language):
    """Joined letters (raqm) differ from the letters one by one (basic layout)."""
    data = io.BytesIO(fonts.family_data("arabic", 400))
    shaped = ImageFont.truetype(data, 48, layout_engine=ImageFont.Layout.RAQM)
    data.seek(0)
    basic = ImageFont.truetype(data, 48, layout_engine=ImageFont.Layout.BASIC)

    def drawn(font, **options):
        image = Image.new("L", (1400, 90), 0)
        ImageDraw.Draw(image).text((1390, 70), text, font=font, fill=255, anchor="rs", **options)
        return image

    raqm = drawn(shaped, direction="rtl", language=language)
    assert ImageChops.difference(raqm, drawn(basic)).getbbox() is not None
    assert shaped.getlength(text, direction="rtl", language=language) != basic.getlength(text)
    assert [family for family, _part in fonts.runs(text, "arabic")] == ["arabic"]  # one run


def test_right_to_left_cards_are_mirrored():
    """The portrait is on the start side: left in English, right in Arabic."""
    photo = portrait()
    english = decoded(render.render(content(), "1200x630", photo, (0.5, 0.3)))
    arabic = decoded(
        render.render(content(ARABIC, language="ar", rtl=True), "1200x630", photo, (0.5, 0.3))
    )
    paper = tuple(int(COLOURS["paper"][i : i + 2], 16) for i in (1, 3, 5))

    def is_paper(pixel):
        return all(abs(a - b) < 8 for a, b in zip(pixel, paper, strict=True))

    assert not is_paper(english.getpixel((20, 600))) and is_paper(english.getpixel((1180, 600)))
    assert is_paper(arabic.getpixel((20, 600))) and not is_paper(arabic.getpixel((1180, 600)))


def test_the_portrait_is_cut_around_the_face():
    """A wide card's 4:5 panel from a tall photo keeps the face (white) inside it."""
    image = decoded(render.render(content(), "1080x1350", portrait(), (0.5, 0.3)))
    face = image.crop((0, 0, 1080, 702)).convert("L")
    assert face.getextrema()[1] > 240  # the white face is in the photo's part


def test_emoji_fall_back_to_a_font_that_has_them():
    assert ("fallback", "😀") in fonts.runs("Hope 😀", "latin")
    data = render.render(content("Hope 😀 and home"), "1200x630")
    assert decoded(data).size == (1200, 630)
