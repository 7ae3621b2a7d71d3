"""Documents from web pages: article extraction from HTML, and fetching URLs safely.

- ``article``: HTML -> article text and metadata (trafilatura).
- ``addresses``: which IP addresses a fetch may connect to.
- ``fetch``: the HTTP client (httpx) that fetches pages under that policy.
"""
