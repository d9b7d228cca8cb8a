//! `parse --format json` for Apache httpd. There is no established schema for httpd (crossplane
//! knows only nginx), so this one follows crossplane's spirit: one entry per file reading, each a
//! list of nodes with the directive as written, its line and its arguments.
//!
//! ```text
//! {
//!   "kind": "apache",
//!   "status": "ok" | "failed",
//!   "errors":   [{"file", "line", "error", "httpd_file", "httpd_line", "phase": "read"|"walk"}],
//!   "warnings": [{"kind", "file", "line", "message"}],
//!   "config": [{                      // every file reading, in httpd's reading order
//!       "file", "status", "errors": [{"error", "line"}],
//!       "depth",                      // include nesting, as `-D DUMP_INCLUDES` indents
//!       "included_from": {"file", "line"} | null,
//!       "parsed": [node]
//!   }],
//!   "expansions": [{"macro", "defined_at": {"file","line"}, "used_at": {"file","line"},
//!                   "httpd_file"}]   // every `Use`, in reading order
//! }
//! node = {
//!   "directive": "ServerName" | "<VirtualHost" | "#",   // name as written; "#" for comments
//!   "line": 12,                     // line in "file" (first physical line of the directive)
//!   "file": "…",                    // only with --combine (where the node really comes from)
//!   "args": ["…"],                  // words as ap_getword_conf splits them, quotes removed
//!   "block": [node],                // sections, conditionals
//!   "conditional": {"taken": bool, "evaluated": bool, "test": "ssl_module", "negated": bool},
//!   "includes": [index into config], // Include / IncludeOptional
//!   "macro": {"name", "params"},    // <Macro> definitions
//!   "use": index into expansions,   // a Use line; the lines it produced follow it
//!   "expansion": index into expansions, // on a node produced by a Use
//!   "inactive": true,               // in a conditional branch httpd did not take
//!   "comment": "…"                  // comments, with --include-comments
//! }
//! ```
//! With `--combine`, `config` has one entry: the main file with includes spliced in place.

use serde_json::{json, Map, Value};

use crate::diagnostic::{ErrorSite, InputError};
use crate::source::{SourceMap, Span};
use crate::syntax::apache::ast::{
    bytes_to_text, Body, Config, Directive, Item, ItemRef, WarningKind,
};

pub use super::nginx_tree::TreeOptions;

pub fn to_json(config: &Config, sources: &SourceMap, opts: TreeOptions) -> Value {
    let mut errors = Vec::new();
    let mut per_file: Vec<Vec<Value>> = vec![Vec::new(); config.files.len()];
    for (i, err) in config.errors.iter().enumerate() {
        let (file, line) = site(err, sources);
        let place = config.error_places.get(i);
        errors.push(json!({
            "file": file,
            "line": line,
            "error": err.message,
            "httpd_file": place.map(|p| p.file.to_string()),
            "httpd_line": place.map(|p| p.line),
            "phase": if place.is_some_and(|p| p.walk) { "walk" } else { "read" },
        }));
        if let Some(idx) = config
            .files
            .iter()
            .position(|f| f.error.as_ref() == Some(err))
        {
            per_file[idx].push(json!({"error": err.message, "line": line}));
        }
    }
    let warnings: Vec<Value> = config
        .warnings
        .iter()
        .map(|w| {
            let loc = sources.location(w.label.span);
            json!({
                "kind": warning_kind(w.kind),
                "file": loc.path.display().to_string(),
                "line": loc.line,
                "message": w.label.message,
            })
        })
        .collect();
    let files: Vec<Value> = if opts.combine {
        config
            .main()
            .map(|m| {
                vec![json!({
                    "file": sources.path(m.file).display().to_string(),
                    "status": if errors.is_empty() { "ok" } else { "failed" },
                    "errors": per_file.iter().flatten().cloned().collect::<Vec<_>>(),
                    "depth": 0,
                    "included_from": Value::Null,
                    "parsed": nodes(config, sources, &m.items, opts, false),
                })]
            })
            .unwrap_or_default()
    } else {
        config
            .files
            .iter()
            .zip(per_file)
            .map(|(f, errs)| {
                json!({
                    "file": sources.path(f.file).display().to_string(),
                    "status": if errs.is_empty() { "ok" } else { "failed" },
                    "errors": errs,
                    "depth": f.depth,
                    "included_from": f.included_from.map(|s| at(sources, s)),
                    "parsed": nodes(config, sources, &f.items, opts, false),
                })
            })
            .collect()
    };
    let expansions: Vec<Value> = config
        .expansions
        .iter()
        .map(|e| {
            json!({
                "macro": bytes_to_text(&e.name),
                "defined_at": at(sources, e.defined_at),
                "used_at": at(sources, e.used_at),
                "httpd_file": e.pseudo_file,
            })
        })
        .collect();
    json!({
        "kind": "apache",
        "status": if errors.is_empty() { "ok" } else { "failed" },
        "errors": errors,
        "warnings": warnings,
        "config": files,
        "expansions": expansions,
    })
}

fn warning_kind(k: WarningKind) -> &'static str {
    match k {
        WarningKind::UndefinedVariable => "undefined-variable",
        WarningKind::TrailingComment => "trailing-comment",
        WarningKind::TextAfterSection => "text-after-section",
        WarningKind::ByteOrderMark => "byte-order-mark",
        WarningKind::Macro => "macro",
        WarningKind::ModuleAlreadyLoaded => "module-already-loaded",
    }
}

fn site(err: &InputError, sources: &SourceMap) -> (String, Option<usize>) {
    match &err.site {
        ErrorSite::Span(s) => {
            let l = sources.location(*s);
            (l.path.display().to_string(), Some(l.line))
        }
        ErrorSite::Path(p) => (p.display().to_string(), None),
        ErrorSite::None => (String::new(), None),
    }
}

fn at(sources: &SourceMap, span: Span) -> Value {
    let l = sources.location(span);
    json!({"file": l.path.display().to_string(), "line": l.line})
}

fn nodes(
    config: &Config,
    sources: &SourceMap,
    items: &[Item],
    opts: TreeOptions,
    inactive: bool,
) -> Vec<Value> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item.get() {
            ItemRef::Comment(span) => {
                if opts.include_comments {
                    let mut m = Map::new();
                    if opts.combine {
                        m.insert(
                            "file".into(),
                            sources.path(span.file).display().to_string().into(),
                        );
                    }
                    m.insert("directive".into(), "#".into());
                    m.insert("line".into(), sources.location(span).line.into());
                    m.insert("args".into(), Value::Array(Vec::new()));
                    let text = sources.slice(span);
                    m.insert(
                        "comment".into(),
                        bytes_to_text(&text[1.min(text.len())..]).into(),
                    );
                    out.push(Value::Object(m));
                }
            }
            ItemRef::Directive(d) => {
                if opts.combine {
                    if let Body::Include(inc) = &d.body {
                        for &f in &inc.files {
                            if let Some(file) = config.files.get(f) {
                                out.extend(nodes(config, sources, &file.items, opts, inactive));
                            }
                        }
                        continue;
                    }
                }
                out.push(node(config, sources, d, opts, inactive));
            }
            ItemRef::Inactive(d) => out.push(node(config, sources, d, opts, true)),
        }
    }
    out
}

fn node(
    config: &Config,
    sources: &SourceMap,
    d: &Directive,
    opts: TreeOptions,
    inactive: bool,
) -> Value {
    let mut m = Map::new();
    if opts.combine {
        m.insert(
            "file".into(),
            sources.path(d.span.file).display().to_string().into(),
        );
    }
    let words = config.words(d);
    m.insert("directive".into(), bytes_to_text(&words.name.value).into());
    m.insert("line".into(), sources.location(d.span).line.into());
    m.insert(
        "args".into(),
        Value::Array(
            words
                .args
                .iter()
                .map(|w| Value::String(w.text().into_owned()))
                .collect(),
        ),
    );
    if inactive {
        m.insert("inactive".into(), true.into());
    }
    if let Some(e) = config.expansion(d) {
        m.insert("expansion".into(), e.into());
    }
    match &d.body {
        Body::None => {}
        Body::Section(s) => {
            m.insert(
                "block".into(),
                Value::Array(nodes(config, sources, &s.items, opts, inactive)),
            );
        }
        Body::Conditional(c) => {
            m.insert(
                "conditional".into(),
                json!({
                    "taken": c.taken,
                    "evaluated": c.basis == crate::syntax::apache::Basis::Evaluated,
                    "test": bytes_to_text(&c.test),
                    "negated": c.negated,
                }),
            );
            m.insert(
                "block".into(),
                Value::Array(nodes(config, sources, &c.items, opts, inactive || !c.taken)),
            );
        }
        Body::Include(inc) => {
            m.insert("includes".into(), json!(inc.files));
        }
        Body::MacroDef(md) => {
            m.insert(
                "macro".into(),
                json!({
                    "name": bytes_to_text(&md.name),
                    "params": md.params.iter().map(|p| bytes_to_text(p).into_owned()).collect::<Vec<_>>(),
                }),
            );
        }
        Body::Use(i) => {
            m.insert("use".into(), (*i).into());
        }
    }
    Value::Object(m)
}
