"""Scrapy settings for reviewcrawler.

Only what differs from Scrapy's defaults is set here; see
https://docs.scrapy.org/en/latest/topics/settings.html
"""

from reviewcrawler.items import REVIEW_FIELDS

BOT_NAME = "reviewcrawler"
SPIDER_MODULES = ["reviewcrawler.spiders"]
NEWSPIDER_MODULE = "reviewcrawler.spiders"
COMMANDS_MODULE = "reviewcrawler.commands"

# Politeness toward imdb.com. Local files use their own download slot
# (`DOWNLOAD_SLOTS` below), so none of this slows down reading saved pages.
ROBOTSTXT_OBEY = True
USER_AGENT = (
    "reviewcrawler/0.1 (+https://github.com/your-org/reviewcrawler; contact: you@example.org)"
)
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# A page's reviews go through the pipelines together: Scrapy starts this many
# item tasks for every response, and a page holds 25 reviews.
CONCURRENT_ITEMS = 25
# A review page that takes longer than this is retried (with backoff) rather than waited on.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_SLOTS = {
    "local-files": {"concurrency": 16, "delay": 0, "jitter": 0},
}
HTTPCACHE_ENABLED = False
# No telnet console: scheduled runs start side by side, and two crawls starting at once
# can race for its port (Scrapy logs the lost race as an ERROR, failing the run).
# Turn it on to inspect one live run: -s TELNETCONSOLE_ENABLED=True.
TELNETCONSOLE_ENABLED = False

# A saved page (path=) or a response larger than this is skipped with one line,
# never read into memory: no review page comes near it.
MAX_PAGE_BYTES = 100 * 1024 * 1024
# Saved pages are read by a handler that checks what it opens (regular file, size).
DOWNLOAD_HANDLERS = {"file": "reviewcrawler.filepages.PageFileDownloadHandler"}
# Pages read per title at most (max_pages= lowers it for one run). IMDb's most
# reviewed titles need a few hundred; a server handing out keys for ever ends
# here, the title incomplete.
MAX_PAGES_PER_TITLE = 5000
# After a SIGTERM/SIGINT, seconds to let pages in flight finish before the run
# commits what it holds and ends anyway; a second signal ends it at once.
SHUTDOWN_TIMEOUT = 30.0
# Worker processes that parse pages beside the crawl (0: parse in the crawl's
# process). Unset: a path= run of 50 pages or more gets one fewer than the
# machine's CPUs (at most 4); see reviewcrawler.crawl.reading.
PARSE_PROCESSES = None

# Where `-a title=ttN` starts: ``{IMDB_BASE_URL}/title/ttN/reviews/``. Tests point
# it at a local server.
IMDB_BASE_URL = "https://www.imdb.com"
# The current site's further pages come from IMDb's GraphQL endpoint, asked for
# by a persisted query (`reviewcrawler.parsers.current.graphql`). Its hash changes when
# IMDb rebuilds its front end: when the crawl says the endpoint rejected it, put
# the current one here (docs/crawling.md, "When the GraphQL hash rotates"). The default is
# the newest one public scripts were seen sending (January 2026).
IMDB_GRAPHQL_URL = "https://caching.graphql.imdb.com/"
IMDB_GRAPHQL_HASH = "d389bc70c27f09c00b663705f0112254e8a7c75cde1cfd30e63a2d98c1080c87"

# A Netscape cookies.txt (as browser extensions export it) whose IMDb cookies are
# sent to IMDb's hosts: a signed-in session, for the reviews IMDb shows only to
# signed-in users. Cookies are never written to the archive, its manifest (which
# names the file, not what is in it) or a recording. Never set COOKIES_DEBUG with
# it: Scrapy would log the cookies.
COOKIES_FILE = None

# Retries on 429, 5xx and timeouts wait before going again: the server's
# Retry-After, else RETRY_BACKOFF_BASE doubled per retry, at most RETRY_BACKOFF_MAX
# (a Retry-After beyond it is given up on rather than ignored).
RETRY_TIMES = 3
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 120.0
# A page given up on leaves its title incomplete (exit status 3); the run itself
# did not fail, so this is no ERROR.
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"

# Record every live response (`-a record=DIR`), or serve every request from a
# recording (`-a replay=DIR`) without the network. Both off unless set.
RECORD_DIR = None
REPLAY_DIR = None

DOWNLOADER_MIDDLEWARES = {
    # robots.txt as Scrapy obeys it; an outage fetching it is one warning, not a traceback.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "reviewcrawler.middlewares.robots.OutageTolerantRobotsTxtMiddleware": 100,
    # Scrapy's cookie handling, its jar seeded from COOKIES_FILE.
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
    "reviewcrawler.middlewares.cookies.SessionCookiesMiddleware": 700,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "reviewcrawler.middlewares.retry.BackoffRetryMiddleware": 550,
    # Between retry (550) and decompression (590): sees every attempt, bodies decoded.
    "reviewcrawler.middlewares.record.RecordMiddleware": 560,
    # After robots.txt (100) so a replay obeys it; before the downloader, which it replaces.
    "reviewcrawler.middlewares.replay.ReplayMiddleware": 950,
}

ITEM_PIPELINES = {
    "reviewcrawler.pipelines.validate.ValidateReviewsPipeline": 100,
    "reviewcrawler.pipelines.dedupe.DeduplicateReviewsPipeline": 200,
    "reviewcrawler.pipelines.archive.ArchivePipeline": 300,
}
# Lock, tidy-up, commit and manifest of each run in the archive, and the progress line.
EXTENSIONS = {
    "reviewcrawler.archive.run.ArchiveRun": 500,
    # A stop signal ends the run within SHUTDOWN_TIMEOUT, committing what it holds.
    "reviewcrawler.extensions.shutdown.ShutdownDeadline": 510,
}

# The archive (docs/archive.md). Relative paths are taken from the
# working directory; give an absolute one to schedulers (Scrapyd: always).
ARCHIVE_ENABLED = True
ARCHIVE_DIR = "output"
# Seconds between progress lines (pages, reviews, new, rejected, rate); 0: none.
PROGRESS_INTERVAL = 60.0

# Cluster mode (docs/cluster.md): set REDIS_URL (redis://[:PASSWORD@]HOST:PORT/DB,
# rediss:// for TLS) and `scrapy crawl reviews` becomes a worker taking titles from
# Redis (`scrapy enqueue`); `scrapy archive ingest` is the one archive writer.
ADDONS = {"reviewcrawler.cluster.addon.ClusterAddon": 0}
REDIS_URL = None
# "worker" for `scrapy crawl`; `scrapy archive ingest` sets "ingester".
CLUSTER_ROLE = "worker"
# Prefix of every key the cluster keeps in Redis.
CLUSTER_KEY_PREFIX = "reviews"
# Requests per second per site for the whole cluster, shared through Redis; 0: no cap.
CLUSTER_REQUESTS_PER_SECOND = 1.0
# Seconds without a page of a title before it is given to another worker (its
# worker was killed); longer than the slowest page with its retries.
CLUSTER_TITLE_LEASE = 600.0
# A worker takes a new title only while the shared request queue is shorter than this.
CLUSTER_QUEUED_REQUESTS = 4
# A worker with nothing to do closes after this many seconds; 0: waits for ever.
MAX_IDLE_TIME_BEFORE_CLOSE = 0
# The ingester commits a batch after this many stream entries, or this many seconds.
INGEST_BATCH_SIZE = 5000
INGEST_BATCH_SECONDS = 30.0
# scrapy-redis's key of the shared request fingerprints (its default); `scrapy
# enqueue` drops them when a new round of the whole cluster begins.
SCHEDULER_DUPEFILTER_KEY = "%(spider)s:dupefilter"

# `scrapy check reviews` reads the bundled saved pages (``@fixture`` in a callback's
# docstring), offline.
SPIDER_CONTRACTS = {"reviewcrawler.contracts.FixtureContract": 10}

LOG_FORMATTER = "reviewcrawler.logformatter.ReviewLogFormatter"
LOG_LEVEL = "INFO"

FEED_EXPORT_ENCODING = "utf-8"
# JSON Lines as Scrapy writes it, a review's line built without a per-field adapter.
FEED_EXPORTERS = {
    "jsonlines": "reviewcrawler.feeds.ReviewJsonLinesExporter",
    "jsonl": "reviewcrawler.feeds.ReviewJsonLinesExporter",
}
# `-O -` into a pipe whose reader leaves (`| head`): one line, and the run goes on.
FEED_STORAGES = {"stdout": "reviewcrawler.feeds.StdoutFeed"}
# Record fields in their documented order, whatever exporter is used.
FEED_EXPORT_FIELDS = list(REVIEW_FIELDS)

# `scrapy archive export|report`: seconds between progress lines on stderr
# (reviews read, rate); 0: none. --quiet or LOG_LEVEL=WARNING silence them too.
ARCHIVE_PROGRESS_INTERVAL = 5.0
# `scrapy archive report`: per-title plots for the titles named with --title, else
# for this many titles with the most reviews (the rest show their figures only).
REPORT_PLOTTED_TITLES = 50
