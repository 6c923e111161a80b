//! A client of the relay's attachment endpoints (`/blobs/{doc}/{hash}`) over real HTTP, and
//! sealed memos to send through it.

use std::net::SocketAddr;

use axum::body::Bytes;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tandem_protocol::blob::BLOB_CHUNK_BYTES;
use tandem_protocol::crypto::Purpose;
use tandem_protocol::{AccessToken, BlobHash};

use super::{RelayProcess, TestDoc};

/// An answer, read whole.
pub struct Answer {
    pub status: StatusCode,
    pub headers: hyper::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn offset(&self) -> Option<u64> {
        self.header("upload-offset").and_then(|v| v.parse().ok())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// Asserts the status and that the text says `says`.
    pub fn assert_says(&self, status: StatusCode, says: &str) {
        assert_eq!(self.status, status, "{}", self.text());
        assert!(
            self.text().contains(says),
            "{:?} lacks {says:?}",
            self.text()
        );
        assert_eq!(
            self.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
    }
}

/// A client of one relay's blob endpoints.
pub struct Blobs {
    http: Client<HttpConnector, Full<Bytes>>,
    addr: SocketAddr,
}

/// How a request shows (or does not show) a token.
#[derive(Clone, Copy)]
pub enum Auth<'a> {
    Token(&'a AccessToken),
    Raw(&'a str),
    None,
}

impl Blobs {
    pub fn new(relay: &RelayProcess) -> Self {
        Blobs {
            http: Client::builder(TokioExecutor::new()).build_http(),
            addr: relay.addr,
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        auth: Auth<'_>,
        extra: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Answer {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("http://{}{path}", self.addr));
        match auth {
            Auth::Token(token) => {
                let bearer = format!("Bearer {}", URL_SAFE_NO_PAD.encode(token.0));
                request = request.header("authorization", bearer);
            }
            Auth::Raw(value) => request = request.header("authorization", value),
            Auth::None => {}
        }
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .expect("a valid request");
        let response = tokio::time::timeout(super::TIMEOUT, self.http.request(request))
            .await
            .expect("the relay answers in time")
            .expect("the request reaches the relay");
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("the whole body").to_bytes();
        Answer {
            status: parts.status,
            headers: parts.headers,
            body: body.to_vec(),
        }
    }

    pub async fn put(
        &self,
        doc: &TestDoc,
        hash: BlobHash,
        offset: u64,
        total: u64,
        chunk: &[u8],
    ) -> Answer {
        let path = format!("{}?offset={offset}&total={total}", hash.path(doc.doc));
        let token = doc.token();
        self.send(Method::PUT, &path, Auth::Token(&token), &[], chunk.to_vec())
            .await
    }

    /// Uploads `sealed` from `from` on in client-sized chunks; returns the last answer.
    pub async fn put_from(&self, doc: &TestDoc, sealed: &[u8], from: usize) -> Answer {
        let hash = BlobHash::of(sealed);
        let total = sealed.len() as u64;
        let mut offset = from;
        loop {
            let end = (offset + BLOB_CHUNK_BYTES).min(sealed.len());
            let answer = self
                .put(doc, hash, offset as u64, total, &sealed[offset..end])
                .await;
            assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text());
            assert_eq!(answer.offset(), Some(end as u64));
            if end == sealed.len() {
                return answer;
            }
            offset = end;
        }
    }

    pub async fn head(&self, doc: &TestDoc, hash: BlobHash) -> Answer {
        let token = doc.token();
        self.send(
            Method::HEAD,
            &hash.path(doc.doc),
            Auth::Token(&token),
            &[],
            Vec::new(),
        )
        .await
    }

    pub async fn get(&self, doc: &TestDoc, hash: BlobHash) -> Answer {
        let token = doc.token();
        self.send(
            Method::GET,
            &hash.path(doc.doc),
            Auth::Token(&token),
            &[],
            Vec::new(),
        )
        .await
    }
}

/// A voice memo as the app uploads it: made-up audio sealed with the document's key.
pub fn sealed_memo(doc: &TestDoc, len: usize) -> (Vec<u8>, Vec<u8>) {
    let mut audio = b"OggS fake opus audio of a hiring manager ".to_vec();
    let mut i = 0u32;
    while audio.len() < len {
        audio.extend_from_slice(format!("frame {i} ").as_bytes());
        i += 1;
    }
    audio.truncate(len);
    let sealed = doc
        .secret
        .doc_key(doc.doc)
        .seal(Purpose::Attachment, &audio);
    (audio, sealed)
}
