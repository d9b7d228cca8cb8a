//! `parse --format json` for nginx: crossplane's `parse` schema, so that crossplane's users and
//! scripts can switch. Where crossplane is wrong about nginx we follow nginx (README, "Differences
//! from crossplane"): words are unescaped as nginx stores them, `}` and `${…}` inside words are
//! literal, bytes that are not UTF-8 are read as Latin-1 instead of being replaced, and `--combine`
//! labels every statement with the file it really came from.

use serde_json::{json, Map, Value};

use crate::diagnostic::{ErrorSite, InputError};
use crate::source::{SourceMap, Span};
use crate::syntax::nginx::ast::{bytes_to_text, Body, Config, Directive, Item};

/// Options of the `parse` command.
#[derive(Clone, Copy, Debug, Default)]
pub struct TreeOptions {
    pub include_comments: bool,
    pub combine: bool,
    /// Includes were not followed: `include` statements get no `includes` key, as crossplane's
    /// `--single-file` prints them.
    pub single_file: bool,
}

/// The whole payload: `{"status", "errors", "config": [...]}`.
pub fn to_json(config: &Config, sources: &SourceMap, opts: TreeOptions) -> Value {
    let mut payload_errors = Vec::new();
    let mut per_file_errors: Vec<Vec<Value>> = vec![Vec::new(); config.files.len()];
    for err in &config.errors {
        let (file_index, line) = match &err.site {
            ErrorSite::Span(span) => (
                config.files.iter().position(|f| f.file == span.file),
                Some(sources.location(*span).line),
            ),
            _ => (None, None),
        };
        let file = match &err.site {
            ErrorSite::Span(span) => sources.path(span.file).display().to_string(),
            ErrorSite::Path(p) => p.display().to_string(),
            ErrorSite::None => String::new(),
        };
        let text = error_text(err, sources);
        payload_errors.push(json!({"file": file, "error": text, "line": line}));
        if let Some(i) = file_index {
            per_file_errors[i].push(json!({"error": text, "line": line}));
        }
    }

    let order = crossplane_order(config);
    let mut per_file_errors = {
        let mut reordered = vec![Vec::new(); config.files.len()];
        for (old, errs) in per_file_errors.into_iter().enumerate() {
            reordered[order.position[old]] = errs;
        }
        reordered
    };
    let configs: Vec<Value> = if opts.combine {
        match config.files.first() {
            Some(main) => {
                let parsed = statements(config, sources, &main.items, opts, &order);
                let failed = !payload_errors.is_empty();
                vec![json!({
                    "file": sources.path(main.file).display().to_string(),
                    "status": if failed { "failed" } else { "ok" },
                    "errors": per_file_errors.into_iter().flatten().collect::<Vec<_>>(),
                    "parsed": parsed,
                })]
            }
            None => Vec::new(),
        }
    } else {
        order
            .files
            .iter()
            .zip(per_file_errors.drain(..))
            .map(|(&old, errors)| {
                let f = &config.files[old];
                json!({
                    "file": sources.path(f.file).display().to_string(),
                    "status": if errors.is_empty() { "ok" } else { "failed" },
                    "errors": errors,
                    "parsed": statements(config, sources, &f.items, opts, &order),
                })
            })
            .collect()
    };
    json!({
        "status": if payload_errors.is_empty() { "ok" } else { "failed" },
        "errors": payload_errors,
        "config": configs,
    })
}

/// crossplane's error text: `message in file:line`.
fn error_text(err: &InputError, sources: &SourceMap) -> String {
    match &err.site {
        ErrorSite::Span(span) => {
            let loc = sources.location(*span);
            format!("{} in {}:{}", err.message, loc.path.display(), loc.line)
        }
        _ => err.one_line(sources),
    }
}

/// crossplane numbers files breadth-first: a file's includes are queued and parsed after it,
/// while nginx (and our parser) reads them depth-first. The JSON keeps crossplane's numbering.
struct FileOrder {
    /// Parser index of the file at each output position.
    files: Vec<usize>,
    /// Output position of each parser index.
    position: Vec<usize>,
}

fn crossplane_order(config: &Config) -> FileOrder {
    fn collect(items: &[Item], out: &mut Vec<usize>) {
        for item in items {
            if let Item::Directive(d) = item {
                match d.body() {
                    Body::Include(files) => out.extend(files.iter()),
                    Body::Block(b) => collect(&b.items, out),
                    _ => {}
                }
            }
        }
    }
    let n = config.files.len();
    let mut files = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    if n > 0 {
        files.push(0);
        seen[0] = true;
    }
    let mut next = 0;
    while next < files.len() {
        let mut included = Vec::new();
        collect(&config.files[files[next]].items, &mut included);
        for f in included {
            if !seen[f] {
                seen[f] = true;
                files.push(f);
            }
        }
        next += 1;
    }
    let mut position = vec![0; n];
    for (pos, &f) in files.iter().enumerate() {
        position[f] = pos;
    }
    FileOrder { files, position }
}

fn statements(
    config: &Config,
    sources: &SourceMap,
    items: &[Item],
    opts: TreeOptions,
    order: &FileOrder,
) -> Vec<Value> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Item::Comment(c) => {
                if !opts.include_comments {
                    continue;
                }
                let at = match c.within {
                    Some(start) => Span::new(c.span.file, start as usize, start as usize),
                    None => c.span,
                };
                let text = &sources.slice(c.span)[1..];
                let mut m = Map::new();
                if opts.combine {
                    m.insert("file".into(), path_of(sources, c.span.file));
                }
                m.insert("directive".into(), "#".into());
                m.insert("line".into(), sources.location(at).line.into());
                m.insert("args".into(), Value::Array(Vec::new()));
                m.insert("comment".into(), bytes_to_text(text).into());
                out.push(Value::Object(m));
            }
            Item::Directive(d) => {
                if opts.combine {
                    if let Body::Include(files) = d.body() {
                        for &f in files.iter() {
                            out.extend(statements(
                                config,
                                sources,
                                &config.files[f].items,
                                opts,
                                order,
                            ));
                        }
                        continue;
                    }
                }
                out.push(directive(config, sources, d, opts, order));
            }
        }
    }
    out
}

fn path_of(sources: &SourceMap, file: crate::source::FileId) -> Value {
    sources.path(file).display().to_string().into()
}

fn directive(
    config: &Config,
    sources: &SourceMap,
    d: &Directive,
    opts: TreeOptions,
    order: &FileOrder,
) -> Value {
    let mut m = Map::new();
    if opts.combine {
        m.insert("file".into(), path_of(sources, d.file));
    }
    let name = d.name().text(sources);
    m.insert("directive".into(), name.as_ref().into());
    m.insert("line".into(), sources.location(d.name().span()).line.into());
    let mut args: Vec<Value> = d
        .args()
        .map(|w| Value::String(w.text(sources).into_owned()))
        .collect();
    if name == "if" && !d.is_entry {
        strip_if_parens(&mut args);
    }
    if let Some(body) = d.lua_body() {
        args.push(bytes_to_text(sources.slice(body)).into_owned().into());
    }
    m.insert("args".into(), Value::Array(args));
    match d.body() {
        Body::Include(_) if opts.single_file => {}
        Body::Include(files) => {
            let renumbered: Vec<usize> = files.iter().map(|&f| order.position[f]).collect();
            m.insert("includes".into(), json!(renumbered));
        }
        Body::Block(b) => {
            m.insert(
                "block".into(),
                Value::Array(statements(config, sources, &b.items, opts, order)),
            );
        }
        Body::None | Body::Lua { .. } => {}
    }
    Value::Object(m)
}

/// crossplane drops the condition's parentheses: `if ($a = b)` and `if ( $a = b )` both give
/// `["$a", "=", "b"]`.
fn strip_if_parens(args: &mut Vec<Value>) {
    if let Some(Value::String(first)) = args.first_mut() {
        if let Some(rest) = first.strip_prefix('(') {
            *first = rest.to_string();
        }
        if first.is_empty() {
            args.remove(0);
        }
    }
    if let Some(Value::String(last)) = args.last_mut() {
        if let Some(rest) = last.strip_suffix(')') {
            *last = rest.to_string();
        }
        if last.is_empty() {
            args.pop();
        }
    }
}
