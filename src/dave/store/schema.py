"""The store's tables, as an ordered list of named migrations (append; never edit a shipped one).

Not for queries: jobs.py and assets.py read and write these tables.
"""

from __future__ import annotations

import sqlite3

from .migration import Migration, run_script

# Timestamps are ISO-8601 UTC text with microseconds (`2026-05-09T07:35:25.123456Z`, see ids.py):
# fixed width, so they sort as text in time order and read well in `sqlite3 dave.db`.

JOBS_ASSETS_SQL = """
CREATE TABLE jobs (
    id              TEXT PRIMARY KEY,            -- j_ + ULID, time-ordered
    provider        TEXT NOT NULL,
    kind            TEXT NOT NULL,               -- image, edit, video, audio, ...
    model           TEXT NOT NULL,
    state           TEXT NOT NULL,
    request_json    TEXT NOT NULL,               -- as given (already redacted by the caller)
    provider_job_id TEXT,
    result_json     TEXT,                        -- the journaled provider answer
    error           TEXT,
    error_code      TEXT,
    cost_usd        REAL,
    attempts        INTEGER NOT NULL DEFAULT 0,  -- times the billable request was sent
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX jobs_state ON jobs (state, created_at);
CREATE INDEX jobs_created ON jobs (created_at, id);
CREATE INDEX jobs_provider_job ON jobs (provider, provider_job_id);
CREATE INDEX jobs_model_state ON jobs (provider, kind, model, state, created_at);

CREATE TABLE job_events (
    id      INTEGER PRIMARY KEY,
    job_id  TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    at      TEXT NOT NULL,
    state   TEXT NOT NULL,
    detail  TEXT
);
CREATE INDEX job_events_job ON job_events (job_id, id);

CREATE TABLE assets (
    seq          INTEGER PRIMARY KEY,            -- stable rowid, the key of the search index
    id           TEXT NOT NULL UNIQUE,           -- a_ + ULID, time-ordered
    job_id       TEXT REFERENCES jobs (id) ON DELETE SET NULL,
    output_index INTEGER NOT NULL DEFAULT 0,     -- position within the job's outputs
    provider     TEXT,
    kind         TEXT NOT NULL,                  -- image, video, audio
    path         TEXT NOT NULL,                  -- relative to the media root, '/'-separated
    sha256       TEXT NOT NULL,
    mime         TEXT,
    bytes        INTEGER NOT NULL,
    width        INTEGER,
    height       INTEGER,
    duration_s   REAL,
    prompt       TEXT,
    params_json  TEXT,
    created_at   TEXT NOT NULL,
    UNIQUE (job_id, output_index)
);
CREATE INDEX assets_created ON assets (created_at);
CREATE INDEX assets_kind_created ON assets (kind, created_at);
CREATE INDEX assets_sha256 ON assets (sha256);
"""

# An external-content FTS5 index over assets.prompt, kept in step by triggers.
ASSETS_FTS_SQL = """
CREATE VIRTUAL TABLE assets_fts USING fts5 (
    prompt, content = 'assets', content_rowid = 'seq', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER assets_fts_insert AFTER INSERT ON assets BEGIN
    INSERT INTO assets_fts (rowid, prompt) VALUES (new.seq, new.prompt);
END;
CREATE TRIGGER assets_fts_delete AFTER DELETE ON assets BEGIN
    INSERT INTO assets_fts (assets_fts, rowid, prompt) VALUES ('delete', old.seq, old.prompt);
END;
CREATE TRIGGER assets_fts_update AFTER UPDATE OF prompt ON assets BEGIN
    INSERT INTO assets_fts (assets_fts, rowid, prompt) VALUES ('delete', old.seq, old.prompt);
    INSERT INTO assets_fts (rowid, prompt) VALUES (new.seq, new.prompt);
END;
"""


def fts5_available() -> bool:
    """Whether this Python's SQLite was built with FTS5."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5 (x)")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()


def _jobs_assets(conn: sqlite3.Connection) -> None:
    run_script(conn, JOBS_ASSETS_SQL)
    if fts5_available():
        run_script(conn, ASSETS_FTS_SQL)
    # Without FTS5 there is no assets_fts table and AssetStore.search falls back to LIKE.


# Which process is sending a job's paid request ("<pid>@<host>"), so that a resume beside a
# live process leaves its in-flight request alone instead of calling it lost.
JOB_OWNER_SQL = "ALTER TABLE jobs ADD COLUMN owner TEXT;"

# Agent sessions: a conversation with one agent, its messages in order (user, assistant with
# tool calls, tool results), and running totals of tokens and cost, so a session can be
# continued by another process (see sessions.py).
SESSIONS_SQL = """
CREATE TABLE sessions (
    id                TEXT PRIMARY KEY,          -- s_ + ULID, time-ordered
    agent             TEXT NOT NULL,
    title             TEXT,
    parent_id         TEXT REFERENCES sessions (id) ON DELETE SET NULL,  -- delegated from
    prompt_tokens     INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd          REAL NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX sessions_updated ON sessions (updated_at, id);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    session_id      TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,            -- 0, 1, 2, ... within the session
    role            TEXT NOT NULL,               -- system, user, assistant, tool
    content         TEXT,
    tool_calls_json TEXT,                        -- an assistant message's calls (OpenAI form)
    tool_call_id    TEXT,                        -- the call a tool message answers
    name            TEXT,                        -- the tool's name, on tool messages
    usage_json      TEXT,                        -- tokens of the completion that made it
    created_at      TEXT NOT NULL,
    UNIQUE (session_id, seq)
);
"""

# The cost ledger: each job's documented list price when it was journaled, in the unit its
# provider bills (usd, or credits for Stability), so `dave cost` can sum by provider, model
# and day without knowing today's prices.
JOB_PRICE_SQL = """
ALTER TABLE jobs ADD COLUMN price REAL;
ALTER TABLE jobs ADD COLUMN price_unit TEXT;
"""

# Where a job was sent: the built-in emulator (1) or the provider itself (0). Follow-ups (wait,
# resume) go where the job went, and the cost ledger leaves the emulator's jobs out.
JOB_OFFLINE_SQL = "ALTER TABLE jobs ADD COLUMN offline INTEGER NOT NULL DEFAULT 0;"

# How a job's list price was reached ("$0.02/image × 2 images") and whether it rests on an
# assumption (a third-party quote, an unpublished input price) rather than the provider's own
# documents: the price is then shown as an estimate.
JOB_PRICE_BASIS_SQL = """
ALTER TABLE jobs ADD COLUMN price_basis TEXT;
ALTER TABLE jobs ADD COLUMN price_estimate INTEGER NOT NULL DEFAULT 0;
"""

# Where each asset is published: one row per (asset, target), with the key (made from the
# bytes' sha256), the link and when it expires (a presigned URL; NULL for a lasting one).
PUBLICATIONS_SQL = """
CREATE TABLE publications (
    asset_id     TEXT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    target       TEXT NOT NULL,                 -- local, s3
    key          TEXT NOT NULL,
    url          TEXT NOT NULL,
    expires_at   TEXT,
    etag         TEXT,
    published_at TEXT NOT NULL,
    PRIMARY KEY (asset_id, target)
);
"""

# Lineage: which library assets a job was made from (an edit's images, a video's first frame,
# an extension's video, an upscale's image), by the request field that named each. A source
# file outside the library links nothing; an asset deleted later drops its links.
JOB_SOURCES_SQL = """
CREATE TABLE job_sources (
    job_id    TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    field     TEXT NOT NULL,                    -- images[0], image, extend_video, ...
    asset_id  TEXT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    PRIMARY KEY (job_id, field)
);
CREATE INDEX job_sources_asset ON job_sources (asset_id);
"""

# Gallery pages: newest first by seq within a provider or a kind (an index on one column holds
# the rowid after it, so `WHERE kind = ? AND seq < ? ORDER BY seq DESC` walks it in order).
ASSET_PAGES_SQL = """
CREATE INDEX assets_kind_seq ON assets (kind);
CREATE INDEX assets_provider_seq ON assets (provider);
"""

# Workers: a queued job (or one whose worker died) is claimed with a lease its worker renews;
# a lease that lapses lets another worker take the job over.
JOB_LEASES_SQL = """
ALTER TABLE jobs ADD COLUMN lease_owner TEXT;
ALTER TABLE jobs ADD COLUMN lease_until TEXT;
CREATE INDEX jobs_claimable ON jobs (state, lease_until);
"""

# A provider's request to wait (429 Retry-After), shared by every worker on the journal.
PROVIDER_PAUSES_SQL = """
CREATE TABLE provider_pauses (
    provider  TEXT PRIMARY KEY,
    until     REAL NOT NULL                      -- Unix time
);
"""

MIGRATIONS: list[Migration] = [
    Migration("001_jobs_assets", _jobs_assets),
    Migration("002_job_owner", JOB_OWNER_SQL),
    Migration("003_sessions", SESSIONS_SQL),
    Migration("004_job_price", JOB_PRICE_SQL),
    Migration("005_job_offline", JOB_OFFLINE_SQL),
    Migration("006_job_price_basis", JOB_PRICE_BASIS_SQL),
    Migration("007_publications", PUBLICATIONS_SQL),
    Migration("008_job_sources", JOB_SOURCES_SQL),
    Migration("009_asset_pages", ASSET_PAGES_SQL),
    Migration("010_job_leases", JOB_LEASES_SQL),
    Migration("011_provider_pauses", PROVIDER_PAUSES_SQL),
]
