//! The attachment endpoints: `PUT`, `HEAD` and `GET /blobs/{doc}/{hash}`.
//!
//! Attachments (a voice memo now, a CV later) travel over plain HTTP rather than the WebSocket:
//! they are large, rare and resumable, and a browser's `fetch` already streams and retries them.
//! Each is sealed on the device with the document's key, so the relay only ever stores and
//! serves ciphertext, named by its SHA-256 ([`tandem_protocol::blob`]).
//!
//! Every request shows the document's access token (`Authorization: Bearer <base64url>`), the
//! same proof of holding the link as a WebSocket `Join`; it is checked before anything is read
//! or stored. An upload comes in chunks at increasing offsets (`?offset=N&total=T`, at most
//! [`MAX_BODY_BYTES`] each), and every answer says how far the relay got in `Upload-Offset`, so
//! a client cut off mid-upload asks (`HEAD`) and goes on from there. The store reserves the
//! whole length with the first chunk, checks the last against the name, and serves only
//! complete blobs.
//!
//! Every request counts against its address's message bucket, the one its WebSockets share
//! ([`crate::gate`]): a client over the rate is slowed, as on the WebSocket, not refused.
//!
//! Each answer is a status the client can act on without reading the text (see README.md for
//! the table); the text is short plain English for logs and people. Blob responses are sent as
//! they are stored: sealed bytes do not compress, so they stay out of the app's compression
//! layer (see [`crate::server::router`]), while the security headers apply as to every response.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, VARY, WWW_AUTHENTICATE,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Extension;
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use tandem_protocol::blob::{BLOBS_PATH, BLOB_CHUNK_BYTES, UPLOAD_OFFSET_HEADER};
use tandem_protocol::{AccessToken, BlobHash, DocId};
use tracing::warn;

use crate::gate::Pass;
use crate::server::Relay;
use crate::store::{BlobError, BlobState, Quota, StoreError};

/// The largest request body taken. Clients send [`BLOB_CHUNK_BYTES`]; this leaves them room
/// while bounding what one request can make the relay buffer.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How long one chunk's body may take to arrive. A phone on a poor connection sends a quarter
/// of a megabyte in seconds; a client that trickles a byte at a time holds a connection slot
/// and must not hold it for ever.
const BODY_TIMEOUT: Duration = Duration::from_secs(60);

/// A complete blob never changes (its name is its hash), so the browser may keep it; `private`
/// because only holders of the token may have it.
const IMMUTABLE: &str = "private, max-age=31536000, immutable";

/// The blob routes, with the relay as their state.
pub fn router(relay: Arc<Relay>) -> Router {
    let blobs = Router::new()
        .route("/{doc}/{hash}", get(download).head(status).put(upload))
        // Anything else under /blobs is a mistake of a client's, not a page of the app.
        .fallback(not_a_blob_address)
        .with_state(relay);
    Router::new().nest(BLOBS_PATH, blobs)
}

/// An upload chunk's place in the blob.
#[derive(Debug, Deserialize)]
struct Chunk {
    offset: u64,
    total: u64,
}

async fn upload(
    State(relay): State<Arc<Relay>>,
    pass: Option<Extension<Arc<Pass>>>,
    path: Result<Path<(String, String)>, PathRejection>,
    chunk: Result<Query<Chunk>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    pace(&relay, pass).await;
    let (doc, hash) = match allowed(path, &headers) {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    let Ok(Query(Chunk { offset, total })) = chunk else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "an upload says where its bytes go: ?offset=N&total=T, in bytes",
        );
    };
    let bytes = match read_body(&headers, body).await {
        Ok(bytes) => bytes,
        Err(refusal) => return refusal,
    };
    let quota = Quota::new(&relay.limits, true);
    let put = blocking(&relay, move |store| {
        store.put_blob(doc, hash, offset, total, &bytes, &quota)
    })
    .await;
    match put {
        Ok(stored) => held(StatusCode::NO_CONTENT, stored),
        Err(e) => refusal(&e),
    }
}

async fn status(
    State(relay): State<Arc<Relay>>,
    pass: Option<Extension<Arc<Pass>>>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    pace(&relay, pass).await;
    let (doc, hash) = match allowed(path, &headers) {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    match blocking(&relay, move |store| store.blob_state(doc, hash)).await {
        Ok(Some(state)) if state.complete() => {
            let mut response = StatusCode::OK.into_response();
            let headers = response.headers_mut();
            headers.insert(CONTENT_LENGTH, HeaderValue::from(state.total));
            headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            no_store(&mut response);
            response
        }
        Ok(state) => held(StatusCode::NOT_FOUND, state.map_or(0, |s| s.stored)),
        Err(e) => refusal(&e),
    }
}

async fn download(
    State(relay): State<Arc<Relay>>,
    pass: Option<Extension<Arc<Pass>>>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    pace(&relay, pass).await;
    let (doc, hash) = match allowed(path, &headers) {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    let state = match blocking(&relay, move |store| store.blob_state(doc, hash)).await {
        Ok(Some(state)) if state.complete() => state,
        Ok(_) => {
            return refuse(
                StatusCode::NOT_FOUND,
                "the relay has no complete attachment by that name for this vacancy",
            )
        }
        Err(e) => return refusal(&e),
    };
    let mut response = Response::new(stream(relay, doc, hash, state));
    let headers = response.headers_mut();
    headers.insert(CONTENT_LENGTH, HeaderValue::from(state.total));
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    // Without it the browser's cache would answer a later request with another token (or none)
    // from this one's copy: it keys on the address only.
    headers.insert(VARY, HeaderValue::from_static("authorization"));
    response
}

async fn not_a_blob_address() -> Response {
    refuse(
        StatusCode::NOT_FOUND,
        "an attachment's address is /blobs/<vacancy id>/<hash>",
    )
}

/// The blob's bytes, read from the store a chunk at a time as the client takes them, so a
/// download holds one chunk of memory however large the blob. A blob deleted meanwhile ends the
/// body early, which the client sees as a failed download (the length was promised).
fn stream(relay: Arc<Relay>, doc: DocId, hash: BlobHash, state: BlobState) -> Body {
    let total = state.total;
    let pieces = futures_util::stream::unfold(0u64, move |offset| {
        let relay = Arc::clone(&relay);
        async move {
            if offset >= total {
                return None;
            }
            let read = blocking(&relay, move |store| {
                store.read_blob(doc, hash, offset, BLOB_CHUNK_BYTES)
            })
            .await;
            match read {
                Ok(Some(piece)) if !piece.is_empty() => {
                    let next = offset + piece.len() as u64;
                    Some((Ok(Bytes::from(piece)), next))
                }
                Ok(_) => Some((Err(io::Error::other("the attachment went away")), total)),
                Err(e) => {
                    warn!(error = %e, "reading an attachment failed");
                    Some((Err(io::Error::other(e.to_string())), total))
                }
            }
        }
    });
    Body::from_stream(pieces)
}

/// Waits until the request's address has a message to spend, and spends it. Without a pass
/// (a router driven without the accept loop, as in tests) there is nothing to charge.
async fn pace(relay: &Relay, pass: Option<Extension<Arc<Pass>>>) {
    let Some(Extension(pass)) = pass else {
        return;
    };
    while let Err(wait) = pass.take_message(relay.now_ms()) {
        tokio::time::sleep(Duration::from_millis(wait)).await;
    }
}

/// Runs a store call on the blocking pool, as every store call is run.
async fn blocking<T: Send + 'static>(
    relay: &Arc<Relay>,
    call: impl FnOnce(&dyn crate::store::Store) -> Result<T, BlobError> + Send + 'static,
) -> Result<T, BlobError> {
    let store = Arc::clone(&relay.store);
    tokio::task::spawn_blocking(move || call(&*store))
        .await
        .unwrap_or_else(|e| Err(StoreError::Task(e.to_string()).into()))
}

/// The address read and the token checked, before anything else is done.
#[allow(clippy::result_large_err)] // The error is the response itself, built once per refusal.
fn allowed(
    path: Result<Path<(String, String)>, PathRejection>,
    headers: &HeaderMap,
) -> Result<(DocId, BlobHash), Response> {
    let (doc, hash) = address(path)?;
    authorize(headers, doc)?;
    Ok((doc, hash))
}

/// The document and blob the path names.
#[allow(clippy::result_large_err)]
fn address(
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<(DocId, BlobHash), Response> {
    let bad = |text| refuse(StatusCode::BAD_REQUEST, text);
    let Ok(Path((doc, hash))) = path else {
        return Err(bad("an attachment's address is /blobs/<vacancy id>/<hash>"));
    };
    let doc = doc
        .parse()
        .map_err(|_| bad("the vacancy id in the address is damaged"))?;
    let hash = hash
        .parse()
        .map_err(|_| bad("an attachment's hash is 64 lowercase hex digits"))?;
    Ok((doc, hash))
}

/// Checks that the request shows a token for `doc`: 401 without one, 403 with another.
#[allow(clippy::result_large_err)]
fn authorize(headers: &HeaderMap, doc: DocId) -> Result<(), Response> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        let mut response = refuse(
            StatusCode::UNAUTHORIZED,
            "attachments need the vacancy's access token: Authorization: Bearer <token>",
        );
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return Err(response);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|t| URL_SAFE_NO_PAD.decode(t.trim()).ok())
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .map(AccessToken);
    // Finding a token for a given id means inverting SHA-256, so the comparison may be plain.
    match token {
        Some(token) if token.doc_id() == doc => Ok(()),
        _ => Err(refuse(
            StatusCode::FORBIDDEN,
            "this access token does not open this vacancy",
        )),
    }
}

/// The request body, at most [`MAX_BODY_BYTES`] and within [`BODY_TIMEOUT`].
#[allow(clippy::result_large_err)]
async fn read_body(headers: &HeaderMap, body: Body) -> Result<Bytes, Response> {
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("send an attachment in chunks of at most {MAX_BODY_BYTES} bytes"),
        )
    };
    let announced = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|len| len > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, MAX_BODY_BYTES)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) if is_length_limit(&e) => Err(too_large()),
        Ok(Err(_)) => Err(refuse(
            StatusCode::BAD_REQUEST,
            "the chunk was cut off before it all arrived",
        )),
        Err(_) => Err(refuse(
            StatusCode::REQUEST_TIMEOUT,
            "the chunk took too long to arrive; send it again",
        )),
    }
}

/// Whether reading the body failed on its length limit (rather than a broken connection).
fn is_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// The answer to a refused blob call.
fn refusal(e: &BlobError) -> Response {
    let status = match e {
        BlobError::TooLarge { .. }
        | BlobError::DocumentFull { .. }
        | BlobError::Store(
            StoreError::RelayFullOfBytes { .. }
            | StoreError::RelayFullOfDocuments { .. }
            | StoreError::TooManyNewDocuments { .. },
        ) => StatusCode::PAYLOAD_TOO_LARGE,
        BlobError::WrongOffset { stored } => {
            let mut response = refuse(StatusCode::CONFLICT, &e.to_string());
            set_offset(&mut response, *stored);
            return response;
        }
        BlobError::OtherTotal { .. } | BlobError::PastTheEnd { .. } | BlobError::Empty => {
            StatusCode::BAD_REQUEST
        }
        BlobError::HashMismatch => StatusCode::UNPROCESSABLE_ENTITY,
        BlobError::Store(StoreError::Deleted) => StatusCode::GONE,
        BlobError::Store(other) => {
            warn!(error = %other, "an attachment call failed");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the relay could not reach its storage; try again later",
            );
        }
    };
    refuse(status, &e.to_string())
}

/// A plain-text answer that no cache keeps.
fn refuse(status: StatusCode, text: &str) -> Response {
    let mut response = (
        status,
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        format!("{text}\n"),
    )
        .into_response();
    no_store(&mut response);
    response
}

/// An answer that says how many bytes of the blob the relay holds; never cached, as it changes
/// with every chunk.
fn held(status: StatusCode, stored: u64) -> Response {
    let mut response = status.into_response();
    set_offset(&mut response, stored);
    no_store(&mut response);
    response
}

fn no_store(response: &mut Response) {
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

fn set_offset(response: &mut Response, stored: u64) {
    response.headers_mut().insert(
        HeaderName::from_static(UPLOAD_OFFSET_HEADER),
        HeaderValue::from(stored),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_body_over_the_limit_is_told_from_a_broken_one() {
        let over = Body::from(vec![0u8; MAX_BODY_BYTES + 1]);
        let e = axum::body::to_bytes(over, MAX_BODY_BYTES)
            .await
            .expect_err("over the limit");
        assert!(is_length_limit(&e));
        let broken = Body::from_stream(futures_util::stream::iter([Err::<Bytes, _>(
            io::Error::other("connection reset"),
        )]));
        let e = axum::body::to_bytes(broken, MAX_BODY_BYTES)
            .await
            .expect_err("broken");
        assert!(!is_length_limit(&e));
    }
}
