//! The SQLite store's running sums: how many documents and bytes the relay holds, kept in one
//! row (`totals`) that every write updates in its own transaction, so the relay-wide quotas cost
//! one read instead of a scan.

use rusqlite::{params, Connection};

use crate::store::Totals;

pub(super) fn read(conn: &Connection) -> rusqlite::Result<Totals> {
    conn.prepare_cached("SELECT docs, bytes FROM totals WHERE id = 1")?
        .query_row([], |row| {
            Ok(Totals {
                docs: row.get(0)?,
                bytes: row.get(1)?,
            })
        })
}

/// Writes the sums back, after a write that kept them up to date in memory.
pub(super) fn write(conn: &Connection, totals: Totals) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE totals SET docs = ?1, bytes = ?2 WHERE id = 1")?
        .execute(params![totals.docs, totals.bytes])?;
    Ok(())
}
