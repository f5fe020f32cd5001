"""Blurring a stored photo: every rendition cut again, the unblurred files gone.

One function for the storyteller's private page, the share form's kept photo
and the moderators' desk. The new renditions get new names, so no address of
the unblurred photo ever shows the blurred one or the other way round; the old
files are deleted after the commit and their addresses sent to the CDN purge
(``files.replace_renditions``), and if the transaction never commits the new
files go instead.
"""

from campaign.extensions import db
from campaign.media import faces as face_areas
from campaign.media.files import replace_renditions
from campaign.media.pipeline import Blur, ProcessedPhoto, reblurred
from campaign.models import Photo


def note_faces(photo: Photo, processed: ProcessedPhoto) -> None:
    """What the pipeline found and blurred in a new upload, kept on its row."""
    photo.faces = processed.faces
    photo.focal_x, photo.focal_y = face_areas.focal_point(processed.faces) or (None, None)
    photo.blurred = processed.blurred


def blur_photo(photo: Photo, *, the_faces: bool = False, areas=()) -> list[list[float]]:
    """Blur the photo's detected faces and/or hand-drawn areas (fractions) in every
    rendition; return the areas blurred. Raises ``PhotoRejected`` when its file
    cannot be read again.

    The row is locked first: a preparation finishing meanwhile (media/preparing.py)
    either comes before, and this blurs what it cut, or sees that it lost."""
    db.session.flush()  # what this request changed already is kept through the refresh
    db.session.refresh(photo, with_for_update=True)
    processed = reblurred(
        photo.renditions, Blur(faces=photo.faces, the_faces=the_faces, areas=tuple(areas))
    )
    replace_renditions(photo, processed.renditions)
    if photo.faces is None:  # not looked for yet (stored before, or being prepared): found now
        photo.faces = processed.faces
        photo.focal_x, photo.focal_y = face_areas.focal_point(processed.faces) or (None, None)
    photo.prepare_at = None  # every rendition is cut now
    photo.blurred = [*(photo.blurred or []), *processed.blurred]
    return processed.blurred
