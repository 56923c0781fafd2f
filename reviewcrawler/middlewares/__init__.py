"""Downloader middlewares, enabled in `settings.DOWNLOADER_MIDDLEWARES`:
retries with backoff, and recording or replaying every response."""
