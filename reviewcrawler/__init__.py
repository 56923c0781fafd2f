"""Scrapy project that archives IMDb user reviews as JSON Lines."""
