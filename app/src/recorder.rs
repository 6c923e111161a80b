//! The microphone and `MediaRecorder`, behind two calls: [`Recording::start`] (which asks for the
//! microphone the first time) and [`Recording::stop`] (which gives the recorded bytes and their
//! type and lets go of the microphone).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, BlobEvent, BlobPropertyBag, DomException, MediaRecorder, MediaRecorderOptions,
    MediaStream, MediaStreamConstraints, MediaStreamTrack,
};

/// Why there is no recording; each has its own message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MicError {
    #[error("the microphone was not allowed")]
    Denied,
    #[error("there is no microphone, or it cannot be used")]
    NoMicrophone,
    #[error("this browser cannot record here")]
    Unsupported,
    #[error("the recording failed")]
    Failed,
}

/// The types we would like, best first; the browser's own choice when it takes none of them.
const TYPES: [&str; 3] = [
    "audio/webm;codecs=opus",
    "audio/mp4",
    "audio/ogg;codecs=opus",
];

pub struct Recording {
    recorder: MediaRecorder,
    stream: MediaStream,
    chunks: Rc<RefCell<Vec<Blob>>>,
    _on_data: Closure<dyn FnMut(BlobEvent)>,
}

impl Recording {
    /// Asks for the microphone (the browser asks the person the first time) and starts
    /// recording.
    pub async fn start() -> Result<Recording, MicError> {
        let window = web_sys::window().ok_or(MicError::Unsupported)?;
        let navigator = window.navigator();
        // Absent outside secure contexts, and in browsers without MediaRecorder.
        let has = |obj: &JsValue, name: &str| {
            js_sys::Reflect::has(obj, &JsValue::from_str(name)).unwrap_or(false)
        };
        if !has(&navigator, "mediaDevices") || !has(&window, "MediaRecorder") {
            return Err(MicError::Unsupported);
        }
        let devices = navigator
            .media_devices()
            .map_err(|_| MicError::Unsupported)?;
        let constraints = MediaStreamConstraints::new();
        constraints.set_audio_bool(true);
        let promise = devices
            .get_user_media_with_constraints(&constraints)
            .map_err(|_| MicError::Unsupported)?;
        let stream: MediaStream = JsFuture::from(promise)
            .await
            .map_err(|e| mic_error(&e))?
            .dyn_into()
            .map_err(|_| MicError::Failed)?;
        let options = MediaRecorderOptions::new();
        if let Some(t) = TYPES
            .into_iter()
            .find(|t| MediaRecorder::is_type_supported(t))
        {
            options.set_mime_type(t);
        }
        let recorder = match MediaRecorder::new_with_media_stream_and_media_recorder_options(
            &stream, &options,
        ) {
            Ok(r) => r,
            Err(_) => {
                release(&stream);
                return Err(MicError::Unsupported);
            }
        };
        let chunks = Rc::new(RefCell::new(Vec::new()));
        let sink = Rc::clone(&chunks);
        let on_data = Closure::<dyn FnMut(BlobEvent)>::new(move |e: BlobEvent| {
            if let Some(data) = e.data().filter(|d| d.size() > 0.0) {
                sink.borrow_mut().push(data);
            }
        });
        recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
        // In one-second slices: a long memo is not one big buffer inside the recorder.
        if recorder.start_with_time_slice(1000).is_err() {
            release(&stream);
            return Err(MicError::Failed);
        }
        Ok(Recording {
            recorder,
            stream,
            chunks,
            _on_data: on_data,
        })
    }

    /// Stops, lets go of the microphone, and gives the recorded bytes and their type.
    pub async fn stop(self) -> Result<(Vec<u8>, String), MicError> {
        let recorder = self.recorder.clone();
        // The last `dataavailable` comes before `stop`.
        let stopped = Promise::new(&mut |resolve, _| {
            recorder.set_onstop(Some(&resolve));
        });
        let result = self.recorder.stop();
        release(&self.stream);
        result.map_err(|_| MicError::Failed)?;
        JsFuture::from(stopped)
            .await
            .map_err(|_| MicError::Failed)?;
        self.recorder.set_ondataavailable(None);
        let mime = {
            let t = self.recorder.mime_type();
            if t.is_empty() {
                "audio/webm".to_string()
            } else {
                t
            }
        };
        let parts: Array = self.chunks.borrow().iter().collect();
        let bag = BlobPropertyBag::new();
        bag.set_type(&mime);
        let blob =
            Blob::new_with_blob_sequence_and_options(&parts, &bag).map_err(|_| MicError::Failed)?;
        let buffer = JsFuture::from(blob.array_buffer())
            .await
            .map_err(|_| MicError::Failed)?;
        let bytes = Uint8Array::new(&buffer).to_vec();
        if bytes.is_empty() {
            return Err(MicError::Failed);
        }
        Ok((bytes, mime))
    }

    /// Stops without keeping anything (the page went away mid-recording).
    pub fn abandon(&self) {
        self.recorder.set_ondataavailable(None);
        let _ = self.recorder.stop();
        release(&self.stream);
    }
}

/// Lets go of the microphone, so the browser's recording indicator goes off.
fn release(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
            track.stop();
        }
    }
}

fn mic_error(e: &JsValue) -> MicError {
    match e.dyn_ref::<DomException>().map(|d| d.name()).as_deref() {
        Some("NotAllowedError" | "SecurityError") => MicError::Denied,
        Some("NotFoundError" | "OverconstrainedError" | "NotReadableError" | "AbortError") => {
            MicError::NoMicrophone
        }
        _ => MicError::Failed,
    }
}
