//! `/metrics` speaks Prometheus text, counts what the relay did, and names no document.

mod common;

use common::{http_get, msg_id, sealed, RelayProcess, TestDoc};
use tandem_protocol::ErrorCode;

#[tokio::test]
async fn metrics_count_connections_appends_batches_and_refusals_without_naming_documents() {
    let dir = tempfile::tempdir().expect("temp dir");
    let relay = RelayProcess::start(dir.path(), &[]);
    let doc = TestDoc::new();
    let (mut alice, mut bob) = relay.joined_pair(&doc).await;
    for text in [&b"one"[..], b"two", b"three"] {
        alice.append(doc.doc, msg_id(), &sealed(text)).await;
        bob.recv().await;
    }
    // A join with another document's token: a refusal, counted by its code.
    let mut stranger = relay.client().await;
    stranger.send(&doc.join_with(TestDoc::new().token())).await;
    assert_eq!(stranger.recv_refusal().await.code, ErrorCode::BadToken);

    let addr = relay.addr;
    let response = tokio::task::spawn_blocking(move || http_get(addr, "/metrics", &[]))
        .await
        .expect("scrape");
    assert_eq!(response.status, 200);
    assert!(response
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/plain")));
    let text = String::from_utf8(response.body).expect("UTF-8 text");
    let value = |series: &str| -> f64 {
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {series} in\n{text}"))
    };
    assert_eq!(value("tandem_connections"), 3.0);
    assert_eq!(value("tandem_documents_open"), 1.0);
    assert_eq!(value("tandem_appends_total"), 3.0);
    assert!(value("tandem_append_bytes_total") >= 3.0 * 16.0);
    assert_eq!(value("tandem_commit_batch_size_count"), 3.0);
    assert!(value("tandem_commit_batch_seconds_sum") > 0.0);
    // The longest commit is one of the three, so at most their sum.
    let longest = value("tandem_commit_batch_longest_seconds");
    assert!(longest > 0.0 && longest <= value("tandem_commit_batch_seconds_sum"));
    assert_eq!(value("tandem_queued_appends"), 0.0);
    assert_eq!(value("tandem_refusals_total{code=\"BadToken\"}"), 1.0);
    assert!(
        !text.contains(&doc.doc.to_string()),
        "a document id in the metrics"
    );
    // The database's series are PostgreSQL's (tests/postgres.rs checks them).
    assert_eq!(
        text.contains("tandem_database_connections"),
        relay.database_url.is_some()
    );
}
