//! Attachments against the real relay binary over real HTTP: chunked upload and download,
//! resuming after a cut, the access token, the limits, content addressing, and that a deleted
//! document's attachments leave the relay's files.

mod common;

use std::io::Write;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{contains, RelayProcess, TestDoc};
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tandem_protocol::blob::BLOB_CHUNK_BYTES;
use tandem_protocol::crypto::Purpose;
use tandem_protocol::{AccessToken, BlobHash, ClientMsg, OwnerSecret, RelayMsg};

/// An answer, read whole.
struct Answer {
    status: StatusCode,
    headers: hyper::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    fn offset(&self) -> Option<u64> {
        self.header("upload-offset").and_then(|v| v.parse().ok())
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// Asserts the status and that the text says `says`.
    fn assert_says(&self, status: StatusCode, says: &str) {
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
struct Blobs {
    http: Client<HttpConnector, Full<Bytes>>,
    addr: SocketAddr,
}

/// How a request shows (or does not show) a token.
#[derive(Clone, Copy)]
enum Auth<'a> {
    Token(&'a AccessToken),
    Raw(&'a str),
    None,
}

impl Blobs {
    fn new(relay: &RelayProcess) -> Self {
        Blobs {
            http: Client::builder(TokioExecutor::new()).build_http(),
            addr: relay.addr,
        }
    }

    async fn send(
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
        let response = tokio::time::timeout(common::TIMEOUT, self.http.request(request))
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

    async fn put(
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
    async fn put_from(&self, doc: &TestDoc, sealed: &[u8], from: usize) -> Answer {
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

    async fn head(&self, doc: &TestDoc, hash: BlobHash) -> Answer {
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

    async fn get(&self, doc: &TestDoc, hash: BlobHash) -> Answer {
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
fn sealed_memo(doc: &TestDoc, len: usize) -> (Vec<u8>, Vec<u8>) {
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

#[tokio::test]
async fn a_memo_goes_up_in_chunks_and_comes_down_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let blobs = Blobs::new(&relay);
    let doc = TestDoc::new();
    // Two and a half chunks, so the last one is short.
    let (audio, sealed) = sealed_memo(&doc, 2 * BLOB_CHUNK_BYTES + BLOB_CHUNK_BYTES / 2);
    let hash = BlobHash::of(&sealed);
    let total = sealed.len() as u64;

    let last = blobs.put_from(&doc, &sealed, 0).await;
    assert_eq!(last.header("cache-control"), Some("no-store"));

    let head = blobs.head(&doc, hash).await;
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(head.header("content-length"), Some(&*total.to_string()));
    assert!(head.body.is_empty());

    let token = doc.token();
    let get = blobs
        .send(
            Method::GET,
            &hash.path(doc.doc),
            Auth::Token(&token),
            &[("accept-encoding", "gzip, br")],
            Vec::new(),
        )
        .await;
    assert_eq!(get.status, StatusCode::OK);
    assert!(get.body == sealed, "the download differs from the upload");
    assert_eq!(get.header("content-type"), Some("application/octet-stream"));
    assert_eq!(
        get.header("cache-control"),
        Some("private, max-age=31536000, immutable")
    );
    // A browser's cache must not hand this copy to a request with another token.
    assert_eq!(get.header("vary"), Some("authorization"));
    // Sealed bytes do not compress: sent as they are, with their length.
    assert_eq!(get.header("content-encoding"), None);
    assert_eq!(get.header("content-length"), Some(&*total.to_string()));
    // The security headers apply here as everywhere; the app's fetch is same-origin.
    assert_eq!(get.header("x-content-type-options"), Some("nosniff"));
    let policy = get.header("content-security-policy").expect("a policy");
    assert!(policy.contains("connect-src 'self'"), "{policy}");
    // And it opens to the memo on a device with the key.
    let opened = doc
        .secret
        .doc_key(doc.doc)
        .open(Purpose::Attachment, &get.body)
        .expect("the download opens");
    assert!(opened == audio);

    // A retry of any chunk of a complete blob is answered with its end at once.
    let again = blobs.put(&doc, hash, 0, total, &sealed[..10]).await;
    assert_eq!(again.status, StatusCode::NO_CONTENT);
    assert_eq!(again.offset(), Some(total));

    // The relay holds ciphertext only.
    assert!(contains(&relay.files(), &sealed[..64]));
    assert!(!contains(&relay.files(), b"fake opus audio"));
}

#[tokio::test]
async fn an_upload_cut_off_midway_resumes_where_the_relay_got_to() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let blobs = Blobs::new(&relay);
    let doc = TestDoc::new();
    let (_, sealed) = sealed_memo(&doc, 3 * BLOB_CHUNK_BYTES);
    let hash = BlobHash::of(&sealed);
    let total = sealed.len() as u64;
    let chunk = BLOB_CHUNK_BYTES;

    blobs.put(&doc, hash, 0, total, &sealed[..chunk]).await;
    // The second chunk's connection drops after a part of its body: nothing of it is kept.
    let mut cut = std::net::TcpStream::connect(relay.addr).unwrap();
    let head = format!(
        "PUT {}?offset={chunk}&total={total} HTTP/1.1\r\nHost: {}\r\n\
         Authorization: Bearer {}\r\nContent-Length: {chunk}\r\n\r\n",
        hash.path(doc.doc),
        relay.addr,
        URL_SAFE_NO_PAD.encode(doc.token().0)
    );
    cut.write_all(head.as_bytes()).unwrap();
    cut.write_all(&sealed[chunk..chunk + chunk / 3]).unwrap();
    drop(cut);

    // The client comes back and asks how far the relay got.
    let status = blobs.head(&doc, hash).await;
    assert_eq!(status.status, StatusCode::NOT_FOUND);
    assert_eq!(status.offset(), Some(chunk as u64));
    let get = blobs.get(&doc, hash).await;
    assert_eq!(
        get.status,
        StatusCode::NOT_FOUND,
        "an incomplete blob is not served"
    );

    blobs.put_from(&doc, &sealed, chunk).await;
    assert!(blobs.get(&doc, hash).await.body == sealed);
}

#[tokio::test]
async fn an_offset_the_relay_does_not_hold_is_answered_with_the_one_it_does() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let blobs = Blobs::new(&relay);
    let doc = TestDoc::new();
    let (_, sealed) = sealed_memo(&doc, 1000);
    let hash = BlobHash::of(&sealed);

    let total = sealed.len() as u64;

    let ahead = blobs.put(&doc, hash, 400, total, &sealed[400..800]).await;
    ahead.assert_says(StatusCode::CONFLICT, "holds 0 bytes");
    assert_eq!(ahead.offset(), Some(0));

    blobs.put(&doc, hash, 0, total, &sealed[..400]).await;
    // A chunk sent twice (its answer was lost) is refused, with where to go on.
    let twice = blobs.put(&doc, hash, 0, total, &sealed[..400]).await;
    twice.assert_says(StatusCode::CONFLICT, "holds 400 bytes");
    assert_eq!(twice.offset(), Some(400));
    let rest = blobs.put(&doc, hash, 400, total, &sealed[400..]).await;
    assert_eq!(rest.status, StatusCode::NO_CONTENT, "{}", rest.text());
    assert_eq!(rest.offset(), Some(total));
}

#[tokio::test]
async fn the_vacancys_token_is_required_and_checked_before_anything_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let blobs = Blobs::new(&relay);
    let doc = TestDoc::new();
    let other = TestDoc::new();
    let (_, sealed) = sealed_memo(&doc, 500);
    let hash = BlobHash::of(&sealed);
    let put_path = format!("{}?offset=0&total={}", hash.path(doc.doc), sealed.len());
    let wrong = other.token();

    for (method, path) in [
        (Method::PUT, put_path.as_str()),
        (Method::HEAD, &hash.path(doc.doc)),
        (Method::GET, &hash.path(doc.doc)),
    ] {
        let none = blobs
            .send(method.clone(), path, Auth::None, &[], sealed.clone())
            .await;
        assert_eq!(none.status, StatusCode::UNAUTHORIZED, "{method}");
        assert_eq!(none.header("www-authenticate"), Some("Bearer"));
        let another = blobs
            .send(
                method.clone(),
                path,
                Auth::Token(&wrong),
                &[],
                sealed.clone(),
            )
            .await;
        assert_eq!(another.status, StatusCode::FORBIDDEN, "{method}");
        for garbage in ["Bearer not-base64!", "Basic dXNlcjpwYXNz", "Bearer AAAA"] {
            let bad = blobs
                .send(
                    method.clone(),
                    path,
                    Auth::Raw(garbage),
                    &[],
                    sealed.clone(),
                )
                .await;
            assert_eq!(bad.status, StatusCode::FORBIDDEN, "{method} {garbage}");
        }
    }
    let none = blobs
        .send(Method::PUT, &put_path, Auth::None, &[], sealed.clone())
        .await;
    none.assert_says(StatusCode::UNAUTHORIZED, "access token");
    let another = blobs
        .send(
            Method::PUT,
            &put_path,
            Auth::Token(&wrong),
            &[],
            sealed.clone(),
        )
        .await;
    another.assert_says(StatusCode::FORBIDDEN, "does not open this vacancy");

    let status = blobs.head(&doc, hash).await;
    assert_eq!(status.status, StatusCode::NOT_FOUND);
    assert_eq!(status.offset(), Some(0));
    assert!(!contains(&relay.files(), &sealed[..64]));
}

#[tokio::test]
async fn too_large_is_refused_with_the_limit_that_was_hit() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(
        dir.path(),
        &[
            "--max-blob-bytes",
            "1000",
            "--max-doc-blob-bytes",
            "1500",
            "--max-total-bytes",
            "2500",
        ],
    );
    let blobs = Blobs::new(&relay);
    let doc = TestDoc::new();
    let (_, big) = sealed_memo(&doc, 1000);
    let big_hash = BlobHash::of(&big);
    let answer = blobs
        .put(&doc, big_hash, 0, big.len() as u64, &big[..500])
        .await;
    answer.assert_says(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!(
            "the attachment is {} bytes, over this relay's limit of 1000 bytes",
            big.len()
        ),
    );

    let (_, first) = sealed_memo(&doc, 900);
    blobs.put_from(&doc, &first, 0).await;
    let (_, second) = sealed_memo(&doc, 600);
    let answer = blobs
        .put(&doc, BlobHash::of(&second), 0, second.len() as u64, &second)
        .await;
    answer.assert_says(StatusCode::PAYLOAD_TOO_LARGE, "per vacancy");
    // Another vacancy has its own room.
    let elsewhere = TestDoc::new();
    let (_, theirs) = sealed_memo(&elsewhere, 600);
    blobs.put_from(&elsewhere, &theirs, 0).await;
    // 941 and 641 bytes held: a third vacancy's 941 would take the relay past 2500.
    let third = TestDoc::new();
    let (_, more) = sealed_memo(&third, 900);
    let answer = blobs
        .put(&third, BlobHash::of(&more), 0, more.len() as u64, &more)
        .await;
    answer.assert_says(
        StatusCode::PAYLOAD_TOO_LARGE,
        "the relay would hold 2523 bytes in all, over its limit of 2500",
    );

    // A body over the chunk limit is refused before it is read.
    let huge = vec![7u8; 1024 * 1024 + 1];
    let answer = blobs
        .put(&doc, BlobHash::of(&huge), 0, 2_000_000, &huge)
        .await;
    answer.assert_says(
        StatusCode::PAYLOAD_TOO_LARGE,
        "chunks of at most 1048576 bytes",
    );
}

#[tokio::test]
async fn the_relay_holds_bytes_under_their_own_hash_only() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let blobs = Blobs::new(&relay);
    let doc = TestDoc::new();
    let (_, sealed) = sealed_memo(&doc, 2 * BLOB_CHUNK_BYTES);
    let (_, other) = sealed_memo(&doc, 10);
    let claimed = BlobHash::of(&other);
    let total = sealed.len() as u64;

    let first = blobs
        .put(&doc, claimed, 0, total, &sealed[..BLOB_CHUNK_BYTES])
        .await;
    assert_eq!(first.status, StatusCode::NO_CONTENT);
    let last = blobs
        .put(
            &doc,
            claimed,
            BLOB_CHUNK_BYTES as u64,
            total,
            &sealed[BLOB_CHUNK_BYTES..],
        )
        .await;
    last.assert_says(StatusCode::UNPROCESSABLE_ENTITY, "do not match its name");
    let status = blobs.head(&doc, claimed).await;
    assert_eq!(status.status, StatusCode::NOT_FOUND);
    assert_eq!(status.offset(), Some(0), "the failed upload is discarded");
    assert!(
        !contains(&relay.files(), &sealed[..64]),
        "the discarded bytes are still in the relay's files"
    );

    // The same bytes under their own name are fine.
    blobs.put_from(&doc, &sealed, 0).await;
}

#[tokio::test]
async fn an_unknown_or_malformed_address_is_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let blobs = Blobs::new(&relay);
    let doc = TestDoc::new();
    let unknown = BlobHash::of(b"never uploaded");
    let get = blobs.get(&doc, unknown).await;
    get.assert_says(StatusCode::NOT_FOUND, "no complete attachment");
    let head = blobs.head(&doc, unknown).await;
    assert_eq!(head.status, StatusCode::NOT_FOUND);
    assert_eq!(head.offset(), Some(0));

    let token = doc.token();
    let bad = |path: String| {
        let blobs = &blobs;
        let token = &token;
        async move {
            blobs
                .send(Method::PUT, &path, Auth::Token(token), &[], b"x".to_vec())
                .await
        }
    };
    let hash = unknown.to_string();
    bad(format!(
        "/blobs/{}/{}?offset=0&total=1",
        doc.doc,
        hash.to_uppercase()
    ))
    .await
    .assert_says(StatusCode::BAD_REQUEST, "64 lowercase hex digits");
    bad(format!("/blobs/not-an-id/{hash}?offset=0&total=1"))
        .await
        .assert_says(StatusCode::BAD_REQUEST, "vacancy id");
    bad(format!("/blobs/{}/{hash}?offset=zero&total=1", doc.doc))
        .await
        .assert_says(StatusCode::BAD_REQUEST, "?offset=N&total=T");
    bad(format!("/blobs/{}/{hash}", doc.doc))
        .await
        .assert_says(StatusCode::BAD_REQUEST, "?offset=N&total=T");
    bad(format!("/blobs/{}/{hash}?offset=0&total=0", doc.doc))
        .await
        .assert_says(StatusCode::BAD_REQUEST, "cannot be empty");
    bad(format!("/blobs/{}/{hash}/more?offset=0&total=1", doc.doc))
        .await
        .assert_says(StatusCode::NOT_FOUND, "/blobs/<vacancy id>/<hash>");
}

/// Claims `doc` for `owner` and then deletes it, over the WebSocket as the app does.
async fn own_and_delete(relay: &RelayProcess, doc: &TestDoc, owner: &OwnerSecret) {
    let mut creator = relay.client().await;
    creator.join(doc, 0).await;
    let delete_hash = owner.delete_token(doc.doc).hash();
    creator
        .send(&ClientMsg::Own {
            doc: doc.doc,
            delete_hash,
        })
        .await;
    assert_eq!(
        creator.recv_skipping_departures().await,
        RelayMsg::Owned { doc: doc.doc }
    );
    creator
        .send(&ClientMsg::Delete {
            doc: doc.doc,
            token: owner.delete_token(doc.doc),
        })
        .await;
    assert_eq!(
        creator.recv_skipping_departures().await,
        RelayMsg::Deleted { doc: doc.doc }
    );
}

#[tokio::test]
async fn a_deleted_vacancys_attachments_are_gone_from_the_files_and_stay_gone() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let blobs = Blobs::new(&relay);
    let doc = TestDoc::new();
    let kept = TestDoc::new();
    // Readable bytes stand in for ciphertext so the files can be searched for them; the relay
    // cannot tell the difference.
    let memo: Vec<u8> = (0..20_000)
        .flat_map(|i| format!("memo {i} about Wilhelmina Oosterhout ").into_bytes())
        .collect();
    let half = memo.len() / 2;
    let hash = BlobHash::of(&memo);
    blobs.put_from(&doc, &memo, 0).await;
    // An upload still under way goes too.
    let partial = b"half a memo about Geertruida Blankenstein ".repeat(1000);
    let partial_hash = BlobHash::of(&partial);
    let answer = blobs
        .put(&doc, partial_hash, 0, partial.len() as u64 + 10, &partial)
        .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    // The same bytes under another vacancy are that vacancy's own.
    blobs.put_from(&kept, &memo[..half], 0).await;
    let files = relay.files();
    assert!(contains(&files, b"Wilhelmina Oosterhout"));
    assert!(contains(&files, b"Geertruida Blankenstein"));

    own_and_delete(&relay, &doc, &OwnerSecret::random()).await;

    let files = relay.files();
    assert!(
        !contains(&files, b"Geertruida Blankenstein"),
        "the relay's files still hold the deleted vacancy's partial upload"
    );
    // Only the other vacancy's copy of the first half remains; the second half was only ever
    // the deleted vacancy's.
    assert!(!contains(&files, &memo[half..half + 200]));
    assert!(contains(&files, &memo[half - 200..half]));
    let gone = blobs.get(&doc, hash).await;
    gone.assert_says(StatusCode::GONE, "deleted");
    assert_eq!(blobs.head(&doc, hash).await.status, StatusCode::GONE);
    let again = blobs
        .put(&doc, hash, 0, memo.len() as u64, &memo[..1000])
        .await;
    again.assert_says(StatusCode::GONE, "deleted");
    let theirs = blobs.get(&kept, BlobHash::of(&memo[..half])).await;
    assert!(theirs.body == memo[..half]);
}

/// The token as the app sends it is the access token in URL-safe base64 without padding; a
/// padded or standard-alphabet one is not it.
#[tokio::test]
async fn the_token_is_read_as_the_app_writes_it() {
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), &[]);
    let blobs = Blobs::new(&relay);
    let doc = TestDoc::new();
    let hash = BlobHash::of(b"x");
    let token = URL_SAFE_NO_PAD.encode(doc.token().0);
    let ok = blobs
        .send(
            Method::HEAD,
            &hash.path(doc.doc),
            Auth::Raw(&format!("Bearer {token}")),
            &[],
            Vec::new(),
        )
        .await;
    assert_eq!(ok.status, StatusCode::NOT_FOUND);
    let padded = blobs
        .send(
            Method::HEAD,
            &hash.path(doc.doc),
            Auth::Raw(&format!("Bearer {token}=")),
            &[],
            Vec::new(),
        )
        .await;
    assert_eq!(padded.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_client_over_its_addresss_rate_is_slowed_not_refused() {
    let dir = tempfile::tempdir().unwrap();
    // Two a second, ten in a burst, for every request from this address.
    let relay = RelayProcess::start(dir.path(), &["--messages-per-second-per-address", "2"]);
    let blobs = Blobs::new(&relay);
    let doc = TestDoc::new();
    let hash = BlobHash::of(b"asked about too often");
    let start = Instant::now();
    for _ in 0..14 {
        assert_eq!(blobs.head(&doc, hash).await.status, StatusCode::NOT_FOUND);
    }
    // The burst passes at once; the four after it wait half a second each.
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(1500), "{took:?}");
}
