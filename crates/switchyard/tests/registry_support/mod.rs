//! Shared helpers of the `registry_*` integration tests: run the built `switchyard registry serve` binary
//! on a free loopback port with its own data directory, and kill it when the test ends.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `switchyard registry serve` process; killed (SIGKILL) on drop.
pub struct ServerProcess {
    pub child: Child,
    pub url: String,
    pub stderr_path: PathBuf,
}

impl ServerProcess {
    /// Start the binary on `127.0.0.1:0` with `--data data_dir` plus `extra` arguments and wait for its
    /// `listening on URL` line.
    pub fn start(data_dir: &Path, extra: &[&str]) -> Self {
        let stderr_path = data_dir.with_extension("stderr.log");
        let stderr = std::fs::File::create(&stderr_path).expect("create stderr log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_switchyard"))
            .args(["registry", "serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data_dir)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .spawn()
            .expect("spawn switchyard registry serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
        let Some(url) = line.trim().strip_prefix("listening on ").map(str::to_string) else {
            let _ = child.kill();
            let err = std::fs::read_to_string(&stderr_path).unwrap_or_default();
            panic!("registry serve did not start: stdout {line:?}, stderr:\n{err}");
        };
        Self {
            child,
            url,
            stderr_path,
        }
    }

    /// SIGKILL and reap.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// What the server logged so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Wait until `GET url/` answers 200.
pub fn wait_healthy(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let addr = url.trim_start_matches("http://").to_string();
    loop {
        if let Ok(mut s) = std::net::TcpStream::connect(&addr) {
            use std::io::{Read, Write};
            let _ = s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut buf = String::new();
            let _ = s.read_to_string(&mut buf);
            if buf.starts_with("HTTP/1.1 200") {
                return;
            }
        }
        assert!(Instant::now() < deadline, "registry at {url} is not healthy");
        std::thread::sleep(Duration::from_millis(50));
    }
}
