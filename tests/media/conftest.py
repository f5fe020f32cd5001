import pytest

from campaign import create_app
from tests.helpers import app_config


@pytest.fixture
def media_app(tmp_path):
    """An app without a database, for the photo pipeline alone."""
    app = create_app(app_config("sqlite://"), instance_path=str(tmp_path))
    with app.test_request_context():
        yield app


@pytest.fixture
def media_dir(media_app, tmp_path):
    return tmp_path / "media"
