"""IMDb's legacy review layout (until 2024): the server page and its load-more
fragments, which share their markup and one parser (`page`)."""
