//! Files in and out of the browser: a download made from bytes (a Blob, an object URL and an
//! `<a download>`), and the bytes of a file the person chose in an `<input type="file">`.
//! Nothing here leaves the device: the browser saves and reads the files itself.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A file name from a vacancy's title: letters, digits, spaces, dashes and dots kept, then
/// `.ext`; "tandem" when nothing is left of the title.
pub fn file_name(title: &str, ext: &str) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_matches('.').trim();
    let base = if cleaned.is_empty() {
        "tandem"
    } else {
        cleaned
    };
    format!("{base}.{ext}")
}

/// What a browser error says, for a message.
pub fn js_error(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Hands `bytes` to the browser as a file download named `name` of type `mime`.
pub fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(js_error)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js_error)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| "no document".to_string())?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(js_error)?
        .dyn_into()
        .map_err(|_| "no link element".to_string())?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // The browser has read the file by the time this runs; the URL would otherwise hold the
    // file in memory until the page closes.
    gloo_timers::callback::Timeout::new(60_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// Files larger than this are refused before they are read: no export or backup of this app
/// comes near it, and reading a huge file would freeze the tab.
pub const MAX_FILE_BYTES: f64 = 200.0 * 1024.0 * 1024.0;

/// Why a chosen file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("the file is too large")]
    TooLarge,
    #[error("the browser could not read the file: {0}")]
    Failed(String),
}

/// The first file chosen in the file input `input`, as bytes; `None` when none is chosen.
pub async fn read_chosen(input: &web_sys::HtmlInputElement) -> Result<Option<Vec<u8>>, ReadError> {
    let Some(file) = input.files().and_then(|list| list.get(0)) else {
        return Ok(None);
    };
    if file.size() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge);
    }
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| ReadError::Failed(js_error(e)))?;
    Ok(Some(js_sys::Uint8Array::new(&buffer).to_vec()))
}
