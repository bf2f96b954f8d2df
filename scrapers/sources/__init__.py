"""Fetch glue, one module per source: which URLs to fetch, and parsed records -> store.Item.

The parsing itself is in scrapers/parsers/ (pure); these modules only decide URLs, source rows,
locators and confidence, which are questions about where a value came from.
"""
