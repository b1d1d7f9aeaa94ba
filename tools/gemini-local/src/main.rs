//! `gemini-local [--port N] [--latency-ms N]`: runs the local Gemini-compatible
//! server on 127.0.0.1 and prints its URL on the first line of stdout
//! (`--port 0` picks a free port).

use parit_gemini_local::GeminiLocal;
use std::io::Write;

fn main() {
    let mut port: u16 = 8790;
    let mut latency_ms: u64 = 0;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next();
        let parsed = match arg.as_str() {
            "--port" => value.and_then(|v| v.parse().ok()).map(|v| port = v),
            "--latency-ms" => value.and_then(|v| v.parse().ok()).map(|v| latency_ms = v),
            _ => None,
        };
        if parsed.is_none() {
            eprintln!("usage: gemini-local [--port N] [--latency-ms N]");
            std::process::exit(2);
        }
    }
    let listener = match std::net::TcpListener::bind(("127.0.0.1", port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("gemini-local: cannot listen on 127.0.0.1:{port}: {e}");
            std::process::exit(1);
        }
    };
    let actual = listener.local_addr().map_or(port, |a| a.port());
    println!("gemini-local listening on http://127.0.0.1:{actual}");
    let _ = std::io::stdout().flush();
    if let Err(e) = GeminiLocal::new(latency_ms).serve(listener) {
        eprintln!("gemini-local: {e}");
        std::process::exit(1);
    }
}
