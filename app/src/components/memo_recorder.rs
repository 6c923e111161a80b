//! The voice memo part of the feedback form: record (the microphone is asked for on the first
//! press), a running timer, stop, listen back, record again, remove, and a stop at the 3-minute
//! limit that says so.
//!
//! A finished recording is sealed with the vacancy's key and kept in this device's storage at
//! once (`storage::blobs`); the draft then holds its reference, like every other answer in the
//! draft, and nothing leaves the device until the feedback is submitted. Works offline: nothing
//! here needs the network.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_domain::{MemoRef, MEMO_MAX_DURATION_MS};
use tandem_protocol::blob::BlobHash;
use tandem_protocol::ShareLink;

use super::memo_player::{clock, MemoPlayer};
use crate::attachments::seal_memo;
use crate::device::use_device;
use crate::i18n::*;
use crate::recorder::{MicError, Recording};

#[derive(Clone, Copy, PartialEq)]
enum Phase {
    Idle,
    Asking,
    Recording,
    Saving,
}

/// What the person is told under the recorder.
#[derive(Clone, Copy, PartialEq)]
enum Notice {
    Mic(MicError),
    NotKept,
    Limit,
}

fn now() -> f64 {
    js_sys::Date::now()
}

#[component]
pub fn MemoRecorder(
    link: ShareLink,
    /// The draft's memo.
    memo: Signal<Option<MemoRef>>,
    /// Sets the draft's memo (it is then saved with the draft).
    set_memo: Callback<Option<MemoRef>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let store = StoredValue::new_local(use_device().store());
    let phase = RwSignal::new(Phase::Idle);
    let elapsed = RwSignal::new(0_i64);
    let notice = RwSignal::new(None::<Notice>);
    let started = StoredValue::new(0.0_f64);
    let recording = StoredValue::new_local(None::<Recording>);
    let ticker = StoredValue::new_local(None::<gloo_timers::callback::Interval>);
    let link = StoredValue::new(link);

    // Forgets the blob of a memo the draft no longer holds.
    let forget = move |old: Option<MemoRef>, keep: Option<&MemoRef>| {
        let Some(old) = old.filter(|o| keep.is_none_or(|k| k.hash != o.hash)) else {
            return;
        };
        let (Some(store), Ok(hash)) = (store.get_value(), old.hash.parse::<BlobHash>()) else {
            return;
        };
        let doc = link.with_value(|l| l.doc);
        spawn_local(async move {
            let _ = store.delete_blob(doc, &hash).await;
        });
    };

    let stop = move |at_limit: bool| {
        ticker.update_value(|t| drop(t.take()));
        let Some(rec) = recording.try_update_value(Option::take).flatten() else {
            return;
        };
        phase.set(Phase::Saving);
        let duration = ((now() - started.get_value()) as i64).clamp(0, MEMO_MAX_DURATION_MS);
        let link = link.get_value();
        let store = store.get_value();
        spawn_local(async move {
            let outcome = match rec.stop().await {
                Ok((audio, mime)) => {
                    let (sealed, made) = seal_memo(&link, &audio, &mime, duration);
                    let hash = BlobHash::of(&sealed);
                    match &store {
                        Some(store) if store.put_blob(link.doc, &hash, &sealed).await.is_ok() => {
                            Ok(made)
                        }
                        _ => Err(Notice::NotKept),
                    }
                }
                Err(e) => Err(Notice::Mic(e)),
            };
            match outcome {
                Ok(made) => {
                    let old = memo.try_get_untracked().flatten();
                    forget(old, Some(&made));
                    set_memo.run(Some(made));
                    let _ = notice.try_set(at_limit.then_some(Notice::Limit));
                }
                Err(n) => {
                    let _ = notice.try_set(Some(n));
                }
            }
            let _ = phase.try_set(Phase::Idle);
        });
    };

    let record = move |_| {
        notice.set(None);
        phase.set(Phase::Asking);
        spawn_local(async move {
            match Recording::start().await {
                Ok(rec) => {
                    if let Some(Some(rec)) = recording.try_set_value(Some(rec)) {
                        // The form went while the browser asked: let go of the microphone.
                        rec.abandon();
                        return;
                    }
                    started.set_value(now());
                    elapsed.set(0);
                    phase.set(Phase::Recording);
                    let tick = gloo_timers::callback::Interval::new(250, move || {
                        let ms = (now() - started.get_value()) as i64;
                        let _ = elapsed.try_set(ms);
                        if ms >= MEMO_MAX_DURATION_MS {
                            stop(true);
                        }
                    });
                    ticker.set_value(Some(tick));
                }
                Err(e) => {
                    let _ = notice.try_set(Some(Notice::Mic(e)));
                    let _ = phase.try_set(Phase::Idle);
                }
            }
        });
    };
    let remove = move |_| {
        let old = memo.get_untracked();
        set_memo.run(None);
        forget(old, None);
        notice.set(None);
    };
    on_cleanup(move || {
        if let Some(Some(rec)) = recording.try_update_value(Option::take) {
            rec.abandon();
        }
        ticker.try_update_value(|t| drop(t.take()));
    });

    view! {
        <fieldset class="memo-recorder" aria-describedby="memo-hint">
            <legend>{t!(i18n, memo_heading)}</legend>
            <p class="hint" id="memo-hint">{t!(i18n, memo_hint)}</p>
            {move || match phase.get() {
                Phase::Asking => view! { <p class="memo-busy" role="status">{t!(i18n, memo_asking)}</p> }.into_any(),
                Phase::Saving => view! { <p class="memo-busy" role="status">{t!(i18n, memo_saving)}</p> }.into_any(),
                Phase::Recording => view! {
                    <div class="memo-recording">
                        <p class="memo-timer" role="timer">
                            <span class="rec-dot" aria-hidden="true"></span>
                            {t!(i18n, memo_recording, time = move || clock(elapsed.get()))}
                        </p>
                        <button type="button" class="memo-stop" on:click=move |_| stop(false)>
                            <span aria-hidden="true">"■ "</span>{t!(i18n, memo_stop)}
                        </button>
                    </div>
                }.into_any(),
                Phase::Idle => match memo.get() {
                    None => view! {
                        <button type="button" class="memo-record" on:click=record>
                            <span class="rec-dot" aria-hidden="true"></span>{t!(i18n, memo_record)}
                        </button>
                    }.into_any(),
                    Some(m) => view! {
                        <MemoPlayer link=link.get_value() memo=m eager=true />
                        <div class="memo-actions">
                            <button type="button" class="memo-again" on:click=record>{t!(i18n, memo_record_again)}</button>
                            <button type="button" class="memo-remove" on:click=remove>{t!(i18n, memo_remove)}</button>
                        </div>
                    }.into_any(),
                },
            }}
            // Only there while there is something to say: an alert inserted is announced, and
            // the form's own alert (the recommendation) stays the only one otherwise.
            {move || notice.get().map(|n| {
                let text = match n {
                    Notice::Mic(MicError::Denied) => t_string!(i18n, memo_err_denied),
                    Notice::Mic(MicError::NoMicrophone) => t_string!(i18n, memo_err_no_mic),
                    Notice::Mic(MicError::Unsupported) => t_string!(i18n, memo_err_unsupported),
                    Notice::Mic(MicError::Failed) => t_string!(i18n, memo_err_failed),
                    Notice::NotKept => t_string!(i18n, memo_err_not_kept),
                    Notice::Limit => t_string!(i18n, memo_limit),
                };
                view! { <p class="memo-notice" role="alert" class:limit=n == Notice::Limit>{text}</p> }
            })}
        </fieldset>
    }
}
