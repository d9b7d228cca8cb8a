//! What the live oracle tests share: loopback ports, processes stopped when dropped, raw HTTP
//! requests and their answers, and a deterministic generator for mutations.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

/// A free loopback port (free when asked; the server binds it right after).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process, killed and reaped when dropped, so no test leaves a server running.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits until something accepts connections on the loopback port; fails with the log.
pub fn wait_for(port: u16, what: &str, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not start: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What came back: nothing when the server closed the connection without a response (nginx's
/// 444), else a status line, headers and a body.
#[derive(Debug)]
pub struct Response {
    pub raw: String,
}

impl Response {
    pub fn closed(&self) -> bool {
        self.raw.is_empty()
    }

    pub fn status(&self) -> u16 {
        self.raw
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }

    /// Every value of a header, in order.
    pub fn headers(&self, name: &str) -> Vec<String> {
        let head = self.raw.split("\r\n\r\n").next().unwrap_or("");
        head.lines()
            .skip(1)
            .filter_map(|l| {
                let (n, v) = l.split_once(':')?;
                n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
            })
            .collect()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers(name).into_iter().next()
    }

    pub fn body(&self) -> &str {
        self.raw.split_once("\r\n\r\n").map_or("", |(_, b)| b)
    }
}

/// Sends one raw GET (the path as written, `..` included) with extra header lines (each ending
/// in CRLF) and reads the whole answer.
pub fn http_get(port: u16, host: &str, path: &str, extra: &str) -> Response {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    Response {
        raw: String::from_utf8_lossy(&raw).into_owned(),
    }
}

/// Starts Debian's PHP-FPM on a loopback port (as root, one worker); stopped when dropped.
/// A self-signed certificate for `app.test`, valid a day: `dir/cert.pem` and `dir/key.pem`.
pub fn self_signed_cert(dir: &Path) {
    let status = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=app.test", "-keyout"])
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl is installed");
    assert!(status.success(), "openssl could not make a certificate");
}

pub fn start_php_fpm(dir: &Path, port: u16) -> Killed {
    use std::process::{Command, Stdio};
    let binary = std::fs::read_dir("/usr/sbin")
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("php-fpm"))
        })
        .expect("php-fpm is installed (Debian package php-fpm); .ci/run installs it");
    let conf = dir.join("php-fpm.conf");
    std::fs::write(
        &conf,
        format!(
            "[global]\nerror_log = {0}/php-fpm.log\npid = {0}/php-fpm.pid\n\
             [www]\nuser = root\nlisten = 127.0.0.1:{port}\npm = static\npm.max_children = 1\n",
            dir.display()
        ),
    )
    .unwrap();
    let child = Command::new(binary)
        .args(["-F", "-R", "-y"])
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let fpm = Killed(child);
    wait_for(port, "php-fpm", &dir.join("php-fpm.log"));
    fpm
}

/// A small deterministic generator, so that generated cases are the same on every run.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}
