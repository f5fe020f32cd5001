"""CSV downloads: private, and no cell that a spreadsheet would run as a formula."""

import csv
import io

import pytest

from campaign.responses import csv_download, spreadsheet_safe


@pytest.mark.parametrize("cell", ["=HYPERLINK(1)", "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"])
def test_cells_a_spreadsheet_would_run_as_a_formula_are_shown_as_text(cell):
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Aleppo", "", "a=b", "1-2", 42, None, True])
def test_other_cells_are_left_as_they_are(cell):
    assert spreadsheet_safe(cell) == cell


def test_a_csv_download_is_a_private_attachment_with_every_cell_made_safe(app):
    with app.test_request_context():
        response = csv_download("x.csv", ["title", "year"], [["=cmd|' /C calc'!A0", 2015]])
    assert response.headers["Content-Disposition"] == "attachment; filename=x.csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [["title", "year"], ["'=cmd|' /C calc'!A0", "2015"]]
