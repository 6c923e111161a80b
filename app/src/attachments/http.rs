//! The relay's blob endpoints (`/blobs/{doc}/{hash}`) through the browser's `fetch`, on the
//! origin that served the app, with the document's access token as a bearer token.
//!
//! Every answer comes back as it is (status, the `Upload-Offset` header, the body when asked
//! for): what a status means is the uploader's and the downloader's business. Only a request
//! that got no answer at all is an error here, because that is the one case where the network,
//! not the relay, is to blame.

use js_sys::Uint8Array;
use tandem_protocol::blob::{BlobHash, UPLOAD_OFFSET_HEADER};
use tandem_protocol::DocId;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestCache, RequestInit, Response};

/// No answer from the relay: offline, the connection dropped, or the relay is unreachable.
#[derive(Debug, thiserror::Error)]
#[error("the relay could not be reached")]
pub struct NoAnswer;

/// What the relay answered.
pub struct Answer {
    pub status: u16,
    /// How many bytes of the blob the relay holds, when it said.
    pub upload_offset: Option<u64>,
    /// The body: the blob for a `GET`, a short explanation for a refusal.
    pub body: Vec<u8>,
}

impl Answer {
    /// The relay's explanation of a refusal, as plain text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).trim().to_string()
    }
}

/// Whether the browser believes it is online. `false` is reliable; `true` may still fail.
pub fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// One request to `/blobs/{doc}/{hash}` (plus `query`, e.g. `?offset=0&total=9`).
pub async fn request(
    method: &str,
    doc: DocId,
    hash: &BlobHash,
    query: &str,
    token: &str,
    body: Option<&[u8]>,
) -> Result<Answer, NoAnswer> {
    let window = web_sys::window().ok_or(NoAnswer)?;
    let headers = Headers::new().map_err(|_| NoAnswer)?;
    headers
        .append("Authorization", &format!("Bearer {token}"))
        .map_err(|_| NoAnswer)?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_headers(&headers);
    // The blobs are immutable, but a HEAD or PUT answer about progress must be fresh; the GET
    // is kept sealed in IndexedDB by the caller, so the HTTP cache would only hold a copy.
    init.set_cache(RequestCache::NoStore);
    if let Some(bytes) = body {
        init.set_body(&Uint8Array::from(bytes));
    }
    let url = format!("{}{query}", hash.path(doc));
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await
        .map_err(|_| NoAnswer)?
        .dyn_into()
        .map_err(|_| NoAnswer)?;
    let upload_offset = response
        .headers()
        .get(UPLOAD_OFFSET_HEADER)
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse().ok());
    let body = if method == "HEAD" {
        Vec::new()
    } else {
        let buffer = JsFuture::from(response.array_buffer().map_err(|_| NoAnswer)?)
            .await
            // The body broke off halfway: as good as no answer.
            .map_err(|_| NoAnswer)?;
        Uint8Array::new(&buffer).to_vec()
    };
    Ok(Answer {
        status: response.status(),
        upload_offset,
        body,
    })
}
