"""A small news site for the tests: pages written here, served over HTTP on loopback.

`SiteServer` runs in a thread of the test session. Routes:
  /article              an article among navigation, ads, related links and comments
  /hop/N                a redirect chain: N more hops, then /article
  /loop                 redirects to itself
  /to?url=U             one redirect to U (anywhere)
  /big, /big-chunked    pages over the size cap (declared, and streamed without a length)
  /bomb                 a small gzip body that inflates past the size cap
  /slow                 sends its headers, then a byte now and then
  /cut, /garbage        a body cut short, an answer that is not HTTP
  /pdf, /json, /untyped not HTML
  /missing              404
  /seed/NAME            a seed article rendered by `seed_page`
  /changing             a page whose article changes on every request
"""

from __future__ import annotations

import contextlib
import gzip
import html
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[2]

TITLE = "Harbour of Port Elwin reopens after the storm"
AUTHOR = "Mira Solberg"
SITE = "The Coastal Ledger"
PUBLISHED = "2025-03-04"
PARAGRAPHS = [
    "The harbour authority of Port Elwin confirmed on Tuesday that the northern quay is open "
    "again, eleven days after the storm tore away two of its cranes.",
    "\u201cWe moved 4,200 containers in the first two days, about half of what we handle in a "
    "normal week,\u201d said Tomas Reyne, the authority's director of operations.",
    "Shipping agents said that at least 30 vessels were still waiting offshore on Monday. The "
    "authority denied that any cargo had been lost during the closure.",
    "Repairs to the southern quay will take until May, according to the engineering firm "
    "Halvard & Moss, which put the cost at 18 million euros.",
]
ARTICLE_TEXT = "\n".join(PARAGRAPHS)
NOISE = [  # strings that sit around the article and must not reach its text
    "Subscribe for unlimited access",
    "Sponsored: the best ferry deals",
    "Read more: Lighthouse keepers return to the islands",
    "First! Great reporting as always.",
    "We use cookies",
    "Share on social media",
    "All rights reserved",
    "Home",
    "Sign up for our newsletter",
]


def news_page(paragraphs: list[str], title: str = TITLE, published: str = PUBLISHED) -> str:
    """A page as news sites make them: the article's paragraphs (an ad after the second) among
    a cookie banner, navigation, share tools, related links, comments and a footer."""
    body = "\n".join(
        [
            *(f"        <p>{html.escape(p)}</p>" for p in paragraphs[:2]),
            AD,
            *(f"        <p>{html.escape(p)}</p>" for p in paragraphs[2:]),
        ]
    )
    title = html.escape(title)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} | {SITE}</title>
  <meta property="og:title" content="{title}">
  <meta property="og:site_name" content="{SITE}">
  <meta name="author" content="{AUTHOR}">
  <meta property="article:published_time" content="{published}T07:30:00+01:00">
  <link rel="stylesheet" href="/static/site.css">
  <script>window.dataLayer = [];  function track(e) {{ dataLayer.push(e); }}</script>
</head>
<body>
  <div class="cookie-banner" id="cookie-consent"><p>We use cookies to improve your experience.</p>
    <button>Accept</button></div>
  <header class="site-header">
    <a class="logo" href="/">{SITE}</a>
    <nav class="main-nav"><ul>
      <li><a href="/">Home</a></li><li><a href="/news">News</a></li>
      <li><a href="/ports">Ports</a></li><li><a href="/weather">Weather</a></li>
      <li><a href="/subscribe">Subscribe for unlimited access</a></li>
    </ul></nav>
  </header>
  <main>
    <nav class="breadcrumb"><a href="/">Home</a> &rsaquo; <a href="/ports">Ports</a></nav>
    <article class="story">
      <h1 class="headline">{title}</h1>
      <div class="byline">By <a href="/authors/solberg" rel="author">{AUTHOR}</a>
        <time datetime="{published}T07:30:00+01:00">{published}</time></div>
      <div class="share-tools"><a href="#">Share on social media</a></div>
      <div class="story-body">
{body}
      </div>
      <aside class="related"><h2>Related</h2><ul>
        <li><a href="/ports/lighthouse">Read more: Lighthouse keepers return to the islands</a></li>
      </ul></aside>
    </article>
    <section class="comments" id="comments"><h2>3 comments</h2>
      <div class="comment"><p class="author">seagull77</p><p>First! Great reporting as always.</p></div>
      <div class="comment"><p class="author">dockhand</p><p>The cranes were old anyway.</p></div>
    </section>
    <div class="newsletter"><form><label>Sign up for our newsletter</label><input type="email"></form></div>
  </main>
  <footer class="site-footer"><p>&copy; 2025 {SITE}. All rights reserved.</p>
    <a href="/privacy">Privacy</a> <a href="/terms">Terms</a></footer>
  <script src="/static/app.js"></script>
</body>
</html>
"""


AD = """        <div class="ad-slot advertisement" id="ad-inline-1"><span>Advertisement</span>
          <a href="https://ads.example/click">Sponsored: the best ferry deals</a></div>"""
ARTICLE_PAGE = news_page(PARAGRAPHS)


def seed_page(text: str, title: str, published: str | None = None) -> str:
    """A seed article as a simple news page: navigation and footer around its paragraphs."""
    paragraphs = "\n".join(f"      <p>{html.escape(line)}</p>" for line in text.split("\n") if line.strip())
    date = f'<meta property="article:published_time" content="{published}">' if published else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} - {SITE}</title>{date}</head>
<body>
  <header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/europe">Europe</a>
    <a href="/opinion">Opinion</a></nav></header>
  <main><article>
      <h1>{html.escape(title)}</h1>
{paragraphs}
  </article></main>
  <footer><p>&copy; {SITE}</p><a href="/about">About us</a> <a href="/contact">Contact</a></footer>
</body></html>
"""


class Handler(BaseHTTPRequestHandler):
    server: SiteServer

    def log_message(self, *args: object) -> None:  # keep the test output quiet
        pass

    def do_GET(self) -> None:
        self.server.requests.append((self.path, dict(self.headers)))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up: fine
            self.route()

    def route(self) -> None:
        parts = urlsplit(self.path)
        route, query = parts.path, parse_qs(parts.query)
        if route == "/article":
            self.send(200, ARTICLE_PAGE)
        elif route.startswith("/hop/"):
            left = int(route.rsplit("/", 1)[1])
            self.redirect(f"/hop/{left - 1}" if left > 1 else "/article")
        elif route == "/loop":
            self.redirect("/loop")
        elif route == "/to":
            self.redirect(query["url"][0])
        elif route == "/big":
            self.send(200, "<html><body>" + "<p>filler text</p>" * (self.server.big // 16) + "</body></html>")
        elif route == "/big-chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(self.server.big // 1024 + 2):
                self.wfile.write(b"<p>" + b"x" * 1017 + b"</p>")
        elif route == "/bomb":
            body = gzip.compress(b"<html><body>" + b" " * (self.server.big * 4) + b"</body></html>")
            self.send(200, body, headers={"Content-Encoding": "gzip"})
        elif route == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><body><p>")
            for _ in range(100):  # 30 s at most; the client gives up long before
                time.sleep(0.3)
                self.wfile.write(b"a")
                self.wfile.flush()
        elif route == "/cut":  # promises more than it sends, then hangs up
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"<html><body><p>The beginning of an article")
            self.close_connection = True
        elif route == "/garbage":  # not HTTP at all
            self.wfile.write(b"\x00\x01 this is not a status line\r\n\r\n")
            self.close_connection = True
        elif route == "/pdf":
            self.send(200, b"%PDF-1.7 ...", content_type="application/pdf")
        elif route == "/json":
            self.send(200, '{"article": "not a page"}', content_type="application/json")
        elif route == "/untyped":
            self.send(200, ARTICLE_PAGE, content_type=None)
        elif route.startswith("/seed/"):
            path = ROOT / "seeds" / (route.rsplit("/", 1)[1] + ".txt")
            self.send(200, seed_page(path.read_text(encoding="utf-8"), path.stem))
        elif route == "/changing":
            self.server.changes += 1
            changed = ARTICLE_PAGE.replace("eleven days", f"{self.server.changes + 11} days")
            self.send(200, changed)
        else:
            self.send(404, "<html><body><p>Not found</p></body></html>")

    def redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send(
        self,
        status: int,
        body: str | bytes,
        content_type: str | None = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class SiteServer(ThreadingHTTPServer):
    """The site on `host`, in a daemon thread; `big` is the size the oversized pages pass."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", big: int = 64 * 1024) -> None:
        super().__init__((host, 0), Handler)
        self.big = big
        self.changes = 0
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
