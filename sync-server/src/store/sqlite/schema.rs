//! The SQLite store's tables, and bringing a file written by an older relay up to them.

use rusqlite::{Connection, TransactionBehavior};

use super::blobs;
use crate::limits::ENTRY_OVERHEAD_BYTES;
use crate::store::StoreError;

/// The schema this code writes, recorded in SQLite's `user_version`.
const SCHEMA_VERSION: i64 = 7;

/// Version 2. `docs.bytes` is what the document costs against its limit (snapshot, live
/// ciphertext and [`ENTRY_OVERHEAD_BYTES`] per row); `totals` keeps the sums over all documents
/// in one row, updated in the same transaction as every write, so the relay-wide quotas cost one
/// read instead of a scan.
///
/// Version 3. `docs.delete_hash` is the hash of the owner's delete token, NULL for documents
/// nobody owns (all those from before version 3); `tombstones` lists deleted documents' ids,
/// and nothing else of them (see [`crate::store`] for why the ids stay).
///
/// Version 4. `blobs` holds attachments; `totals.bytes` counts them.
///
/// Version 5. An attachment's bytes are in `blob_bytes`, apart from its progress in `blobs`
/// ([`blobs::SCHEMA`] says why).
///
/// Version 6. `tombstones.moved_to` is the sealed pointer a moved document left (NULL for one
/// deleted without moving).
///
/// Version 7. `blobs.touched` is when an upload's last chunk arrived, and an index finds the
/// uploads under way by it, for expiring those abandoned halfway ([`super::expiry`]).
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS docs (
    doc_id BLOB PRIMARY KEY,
    bytes INTEGER NOT NULL DEFAULT 0,
    delete_hash BLOB
);
CREATE TABLE IF NOT EXISTS tombstones (
    doc_id BLOB PRIMARY KEY,
    moved_to BLOB
);
CREATE TABLE IF NOT EXISTS entries (
    doc_id BLOB NOT NULL,
    seq INTEGER NOT NULL,
    client_msg_id BLOB NOT NULL,
    ciphertext BLOB,
    PRIMARY KEY (doc_id, seq),
    UNIQUE (doc_id, client_msg_id)
);
CREATE TABLE IF NOT EXISTS snapshots (
    doc_id BLOB PRIMARY KEY,
    covers_seq INTEGER NOT NULL,
    ciphertext BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS totals (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    docs INTEGER NOT NULL,
    bytes INTEGER NOT NULL
);
";

/// From version 1, where the first join registered its token's hash as the document's owner:
/// the owner goes (ids are now derived from tokens, see `tandem_protocol::crypto`), documents
/// that never stored anything go, and every cost is counted anew with the per-entry overhead.
const FROM_VERSION_1: &str = "
DELETE FROM docs WHERE doc_id NOT IN (SELECT doc_id FROM entries);
ALTER TABLE docs DROP COLUMN token_hash;
UPDATE docs SET bytes =
    (SELECT COUNT(*) * ?1 + COALESCE(SUM(LENGTH(ciphertext)), 0)
     FROM entries e WHERE e.doc_id = docs.doc_id)
  + COALESCE((SELECT LENGTH(ciphertext) FROM snapshots s WHERE s.doc_id = docs.doc_id), 0);
";

/// Brings the file to [`SCHEMA_VERSION`] in one transaction, at `now` by the store's clock: a
/// crash midway leaves it as it was.
pub(super) fn migrate(conn: &mut Connection, now: u64) -> Result<(), StoreError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema(version));
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let has_owner: bool = tx.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('docs') WHERE name = 'token_hash'",
        [],
        |row| row.get(0),
    )?;
    if has_owner {
        let mut statements = FROM_VERSION_1.split(';').map(str::trim);
        for sql in statements.by_ref().filter(|sql| !sql.is_empty()) {
            if sql.contains("?1") {
                tx.execute(sql, [ENTRY_OVERHEAD_BYTES])?;
            } else {
                tx.execute_batch(sql)?;
            }
        }
    }
    tx.execute_batch(SCHEMA)?;
    blobs::migrate(&tx, now)?;
    // From version 2: `CREATE TABLE IF NOT EXISTS` leaves an existing `docs` as it was.
    let has_delete_hash: bool = tx.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('docs') WHERE name = 'delete_hash'",
        [],
        |row| row.get(0),
    )?;
    if !has_delete_hash {
        tx.execute_batch("ALTER TABLE docs ADD COLUMN delete_hash BLOB")?;
    }
    // From version 3: tombstones without forwarding addresses.
    let has_moved_to: bool = tx.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('tombstones') WHERE name = 'moved_to'",
        [],
        |row| row.get(0),
    )?;
    if !has_moved_to {
        tx.execute_batch("ALTER TABLE tombstones ADD COLUMN moved_to BLOB")?;
    }
    tx.execute(
        "INSERT OR REPLACE INTO totals (id, docs, bytes)
         SELECT 1, COUNT(*),
                COALESCE(SUM(bytes), 0) + (SELECT COALESCE(SUM(total), 0) FROM blobs)
         FROM docs",
        [],
    )?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{SqliteStore, DB_FILE};
    use super::*;
    use crate::store::{BlobState, Quota, Store, Totals};
    use rusqlite::params;
    use tandem_protocol::{BlobHash, DocId};

    const O: u64 = ENTRY_OVERHEAD_BYTES;

    #[test]
    fn a_version_1_file_is_migrated_with_its_entries_and_costs() {
        let dir = tempfile::tempdir().expect("temp dir");
        {
            let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
            conn.execute_batch(
                "CREATE TABLE docs (doc_id BLOB PRIMARY KEY, token_hash BLOB NOT NULL,
                                    bytes INTEGER NOT NULL DEFAULT 0);
                 CREATE TABLE entries (doc_id BLOB NOT NULL, seq INTEGER NOT NULL,
                    client_msg_id BLOB NOT NULL, ciphertext BLOB, PRIMARY KEY (doc_id, seq),
                    UNIQUE (doc_id, client_msg_id));
                 CREATE TABLE snapshots (doc_id BLOB PRIMARY KEY, covers_seq INTEGER NOT NULL,
                    ciphertext BLOB NOT NULL);
                 INSERT INTO docs VALUES (x'01', x'aa', 5), (x'02', x'bb', 0);
                 INSERT INTO entries VALUES (x'01', 1, x'11', NULL), (x'01', 2, x'22', x'0102');
                 INSERT INTO snapshots VALUES (x'01', 1, x'010203');",
            )
            .unwrap();
        }
        let store = SqliteStore::open(dir.path()).unwrap();
        // The document that never stored anything is gone; the other costs its two rows, its
        // live entry and its snapshot.
        assert_eq!(
            store.totals().unwrap(),
            Totals {
                docs: 1,
                bytes: 2 * O + 2 + 3
            }
        );
        drop(store);
        let again = SqliteStore::open(dir.path()).unwrap();
        assert_eq!(again.totals().unwrap().docs, 1);
    }

    #[test]
    fn a_version_3_file_keeps_its_tombstones_and_can_move_documents() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (gone, kept) = (DocId([1; 16]), DocId([2; 16]));
        {
            let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
            conn.execute_batch(
                "CREATE TABLE docs (doc_id BLOB PRIMARY KEY, bytes INTEGER NOT NULL DEFAULT 0,
                                    delete_hash BLOB);
                 CREATE TABLE tombstones (doc_id BLOB PRIMARY KEY);
                 PRAGMA user_version = 3;",
            )
            .unwrap();
            conn.execute("INSERT INTO tombstones VALUES (?1)", [&gone.0[..]])
                .unwrap();
        }
        let store = SqliteStore::open(dir.path()).unwrap();
        assert!(store.is_deleted(gone).unwrap());
        assert_eq!(store.moved_to(gone).unwrap(), None);
        let owner = [7; 32];
        store.own(kept, owner, &Quota::unlimited()).unwrap();
        store.delete(kept, owner, Some(b"sealed pointer")).unwrap();
        assert!(store.is_deleted(kept).unwrap());
        assert_eq!(
            store.moved_to(kept).unwrap().as_deref(),
            Some(&b"sealed pointer"[..])
        );
    }

    const DOC: DocId = DocId([9; 16]);

    /// The tables of a version 3 file, as the migration tests start from them.
    const VERSION_3_TABLES: &str = "
        CREATE TABLE docs (doc_id BLOB PRIMARY KEY, bytes INTEGER NOT NULL DEFAULT 0,
                           delete_hash BLOB);
        CREATE TABLE tombstones (doc_id BLOB PRIMARY KEY);
        CREATE TABLE entries (doc_id BLOB NOT NULL, seq INTEGER NOT NULL,
           client_msg_id BLOB NOT NULL, ciphertext BLOB, PRIMARY KEY (doc_id, seq),
           UNIQUE (doc_id, client_msg_id));
        CREATE TABLE snapshots (doc_id BLOB PRIMARY KEY, covers_seq INTEGER NOT NULL,
           ciphertext BLOB NOT NULL);
        CREATE TABLE totals (id INTEGER PRIMARY KEY CHECK (id = 1),
           docs INTEGER NOT NULL, bytes INTEGER NOT NULL);";

    #[test]
    fn a_version_3_file_keeps_its_documents_and_gains_blobs() {
        let dir = tempfile::tempdir().expect("temp dir");
        {
            let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
            conn.execute_batch(&format!(
                "{VERSION_3_TABLES}
                 INSERT INTO docs VALUES (x'09090909090909090909090909090909', 66, x'aa');
                 INSERT INTO tombstones VALUES (x'01010101010101010101010101010101');
                 INSERT INTO entries VALUES
                    (x'09090909090909090909090909090909', 1, x'11', x'0102');
                 INSERT INTO totals VALUES (1, 1, 66);
                 PRAGMA user_version = 3;"
            ))
            .unwrap();
        }
        let store = SqliteStore::open(dir.path()).unwrap();
        assert_eq!(store.totals().unwrap(), Totals { docs: 1, bytes: 66 });
        assert_eq!(store.head_seq(DOC).unwrap(), 1);
        assert!(store.is_deleted(DocId([1; 16])).unwrap());
        assert!(!store.is_deleted(DOC).unwrap());
        let hash = BlobHash::of(b"memo");
        let q = Quota::unlimited();
        assert_eq!(store.put_blob(DOC, hash, 0, 4, b"memo", &q).unwrap(), 4);
        assert_eq!(store.totals().unwrap(), Totals { docs: 1, bytes: 70 });
        drop(store);
        // Reopened, the totals are recounted the same way, blobs included.
        let again = SqliteStore::open(dir.path()).unwrap();
        assert_eq!(again.totals().unwrap(), Totals { docs: 1, bytes: 70 });
        assert_eq!(
            again.read_blob(DOC, hash, 0, 10).unwrap(),
            Some(b"memo".to_vec())
        );
    }

    #[test]
    fn a_version_4_file_keeps_its_blobs_complete_or_not() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (done, half) = (BlobHash::of(b"memo"), BlobHash::of(b"half!!"));
        {
            let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
            conn.execute_batch(&format!(
                "{VERSION_3_TABLES}
                 CREATE TABLE blobs (doc_id BLOB NOT NULL, hash BLOB NOT NULL,
                    total INTEGER NOT NULL, stored INTEGER NOT NULL, data BLOB NOT NULL,
                    PRIMARY KEY (doc_id, hash));
                 INSERT INTO docs VALUES (x'09090909090909090909090909090909', 0, NULL);
                 INSERT INTO totals VALUES (1, 1, 10);
                 PRAGMA user_version = 4;"
            ))
            .unwrap();
            for (hash, total, stored, data) in
                [(done, 4, 4, &b"memo"[..]), (half, 6, 3, &b"hal\0\0\0"[..])]
            {
                conn.execute(
                    "INSERT INTO blobs VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![&DOC.0[..], &hash.0[..], total, stored, data],
                )
                .unwrap();
            }
        }
        let store = SqliteStore::open(dir.path()).unwrap();
        assert_eq!(store.totals().unwrap(), Totals { docs: 1, bytes: 10 });
        assert_eq!(
            store.read_blob(DOC, done, 0, 10).unwrap(),
            Some(b"memo".to_vec())
        );
        assert_eq!(
            store.blob_state(DOC, half).unwrap(),
            Some(BlobState {
                total: 6,
                stored: 3
            })
        );
        // The upload under way goes on where it was.
        let q = Quota::unlimited();
        assert_eq!(store.put_blob(DOC, half, 3, 6, b"f!!", &q).unwrap(), 6);
        assert_eq!(
            store.read_blob(DOC, half, 0, 10).unwrap(),
            Some(b"half!!".to_vec())
        );
        let owner = [1; 32];
        store.own(DOC, owner, &q).unwrap();
        store.delete(DOC, owner, None).unwrap();
        let conn = store.conn();
        let left: i64 = conn
            .query_row("SELECT COUNT(*) FROM blob_bytes", [], |row| row.get(0))
            .unwrap();
        assert_eq!(left, 0);
    }
}
