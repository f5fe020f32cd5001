import re

import pytest

from campaign.models import StoryStatus
from tests.api.stories import assert_valid_html, public_story

# Both engines: counts per country and journey are SQL aggregates.
pytestmark = pytest.mark.both_databases


def rows(page: str, table_id: str) -> list[list[str]]:
    table = page.split(f'id="{table_id}"')[1].split("</table>")[0]
    body = table.split("<tbody>")[1]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def make_journeys():
    for _ in range(3):
        public_story(origin_country="SY", residence_country="DE")
    public_story(origin_country="SY", residence_country="FI")
    public_story(origin_country="IQ", residence_country="DE")
    public_story(status=StoryStatus.WITHDRAWN, origin_country="AF", residence_country="FR")


def test_table_counts_stories_per_country_and_journey(client):
    make_journeys()
    page = client.get("/journeys").get_data(as_text=True)
    assert rows(page, "countries-table") == [
        ["Germany", "0", "4"],
        ["Syria", "4", "0"],
        ["Finland", "0", "1"],
        ["Iraq", "1", "0"],
    ]
    assert rows(page, "journeys-table") == [
        ["Syria", "Germany", "3"],
        ["Iraq", "Germany", "1"],
        ["Syria", "Finland", "1"],
    ]
    assert "Afghanistan" not in page and "France" not in page


def test_map_shades_countries_and_draws_the_journeys(client):
    make_journeys()
    page = client.get("/journeys").get_data(as_text=True)
    svg = page.split("<main")[1].split("<svg")[1].split("</svg>")[0]
    shaded = {
        code: shade
        for shade, code in re.findall(
            r'class="country (map-[a-z]+-\d)" d="[^"]+" data-code="([A-Z]{2})"', svg
        )
    }
    assert shaded == {"SY": "map-from-4", "DE": "map-in-4", "FI": "map-in-1", "IQ": "map-from-1"}
    assert "<title>Syria: 4 from here, 0 living here</title>" in svg
    journeys = re.findall(r'class="journey journey--(\d)" d="M[^"]+" data-journey="([A-Z-]+)"', svg)
    assert journeys == [("4", "SY-DE"), ("2", "IQ-DE"), ("2", "SY-FI")]
    assert "<title>Syria to Germany: 3 stories</title>" in svg
    assert '<a href="/stories?origin=SY">' in svg
    # Countries without stories are drawn, unlinked.
    assert svg.count('<path class="country"') > 150


def test_each_country_links_to_its_listing(client):
    make_journeys()
    page = client.get("/journeys").get_data(as_text=True)
    for href in [
        'href="/stories?origin=SY"',
        'href="/stories?residence=DE"',
        'href="/stories?origin=IQ"',
        'href="/stories?residence=FI"',
    ]:
        assert href in page


def test_withdrawn_story_leaves_the_map(client, db):
    story = public_story(origin_country="AF", residence_country="FR")
    assert 'data-code="AF"' in client.get("/journeys").get_data(as_text=True)
    story.move_to(StoryStatus.WITHDRAWN)
    db.session.commit()
    page = client.get("/journeys").get_data(as_text=True)
    assert 'data-code="AF"' not in page
    assert "No stories are published yet." in page


def test_journeys_page_is_valid_accessible_html_without_inline_style(client):
    make_journeys()
    page = client.get("/journeys").get_data(as_text=True)
    assert_valid_html(page)
    assert '<title id="map-title">' in page and '<desc id="map-desc">' in page
    assert 'aria-labelledby="map-title map-desc"' in page
    assert "<caption>" in page and 'scope="col"' in page and 'scope="row"' in page
    assert "style=" not in page and "<style" not in page
    assert "http://" not in page.split("<main")[1].split("<svg")[1].split("</svg>")[0].replace(
        "http://www.w3.org", ""
    )


def test_small_and_young_countries_are_on_the_map(client):
    public_story(origin_country="SS", residence_country="MT")
    svg = client.get("/journeys").get_data(as_text=True).split("<main")[1].split("<svg")[1]
    assert 'data-code="SS"' in svg and 'data-code="MT"' in svg
    assert 'data-journey="SS-MT"' in svg
