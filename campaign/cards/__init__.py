"""Share cards: images of a story for social media, drawn on the server (issue 18)."""
