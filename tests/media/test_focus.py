"""Portrait crops cut around the face: the focal point becomes object-position classes."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from campaign.media.views import focus_classes


def photo(width, height, focal=(None, None)):
    return SimpleNamespace(width=width, height=height, focal_x=focal[0], focal_y=focal[1])


def test_a_photo_without_a_face_gets_no_classes_and_keeps_the_default_crop():
    assert focus_classes(photo(1600, 900)) == ""
    assert focus_classes(None, 0.8) == ""


def test_a_wide_photo_cut_to_four_by_five_centres_the_face_at_its_side():
    # 16:9 shown at 4:5: the box is 0.8 / 1.78 of the width; a face at 85 % of the
    # width is centred by sliding the image as far as it goes but not further.
    assert focus_classes(photo(1600, 900, (0.85, 0.3)), 0.8) == "focus-x-100 focus-y-30"
    assert focus_classes(photo(1600, 900, (0.5, 0.3)), 0.8) == "focus-x-50 focus-y-30"
    # A face at 40 %: the crop's centre is at 40 % too.
    classes = focus_classes(photo(1600, 900, (0.4, 0.3)), 0.8)
    ratio = 1600 / 900
    shift = int(classes.split()[0].removeprefix("focus-x-")) / 100
    centre = (shift * (ratio - 0.8) + 0.4) / ratio
    assert centre == pytest.approx(0.4, abs=0.02)


def test_a_tall_photo_cut_to_four_by_five_moves_up_or_down_to_the_face():
    # 9:16 shown at 4:5: only the top and bottom are cut.
    assert focus_classes(photo(900, 1600, (0.3, 0.2)), 0.8) == "focus-x-30 focus-y-0"
    assert focus_classes(photo(900, 1600, (0.3, 0.4)), 0.8) == "focus-x-30 focus-y-15"
    assert focus_classes(photo(900, 1600, (0.3, 0.95)), 0.8) == "focus-x-30 focus-y-100"


def test_without_a_fixed_crop_the_focal_point_itself_keeps_the_face_in_any_crop():
    assert focus_classes(photo(1600, 900, (0.83, 0.27))) == "focus-x-85 focus-y-25"


def test_every_class_it_can_give_exists_in_the_stylesheet():
    css = (Path(__file__).resolve().parents[2] / "static/css/site.css").read_text()
    for value in range(0, 101, 5):
        assert f".focus-x-{value} {{ --focus-x: {value}%; }}" in css
        assert f".focus-y-{value} {{ --focus-y: {value}%; }}" in css
