"""The stand-in's HTTP server: routes, the task queue and the test hooks."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.fake_meili.api import (
    DEFAULT_SETTINGS,
    NESTED_SETTINGS,
    NOW,
    RANKING_RULE,
    VERSION,
    ApiError,
    not_found,
)
from tests.fake_meili.filters import attributes_of, filter_expression, holds
from tests.fake_meili.index import FakeIndex

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
        self.indexes: dict[str, FakeIndex] = {}
        self.tasks: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str, Any]] = []
        self.down = False
        self.refused = 0  # connections dropped while `down`
        self.fail_tasks = False
        self.task_seconds = 0.002
        self.lock = threading.RLock()
        self._work = threading.Condition(self.lock)
        self._holds: list[_Hold] = []
        self._running = True
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.worker = threading.Thread(target=self._process_tasks, daemon=True)

    def __enter__(self) -> FakeMeili:
        self.thread.start()
        self.worker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._work:
            self._running = False
            self._work.notify_all()
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
            return [d for index in self.indexes.values() for d in index.documents.values()]

    def settle(self, seconds: float = 10) -> None:
        """Wait until no task is enqueued or processing."""
        deadline = time.monotonic() + seconds
        while any(t["status"] in ("enqueued", "processing") for t in self.tasks):
            if time.monotonic() > deadline:
                raise TimeoutError("tasks still pending")
            time.sleep(0.005)

    # -- tasks: enqueued, then processing, then succeeded or failed, one at a time in order
    #    (docs: /tasks "Task status"; src: index-scheduler processes its queue in uid order)

    def _enqueue(self, index_uid: str | None, kind: str, apply: Callable[[], dict | None]) -> dict[str, Any]:
        task = {"uid": len(self.tasks), "indexUid": index_uid, "status": "enqueued", "type": kind,
                "details": {}, "error": None, "duration": None, "enqueuedAt": NOW, "startedAt": None,
                "finishedAt": None, "_apply": apply}  # fmt: skip
        self.tasks.append(task)
        self._work.notify_all()
        return {
            "taskUid": task["uid"],
            "indexUid": index_uid,
            "status": "enqueued",
            "type": kind,
            "enqueuedAt": NOW,
        }

    def _process_tasks(self) -> None:
        while True:
            with self._work:
                while self._running and not any(t["status"] == "enqueued" for t in self.tasks):
                    self._work.wait(0.1)
                if not self._running:
                    return
                task = next(t for t in self.tasks if t["status"] == "enqueued")
                task.update(status="processing", startedAt=NOW)
            time.sleep(self.task_seconds)
            with self.lock:
                try:
                    if self.fail_tasks:
                        raise ApiError(500, "internal", "injected failure", "internal")
                    task["details"] = task["_apply"]() or {}
                    task["status"] = "succeeded"
                except ApiError as exc:
                    task.update(status="failed", error=exc.body)
                task["finishedAt"] = NOW

    def _index(self, uid: str) -> FakeIndex:
        if uid not in self.indexes:
            raise not_found(uid)
        return self.indexes[uid]

    def _create(self, uid: str, primary_key: str | None = None) -> FakeIndex:
        index = self.indexes.setdefault(uid, FakeIndex(uid))
        index.primary_key = index.primary_key or primary_key
        return index

    # -- requests ---------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        for hold in self._holds:
            hold.wait_if_first(method, path, body)
        try:
            with self.lock:
                self.requests.append((method, path, body))
                answer = self._route(method, path, query, body)
        except ApiError as exc:
            answer = exc.status, exc.body
        for hold in self._holds:
            if hold.until(method, path, body):
                hold.released.set()
        return answer

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        if path == "/health":
            return 200, {"status": "available"}
        if path == "/version":
            return 200, {"pkgVersion": VERSION, "commitSha": "fake", "commitDate": NOW}
        if path == "/tasks" and method == "GET":  # docs: /tasks "Get tasks": newest first, `uids` filter
            wanted = {int(u) for u in query.get("uids", "").split(",") if u} or None
            found = [t for t in reversed(self.tasks) if wanted is None or t["uid"] in wanted]
            limit = int(query.get("limit", 20))
            shown = [{k: v for k, v in t.items() if not k.startswith("_")} for t in found[:limit]]
            return 200, {"results": shown, "total": len(found), "limit": limit,
                         "from": shown[0]["uid"] if shown else None,
                         "next": found[limit]["uid"] if len(found) > limit else None}  # fmt: skip
        if m := re.fullmatch(r"/tasks/(\d+)", path):
            uid = int(m.group(1))
            if uid >= len(self.tasks):
                raise ApiError(404, "task_not_found", f"Task `{uid}` not found.")
            return 200, {k: v for k, v in self.tasks[uid].items() if not k.startswith("_")}
        if path == "/multi-search" and method == "POST":
            unknown = set(body) - {"queries", "federation"}
            if unknown or body.get("federation") is not None:
                raise ApiError(400, "bad_request", f"Unsupported multi-search fields: {sorted(unknown)}")
            results = []
            for q in body["queries"]:
                params = {k: v for k, v in q.items() if k != "indexUid"}
                results.append({"indexUid": q["indexUid"], **self._index(q["indexUid"]).search(params)})
            return 200, {"results": results}
        if path == "/indexes" and method == "POST":
            uid = body["uid"]
            return 202, self._enqueue(
                uid, "indexCreation", lambda: self._create_new(uid, body.get("primaryKey"))
            )
        m = re.fullmatch(r"/indexes/([^/]+)(/.*)?", path)
        if not m:
            raise ApiError(404, "not_found", "not found")
        uid, rest = m.group(1), m.group(2) or ""
        if rest == "" and method == "GET":
            return 200, self._index(uid).describe()
        if rest == "" and method == "DELETE":
            return 202, self._enqueue(uid, "indexDeletion", lambda: self._delete_index(uid))
        if rest == "/settings" and method == "GET":
            return 200, self._index(uid).settings
        if rest == "/settings" and method == "PATCH":
            self._check_settings(body)
            # settings updates create a missing index (src: index-scheduler/src/autobatcher.rs:
            # SettingsUpdate carries allow_index_creation)
            return 202, self._enqueue(uid, "settingsUpdate", lambda: self._update_settings(uid, body))
        if rest == "/search" and method == "POST":
            return 200, self._index(uid).search(body)
        if rest == "/documents" and method == "POST":
            documents = list(body)
            # docs: /documents "Add or replace documents": a missing index is created
            return 202, self._enqueue(uid, "documentAdditionOrUpdate",
                                      lambda: self._add(uid, query.get("primaryKey"), documents))  # fmt: skip
        if rest == "/documents" and method == "DELETE":
            return 202, self._enqueue(uid, "documentDeletion", lambda: self._clear(uid))
        if rest == "/documents/delete" and method == "POST":
            expression = filter_expression(body["filter"])  # a syntax error is refused at once
            return 202, self._enqueue(
                uid, "documentDeletion", lambda: self._delete_by_filter(uid, expression)
            )
        raise ApiError(404, "not_found", f"unsupported: {method} {path}")

    def _create_new(self, uid: str, primary_key: str | None) -> None:
        if uid in self.indexes:
            raise ApiError(409, "index_already_exists", f"Index `{uid}` already exists.")
        self._create(uid, primary_key)

    def _delete_index(self, uid: str) -> None:
        self._index(uid)
        del self.indexes[uid]

    @staticmethod
    def _check_settings(body: dict[str, Any]) -> None:
        for key, value in body.items():
            if key not in DEFAULT_SETTINGS:
                raise ApiError(400, "bad_request",
                               f"Unknown field `{key}`: expected one of {', '.join(DEFAULT_SETTINGS)}")  # fmt: skip
            if key in NESTED_SETTINGS and isinstance(value, dict):
                allowed, code = NESTED_SETTINGS[key]
                for inner in value:
                    if inner not in allowed:
                        raise ApiError(400, code, f"Unknown field `{inner}` inside `.{key}`")
        for rule in body.get("rankingRules") or []:
            if not RANKING_RULE.fullmatch(rule):
                raise ApiError(400, "invalid_settings_ranking_rules", f"`{rule}` ranking rule is invalid.")

    def _update_settings(self, uid: str, body: dict[str, Any]) -> None:
        settings = self._create(uid).settings
        for key, value in body.items():
            if value is None:
                settings[key] = json.loads(json.dumps(DEFAULT_SETTINGS[key]))
            elif key in NESTED_SETTINGS:
                settings[key] = {**settings[key], **value}
            else:
                settings[key] = value

    def _add(self, uid: str, primary_key: str | None, documents: list[dict[str, Any]]) -> dict:
        index = self._create(uid, primary_key)
        key = (
            index.primary_key or next((k for k in documents[0] if k.endswith("id")), None)
            if documents
            else None
        )
        if documents and (key is None or any(key not in d for d in documents)):
            raise ApiError(400, "missing_document_id", f"Document doesn't have a `{key}` attribute.")
        for document in documents:
            index.documents[str(document[key])] = document  # replaces, keeping its place
        return {"receivedDocuments": len(documents), "indexedDocuments": len(documents)}

    def _clear(self, uid: str) -> None:
        self._index(uid).documents.clear()

    def _delete_by_filter(self, uid: str, expression: Any) -> dict:
        # a deletion never creates its index (src: autobatcher.rs: only document imports and
        # settings carry allow_index_creation), and it needs filterable attributes
        index = self._index(uid)
        not_filterable = sorted(set(attributes_of(expression)) - index.filterable())
        if not_filterable:
            raise ApiError(
                400, "invalid_document_filter", f"Attribute `{not_filterable[0]}` is not filterable."
            )
        doomed = [k for k, d in index.documents.items() if holds(d, expression)]
        for k in doomed:
            del index.documents[k]
        return {"deletedDocuments": len(doomed)}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                if fake.down:  # as when nothing listens: the connection ends without an answer
                    fake.refused += 1
                    self.close_connection = True
                    return
                body = json.loads(raw) if raw else None
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                status, answer = fake.handle(self.command, url.path, query, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

            def log_message(self, *args: object) -> None:
                pass

        return Handler
