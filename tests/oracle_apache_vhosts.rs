//! The model's default virtual host per address against httpd's own `-S` (`DUMP_VHOSTS`), on
//! generated configurations: wildcard and specific addresses, several per host, several hosts
//! per address. Part of the oracle suite.

#![cfg(feature = "oracle")]

use std::collections::BTreeMap;
use std::process::Command;

use deploy_audit::model::apache::build;
use deploy_audit::source::SourceMap;
use deploy_audit::syntax::apache;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound
    }
}

/// `-S`: address → (default server, names in order).
fn httpd_vhosts(text: &str) -> BTreeMap<String, (String, Vec<String>)> {
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if !line.starts_with(' ') && line.contains(':') && !line.starts_with("VirtualHost") {
            let mut parts = trimmed.split_whitespace();
            let addr = parts.next().unwrap_or("").to_string();
            let rest: Vec<&str> = parts.collect();
            if rest.starts_with(&["is", "a", "NameVirtualHost"]) {
                current = Some(addr);
            } else if let Some(name) = rest.first() {
                // A single host on the address.
                if addr.contains(':')
                    && !addr.ends_with(':')
                    && ![
                        "ServerRoot:",
                        "Main",
                        "Mutex",
                        "PidFile:",
                        "Define:",
                        "User:",
                        "Group:",
                    ]
                    .iter()
                    .any(|p| addr.starts_with(p))
                {
                    out.insert(addr, (name.to_string(), vec![name.to_string()]));
                }
                current = None;
            }
        } else if let (Some(addr), Some(name)) = (&current, trimmed.strip_prefix("default server "))
        {
            let name = name.split_whitespace().next().unwrap().to_string();
            out.insert(addr.clone(), (name, Vec::new()));
        } else if let Some(addr) = &current {
            if let Some(rest) = trimmed.strip_prefix("port ") {
                let name = rest.split_whitespace().nth(2).unwrap().to_string();
                out.get_mut(addr).unwrap().1.push(name);
            }
        }
    }
    out
}

#[test]
fn default_virtual_hosts_match_httpd() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let mut rng = Lcg(7);
    let mut compared = 0;
    for case in 0..30 {
        let (p, q) = (18180 + case * 2, 18181 + case * 2);
        let pool = [
            format!("*:{p}"),
            format!("127.0.0.2:{q}"),
            format!("*:{q}"),
            format!("127.0.0.3:{p}"),
        ];
        let mut conf = format!(
            "ServerRoot {d}\nPidFile {d}/httpd.pid\nErrorLog {d}/error.log\n\
             LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n\
             LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n\
             ServerName localhost\nListen {p}\nListen {q}\n"
        );
        for h in 0..2 + rng.next(4) {
            let mut addrs = vec![pool[rng.next(pool.len())].clone()];
            if rng.next(3) == 0 {
                addrs.push(pool[rng.next(pool.len())].clone());
            }
            addrs.dedup();
            conf.push_str(&format!(
                "<VirtualHost {}>\n    ServerName h{h}.case{case}.test\n</VirtualHost>\n",
                addrs.join(" ")
            ));
        }
        let path = dir.path().join(format!("case{case}.conf"));
        std::fs::write(&path, &conf).unwrap();
        let out = Command::new("apache2")
            .arg("-S")
            .arg("-f")
            .arg(&path)
            .arg("-d")
            .arg(dir.path())
            .output()
            .expect("apache2 is installed");
        let theirs = httpd_vhosts(&String::from_utf8_lossy(&out.stdout));
        assert!(
            !theirs.is_empty(),
            "no -S output for:\n{conf}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );

        let mut sources = SourceMap::new();
        let config = apache::parse_path(&mut sources, &path, &apache::Options::default()).unwrap();
        let server = build(&config, &sources);
        let name = |i: usize| server.hosts[i].names[0].pattern.display();
        // The main server answers Listen ports no <VirtualHost> covers; -S lists vhosts only.
        let is_vhost = |h: usize| {
            sources
                .file(server.hosts[h].span.file)
                .display_slice(server.hosts[h].span)
                .eq_ignore_ascii_case("<VirtualHost")
        };
        let ours: BTreeMap<String, (String, Vec<String>)> = server
            .listeners
            .iter()
            .filter(|l| is_vhost(l.default_host))
            .map(|l| {
                (
                    l.addr.to_string(),
                    (
                        name(l.default_host),
                        l.hosts.iter().map(|&h| name(h)).collect(),
                    ),
                )
            })
            .collect();
        assert_eq!(ours, theirs, "case {case}:\n{conf}");
        compared += theirs.len();
    }
    assert!(compared >= 40, "too few addresses compared: {compared}");
}
