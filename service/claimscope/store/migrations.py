"""Schema versions, applied in order; ``PRAGMA user_version`` records the last one applied."""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[str] = [
    # 1: documents, canonical actors and which documents name them
    """
    CREATE TABLE documents (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        content_hash TEXT NOT NULL,
        ingested_at TEXT NOT NULL,
        published_at TEXT,
        source TEXT,
        body BLOB NOT NULL
    );
    CREATE TABLE actors (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        aliases TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE actor_aliases (
        norm TEXT NOT NULL,
        actor_id TEXT NOT NULL REFERENCES actors(id),
        PRIMARY KEY (norm, actor_id)
    ) WITHOUT ROWID;
    CREATE TABLE document_actors (
        document_id TEXT NOT NULL,
        actor_id TEXT NOT NULL REFERENCES actors(id),
        mentions INTEGER NOT NULL,
        PRIMARY KEY (document_id, actor_id)
    ) WITHOUT ROWID;
    CREATE INDEX document_actors_by_actor ON document_actors(actor_id);
    """,
    # 2: stories (claims of many documents that state one thing); see claimscope.stories.grouping
    """
    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        state BLOB NOT NULL
    );
    CREATE TABLE story_claims (
        seq INTEGER PRIMARY KEY,
        claim_id TEXT NOT NULL UNIQUE,
        story_id TEXT NOT NULL REFERENCES stories(id) DEFERRABLE INITIALLY DEFERRED,
        document_id TEXT NOT NULL,
        entry BLOB NOT NULL
    );
    CREATE INDEX story_claims_by_story ON story_claims(story_id, seq);
    CREATE INDEX story_claims_by_document ON story_claims(document_id);
    CREATE TABLE story_subjects (
        actor_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        story_id TEXT NOT NULL,
        key TEXT NOT NULL,
        PRIMARY KEY (actor_id, seq)
    ) WITHOUT ROWID;
    """,
    # 3: the extractors' circuit breakers, shared by the server and the CLI
    """
    CREATE TABLE extractor_circuits (
        name TEXT PRIMARY KEY,
        body BLOB NOT NULL
    ) WITHOUT ROWID;
    """,
]


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations this database lacks (inside the caller's transaction)."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise RuntimeError(
            f"the database is at schema version {version}, newer than this claimscope ({len(MIGRATIONS)})"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        for statement in script.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    return len(MIGRATIONS)
