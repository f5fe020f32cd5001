from flask import Blueprint, abort, current_app, render_template, request

from ..pagecache import cached_page
from .queries import gallery_page, latest_stories, published_story

bp = Blueprint("gallery", __name__)


@bp.route("/")
@cached_page
def home():
    return render_template("gallery/home.html", stories=latest_stories(6))


@bp.route("/stories")
@cached_page
def stories():
    page = gallery_page(request.args.get("after"), current_app.config["STORIES_PER_PAGE"])
    return render_template("gallery/stories.html", page=page)


@bp.route("/stories/<slug>")
@cached_page
def story(slug: str):
    found = published_story(slug) or abort(404)
    return render_template("gallery/story.html", story=found)
