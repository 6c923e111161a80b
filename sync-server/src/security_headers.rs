//! The security headers on every response for the app: what the page may load, run, embed and
//! leak.
//!
//! The policy is as strict as the app allows. Scripts come only from the relay itself, plus the
//! inline scripts of `index.html` (the shell's choice of language, the start of the wasm's
//! compiling in a worker, and Trunk's module script that starts the app); each is allowed by its
//! SHA-256, which changes with every build, so the hashes are read from the `index.html` being
//! served, and read again whenever that file changes: a new build deployed under a running relay
//! gets its own hashes with the first response after it, rather than a blank page until a
//! restart. `'wasm-unsafe-eval'` lets the page and that worker compile WebAssembly without
//! allowing JavaScript `eval`.
//!
//! Styles need no `'unsafe-inline'`: the stylesheet is a file, and Leptos's `style:` bindings
//! (the presence colours) set properties through the CSSOM (`el.style.setProperty`), which a
//! policy does not govern. The view code has no `style="…"` attributes, which it would. What a
//! style may fetch is still limited: a `url(…)` smuggled into a colour loads nothing from
//! another site (`img-src`, `default-src`).
//!
//! The service worker (`/sw.js`) and the web app manifest come only from the relay itself:
//! `worker-src 'self'` and `manifest-src 'self'`, said outright rather than left to fall back on
//! `script-src` and `default-src`. The worker runs under the policy sent with its own script,
//! which is this one too: its `fetch` of the app's files is `connect-src 'self'`.
//!
//! The WebSocket to `/sync` needs nothing beyond `connect-src 'self'`: under CSP Level 3,
//! `'self'` on an `http:` page also matches `ws:` to the same host and port, and on `https:`
//! also `wss:` (checked in Chromium by `tests/e2e/security-headers.spec.ts`). The app's `fetch`
//! of its attachments at `/blobs/…` is same-origin too, so `connect-src 'self'` covers it
//! (`tests/e2e/attachments-relay.spec.ts`); those responses carry these headers as well.
//!
//! Images and media also allow `data:` and `blob:` for voice memos and their playback. The share
//! link's secret is in the fragment, which is never sent, but the path names the document, so no
//! `Referer` is sent at all. The app may not be framed (clickjacking), and a page it opens or that
//! opens it gets no handle on its window.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::extract::{Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use sha2::{Digest, Sha256};
use tracing::{info, warn};

/// Browser features the app uses get `(self)`; those it does not, `()`, so that no dependency or
/// injected script can use them. The microphone is for voice memos; the copy button writes the
/// clipboard. Left at the browser's default, this origin only: the Web Share API the share button
/// uses (Chromium on Linux rejects `web-share` as an unknown feature), and reading the clipboard,
/// which asks the user anyway (the copy button's browser test reads back what it wrote). Every
/// name here is one Chromium knows; an unknown one costs a console error on every page load.
const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), browsing-topics=(), \
    camera=(), clipboard-write=(self), display-capture=(), fullscreen=(), geolocation=(), \
    gyroscope=(), hid=(), magnetometer=(), microphone=(self), midi=(), payment=(), \
    publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()";

/// The headers added to every response for the app, kept in step with the page they allow.
pub struct AppHeaders {
    index: PathBuf,
    current: Mutex<Current>,
}

/// The headers for one version of the page.
struct Current {
    /// When the page was last modified as read; `None` if it could not be read.
    modified: Option<SystemTime>,
    /// Name and value pairs, ready to insert; the policy inside already holds the script hashes.
    headers: Arc<[(HeaderName, HeaderValue)]>,
}

impl AppHeaders {
    /// The headers for the app whose page is `index`. A missing or unreadable page leaves the
    /// policy with no inline script allowed, which is right for whatever is served then.
    pub fn for_index(index: &Path) -> Self {
        let modified = modified(index);
        AppHeaders {
            index: index.to_owned(),
            current: Mutex::new(Current {
                modified,
                headers: headers_for(index),
            }),
        }
    }

    /// The headers for the page as it is now: built again if the file changed since.
    fn headers(&self) -> Arc<[(HeaderName, HeaderValue)]> {
        let modified = modified(&self.index);
        // The lock is held while hashing a changed page, so it is hashed once, not per request.
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if current.modified != modified {
            *current = Current {
                modified,
                headers: headers_for(&self.index),
            };
        }
        Arc::clone(&current.headers)
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn headers_for(index: &Path) -> Arc<[(HeaderName, HeaderValue)]> {
    let hashes = match std::fs::read_to_string(index) {
        Ok(html) => {
            let hashes = inline_script_hashes(&html);
            info!(page = %index.display(), scripts = hashes.len(), "inline scripts allowed by hash");
            hashes
        }
        Err(e) => {
            if e.kind() != std::io::ErrorKind::NotFound {
                warn!(page = %index.display(), error = %e, "cannot read the page to hash its scripts");
            }
            Vec::new()
        }
    };
    let policy = content_security_policy(&hashes);
    let value = |s: &str| HeaderValue::from_str(s).expect("visible ASCII");
    Arc::from(vec![
        (CONTENT_SECURITY_POLICY, value(&policy)),
        (X_CONTENT_TYPE_OPTIONS, value("nosniff")),
        (REFERRER_POLICY, value("no-referrer")),
        // For browsers that predate frame-ancestors.
        (X_FRAME_OPTIONS, value("DENY")),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            value("same-origin"),
        ),
        (
            HeaderName::from_static("permissions-policy"),
            value(PERMISSIONS_POLICY),
        ),
    ])
}

/// Middleware: sets the headers on the response, whatever it is (page, asset, 404).
pub async fn add(State(app): State<Arc<AppHeaders>>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    for (name, value) in app.headers().iter() {
        headers.insert(name.clone(), value.clone());
    }
    response
}

/// The Content-Security-Policy that allows the inline scripts with these hashes
/// (`sha256-…`) and nothing else inline.
pub fn content_security_policy(script_hashes: &[String]) -> String {
    let mut script_src = String::from("'self'");
    for hash in script_hashes {
        script_src.push_str(&format!(" '{hash}'"));
    }
    [
        "default-src 'self'",
        &format!("script-src {script_src} 'wasm-unsafe-eval'"),
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
    ]
    .join("; ")
}

/// `sha256-<base64>` of each inline `<script>` in `html`, in order, as a browser computes it:
/// over the element's text, in which the HTML parser has turned every CR LF and lone CR into LF.
/// A script with a `src` attribute is not inline and gets none.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    inline_scripts(html)
        .into_iter()
        .map(|body| {
            let text = body.replace("\r\n", "\n").replace('\r', "\n");
            format!("sha256-{}", BASE64.encode(Sha256::digest(text.as_bytes())))
        })
        .collect()
}

/// The bodies of the `<script>` elements without `src`, found the way the HTML parser finds them
/// in a page like Trunk's: tag names in any case, attribute values quoted or not, and a script's
/// text ending at the first `</script`.
fn inline_scripts(html: &str) -> Vec<&str> {
    // ASCII lowercasing keeps every byte where it was, so positions found here index `html`.
    let lower = html.to_ascii_lowercase();
    let mut scripts = Vec::new();
    let mut at = 0;
    while let Some(found) = lower[at..].find("<script") {
        let name_end = at + found + "<script".len();
        at = name_end;
        if !lower[name_end..].starts_with(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        {
            continue; // `<scripts>` or the like.
        }
        let Some((attributes, body_start)) = start_tag_attributes(&lower, name_end) else {
            break;
        };
        let Some(len) = lower[body_start..].find("</script") else {
            break;
        };
        if !attributes.contains(&"src") {
            scripts.push(&html[body_start..body_start + len]);
        }
        at = body_start + len;
    }
    scripts
}

/// The attribute names of the start tag whose attributes begin at `from`, and where its content
/// begins; `None` if the tag never ends.
fn start_tag_attributes(tag: &str, from: usize) -> Option<(Vec<&str>, usize)> {
    let bytes = tag.as_bytes();
    let mut names = Vec::new();
    let mut i = from;
    loop {
        while bytes.get(i)?.is_ascii_whitespace() || bytes[i] == b'/' {
            i += 1;
        }
        if bytes[i] == b'>' {
            return Some((names, i + 1));
        }
        let start = i;
        while !matches!(bytes.get(i)?, b'=' | b'>' | b'/') && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        names.push(&tag[start..i]);
        while bytes.get(i)?.is_ascii_whitespace() {
            i += 1;
        }
        if bytes[i] != b'=' {
            continue;
        }
        i += 1;
        while bytes.get(i)?.is_ascii_whitespace() {
            i += 1;
        }
        match bytes[i] {
            quote @ (b'"' | b'\'') => {
                i += 1 + tag[i + 1..].find(quote as char)? + 1;
            }
            _ => {
                while !bytes.get(i)?.is_ascii_whitespace() && bytes[i] != b'>' {
                    i += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{content_security_policy, inline_script_hashes, inline_scripts};

    #[test]
    fn finds_inline_scripts_only() {
        let html = "<head><script type=\"module\">one()</script><scripts>x</scripts>\
                    <SCRIPT data-x='a > b' defer>two()</Script >\
                    <script src=\"/a.js\"></script><script type=module src=/b.js></script>\
                    <script data-src=\"/c.js\">three()</script><script async>four()</script></head>";
        assert_eq!(
            inline_scripts(html),
            ["one()", "two()", "three()", "four()"]
        );
        assert!(inline_scripts("<script>never closed").is_empty());
        assert!(inline_scripts("<script type=\"module").is_empty());
    }

    #[test]
    fn hashes_as_the_browser_does() {
        // printf 'a\nb\nc' | openssl dgst -sha256 -binary | base64
        let expected = "sha256-6n+wi3otxGGf+3x7s42VogR5NfoWXXGxLv04UqLm0Mw=";
        for body in ["a\nb\nc", "a\r\nb\rc"] {
            let html = format!("<script>{body}</script>");
            assert_eq!(inline_script_hashes(&html), [expected]);
        }
    }

    #[test]
    fn the_policy_lists_every_hash() {
        let policy = content_security_policy(&["sha256-A=".into(), "sha256-B=".into()]);
        assert!(policy.contains("; script-src 'self' 'sha256-A=' 'sha256-B=' 'wasm-unsafe-eval'; "));
    }
}
