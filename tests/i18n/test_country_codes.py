"""A country in a URL or a query string is two ASCII letters, on every surface."""

import pytest

from campaign.i18n.countries import parse_country
from tests.api.stories import public_story

# Letters whose Unicode upper case is ASCII: "ß" is "SS", "ı" is "I", "ſ" is "S".
LOOKALIKES = ["ß", "ıs", "İS", "ſy", "ﬀ", "Is\u0307"]


@pytest.mark.parametrize("value", LOOKALIKES)
def test_letters_that_only_upper_case_to_a_country_name_none(value):
    assert parse_country(value) is None


def test_two_ascii_letters_of_any_case_name_their_country():
    assert (parse_country("is"), parse_country(" Ss "), parse_country("XX")) == ("IS", "SS", None)


@pytest.mark.parametrize("value", ["ß", "ıs"])
def test_gallery_pages_of_lookalike_countries_are_not_found(client, value):
    public_story(origin_country="IS", residence_country="SS")
    assert client.get(f"/stories/in/{value}").status_code == 404
    assert client.get(f"/stories/from/{value}").status_code == 404


@pytest.mark.parametrize("value", ["ß", "ıs"])
def test_lookalike_countries_in_query_strings_filter_nothing(client, value):
    public_story(title="Reykjavik nights", origin_country="IS", residence_country="SS")
    api = client.get(f"/api/v1/stories?origin={value}")
    assert api.status_code == 400 and api.is_json
    page = client.get(f"/stories?origin={value}&residence={value}").get_data(as_text=True)
    assert "Stories of migrants from" not in page and "Stories of migrants living" not in page
    assert 'value="IS" selected' not in page and 'value="SS" selected' not in page
    builder = client.get(f"/embed/builder?country={value}&residence={value}")
    assert 'value="IS" selected' not in builder.get_data(as_text=True)
