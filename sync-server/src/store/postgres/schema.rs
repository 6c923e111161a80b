//! The PostgreSQL store's tables, and their version.
//!
//! The layout follows SQLite's ([`crate::store::SqliteStore`]), with two differences: an
//! attachment's bytes are a row per chunk (`blob_chunks`), since PostgreSQL rewrites a whole
//! value to change part of it, and the version is a row of its own (`tandem_schema`) instead of
//! SQLite's `user_version`. Ciphertext columns are stored uncompressed (`STORAGE EXTERNAL`):
//! sealed bytes do not compress, and trying costs time on every write.

use deadpool_postgres::Client;

use super::int;
use crate::store::StoreError;

/// The schema this code writes. Its own numbering, apart from SQLite's.
const SCHEMA_VERSION: i64 = 2;

/// Taken by a relay while it migrates, so two instances started at once do not both create
/// the tables. An arbitrary constant; "tandem" in ASCII.
const MIGRATION_LOCK: i64 = 0x74_61_6e_64_65_6d;

/// Version 1: as SQLite's version 6, with the blobs' bytes in chunks. A new database is made
/// at version 1 and brought up from there like any other.
const SCHEMA: &str = "
CREATE TABLE docs (
    doc_id BYTEA PRIMARY KEY,
    bytes BIGINT NOT NULL DEFAULT 0,
    delete_hash BYTEA
);
CREATE TABLE tombstones (
    doc_id BYTEA PRIMARY KEY,
    moved_to BYTEA
);
CREATE TABLE entries (
    doc_id BYTEA NOT NULL,
    seq BIGINT NOT NULL,
    client_msg_id BYTEA NOT NULL,
    ciphertext BYTEA,
    PRIMARY KEY (doc_id, seq),
    UNIQUE (doc_id, client_msg_id)
);
ALTER TABLE entries ALTER COLUMN ciphertext SET STORAGE EXTERNAL;
CREATE TABLE snapshots (
    doc_id BYTEA PRIMARY KEY,
    covers_seq BIGINT NOT NULL,
    ciphertext BYTEA NOT NULL
);
ALTER TABLE snapshots ALTER COLUMN ciphertext SET STORAGE EXTERNAL;
CREATE TABLE totals (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    docs BIGINT NOT NULL,
    bytes BIGINT NOT NULL
);
INSERT INTO totals (id, docs, bytes) VALUES (1, 0, 0);
CREATE TABLE blobs (
    doc_id BYTEA NOT NULL,
    hash BYTEA NOT NULL,
    total BIGINT NOT NULL,
    stored BIGINT NOT NULL,
    PRIMARY KEY (doc_id, hash)
);
CREATE TABLE blob_chunks (
    doc_id BYTEA NOT NULL,
    hash BYTEA NOT NULL,
    at BIGINT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (doc_id, hash, at),
    FOREIGN KEY (doc_id, hash) REFERENCES blobs ON DELETE CASCADE
);
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
";

/// From version 1 to 2 (as SQLite's 7): `blobs.touched` is when an upload's last chunk arrived,
/// and an index finds the uploads under way by it, for expiring those abandoned halfway
/// ([`super::blobs::expire_batch`]).
const FROM_VERSION_1: &str = "
ALTER TABLE blobs ADD COLUMN touched BIGINT NOT NULL DEFAULT 0;
CREATE INDEX blobs_partial ON blobs (touched) WHERE stored < total;
";

/// Brings the database to [`SCHEMA_VERSION`] in one transaction, at `now` by the store's clock,
/// or refuses one written by a newer relay.
pub(super) async fn migrate(client: &mut Client, now: u64) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS tandem_schema (
             id INTEGER PRIMARY KEY CHECK (id = 1),
             version BIGINT NOT NULL
         )",
    )
    .await?;
    let version: i64 = match tx
        .query_opt("SELECT version FROM tandem_schema WHERE id = 1", &[])
        .await?
    {
        Some(row) => row.try_get(0)?,
        None => 0,
    };
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema(version));
    }
    if version == 0 {
        tx.batch_execute(SCHEMA).await?;
    }
    if version < 2 {
        tx.batch_execute(FROM_VERSION_1).await?;
        // An upload under way during the upgrade gets the whole expiry time from now, rather
        // than being taken for abandoned since 1970.
        tx.execute(
            "UPDATE blobs SET touched = $1 WHERE stored < total",
            &[&int(now)],
        )
        .await?;
    }
    tx.execute(
        "INSERT INTO tandem_schema (id, version) VALUES (1, $1)
         ON CONFLICT (id) DO UPDATE SET version = $1",
        &[&SCHEMA_VERSION],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
