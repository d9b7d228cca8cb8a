//! `cargo bench`: parse and check throughput on a generated configuration with thousands of
//! `server` blocks, and peak heap memory relative to the input size. Prints MB/s (10^6 bytes per
//! second) on one core; the targets are 300 MB/s for parsing and peak memory under three times
//! the input.
//!
//! Not a test: timings depend on the machine. Run `cargo bench --bench throughput`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use deploy_audit::check::{check, CheckRequest};
use deploy_audit::source::SourceMap;
use deploy_audit::syntax::nginx;

/// Counts live heap bytes so the peak can be reported exactly.
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() && COUNTING.load(Ordering::Relaxed) {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// The reference study's shape: a catch-all and N servers, each with listen, two names, root,
/// a header and five locations (try_files, static alias, media alias + header, a PHP regex,
/// an API proxy with two headers).
fn nginx_config(servers: usize) -> String {
    let mut s = String::from(
        "user www-data;\nworker_processes auto;\nevents { worker_connections 1024; }\nhttp {\n    server {\n        listen 80 default_server;\n        server_name _;\n        return 444;\n    }\n",
    );
    for i in 0..servers {
        s.push_str(&format!(
            "    server {{
        listen 80;
        server_name site{i}.example.com www.site{i}.example.com;
        root /srv/site{i}/public;
        add_header X-Frame-Options DENY always;
        location / {{
            try_files $uri $uri/ /index.html;
        }}
        location ^~ /static/ {{
            alias /srv/site{i}/static/;
        }}
        location ^~ /media/ {{
            alias /srv/site{i}/media/;
            add_header X-Content-Type-Options nosniff;
        }}
        location ~ \\.php$ {{
            return 403;
        }}
        location /api/ {{
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_pass http://127.0.0.1:{port};
        }}
    }}
",
            port = 8000 + i % 1000
        ));
    }
    s.push_str("}\n");
    s
}

fn measure<F: FnMut()>(label: &str, bytes: usize, rounds: usize, mut f: F) {
    f(); // warm up
    let start = Instant::now();
    for _ in 0..rounds {
        f();
    }
    let secs = start.elapsed().as_secs_f64() / rounds as f64;
    println!(
        "{label:<28} {:>8.1} MB/s   ({:.2} ms for {:.2} MB)",
        bytes as f64 / secs / 1e6,
        secs * 1e3,
        bytes as f64 / 1e6
    );
}

fn main() {
    let text = nginx_config(5000);
    let bytes = text.len();
    let dir = std::env::temp_dir().join(format!("deploy-audit-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("nginx.conf");
    std::fs::write(&path, &text).unwrap();
    println!(
        "nginx: 5000 servers, {bytes} bytes, {} lines",
        text.lines().count()
    );

    measure("nginx parse (in memory)", bytes, 20, || {
        let mut sources = SourceMap::new();
        let id = sources.add("bench.conf", text.as_bytes().to_vec());
        let config = nginx::parse_file(&mut sources, id).unwrap();
        assert!(config.is_ok());
        std::hint::black_box(config);
    });

    let request = CheckRequest {
        nginx: vec![path.clone()],
        ..CheckRequest::default()
    };
    measure("nginx check (file to findings)", bytes, 10, || {
        let outcome = check(&request);
        assert!(outcome.errors.is_empty());
        std::hint::black_box(outcome);
    });

    COUNTING.store(true, Ordering::Relaxed);
    let input = text.as_bytes().to_vec();
    {
        let mut sources = SourceMap::new();
        let id = sources.add("bench.conf", input);
        let config = nginx::parse_file(&mut sources, id).unwrap();
        std::hint::black_box(&config);
    }
    COUNTING.store(false, Ordering::Relaxed);
    let peak = PEAK.load(Ordering::Relaxed);
    println!(
        "nginx parse peak heap: {:.2} MB = {:.2}x the input (the input's own copy included)",
        peak as f64 / 1e6,
        peak as f64 / bytes as f64
    );
    let _ = std::fs::remove_dir_all(&dir);
}
