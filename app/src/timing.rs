//! User Timing marks on the keystroke path, read by the benchmarks (tests/bench/keystroke.mjs):
//! where a keystroke's time goes, from the splice to the frame sent and from the frame received
//! to the merge.
//!
//! Off unless the page set `globalThis.__tandemTiming = true` before the app started (only the
//! benchmarks do): the browser keeps every mark until it is cleared, so marking each keystroke
//! of a long session would grow the tab's memory. Off, a mark is one thread-local read.

use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// `performance` and its `mark`, when marking is on.
    static MARK: Option<(JsValue, js_sys::Function)> = {
        let global = js_sys::global();
        let on = js_sys::Reflect::get(&global, &JsValue::from_str("__tandemTiming"))
            .is_ok_and(|v| v == JsValue::TRUE);
        on.then(|| {
            let performance = js_sys::Reflect::get(&global, &JsValue::from_str("performance")).ok()?;
            let mark = js_sys::Reflect::get(&performance, &JsValue::from_str("mark")).ok()?;
            Some((performance, mark.dyn_into::<js_sys::Function>().ok()?))
        })
        .flatten()
    };
}

/// Marks this moment as `name` (`tandem:` and the step), when marking is on.
pub fn mark(name: &str) {
    MARK.with(|m| {
        if let Some((performance, mark)) = m {
            let _ = mark.call1(performance, &JsValue::from_str(name));
        }
    });
}
