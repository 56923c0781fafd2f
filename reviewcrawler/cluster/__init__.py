"""Cluster mode (``-s REDIS_URL=...``): many crawl workers, one archive writer.

Workers share scrapy-redis's scheduler and dupefilter, take titles from a Redis
list (`scrapy enqueue`), and send every review, reject and title outcome to a
Redis Stream; `scrapy archive ingest` commits that stream through the same
pipelines and archive run as a single-process crawl. See docs/cluster.md.

Everything here imports ``redis``/``scrapy_redis``, installed by the ``cluster``
extra; `reviewcrawler.cluster.connection.missing_extra` says so when they are not.
"""
