//! Backups of the SQLite store: a consistent copy taken while the relay runs, and putting one
//! back in place of the live database.
//!
//! Restoring an older backup is a real operation (see the README's "Deploying") and a scenario
//! the simulation replays: the relay comes back with less history than the clients saw, and they
//! must notice and upload again. The copy is `VACUUM INTO`, which reads through the store's own
//! connection, so it includes what is still only in the write-ahead log and never a half-done
//! transaction.
//!
//! Putting a copy back needs care with WAL mode: a `relay.sqlite3-wal` left beside the restored
//! file (after a crash, say) belongs to the *old* database, and SQLite would replay its pages
//! onto the restored one on the next open. [`SqliteStore::restore_backup`] removes it.

use std::path::{Path, PathBuf};

use super::{SqliteStore, StoreError, DB_FILE};

impl SqliteStore {
    /// Writes a complete, consistent copy of the database to `path`, which must not exist yet.
    /// The store stays usable; writes wait until the copy is done.
    pub fn backup_to(&self, path: &Path) -> Result<(), StoreError> {
        let target = path
            .to_str()
            .ok_or_else(|| StoreError::NotUtf8Path(path.to_owned()))?;
        self.conn().execute("VACUUM INTO ?1", [target])?;
        Ok(())
    }

    /// Makes the copy at `backup` (from [`SqliteStore::backup_to`]) the database of `data_dir`,
    /// replacing what is there. Call it while no store is open on `data_dir`, then
    /// [`SqliteStore::open`] the directory again.
    pub fn restore_backup(backup: &Path, data_dir: &Path) -> Result<(), StoreError> {
        std::fs::create_dir_all(data_dir)?;
        let db = data_dir.join(DB_FILE);
        // Copied beside the database first, so a failed copy leaves the live files as they were.
        let staged = side_file(&db, ".restoring");
        std::fs::copy(backup, &staged)?;
        for stale in [side_file(&db, "-wal"), side_file(&db, "-shm")] {
            match std::fs::remove_file(&stale) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
        }
        std::fs::rename(&staged, &db)?;
        Ok(())
    }
}

/// `relay.sqlite3` + `suffix`, the way SQLite names its side files.
fn side_file(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use tandem_protocol::DocId;

    use super::*;
    use crate::store::{Appended, Quota, Store};

    const DOC: DocId = DocId([9; 16]);

    fn append(store: &SqliteStore, id: u8) -> Appended {
        store
            .append(DOC, [id; 16], &[id; 8], &Quota::unlimited())
            .unwrap()
    }

    #[test]
    fn a_closed_store_reopens_with_everything() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        append(&store, 1);
        append(&store, 2);
        drop(store);
        let store = SqliteStore::open(dir.path()).unwrap();
        assert_eq!(store.catch_up(DOC, 0).unwrap().head_seq, 2);
        assert_eq!(append(&store, 2), Appended::Duplicate(2));
        assert_eq!(
            append(&store, 3),
            Appended::New {
                seq: 3,
                created: false
            }
        );
    }

    #[test]
    fn a_restored_backup_serves_the_older_state_even_over_a_crashed_log() {
        let dir = tempfile::tempdir().unwrap();
        let (live, crashed) = (dir.path().join("live"), dir.path().join("crashed"));
        let backup = dir.path().join("backup.sqlite3");
        let store = SqliteStore::open(&live).unwrap();
        append(&store, 1);
        append(&store, 2);
        store.backup_to(&backup).unwrap();
        assert!(store.backup_to(&backup).is_err(), "never overwrites a file");
        for id in 3..=5 {
            append(&store, id);
        }
        // The files as a crash would leave them: the newer entries still in the write-ahead log.
        std::fs::create_dir_all(&crashed).unwrap();
        for file in std::fs::read_dir(&live).unwrap() {
            let path = file.unwrap().path();
            std::fs::copy(&path, crashed.join(path.file_name().unwrap())).unwrap();
        }
        assert!(side_file(&crashed.join(DB_FILE), "-wal").exists());
        drop(store);

        SqliteStore::restore_backup(&backup, &crashed).unwrap();
        let restored = SqliteStore::open(&crashed).unwrap();
        let catch_up = restored.catch_up(DOC, 0).unwrap();
        assert_eq!(catch_up.head_seq, 2);
        assert_eq!(catch_up.entries.len(), 2);
        assert_eq!(restored.totals().unwrap().docs, 1);
        // A change the backup lost is new again, and numbered after the restored head.
        assert_eq!(
            append(&restored, 4),
            Appended::New {
                seq: 3,
                created: false
            }
        );
    }
}
