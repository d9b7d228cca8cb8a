//! The nginx front-end: bytes → spanned tree, faithful to `ngx_conf_read_token` and
//! `ngx_conf_parse`. `grammars/nginx.ebnf` is the grammar it follows.

pub mod ast;
pub mod include;
pub mod lexer;
pub mod parser;

use std::path::Path;

use crate::diagnostic::InputError;
use crate::source::{FileId, SourceMap};

pub use ast::{Block, BlockKind, Body, Comment, Config, Directive, Item, ParsedFile, Word};

/// Blocks nested deeper than this are an error, not a stack overflow. Real configurations nest a
/// handful of levels (`http` → `server` → `location` → `if`).
pub const MAX_BLOCK_DEPTH: usize = 128;
/// Includes nested deeper than this are an error.
pub const MAX_INCLUDE_DEPTH: usize = 64;
/// At most this many files are read for one configuration.
pub const MAX_FILES: usize = 10_000;

/// Reads and parses a main configuration file (or `-` for standard input), following its
/// includes. An `nginx -T` dump is recognised by its `# configuration file PATH:` headers and
/// its includes are resolved against the files it holds.
pub fn parse_path(sources: &mut SourceMap, path: &Path) -> Result<Config, InputError> {
    let id = sources
        .read(path)
        .map_err(|e| InputError::file(path, e.to_string()))?;
    parse_file(sources, id)
}

/// Reads and parses a configuration whose includes resolve against `prefix` (nginx's conf
/// prefix), for a fragment read without its main file.
pub fn parse_path_with_prefix(
    sources: &mut SourceMap,
    path: &Path,
    prefix: &Path,
) -> Result<Config, InputError> {
    let id = sources
        .read(path)
        .map_err(|e| InputError::file(path, e.to_string()))?;
    if include::is_dump(&sources.file(id).bytes) {
        return parse_file(sources, id);
    }
    let mut loader = include::FsLoader::new(prefix);
    loader.remember(path, id);
    Ok(parser::parse_config(sources, &mut loader, id))
}

/// Parses one file without following its includes.
pub fn parse_single_file(sources: &mut SourceMap, path: &Path) -> Result<Config, InputError> {
    let id = sources
        .read(path)
        .map_err(|e| InputError::file(path, e.to_string()))?;
    Ok(parse_file_without_includes(sources, id))
}

/// Parses a file already in the source map without following its includes.
pub fn parse_file_without_includes(sources: &mut SourceMap, id: FileId) -> Config {
    parser::parse_config(sources, &mut include::NoIncludes, id)
}

/// Parses a file already in the source map.
pub fn parse_file(sources: &mut SourceMap, id: FileId) -> Result<Config, InputError> {
    if include::is_dump(&sources.file(id).bytes) {
        let path = sources.path(id).to_path_buf();
        let mut loader =
            include::DumpLoader::split(sources, id).map_err(|m| InputError::file(path, m))?;
        let main = loader.main();
        Ok(parser::parse_config(sources, &mut loader, main))
    } else {
        let path = sources.path(id).to_path_buf();
        let mut loader = include::FsLoader::for_main(&path);
        if path != Path::new("-") {
            loader.remember(&path, id);
        }
        Ok(parser::parse_config(sources, &mut loader, id))
    }
}
