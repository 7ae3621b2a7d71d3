"""`claimscope serve | worker | ingest PATH... | extractors | reextract | openapi` (and search/stories/reindex)."""

from __future__ import annotations

import functools
import ipaddress
import json
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import anyio
import click
import msgspec

from claimscope.core import Claimscope
from claimscope.errors import ClaimscopeError
from claimscope.ingest.article import decode_html
from claimscope.ingest.fetch import Fetcher, needs_fetch
from claimscope.logs import configure_logging
from claimscope.models import FILTERS, SORTS, DocumentIn, StoryFilters
from claimscope.pipeline.manager import PluginError
from claimscope.pipeline.runner import PipelineError, select
from claimscope.settings import Settings, SettingsError, load_settings
from claimscope.stories.models import Story

ARTICLE_SUFFIXES = {".txt", ".json", ".jsonl", ".html", ".htm"}
INGEST_BATCH = 64  # articles extracted together
_decode_article = msgspec.json.Decoder(DocumentIn).decode


def friendly_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Configuration and plugin errors end the command with one line, not a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (SettingsError, PluginError, PipelineError, ClaimscopeError) as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def settings_from(data_dir: str | None = None, **overrides: Any) -> Settings:
    return load_settings(data_dir=data_dir, **overrides)


@click.group()
@click.version_option(package_name="claimscope")
def cli() -> None:
    """claimscope: turn news articles into searchable evidence."""


@cli.command()
@click.option("--host", help="Address to bind (default 127.0.0.1, or CLAIMSCOPE_HOST).")
@click.option("--port", type=int, help="Port (default 8000, or CLAIMSCOPE_PORT).")
@click.option("--data-dir", help="Where the database lives (default ./data, or CLAIMSCOPE_DATA_DIR).")
@click.option("--insecure", is_flag=True, help="Allow a public address without API keys.")
@friendly_errors
def serve(host: str | None, port: int | None, data_dir: str | None, insecure: bool) -> None:
    """Run the HTTP API."""
    import uvicorn

    from claimscope.app import create_app
    from claimscope.serving import ensure_file_limit, uvicorn_options

    settings = settings_from(data_dir, host=host, port=port)
    if not _is_loopback(settings.host) and not settings.auth_enabled and not insecure:
        raise click.ClickException(
            f"refusing to serve on {settings.host} without API keys: set CLAIMSCOPE_API_KEYS, or pass --insecure"
        )
    configure_logging(settings.log_level, settings.log_json, settings.log_repeat_limit)
    app = create_app(settings)
    # uvicorn finishes in-flight requests on SIGTERM/SIGINT, then the app's on_shutdown closes
    # the core (flushing the index outbox); our middleware writes the access log.
    ensure_file_limit(settings.max_connections)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
        **uvicorn_options(settings),
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--urls",
    "urls_file",
    type=click.File("r", encoding="utf-8"),
    help="A file of page URLs, one a line (blank lines and # comments skipped; - for stdin), "
    "fetched several at once and ingested. Private, loopback and link-local addresses are "
    "refused unless CLAIMSCOPE_FETCH_ALLOW lists them.",
)
@click.option("--data-dir", help="Where the database lives (default ./data, or CLAIMSCOPE_DATA_DIR).")
@click.option(
    "--replace",
    is_flag=True,
    help="Replace stored documents whose text changed (else they fail with a conflict).",
)
@friendly_errors
def ingest(paths: tuple[Path, ...], urls_file: TextIO | None, data_dir: str | None, replace: bool) -> None:
    """Extract and store articles from .txt, .json, .jsonl and .html files or directories,
    and from the pages of a list of URLs (--urls).

    A .txt file is one article and an .html file one saved web page (the article, title,
    author, date and site name are extracted); the file's name is the id. A .json file holds
    one article object or a list of them; a .jsonl file one object per line. Objects have the
    fields of POST /v1/documents (`body` is accepted for `text`); one with only a `url` is
    fetched, as the URLs of --urls are (a page's id comes from its URL).
    """
    settings = settings_from(data_dir)
    files = sorted({f for p in paths for f in _article_files(p)})
    to_fetch = [(url, DocumentIn(url=url)) for url in _read_urls(urls_file)] if urls_file else []
    if not files and not to_fetch:
        raise click.ClickException("no .txt, .json, .jsonl or .html files in the given paths, and no --urls")
    core = Claimscope.open(settings)
    try:
        core.pipeline.start()  # a plugin that cannot start stops the command here, in one line
    except BaseException:
        core.close()
        raise
    failures: list[str] = []
    counts = {"created": 0, "unchanged": 0}

    def store(label: str, article: DocumentIn) -> None:
        try:
            _, created = core.ingest(article, replace=replace)
            counts["created" if created else "unchanged"] += 1
        except ClaimscopeError as exc:
            failures.append(f"{label}: {exc}")

    pending: list[tuple[str, DocumentIn]] = []

    def flush() -> None:
        """Extract the pending articles together (every worker busy), then count each outcome."""
        results = core.ingest_many([article for _, article in pending], replace=replace)
        for (label, _), result in zip(pending, results, strict=True):
            if isinstance(result, ClaimscopeError):
                failures.append(f"{label}: {result}")
            else:
                counts["created" if result[1] else "unchanged"] += 1
        pending.clear()

    try:
        with click.progressbar(
            files,
            label="ingesting",
            file=sys.stderr,
            show_pos=True,
            item_show_func=lambda f: f.name if f else None,
        ) as bar:
            for path in bar:
                try:
                    for article in _read_articles(path):
                        if needs_fetch(article):
                            to_fetch.append((f"{path}: {article.url}", article))
                        else:
                            pending.append((str(path), article))
                            if len(pending) >= INGEST_BATCH:
                                flush()
                except (ValueError, UnicodeDecodeError, msgspec.ValidationError) as exc:
                    failures.append(f"{path}: {exc}")
            flush()
        if to_fetch:
            anyio.run(_fetch_and_store, Fetcher(settings, enabled=True), to_fetch, store, failures.append)
        waiting = core.index.lag()
    finally:
        core.close()
    click.echo(f"{counts['created']} stored, {counts['unchanged']} unchanged, {len(failures)} failed")
    if waiting:
        click.echo(_waiting_note(waiting, core.index.name))
    if failures:
        for failure in failures:
            click.echo(f"failed: {failure}", err=True)
        sys.exit(1)


async def _fetch_and_store(
    fetcher: Fetcher,
    documents: list[tuple[str, DocumentIn]],
    store: Callable[[str, DocumentIn], None],
    fail: Callable[[str], None],
) -> None:
    """Fetch the pages (within the fetcher's bound) and store each as it arrives."""
    with click.progressbar(length=len(documents), label="fetching", file=sys.stderr, show_pos=True) as bar:

        async def one(label: str, document: DocumentIn) -> None:
            try:
                page = await fetcher.document(document)
            except ClaimscopeError as exc:
                fail(f"{label}: {exc}")
            else:
                await anyio.to_thread.run_sync(store, label, page)
            bar.update(1)

        try:
            async with anyio.create_task_group() as group:
                for label, document in documents:
                    group.start_soon(one, label, document)
        finally:
            await fetcher.aclose()


def _read_urls(lines: Iterable[str]) -> list[str]:
    stripped = (line.strip() for line in lines)
    return [line for line in stripped if line and not line.startswith("#")]


def _article_files(path: Path) -> Iterator[Path]:
    if path.is_dir():
        yield from (f for f in path.rglob("*") if f.is_file() and f.suffix in ARTICLE_SUFFIXES)
    else:
        yield path


def _read_articles(path: Path) -> Iterator[DocumentIn]:
    if path.suffix == ".txt":
        yield DocumentIn(id=path.stem, text=path.read_text(encoding="utf-8"))
    elif path.suffix in (".html", ".htm"):
        yield DocumentIn(id=path.stem, html=decode_html(path.read_bytes()))
    elif path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        for n, item in enumerate(data if isinstance(data, list) else [data]):
            yield _article(item, f"item {n}")
    elif path.suffix == ".jsonl":
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                yield _article(json.loads(line), f"line {n}")
    else:
        raise ValueError(f"unsupported file type {path.suffix!r}; use .txt, .html, .json or .jsonl")


def _article(item: Any, where: str) -> DocumentIn:
    if not isinstance(item, dict):
        raise ValueError(f"{where}: expected an object, got {type(item).__name__}")
    if "body" in item and "text" not in item:
        item = {("text" if k == "body" else k): v for k, v in item.items()}
    try:
        return _decode_article(json.dumps(item))
    except msgspec.ValidationError as exc:
        raise ValueError(f"{where}: {exc}") from None


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--data-dir", help="Where the database lives (default ./data, or CLAIMSCOPE_DATA_DIR).")
@friendly_errors
def extractors(as_json: bool, data_dir: str | None) -> None:
    """List installed extractors in the order they run, with their circuit breakers."""
    # The plugins start in this process, so one that cannot start says so here. The circuit
    # breakers live in the database; without one, list from an empty one.
    settings = msgspec.structs.replace(settings_from(data_dir), extraction_workers=0)
    with tempfile.TemporaryDirectory() as tmp:
        core = Claimscope.open(
            settings if settings.db_path.exists() else msgspec.structs.replace(settings, data_dir=tmp)
        )
        try:
            infos = core.extractor_infos()
        finally:
            core.close()
    if as_json:
        click.echo(json.dumps(msgspec.to_builtins(infos), indent=2))
        return
    if not infos:
        click.echo("no extractors installed")
        return
    rows = [
        (
            str(i.order if i.enabled else "-"),
            i.name,
            i.version,
            i.plugin,
            ",".join(i.produces),
            ",".join(i.requires) or "-",
            i.circuit or "disabled",
        )
        for i in infos
    ]
    click.echo(_table(("#", "name", "version", "plugin", "produces", "requires", "circuit"), rows))


@cli.command()
@click.option(
    "--extractor", "names", multiple=True, help="Only documents this extractor did not finish (repeatable)."
)
@click.option("--all", "everything", is_flag=True, help="Every stored document.")
@click.option("--data-dir", help="Where the database lives (default ./data, or CLAIMSCOPE_DATA_DIR).")
@friendly_errors
def reextract(names: tuple[str, ...], everything: bool, data_dir: str | None) -> None:
    """Extract again the documents stored while an extractor failed, timed out or was switched
    off (or before it was installed), and store the results. Safe beside a running server."""
    core = Claimscope.open(settings_from(data_dir))
    try:
        select(core.plugins.extractors, names, ())  # unknown names end here, before any work
        core.pipeline.start()
        with click.progressbar(
            length=core.store.count_documents(), label="re-extracting", file=sys.stderr
        ) as bar:
            done, changed = core.reextract(extractors=list(names), everything=everything, progress=bar.update)
    finally:
        core.close()
    click.echo(f"{done} re-extracted, {changed} changed meanwhile and left alone")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


@cli.command()
@click.argument("collection", type=click.Choice(list(FILTERS)))
@click.option("--q", "-q", help="Words to find.")
@click.option("--actor", multiple=True, help="Actor id, name or alias (repeatable: any of them).")
@click.option("--status", multiple=True, help="Claim status (repeatable).")
@click.option("--claimant", multiple=True)
@click.option("--speaker", multiple=True)
@click.option("--source", multiple=True)
@click.option("--date-from", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--date-to", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--facets", help="Comma-separated facet names.")
@click.option("--sort", type=click.Choice(SORTS))
@click.option("--limit", type=click.IntRange(0, 1000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON instead of a table.")
@click.option("--data-dir", help="Where the database lives (default ./data, or CLAIMSCOPE_DATA_DIR).")
@friendly_errors
def search(collection: str, as_json: bool, data_dir: str | None, **options: Any) -> None:
    """Search documents, claims or quotes, as GET /v1/search/COLLECTION does."""
    kind = FILTERS[collection]
    given = {name: value for name, value in options.items() if value not in (None, ())}
    unknown = [name for name in given if name not in kind.__struct_fields__]
    if unknown:
        raise click.ClickException(
            f"--{unknown[0].replace('_', '-')} does not apply to {collection}; its filters are "
            + ", ".join("--" + f.replace("_", "-") for f in kind.filter_names())
        )
    for name in ("date_from", "date_to"):
        if name in given:
            given[name] = given[name].date()
    given["facets"] = [f.strip() for f in given.get("facets", "").split(",") if f.strip()]
    filters = msgspec.convert({k: list(v) if isinstance(v, tuple) else v for k, v in given.items()}, kind)
    core = Claimscope.open(settings_from(data_dir))
    try:
        result = core.search(filters)
    finally:
        core.close()
    if as_json:
        click.echo(json.dumps(msgspec.to_builtins(result), indent=2, ensure_ascii=False))
        return
    click.echo(_table(*_hit_rows(collection, result.hits)) if result.hits else "no hits")
    click.echo(f"{result.total} hits in {result.took_ms:.1f} ms")
    for name, counts in result.facets.items():
        click.echo(f"{name}: " + ", ".join(f"{value} ({count})" for value, count in counts.items()))


def _hit_rows(collection: str, hits: list) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    def cut(text: str | None, width: int = 70) -> str:
        text = " ".join((text or "").split())
        return text if len(text) <= width else text[: width - 1] + "…"

    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    if collection == "claims":
        header = ("date", "status", "claimant", "claim")
        rows = [
            (h.date or "", h.item["status"], cut(h.item.get("claimant_name"), 24), cut(h.item["text"]))
            for h in hits
        ]
    elif collection == "quotes":
        header = ("date", "speaker", "quote")
        rows = [(h.date or "", cut(h.item.get("speaker_name"), 24), cut(h.item["text"])) for h in hits]
    else:
        header = ("date", "id", "title")
        rows = [(h.date or "", h.id, cut(h.item.get("title") or h.snippet)) for h in hits]
    return header, rows


@cli.command()
@click.argument("story_id", required=False)
@click.option("--q", "-q", help="Words of the stories' first claims.")
@click.option("--actor", multiple=True, help="Actor id, name or alias (repeatable: any of them).")
@click.option("--status", multiple=True, help="Current status (repeatable).")
@click.option("--claimant", multiple=True)
@click.option("--source", multiple=True)
@click.option("--month", multiple=True, help="YYYY-MM (repeatable).")
@click.option("--facets", help="Comma-separated facet names.")
@click.option("--sort", type=click.Choice(SORTS))
@click.option("--limit", type=click.IntRange(0, 1000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON instead of a table.")
@click.option("--data-dir", help="Where the database lives (default ./data, or CLAIMSCOPE_DATA_DIR).")
@friendly_errors
def stories(story_id: str | None, as_json: bool, data_dir: str | None, **options: Any) -> None:
    """List stories as GET /v1/stories does, or show one (STORY_ID) with its timeline."""
    given: dict[str, Any] = {
        n: list(v) if isinstance(v, tuple) else v for n, v in options.items() if v not in (None, ())
    }
    given["facets"] = [f.strip() for f in (options["facets"] or "").split(",") if f.strip()]
    core = Claimscope.open(settings_from(data_dir))
    try:
        if story_id:
            result: Any = core.story(story_id, offset=options["offset"], limit=options["limit"] or 1000)
        else:
            result = core.search(msgspec.convert(given, StoryFilters))
    finally:
        core.close()
    if as_json:
        click.echo(json.dumps(msgspec.to_builtins(result), indent=2, ensure_ascii=False))
    elif story_id:
        click.echo(_story_text(result))
    else:
        rows = [
            (h.id, h.item["status"], str(h.item["claim_count"]), str(h.item["document_count"]), h.date or "",
             _cut(h.item["title"]))
            for h in result.hits
        ]  # fmt: skip
        header = ("id", "status", "claims", "docs", "latest", "first claim")
        click.echo(_table(header, rows) if rows else "no stories")
        click.echo(f"{result.total} stories")
        for name, counts in result.facets.items():
            click.echo(f"{name}: " + ", ".join(f"{value} ({count})" for value, count in counts.items()))


def _story_text(story: Story) -> str:
    assert story.current is not None
    lines = [story.title, f"{story.current.status}: {story.current.reason}", ""]
    rows = [
        (e.date[:10], e.status, _cut(e.claimant_name or e.claimant_id, 24), _cut(e.source or e.document_id, 20),
         _cut(e.text, 60))
        for e in story.timeline
    ]  # fmt: skip
    lines.append(_table(("date", "status", "claimant", "source", "claim"), rows))
    for conflict in story.conflicts:
        figures = ", ".join(f"{f.text} ({f.source or f.document_id})" for f in conflict.figures)
        lines.append(f"figures disagree on {conflict.unit}: {figures}")
    return "\n".join(lines)


def _cut(text: str | None, width: int = 70) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _drain(core: Claimscope, timeout: float) -> int:
    """Push the outbox here, with a progress bar of the rows pushed; returns the rows left."""
    waiting = core.index.lag()
    with click.progressbar(length=waiting, label="pushing", file=sys.stderr, show_pos=True) as bar:

        def progress(left: int) -> None:
            bar.update(max(0, waiting - left - bar.pos))

        return core.drain_index(timeout, progress)


def _waiting_note(waiting: int, backend: str) -> str:
    return (
        f"{waiting} writes wait in the index outbox for {backend}: a running `claimscope serve` or "
        "`claimscope worker` pushes them"
    )


@cli.command()
@click.option("--data-dir", help="Where the database lives (default ./data, or CLAIMSCOPE_DATA_DIR).")
@click.option("--wait", is_flag=True, help="Push the rebuilt index before returning (tantivy, Meilisearch).")
@click.option("--timeout", type=click.FloatRange(0), default=3600, show_default=True,
              help="With --wait: give up after this many seconds.")  # fmt: skip
@friendly_errors
def reindex(data_dir: str | None, wait: bool, timeout: float) -> None:
    """Rebuild the search index (sqlite, tantivy or Meilisearch) from the store."""
    core = Claimscope.open(settings_from(data_dir))
    try:
        total = core.store.count_documents()
        with click.progressbar(length=total, label="reindexing", file=sys.stderr, show_pos=True) as bar:
            done = core.reindex(progress=lambda n: bar.update(1))
        left = _drain(core, timeout) if wait else core.index.lag()
    finally:
        core.close()
    if not left:
        click.echo(f"reindexed {done} documents into the {core.index.name} index")
        return
    click.echo(f"queued {done} documents for the {core.index.name} index")
    if wait:
        raise click.ClickException(f"{left} writes still wait in the index outbox after {timeout:g} s")
    click.echo(_waiting_note(left, core.index.name) + " (or run `claimscope reindex --wait`)")


@cli.command()
@click.option("--data-dir", help="Where the database lives (default ./data, or CLAIMSCOPE_DATA_DIR).")
@friendly_errors
def worker(data_dir: str | None) -> None:
    """Push the index outbox to the search index until stopped (SIGTERM or Ctrl-C).

    `claimscope serve` does the same in its own process; run this beside CLI-only setups.
    Several workers on one database are safe: one at a time holds the outbox's lease.
    """
    settings = settings_from(data_dir)
    configure_logging(settings.log_level, settings.log_json, settings.log_repeat_limit)
    core = Claimscope.open(settings)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        if not core.start_index_worker():
            raise click.ClickException(
                f"the {core.index.name} index is written with the store: it needs no worker"
            )
        click.echo(f"pushing the index outbox to {core.index.name}; stop with Ctrl-C", err=True)
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        core.close()


@cli.command()
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), default=Path("openapi/openapi.json"), show_default=True
)
@friendly_errors
def openapi(output: Path) -> None:
    """Write the OpenAPI document of the HTTP API."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(openapi_json())
    click.echo(f"wrote {output}")


def openapi_json() -> str:
    """The OpenAPI document as committed: stable key order, no plugin-dependent parts."""
    from claimscope.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({}, data_dir=tmp)
        core = Claimscope.open(settings, entry_points=False)
        try:
            schema = create_app(settings, core=core).openapi_schema.to_schema()
        finally:
            core.close()
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    cli()
