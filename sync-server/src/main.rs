//! `tandem-relay`: see `tandem-relay --help` and the library's overview.

use std::process::ExitCode;

use clap::Parser;
use tandem_sync_server::server::shutdown_signal;
use tandem_sync_server::{Config, Server};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    // Logs go to stderr so stdout carries only the "listening" line scripts wait for.
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();

    let server = match Server::new(&config) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("tandem-relay: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("tandem-relay: cannot listen on {}: {e}", config.listen);
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().unwrap_or(config.listen);
    println!("Tandem relay listening on http://{addr}");

    match server.serve(listener, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tandem-relay: {e}");
            ExitCode::FAILURE
        }
    }
}
