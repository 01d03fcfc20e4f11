//! A real `onshi serve` child process on a free loopback port, and a tiny blocking HTTP/1.1 client.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub struct Server {
    pub addr: String,
    pub admin: String,
    child: Option<Child>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

impl Server {
    /// Starts `onshi serve --data DIR` and waits (at most 30 s) until /healthz answers.
    pub fn start(data: &Path) -> Server {
        let addr = format!("127.0.0.1:{}", free_port());
        let admin = "crash-test-admin-token-0123456789".to_owned();
        let child = Command::new(env!("CARGO_BIN_EXE_onshi"))
            .args(["serve", "--data"])
            .arg(data)
            .args(["--addr", &addr])
            .env("ONSHI_ADMIN_TOKEN", &admin)
            .env("ONSHI_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn onshi serve");
        let s = Server { addr, admin, child: Some(child) };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if matches!(http(&s.addr, "GET", "/healthz", None, None), Ok((200, _))) {
                return s;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("onshi serve did not become ready in 30 s");
    }

    /// A credential for a role.
    pub fn token(&self, role: &str, subject: &str) -> String {
        let body = serde_json::json!({"role": role, "subject": subject});
        match http(&self.addr, "POST", "/admin/v1/credentials", Some(&self.admin), Some(&body)) {
            Ok((201, v)) => v["token"].as_str().unwrap_or_default().to_owned(),
            other => panic!("credential: {other:?}"),
        }
    }

    /// SIGKILL, no chance to flush anything.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One request with `Connection: close`; (status, JSON body or Null). Errors when the server is gone.
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> std::io::Result<(u16, Value)> {
    let sock: SocketAddr = addr.parse().map_err(|e| std::io::Error::other(format!("{e}")))?;
    let mut s = TcpStream::connect_timeout(&sock, Duration::from_secs(5))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, rest) = text.split_once("\r\n\r\n").ok_or_else(|| std::io::Error::other("no complete answer"))?;
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
    let payload = if chunked { dechunk(rest) } else { rest.to_owned() };
    Ok((status, serde_json::from_str(&payload).unwrap_or(Value::Null)))
}

fn dechunk(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || after.len() < n {
            break;
        }
        out.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
    out
}
