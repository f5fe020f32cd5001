"""Photos: the pipeline that validates and re-encodes uploads, and where renditions live."""
