//! `cargo bench --bench apache_throughput`: Apache httpd parsing throughput on a generated
//! configuration of thousands of `<VirtualHost>` sections (with `${VAR}`, conditionals, a
//! continuation line and quoted words), and peak heap relative to the input. Prints MB/s
//! (10^6 bytes per second) on one core. The target is the nginx parser's: 300 MB/s and peak
//! memory under three times the input.
//!
//! Not a test: timings depend on the machine.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use deploy_audit::source::SourceMap;
use deploy_audit::syntax::apache;

/// The system allocator, keeping track of live and peak bytes.
struct Tracking;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static GLOBAL: Tracking = Tracking;

fn config(vhosts: usize) -> String {
    let mut s = String::from(
        "LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\nDefine DOMAIN example.com\n",
    );
    for i in 0..vhosts {
        s.push_str(&format!(
            "<VirtualHost *:80>\n    ServerName s{i}.${{DOMAIN}}\n    ServerAlias www.s{i}.example.com \"alias {i}.example.com\"\n    DocumentRoot /srv/site{i}/public\n    <Directory /srv/site{i}/public>\n        Options -Indexes +FollowSymLinks\n        AllowOverride None\n        Require all granted\n    </Directory>\n    <IfModule alias_module>\n        Alias /static/ /srv/site{i}/static/\n    </IfModule>\n    ProxyPass /api/ http://127.0.0.1:{port}/ \\\n        retry=0\n    Header always set Strict-Transport-Security \"max-age=31536000\"\n</VirtualHost>\n",
            port = 8000 + i % 100
        ));
    }
    s
}

fn main() {
    let dir =
        std::env::temp_dir().join(format!("deploy-audit-apache-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("httpd.conf");
    let text = config(5_000);
    std::fs::write(&path, &text).unwrap();
    let size = text.len();
    let options = apache::Options {
        read_envvars: false,
        ..apache::Options::default()
    };
    let mut best = f64::MAX;
    let mut peak = 0;
    for _ in 0..5 {
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let start = Instant::now();
        let mut sources = SourceMap::new();
        let config = apache::parse_path(&mut sources, &path, &options).unwrap();
        let elapsed = start.elapsed().as_secs_f64();
        assert!(config.is_ok());
        best = best.min(elapsed);
        peak = peak.max(PEAK.load(Ordering::Relaxed) - base);
        drop(config);
    }
    println!(
        "apache parse: {:.1} MB in {:.1} ms: {:.0} MB/s; peak heap {:.1}x the input",
        size as f64 / 1e6,
        best * 1e3,
        size as f64 / 1e6 / best,
        peak as f64 / size as f64
    );
    let _ = std::fs::remove_dir_all(&dir);
}
