from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class PublicContent(db.Model):
    """One row: the version of everything the public can see.

    It is raised in the same transaction as any change the public could notice
    (see ``campaign.pagecache``), so cached pages keyed by it never outlive
    the content they show.
    """

    __tablename__ = "public_content"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
