//! Attachments against the real relay binary over real HTTP: chunked upload and download,
//! resuming after a cut, the access token, the limits, content addressing, that a deleted
//! document's attachments leave the relay's files, and that an upload abandoned halfway is
//! discarded after the expiry time and can then start again.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::blobs::{sealed_memo, Auth, Blobs};
use common::{contains, http_get, RelayProcess, TestDoc};
use hyper::{Method, StatusCode};
use tandem_protocol::blob::BLOB_CHUNK_BYTES;
use tandem_protocol::crypto::Purpose;
use tandem_protocol::{BlobHash, ClientMsg, OwnerSecret, RelayMsg};

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

#[tokio::test]
async fn an_upload_abandoned_halfway_is_discarded_and_then_starts_again_from_the_first_byte() {
    let dir = tempfile::tempdir().unwrap();
    let doc = TestDoc::new();
    let (_, sealed) = sealed_memo(&doc, 2 * BLOB_CHUNK_BYTES);
    let hash = BlobHash::of(&sealed);
    let total = sealed.len() as u64;
    // Room for this one memo in the vacancy, and an upload idle for a second expires.
    let room = total.to_string();
    let relay = RelayProcess::start(
        dir.path(),
        &[
            "--partial-upload-expiry-secs",
            "1",
            "--max-doc-blob-bytes",
            &room,
        ],
    );
    let blobs = Blobs::new(&relay);
    let first = blobs
        .put(&doc, hash, 0, total, &sealed[..BLOB_CHUNK_BYTES])
        .await;
    assert_eq!(first.offset(), Some(BLOB_CHUNK_BYTES as u64));
    // Abandoned, it holds the vacancy's room while it lasts.
    let (_, other) = sealed_memo(&doc, 1000);
    blobs
        .put(&doc, BlobHash::of(&other), 0, other.len() as u64, &other)
        .await
        .assert_says(StatusCode::PAYLOAD_TOO_LARGE, "per vacancy");

    // The relay lets it go by itself: it holds nothing of it any more.
    let deadline = Instant::now() + common::TIMEOUT;
    loop {
        let status = blobs.head(&doc, hash).await;
        assert_eq!(status.status, StatusCode::NOT_FOUND);
        if status.offset() == Some(0) {
            break;
        }
        assert!(Instant::now() < deadline, "the upload was not expired");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!contains(&relay.files(), &sealed[..64]));
    let addr = relay.addr;
    let scraped = tokio::task::spawn_blocking(move || http_get(addr, "/metrics", &[]))
        .await
        .expect("scrape");
    let text = String::from_utf8(scraped.body).expect("UTF-8 text");
    assert!(
        text.lines().any(|l| l == "tandem_expired_uploads_total 1"),
        "{text}"
    );

    // The client that comes back with the second chunk is told to start from 0, and does.
    let late = blobs
        .put(
            &doc,
            hash,
            BLOB_CHUNK_BYTES as u64,
            total,
            &sealed[BLOB_CHUNK_BYTES..],
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.text());
    assert_eq!(late.offset(), Some(0));
    blobs.put_from(&doc, &sealed, 0).await;
    assert!(blobs.get(&doc, hash).await.body == sealed);
}
