//! Serving the built app, so one relay process is a whole deployment.
//!
//! Every response here, found or not, carries the headers of [`crate::security_headers`].
//!
//! The app is a single-page app: `/v/<doc-id>` is a route inside it, not a file. So a path that
//! names no file but looks like a route (its last segment has no extension) gets `index.html`,
//! while a missing asset (`/missing.js`) stays a 404, which keeps a broken build visible instead
//! of handing the browser HTML where it expects JavaScript.
//!
//! The build writes `name.br` and `name.gz` beside each `.wasm`, `.js` and `.css` file; those are
//! served as they are to a client that accepts the encoding, because they are compressed harder
//! than is worth doing per request. Anything without such a file (index.html, the SPA fallback, a
//! dev build) is compressed on the fly by the layer in [`crate::server`], which leaves alone a
//! response that already has a `Content-Encoding`.
//!
//! Trunk puts a content hash in asset names (`app-1a2b3c4d5e6f7a8b_bg.wasm`), so those can be
//! cached forever; everything else, above all `index.html` that names the current hashes, must be
//! revalidated on every load.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::Request;
use axum::handler::HandlerWithoutStateExt;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, VARY};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::services::ServeDir;

use crate::security_headers::{self, AppHeaders};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NO_CACHE: &str = "no-cache";

/// The static-file service for `dir`, with the SPA fallback, cache and security headers (those
/// of `dir`'s `index.html`, shared with the other routes that carry them).
pub fn router(dir: &Path, security: Arc<AppHeaders>) -> Router {
    let index = dir.join("index.html");
    let fallback = move |req: Request| spa_fallback(index.clone(), req);
    let files = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(fallback.into_service());
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_control))
        .layer(middleware::from_fn_with_state(
            security,
            security_headers::add,
        ))
}

async fn spa_fallback(index: PathBuf, req: Request) -> Response {
    let last = req.uri().path().rsplit('/').next().unwrap_or_default();
    if last.contains('.') {
        return StatusCode::NOT_FOUND.into_response();
    }
    match tokio::fs::read(&index).await {
        Ok(html) => (
            [(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            html,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn cache_control(req: Request, next: Next) -> Response {
    let hashed = is_hashed_asset(req.uri().path());
    let mut response = next.run(req).await;
    let value = if hashed && response.status().is_success() {
        IMMUTABLE
    } else {
        NO_CACHE
    };
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(value));
    // The same path is sent brotli, gzip or plain depending on the request, so a shared cache must
    // not hand one client's encoding to another; the compression layer adds this only when it
    // compresses, not for precompressed files.
    headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// Whether the file name carries a Trunk content hash: `-` and the hash in hex, then `.` or `_`.
///
/// Trunk prints its 64-bit hash without leading zeros, so one build in sixteen names a file with
/// 15 digits (`main-e15cafc49e25a33.css`), and fewer now and then; 12 to 16 digits are taken as a
/// hash, which still leaves short numbered names (`app-123.js`) revalidated.
fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.match_indices('-').any(|(dash, _)| {
        let rest = &name[dash + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
        (12..=16).contains(&digits) && matches!(rest.as_bytes().get(digits), Some(b'.' | b'_'))
    })
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn recognises_trunk_hashes() {
        assert!(is_hashed_asset("/app-1a2b3c4d5e6f7a8b_bg.wasm"));
        assert!(is_hashed_asset("/style-0123456789abcdef.css"));
        assert!(is_hashed_asset("/assets/app-0123456789ABCDEF.js"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(is_hashed_asset("/main-e15cafc49e25a33.css"));
        assert!(!is_hashed_asset("/app-123.js"));
        assert!(!is_hashed_asset("/app-0123456789abcdefg.js"));
        assert!(!is_hashed_asset("/0123456789abcdef-0123456789abcdef"));
    }
}
