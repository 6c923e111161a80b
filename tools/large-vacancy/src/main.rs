//! `tandem-large-vacancy --out FILE [--passphrase P] [--iterations N]`: writes issue 11's large
//! vacancy (see the library's overview) as a device backup file, and prints as one JSON line
//! what the benchmark needs: the vacancy's id, the passphrase, and the counts.
//!
//! The key derivation defaults to the fewest iterations a backup may use (100,000), so a
//! benchmark's restore does not spend seconds on it; the file is otherwise what the app makes.

use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use tandem_large_vacancy::{backup, generate, Spec};
use tandem_protocol::backup::MIN_ITERATIONS;
use tandem_protocol::ShareLink;

const USAGE: &str = "usage: tandem-large-vacancy --out FILE [--passphrase P] [--iterations N]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tandem-large-vacancy: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut out = None;
    let mut passphrase = "large vacancy benchmark".to_string();
    let mut iterations = MIN_ITERATIONS;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--out" => out = Some(value()?),
            "--passphrase" => passphrase = value()?,
            "--iterations" => {
                iterations = value()?.parse().map_err(|e| format!("--iterations: {e}"))?
            }
            _ => return Err(format!("unknown argument {arg}\n{USAGE}")),
        }
    }
    let out = out.ok_or(USAGE)?;
    let started = Instant::now();
    let mut large = generate(&Spec::default()).map_err(|e| e.to_string())?;
    let generated_ms = started.elapsed().as_millis();
    let link = ShareLink::random();
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_millis() as f64;
    let snapshot = large.vacancy.save();
    // For comparison with the browser: loading the compacted document natively (this build).
    let loading = Instant::now();
    tandem_domain::Vacancy::load(&snapshot).map_err(|e| e.to_string())?;
    let native_load_ms = loading.elapsed().as_secs_f64() * 1000.0;
    let file = backup::file(&mut large, &link, now_ms, &passphrase, iterations)
        .map_err(|e| e.to_string())?;
    std::fs::write(&out, &file).map_err(|e| format!("writing {out}: {e}"))?;
    let report = serde_json::json!({
        "file": out,
        "doc": link.doc.to_string(),
        "passphrase": passphrase,
        "counts": large.counts,
        "snapshot_bytes": snapshot.len(),
        "native_load_ms": native_load_ms,
        "file_bytes": file.len(),
        "generated_ms": generated_ms,
    });
    println!("{report}");
    Ok(())
}
