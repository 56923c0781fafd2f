"""Extensions, enabled in `settings.EXTENSIONS`."""
