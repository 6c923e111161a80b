//! The PostgreSQL store's running sums, in one row, and the lock on that row that orders every
//! write (see [`super`]).

use tokio_postgres::GenericClient;

use super::{int, uint};
use crate::store::{StoreError, Totals};

/// Takes the `totals` row's lock for the rest of the transaction and reads the sums. Every
/// write does this first.
pub(super) async fn lock(tx: &impl GenericClient) -> Result<Totals, StoreError> {
    let row = tx
        .query_one(
            "SELECT docs, bytes FROM totals WHERE id = 1 FOR UPDATE",
            &[],
        )
        .await?;
    from_row(&row)
}

/// The sums as they stand.
pub(super) async fn read(client: &impl GenericClient) -> Result<Totals, StoreError> {
    let row = client
        .query_one("SELECT docs, bytes FROM totals WHERE id = 1", &[])
        .await?;
    from_row(&row)
}

/// Writes the sums back, after a write that kept them up to date in memory.
pub(super) async fn write(tx: &impl GenericClient, totals: Totals) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE totals SET docs = $1, bytes = $2 WHERE id = 1",
        &[&int(totals.docs), &int(totals.bytes)],
    )
    .await?;
    Ok(())
}

fn from_row(row: &tokio_postgres::Row) -> Result<Totals, StoreError> {
    Ok(Totals {
        docs: uint(row.try_get(0)?),
        bytes: uint(row.try_get(1)?),
    })
}
