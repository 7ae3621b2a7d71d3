"""A stand-in for the Meilisearch HTTP API, enough for the adapter's unit tests.

It speaks the endpoints the adapter uses (health, indexes, settings, documents, tasks,
multi-search counts),
records every request, and can play an outage (`down`: every call answers 503) or a
failing engine (`fail_tasks`: every task ends "failed"). It does not search: queries are
checked against a real Meilisearch in the contract tests when MEILI_URL is set.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

NOW = "2024-10-23T10:00:00.000000Z"
Matcher = Callable[[str, str, Any], bool]  # (method, path, JSON body) -> bool


class _Hold:
    def __init__(self, matches: Matcher, until: Matcher, timeout: float) -> None:
        self.matches, self.until, self.timeout = matches, until, timeout
        self.arrived, self.released = threading.Event(), threading.Event()
        self._lock = threading.Lock()

    def wait_if_first(self, method: str, path: str, body: Any) -> None:
        with self._lock:
            if self.arrived.is_set() or not self.matches(method, path, body):
                return
            self.arrived.set()
        self.released.wait(self.timeout)


class FakeMeili:
    def __init__(self) -> None:
        self.indexes: dict[str, dict[str, Any]] = {}
        self.documents: dict[str, dict[str, dict]] = {}
        self.tasks: dict[int, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, Any]] = []
        self.down = False
        self.fail_tasks = False
        self.lock = threading.Lock()
        self._holds: list[_Hold] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeMeili:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def hold_first(self, matches: Matcher, until: Matcher, timeout: float) -> threading.Event:
        """Answer the first request that `matches` only after one that matches `until` was
        answered (or `timeout` passed), as if its client had stalled on the way. The event
        returned is set when the held request arrives."""
        hold = _Hold(matches, until, timeout)
        self._holds.append(hold)
        return hold.arrived

    def all_documents(self) -> list[dict]:
        with self.lock:
            return [d for docs in self.documents.values() for d in docs.values()]

    def _task(self, index_uid: str | None, kind: str) -> dict[str, Any]:
        uid = len(self.tasks)
        status = "failed" if self.fail_tasks else "succeeded"
        error = {"message": "injected failure", "code": "internal"} if self.fail_tasks else None
        self.tasks[uid] = {"uid": uid, "indexUid": index_uid, "status": status, "type": kind, "error": error,
                           "enqueuedAt": NOW, "startedAt": NOW, "finishedAt": NOW}  # fmt: skip
        return {"taskUid": uid, "indexUid": index_uid, "status": "enqueued", "type": kind, "enqueuedAt": NOW}

    def _count(self, query: dict[str, Any]) -> dict[str, Any]:
        """A filter-only query counted: enough filter syntax for `attribute = "literal"` OR-lists."""

        def holds(doc: dict, condition: str) -> bool:
            attribute, literal = condition.split(" = ", 1)
            value, wanted = doc.get(attribute), json.loads(literal)
            return wanted in value if isinstance(value, list) else value == wanted

        docs = self.documents.get(query["indexUid"], {}).values()
        total = sum(all(any(holds(d, c) for c in clause) for clause in query["filter"]) for d in docs)
        return {"indexUid": query["indexUid"], "hits": [], "totalHits": total, "hitsPerPage": 0, "page": 1}

    def handle(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        for hold in self._holds:
            hold.wait_if_first(method, path, body)
        answer = self._handle(method, path, body)
        for hold in self._holds:
            if hold.until(method, path, body):
                hold.released.set()
        return answer

    def _handle(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        with self.lock:
            self.requests.append((method, path, body))
            if self.down:
                return 503, {"message": "unavailable", "code": "unavailable", "type": "system", "link": ""}
            if path == "/health":
                return 200, {"status": "available"}
            if m := re.fullmatch(r"/tasks/(\d+)", path):
                return 200, self.tasks[int(m.group(1))]
            if path == "/multi-search" and method == "POST":
                return 200, {"results": [self._count(q) for q in body["queries"]]}
            if path == "/indexes" and method == "POST":
                self.indexes[body["uid"]] = {"uid": body["uid"], "primaryKey": body.get("primaryKey")}
                self.documents.setdefault(body["uid"], {})
                return 202, self._task(body["uid"], "indexCreation")
            m = re.fullmatch(r"/indexes/([^/]+)(/.*)?", path)
            if not m:
                return 404, {
                    "message": "not found",
                    "code": "not_found",
                    "type": "invalid_request",
                    "link": "",
                }
            uid, rest = m.group(1), m.group(2) or ""
            if rest == "" and method == "GET":
                if uid not in self.indexes:
                    return 404, {"message": f"Index `{uid}` not found.", "code": "index_not_found",
                                 "type": "invalid_request", "link": ""}  # fmt: skip
                return 200, {**self.indexes[uid], "createdAt": NOW, "updatedAt": NOW}
            if rest == "/settings" and method == "GET":
                if uid not in self.indexes:
                    return 404, {"message": f"Index `{uid}` not found.", "code": "index_not_found",
                                 "type": "invalid_request", "link": ""}  # fmt: skip
                return 200, self.indexes[uid].get("settings", {"filterableAttributes": []})
            if rest == "/settings" and method == "PATCH":
                self.indexes.setdefault(uid, {"uid": uid})["settings"] = body
                return 202, self._task(uid, "settingsUpdate")
            docs = self.documents.setdefault(uid, {})
            if rest == "/documents" and method == "POST":
                for doc in body:
                    docs[doc["key"]] = doc
                return 202, self._task(uid, "documentAdditionOrUpdate")
            if rest == "/documents" and method == "DELETE":
                docs.clear()
                return 202, self._task(uid, "documentDeletion")
            if rest == "/documents/delete" and method == "POST":
                attribute, listed = body["filter"].split(" IN ", 1)
                wanted = set(json.loads(listed))
                for key in [k for k, d in docs.items() if d[attribute] in wanted]:
                    del docs[key]
                return 202, self._task(uid, "documentDeletion")
            if rest == "/search" and method == "POST":
                return 200, {
                    "hits": [],
                    "estimatedTotalHits": 0,
                    "facetDistribution": {},
                    "processingTimeMs": 0,
                }
            return 404, {"message": "unsupported", "code": "not_found", "type": "invalid_request", "link": ""}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                status, answer = fake.handle(self.command, urlparse(self.path).path, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

            def log_message(self, *args) -> None:
                pass

        return Handler
