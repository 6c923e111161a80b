//! The relay as a web server: the app with its SPA fallback, cache and security headers, and
//! /healthz.

mod common;

use std::path::Path;
use std::process::Command;

use common::{http_get, RelayProcess, TestDoc};

const INDEX: &str = "<!doctype html><html><head><title>Tandem</title>\
                     <script type=\"module\">import init from '/app-1a2b3c4d5e6f7a8b.js';await init();</script>\
                     <SCRIPT>window.started = true;</SCRIPT>\
                     <script src=\"/app-1a2b3c4d5e6f7a8b.js\" type=\"module\"></script></head>\
                     <body><p>Tandem app shell, long enough to be worth compressing.</p></body></html>";
/// The SHA-256 of each inline script in [`INDEX`], in base64, as `openssl dgst -sha256 -binary |
/// base64` gives them; the external script has none.
const INDEX_SCRIPT_HASHES: [&str; 2] = [
    "sha256-WGru6AdP2rWk9Xq77Sf2Fh5/D62LKdDBRYEzrjp5hgc=",
    "sha256-zoVSi18jtsR7IKR3l6ObXCdaKf30QeIkXK8uzVa0DqY=",
];
const WASM: &str = "app-1a2b3c4d5e6f7a8b_bg.wasm";
const JS: &str = "app-1a2b3c4d5e6f7a8b.js";

fn write_app(dir: &Path) {
    std::fs::write(dir.join("index.html"), INDEX).unwrap();
    std::fs::write(dir.join(WASM), b"\0asm\x01\0\0\0 pretend module").unwrap();
    std::fs::write(dir.join(JS), "export default async function init() {}\n").unwrap();
    std::fs::write(dir.join("robots.txt"), "User-agent: *\n").unwrap();
}

#[tokio::test]
async fn serves_the_app_with_spa_fallback_and_cache_headers() {
    let data = tempfile::tempdir().unwrap();
    let app = tempfile::tempdir().unwrap();
    write_app(app.path());
    let static_dir = app.path().to_str().unwrap();
    let relay = RelayProcess::start(data.path(), &["--static-dir", static_dir]);
    let addr = relay.addr;

    let health = http_get(addr, "/healthz", &[]);
    assert_eq!((health.status, &health.body[..]), (200, &b"ok"[..]));
    assert_eq!(health.header("x-content-type-options"), Some("nosniff"));

    for path in ["/", "/index.html", "/v/abc", "/v/AbC-dEf_123/settings"] {
        let page = http_get(addr, path, &[]);
        assert_eq!(page.status, 200, "{path}");
        assert_eq!(String::from_utf8_lossy(&page.body), INDEX, "{path}");
        assert_eq!(page.header("cache-control"), Some("no-cache"), "{path}");
        assert!(page
            .header("content-type")
            .unwrap()
            .starts_with("text/html"));
    }

    let missing = http_get(addr, "/missing.js", &[]);
    assert_eq!(missing.status, 404);
    assert_eq!(http_get(addr, "/v/abc/missing.css", &[]).status, 404);

    let wasm = http_get(addr, &format!("/{WASM}"), &[]);
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(
        wasm.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let robots = http_get(addr, "/robots.txt", &[]);
    assert_eq!(robots.status, 200);
    assert_eq!(robots.header("cache-control"), Some("no-cache"));
}

#[tokio::test]
async fn every_response_for_the_app_carries_the_security_headers() {
    let data = tempfile::tempdir().unwrap();
    let app = tempfile::tempdir().unwrap();
    write_app(app.path());
    let static_dir = app.path().to_str().unwrap();
    let relay = RelayProcess::start(data.path(), &["--static-dir", static_dir]);
    let wasm = format!("/{WASM}");
    let js = format!("/{JS}");

    // The page, an app route (SPA fallback), assets plain and compressed, and a missing asset.
    for (path, encoding, status) in [
        ("/", "identity", 200),
        ("/index.html", "identity", 200),
        ("/v/abc", "gzip", 200),
        (&wasm, "identity", 200),
        (&js, "br", 200),
        ("/robots.txt", "identity", 200),
        ("/missing.js", "identity", 404),
    ] {
        let response = http_get(relay.addr, path, &[("Accept-Encoding", encoding)]);
        assert_eq!(response.status, status, "{path}");
        let csp = response
            .header("content-security-policy")
            .unwrap_or_else(|| panic!("{path} has no Content-Security-Policy"));
        let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
        let script_src = format!(
            "script-src 'self' '{}' 'wasm-unsafe-eval'",
            INDEX_SCRIPT_HASHES.join("' '")
        );
        for expected in [
            "default-src 'self'",
            &script_src,
            "style-src 'self'",
            "connect-src 'self'",
            "worker-src 'self'",
            "manifest-src 'self'",
            "img-src 'self' data: blob:",
            "media-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ] {
            assert!(
                directives.contains(&expected),
                "{path}: {expected:?} not in {csp:?}"
            );
        }
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(response.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(response.header("x-frame-options"), Some("DENY"));
        assert_eq!(
            response.header("cross-origin-opener-policy"),
            Some("same-origin")
        );
        let permissions = response.header("permissions-policy").unwrap_or_default();
        for expected in ["microphone=(self)", "camera=()", "geolocation=()"] {
            assert!(
                permissions.split(',').any(|p| p.trim() == expected),
                "{path}: {expected:?} not in {permissions:?}"
            );
        }
    }
}

#[tokio::test]
async fn the_service_worker_and_the_manifest_are_served_to_install_the_app() {
    let data = tempfile::tempdir().unwrap();
    let app = tempfile::tempdir().unwrap();
    write_app(app.path());
    let static_dir = app.path().to_str().unwrap();

    // Before a build has written sw.js, registering it must fail, not register the SPA's HTML.
    let relay = RelayProcess::start(data.path(), &["--static-dir", static_dir]);
    assert_eq!(http_get(relay.addr, "/sw.js", &[]).status, 404);

    let worker =
        "const VERSION = \"0123456789abcdef\";\nself.addEventListener('fetch', () => {});\n";
    std::fs::write(app.path().join("sw.js"), worker).unwrap();
    std::fs::write(
        app.path().join("manifest.webmanifest"),
        "{\"name\":\"Tandem\",\"start_url\":\"/\"}",
    )
    .unwrap();
    for encoding in ["identity", "gzip"] {
        let sw = http_get(relay.addr, "/sw.js", &[("Accept-Encoding", encoding)]);
        assert_eq!(sw.status, 200);
        // A browser refuses a worker script of any other type.
        let content_type = sw.header("content-type").unwrap_or_default();
        assert!(content_type.contains("javascript"), "{content_type:?}");
        // Its name has no hash: each build's sw.js must be fetched anew, or no update is seen.
        assert_eq!(sw.header("cache-control"), Some("no-cache"));
        let csp = sw.header("content-security-policy").unwrap_or_default();
        assert!(
            csp.split(';').any(|d| d.trim() == "worker-src 'self'"),
            "{csp:?}"
        );
    }

    let manifest = http_get(relay.addr, "/manifest.webmanifest", &[]);
    assert_eq!(manifest.status, 200);
    assert_eq!(
        manifest.header("content-type"),
        Some("application/manifest+json")
    );
    assert_eq!(manifest.header("cache-control"), Some("no-cache"));
    let page = http_get(relay.addr, "/", &[]);
    let csp = page.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.split(';').any(|d| d.trim() == "manifest-src 'self'"),
        "{csp:?}"
    );
}

#[tokio::test]
async fn without_inline_scripts_the_policy_allows_none_and_a_new_build_brings_its_own() {
    let data = tempfile::tempdir().unwrap();
    let app = tempfile::tempdir().unwrap();
    write_app(app.path());
    std::fs::write(
        app.path().join("index.html"),
        "<!doctype html><title>No inline script</title><script src=\"/app.js\"></script>",
    )
    .unwrap();
    let static_dir = app.path().to_str().unwrap();
    let relay = RelayProcess::start(data.path(), &["--static-dir", static_dir]);
    let page = http_get(relay.addr, "/v/abc", &[]);
    let csp = page.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.split(';')
            .any(|d| d.trim() == "script-src 'self' 'wasm-unsafe-eval'"),
        "{csp:?}"
    );

    // A new build deployed under the running relay brings its own scripts' hashes at once.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(app.path().join("index.html"), INDEX).unwrap();
    let page = http_get(relay.addr, "/", &[]);
    let csp = page.header("content-security-policy").unwrap_or_default();
    for hash in INDEX_SCRIPT_HASHES {
        assert!(csp.contains(hash), "{hash} not in {csp:?}");
    }
}

#[tokio::test]
async fn responses_are_compressed_when_the_client_accepts_it() {
    let data = tempfile::tempdir().unwrap();
    let app = tempfile::tempdir().unwrap();
    write_app(app.path());
    let static_dir = app.path().to_str().unwrap();
    let relay = RelayProcess::start(data.path(), &["--static-dir", static_dir]);

    for encoding in ["gzip", "br"] {
        for path in ["/", "/v/abc"] {
            let page = http_get(relay.addr, path, &[("Accept-Encoding", encoding)]);
            assert_eq!(page.status, 200);
            assert_eq!(page.header("content-encoding"), Some(encoding), "{path}");
            assert_ne!(String::from_utf8_lossy(&page.body), INDEX);
        }
    }
}

#[tokio::test]
async fn precompressed_assets_are_served_as_they_are() {
    let data = tempfile::tempdir().unwrap();
    let app = tempfile::tempdir().unwrap();
    write_app(app.path());
    // Not real brotli: the relay must send the file's bytes, not compress anything itself.
    let plain = b"\0asm\x01\0\0\0 a pretend module, long enough to be worth compressing".to_vec();
    let brotli = b"pretend brotli bytes".to_vec();
    std::fs::write(app.path().join(WASM), &plain).unwrap();
    std::fs::write(app.path().join(format!("{WASM}.br")), &brotli).unwrap();
    let static_dir = app.path().to_str().unwrap();
    let relay = RelayProcess::start(data.path(), &["--static-dir", static_dir]);
    let path = format!("/{WASM}");

    let br = http_get(relay.addr, &path, &[("Accept-Encoding", "gzip, br")]);
    assert_eq!(br.status, 200);
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert_eq!(br.body, brotli);
    assert_eq!(br.header("content-type"), Some("application/wasm"));
    assert_eq!(
        br.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(br.header("vary"), Some("accept-encoding"));

    // No .gz beside it: a gzip-only client gets it compressed on the fly, once.
    let gzip = http_get(relay.addr, &path, &[("Accept-Encoding", "gzip")]);
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    assert_eq!(&gzip.body[..2], &[0x1f, 0x8b]);
    assert_ne!(gzip.body, brotli);

    let identity = http_get(relay.addr, &path, &[]);
    assert_eq!(identity.header("content-encoding"), None);
    assert_eq!(identity.body, plain);
}

#[tokio::test]
async fn without_an_app_the_relay_still_syncs() {
    let data = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(data.path(), &[]);
    assert_eq!(http_get(relay.addr, "/healthz", &[]).status, 200);
    assert_eq!(http_get(relay.addr, "/v/abc", &[]).status, 404);
    let doc = TestDoc::new();
    let mut client = relay.client().await;
    client.join(&doc, 0).await;
    assert_eq!(client.append(doc.doc, common::msg_id(), b"x").await, 1);
}

#[test]
fn help_describes_every_flag() {
    let output = Command::new(env!("CARGO_BIN_EXE_tandem-relay"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--listen",
        "TANDEM_LISTEN",
        "--data-dir",
        "TANDEM_DATA_DIR",
        "--static-dir",
        "TANDEM_STATIC_DIR",
        "--max-frame-bytes",
        "--max-doc-bytes",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
}

#[test]
fn the_listen_address_comes_from_the_environment_too() {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tandem-relay"))
        .env("TANDEM_LISTEN", "127.0.0.1:0")
        .env("TANDEM_DATA_DIR", data.path())
        .env("TANDEM_STATIC_DIR", data.path().join("none"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.starts_with("Tandem relay listening on http://127.0.0.1:"),
        "{line}"
    );
    assert!(data.path().join("relay.sqlite3").exists());
}

#[tokio::test]
async fn sigterm_stops_the_relay_cleanly_even_with_open_connections() {
    let data = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(data.path(), &[]);
    let doc = TestDoc::new();
    let mut client = relay.client().await;
    client.join(&doc, 0).await;
    client.append(doc.doc, common::msg_id(), b"kept").await;

    let status = relay.terminate();
    assert!(status.success(), "exit status {status}");
    assert!(client.is_closed().await);

    let relay = RelayProcess::start(data.path(), &[]);
    assert_eq!(relay.client().await.join(&doc, 0).await.entries.len(), 1);
}
