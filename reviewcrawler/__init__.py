"""Scrapy project that archives IMDb user reviews as JSON Lines.

A review's path, from response to archive line: the ``reviews`` spider
(`reviewcrawler.spiders.reviews`) gets a response (a saved page through
`reviewcrawler.filepages`, a live or replayed one through `reviewcrawler.middlewares`)
and asks `reviewcrawler.parsers` for its one outcome, through
`reviewcrawler.crawl.reading` (which parses in worker processes when a run reads
many saved pages, else in the crawl's own); that package picks the
layout, `reviewcrawler.parsers.legacy` or `reviewcrawler.parsers.current` (server
page, ``__NEXT_DATA__``, review card, GraphQL answer), whose values the processors
of `reviewcrawler.loaders` clean into a `reviewcrawler.items.Review`, and answers
with a `reviewcrawler.parsers.base.ParsedPage` (the reviews, and the next page as
data) or the reason there are none. The spider counts the page and its reviews
(`reviewcrawler.crawl.page_stats`), yields the reviews (a saved page in its turn,
a title's page before its next request: `reviewcrawler.crawl.settling`), counts the title in
`reviewcrawler.progress`, and asks `reviewcrawler.crawl.paging` what follows: the
next page's URL (`reviewcrawler.crawl.pages`), which `reviewcrawler.urls` allows or
refuses, or why the title stops; it builds the request. Each review then
passes `reviewcrawler.pipelines.validate` (a bad one becomes a reject line),
`reviewcrawler.pipelines.dedupe` and `reviewcrawler.pipelines.archive`, which hands
it to the run's writer (`reviewcrawler.archive.writer`) held by
`reviewcrawler.archive.run`, the archive run; the writer appends the review as one
JSON line to the title's ``.partial`` file (`reviewcrawler.archive.files`), and at
the run's end the archive run renames the files into place, writes the manifest
(`reviewcrawler.archive.manifest`) and commits the index (`reviewcrawler.archive.index`).
"""
