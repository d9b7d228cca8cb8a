//! What the conditional sections test: module presence (`find_module`, server/core.c),
//! directive and section existence (`ap_exists_directive`), and the version comparison of
//! mod_version (`compare_version`, `start_ifversion`).

/// The source file name httpd reports as a module's name (`module->name`) for a `LoadModule`
/// identifier: `ssl_module` → `mod_ssl.c`, with the exceptions of the core and the MPMs.
pub fn module_file_name(ident: &str) -> String {
    let base = ident.strip_suffix("_module").unwrap_or(ident);
    match base {
        "core" => "core.c".into(),
        "http" => "http_core.c".into(),
        "mpm_event" => "event.c".into(),
        "mpm_worker" => "worker.c".into(),
        "mpm_prefork" => "prefork.c".into(),
        _ => format!("mod_{base}.c"),
    }
}

/// The identifier for a source file name: `mod_ssl.c` → `ssl_module`.
pub fn module_ident(file: &str) -> Option<String> {
    let base = file.strip_suffix(".c")?;
    Some(match base {
        "core" => "core_module".into(),
        "http_core" => "http_module".into(),
        "event" => "mpm_event_module".into(),
        "worker" => "mpm_worker_module".into(),
        "prefork" => "mpm_prefork_module".into(),
        _ => format!("{}_module", base.strip_prefix("mod_")?),
    })
}

/// Directives of the core and the modules Debian compiles in, always present.
const CORE_DIRECTIVES: &[&str] = &[
    "acceptfilter",
    "acceptpathinfo",
    "accessfilename",
    "adddefaultcharset",
    "allowencodedslashes",
    "allowoverride",
    "allowoverridelist",
    "cgimapextension",
    "cgipassauth",
    "cgivar",
    "contentdigest",
    "defaultruntimedir",
    "defaulttype",
    "define",
    "documentroot",
    "enablemmap",
    "enablesendfile",
    "error",
    "errordocument",
    "errorlog",
    "errorlogformat",
    "extendedstatus",
    "fileetag",
    "forcetype",
    "hostnamelookups",
    "httpprotocoloptions",
    "include",
    "includeoptional",
    "keepalive",
    "keepalivetimeout",
    "limitinternalrecursion",
    "limitrequestbody",
    "limitrequestfields",
    "limitrequestfieldsize",
    "limitrequestline",
    "limitxmlrequestbody",
    "loglevel",
    "maxkeepaliverequests",
    "maxrangeoverlaps",
    "maxrangereversals",
    "maxranges",
    "mergeslashes",
    "mergetrailers",
    "mutex",
    "options",
    "protocol",
    "protocols",
    "protocolshonororder",
    "qualifyredirecturl",
    "readbuffersize",
    "registerhttpmethod",
    "rlimitcpu",
    "rlimitmem",
    "rlimitnproc",
    "serveradmin",
    "serveralias",
    "servername",
    "serverpath",
    "serverroot",
    "serversignature",
    "servertokens",
    "sethandler",
    "setinputfilter",
    "setoutputfilter",
    "stricthostcheck",
    "timeout",
    "traceenable",
    "undefine",
    "usecanonicalname",
    "usecanonicalphysicalport",
    "warning",
    "flushmaxthreshold",
    "flushmaxpipelined",
    "gprofdir",
    "pidfile",
    "listen",
    "listenbacklog",
    "listencoresbucketsratio",
    "maxconnectionsperchild",
    "maxmemfree",
    "maxrequestworkers",
    "maxsparethreads",
    "minsparethreads",
    "receivebuffersize",
    "scoreboardfile",
    "sendbuffersize",
    "serverlimit",
    "startservers",
    "threadlimit",
    "threadsperchild",
    "threadstacksize",
    "coredumpdirectory",
    "enableexceptionhook",
    "gracefulshutdowntimeout",
    "maxsparethreads",
    "loadmodule",
    "loadfile",
    "customlog",
    "logformat",
    "transferlog",
    "bufferedlogs",
    "globallog",
    "logiotrackttfb",
    "user",
    "group",
    "chrootdir",
    "suexec",
    "watchdoginterval",
    "<directory",
    "<directorymatch",
    "<files",
    "<filesmatch",
    "<location",
    "<locationmatch",
    "<virtualhost",
    "<limit",
    "<limitexcept",
    "<if",
    "<elseif",
    "<else",
    "<ifmodule",
    "<ifdefine",
    "<iffile",
    "<ifdirective",
    "<ifsection",
    "<ifversion",
];

/// Directives of some common loadable modules, by module identifier.
const MODULE_DIRECTIVES: &[(&str, &[&str])] = &[
    (
        "macro_module",
        &[
            "<macro",
            "use",
            "undefmacro",
            "macroignoreemptyargs",
            "macroignorebadnesting",
        ],
    ),
    (
        "ssl_module",
        &[
            "sslengine",
            "sslcertificatefile",
            "sslcertificatekeyfile",
            "sslprotocol",
            "sslciphersuite",
            "sslhonorcipherorder",
            "sslrandomseed",
            "sslsessioncache",
            "sslsessioncachetimeout",
            "sslpassphrasedialog",
            "sslstaplingcache",
            "sslusestapling",
            "sslcertificatechainfile",
            "sslcacertificatefile",
            "sslverifyclient",
            "sslstrictsnivhostcheck",
            "sslrequire",
            "ssloptions",
            "sslproxyengine",
            "sslcompression",
            "sslsessiontickets",
            "sslopensslconfcmd",
        ],
    ),
    (
        "rewrite_module",
        &[
            "rewriteengine",
            "rewriterule",
            "rewritecond",
            "rewritebase",
            "rewritemap",
            "rewriteoptions",
        ],
    ),
    (
        "alias_module",
        &[
            "alias",
            "aliasmatch",
            "redirect",
            "redirectmatch",
            "redirectpermanent",
            "redirecttemp",
            "scriptalias",
            "scriptaliasmatch",
            "aliaspreservepath",
        ],
    ),
    ("headers_module", &["header", "requestheader"]),
    (
        "proxy_module",
        &[
            "proxypass",
            "proxypassreverse",
            "proxypassmatch",
            "proxypreservehost",
            "proxyrequests",
            "proxyvia",
            "proxytimeout",
            "proxyset",
            "proxyaddheaders",
            "proxypassreversecookiedomain",
            "proxypassreversecookiepath",
            "<proxy",
            "<proxymatch",
            "balancermember",
        ],
    ),
    (
        "authz_core_module",
        &[
            "require",
            "<requireall",
            "<requireany",
            "<requirenone",
            "<authzprovideralias",
            "authmerging",
            "authzsendforbiddenonfailure",
        ],
    ),
    (
        "authn_core_module",
        &["authtype", "authname", "<authnprovideralias"],
    ),
    (
        "wsgi_module",
        &[
            "wsgiscriptalias",
            "wsgidaemonprocess",
            "wsgiprocessgroup",
            "wsgiapplicationgroup",
            "wsgipythonpath",
            "wsgipythonhome",
            "wsgisocketprefix",
            "wsgipassauthorization",
        ],
    ),
    (
        "mime_module",
        &[
            "addtype",
            "addhandler",
            "addencoding",
            "addcharset",
            "addlanguage",
            "removehandler",
            "removetype",
            "typesconfig",
            "addoutputfilter",
            "addinputfilter",
        ],
    ),
    (
        "dir_module",
        &[
            "directoryindex",
            "directoryslash",
            "fallbackresource",
            "directorycheckhandler",
            "directoryindexredirect",
        ],
    ),
    (
        "setenvif_module",
        &[
            "setenvif",
            "setenvifnocase",
            "browsermatch",
            "browsermatchnocase",
            "setenvifexpr",
        ],
    ),
    ("status_module", &["extendedstatus", "seerequesttail"]),
    (
        "access_compat_module",
        &["order", "allow", "deny", "satisfy"],
    ),
    (
        "deflate_module",
        &[
            "deflatecompressionlevel",
            "deflatebuffersize",
            "deflatememlevel",
            "deflatewindowsize",
            "deflatefilternote",
        ],
    ),
    (
        "expires_module",
        &["expiresactive", "expiresbytype", "expiresdefault"],
    ),
    (
        "autoindex_module",
        &[
            "indexoptions",
            "indexignore",
            "adddescription",
            "addicon",
            "addiconbytype",
            "addiconbyencoding",
            "defaulticon",
            "headername",
            "readmename",
            "indexorderdefault",
            "indexstylesheet",
            "indexheadinsert",
        ],
    ),
    (
        "negotiation_module",
        &[
            "languagepriority",
            "forcelanguagepriority",
            "cachenegotiateddocs",
        ],
    ),
    ("reqtimeout_module", &["requestreadtimeout"]),
    ("env_module", &["setenv", "unsetenv", "passenv"]),
    (
        "filter_module",
        &[
            "filterdeclare",
            "filterprovider",
            "filterchain",
            "filtertrace",
            "filterprotocol",
            "addoutputfilterbytype",
        ],
    ),
    (
        "cgid_module",
        &[
            "scriptsock",
            "cgidscripttimeout",
            "scriptlog",
            "scriptloglength",
            "scriptlogbuffer",
        ],
    ),
    (
        "cgi_module",
        &[
            "scriptlog",
            "scriptloglength",
            "scriptlogbuffer",
            "cgiscripttimeout",
        ],
    ),
    ("mpm_event_module", &["asyncrequestworkerfactor"]),
    ("http2_module", &["protocols", "h2direct", "h2push"]),
    ("info_module", &["addmoduleinfo"]),
    ("userdir_module", &["userdir"]),
    (
        "remoteip_module",
        &[
            "remoteipheader",
            "remoteiptrustedproxy",
            "remoteipinternalproxy",
            "remoteipproxiesheader",
        ],
    ),
    (
        "php_module",
        &["php_value", "php_flag", "php_admin_value", "php_admin_flag"],
    ),
];

/// `ap_exists_directive`: whether a directive (or, with a leading `<`, a section) exists given the
/// loaded modules. Only the core and the modules listed above are known; anything else is taken
/// as absent.
pub fn directive_exists(name: &[u8], has_module: impl Fn(&str) -> bool) -> bool {
    let lower = String::from_utf8_lossy(name).to_ascii_lowercase();
    if CORE_DIRECTIVES.contains(&lower.as_str()) {
        return true;
    }
    MODULE_DIRECTIVES
        .iter()
        .any(|(m, ds)| ds.contains(&lower.as_str()) && has_module(m))
}

/// The canonical spelling of a known section name (`<virtualhost` → `<VirtualHost`), which httpd
/// uses in its messages; unknown names are returned as written.
pub fn canonical_section(name: &[u8]) -> super::ast::Bytes {
    const NAMES: &[&str] = &[
        "<Directory",
        "<DirectoryMatch",
        "<Files",
        "<FilesMatch",
        "<Location",
        "<LocationMatch",
        "<VirtualHost",
        "<Limit",
        "<LimitExcept",
        "<If",
        "<ElseIf",
        "<Else",
        "<IfModule",
        "<IfDefine",
        "<IfFile",
        "<IfDirective",
        "<IfSection",
        "<IfVersion",
        "<Macro",
        "<Proxy",
        "<ProxyMatch",
        "<RequireAll",
        "<RequireAny",
        "<RequireNone",
        "<AuthnProviderAlias",
        "<AuthzProviderAlias",
        "<MDomainSet",
        "<MDomain",
        "<Perl",
    ];
    NAMES
        .iter()
        .find(|n| n.as_bytes().eq_ignore_ascii_case(name))
        .map_or_else(
            || super::ast::Bytes::from_slice(name),
            |n| super::ast::Bytes::from_slice(n.as_bytes()),
        )
}

/// `compare_version`: `major[.minor[.patch]]` against `version`; `Err` with httpd's message for
/// anything else.
pub fn compare_version(
    text: &[u8],
    version: (u32, u32, u32),
) -> Result<std::cmp::Ordering, &'static str> {
    const ERR: &str = "Version appears to be invalid. It must have the format major[.minor[.patch]] where major, minor and patch are numbers.";
    if !text.first().is_some_and(u8::is_ascii_digit) {
        return Err(ERR);
    }
    let mut parts = [0u64; 3];
    let mut c = 0;
    let mut start = 0;
    let mut p = 0;
    // The C loop: split at '.', at most three numbers, anything else is an error.
    while p <= text.len() && c < 3 {
        if p == text.len() || text[p] == b'.' {
            parts[c] = atoi(&text[start..p]);
            c += 1;
            p += 1;
            start = p;
            continue;
        }
        if !text[p].is_ascii_digit() {
            break;
        }
        p += 1;
    }
    if p < text.len() {
        return Err(ERR);
    }
    let have = [version.0 as u64, version.1 as u64, version.2 as u64];
    Ok(have.cmp(&parts))
}

fn atoi(b: &[u8]) -> u64 {
    b.iter()
        .take_while(|c| c.is_ascii_digit())
        .fold(0u64, |a, &d| {
            a.saturating_mul(10).saturating_add((d - b'0') as u64)
        })
}

/// What `<IfVersion>` decided.
pub enum VersionTest {
    Match(bool),
}

/// `match_version`: an extended regular expression against `major.minor.patch`.
fn match_version(re: &[u8], version: (u32, u32, u32)) -> Result<bool, String> {
    let re =
        std::str::from_utf8(re).map_err(|_| "Unable to compile regular expression".to_string())?;
    let re =
        regex::Regex::new(re).map_err(|_| "Unable to compile regular expression".to_string())?;
    Ok(re.is_match(&format!("{}.{}.{}", version.0, version.1, version.2)))
}

/// `start_ifversion` on its (up to three) words; `Err` is httpd's message.
pub fn if_version(
    words: &[Vec<u8>],
    version: (u32, u32, u32),
) -> Result<(bool, VersionTest), String> {
    let mut arg1: &[u8] = words.first().map(Vec::as_slice).unwrap_or(b"");
    let mut arg2: Option<&[u8]> = words.get(1).map(Vec::as_slice);
    let mut arg3: Option<&[u8]> = words.get(2).map(Vec::as_slice);
    if arg2.is_none() {
        arg2 = Some(arg1);
        arg1 = b"=";
    }
    let mut a2 = arg2.unwrap_or(b"");
    if arg3.is_none() && a2 == b">" {
        arg3 = Some(b">");
        a2 = arg1;
        arg1 = b"=";
    }
    let closing_in_arg3 = arg3 == Some(b">");
    let mut end = a2.len();
    if end == 0 || (!closing_in_arg3 && a2[end - 1] != b'>') {
        return Err("<IfVersion> directive missing closing '>'".into());
    }
    if !closing_in_arg3 {
        end -= 1;
    }
    let mut p = arg1;
    let mut reverse = false;
    if p.first() == Some(&b'!') {
        reverse = true;
        if p.len() > 1 {
            p = &p[1..];
        }
    }
    let c = p.first().copied().unwrap_or(0);
    let rest = p.get(1..).unwrap_or(b"");
    let valid = rest.is_empty() || (rest == b"=" && c != b'~');
    let unknown = || format!("unrecognized operator '{}'", String::from_utf8_lossy(arg1));
    if !valid {
        return Err(unknown());
    }
    let ver = &a2[..end];
    let or_equal = !rest.is_empty();
    let m = match c {
        b'=' if ver.first() != Some(&b'/') => {
            compare_version(ver, version)? == std::cmp::Ordering::Equal
        }
        b'=' => {
            if ver.len() < 2 || ver[ver.len() - 1] != b'/' {
                return Err("Missing delimiting / of regular expression.".into());
            }
            match_version(&ver[1..ver.len() - 1], version)?
        }
        b'~' => match_version(ver, version)?,
        b'<' => {
            let o = compare_version(ver, version)?;
            o == std::cmp::Ordering::Less || (or_equal && o == std::cmp::Ordering::Equal)
        }
        b'>' => {
            let o = compare_version(ver, version)?;
            o == std::cmp::Ordering::Greater || (or_equal && o == std::cmp::Ordering::Equal)
        }
        _ => return Err(unknown()),
    };
    Ok((reverse, VersionTest::Match(m)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(words: &[&str]) -> Result<bool, String> {
        let w: Vec<Vec<u8>> = words.iter().map(|s| s.as_bytes().to_vec()).collect();
        if_version(&w, (2, 4, 71)).map(|(rev, t)| match t {
            VersionTest::Match(m) => m != rev,
        })
    }

    #[test]
    fn ifversion_like_mod_version() {
        assert_eq!(v(&[">=", "2.4>"]), Ok(true));
        assert_eq!(v(&["<", "2.4>"]), Ok(false));
        assert_eq!(v(&["2.4.71>"]), Ok(true));
        assert_eq!(v(&["2.4>"]), Ok(false));
        assert_eq!(v(&["!=", "2.4>"]), Ok(true));
        assert_eq!(v(&["!", "2.4>"]), Err("unrecognized operator '!'".into()));
        assert_eq!(v(&[">", "2>"]), Ok(true));
        assert_eq!(v(&["=", "2.4.71", ">"]), Ok(true));
        assert!(v(&[">=", "x>"]).unwrap_err().starts_with("Version appears"));
        assert_eq!(v(&["<>", "2>"]), Err("unrecognized operator '<>'".into()));
        assert_eq!(v(&["~", "^2\\.4>"]), Ok(true));
        assert_eq!(v(&["/^2\\.2/>"]), Ok(false));
        assert_eq!(v(&["!~", "^1>"]), Ok(true));
        assert_eq!(
            v(&["!", "~", "^1>"]),
            Err("<IfVersion> directive missing closing '>'".into())
        );
    }

    #[test]
    fn module_names() {
        assert_eq!(module_file_name("ssl_module"), "mod_ssl.c");
        assert_eq!(
            module_ident("mod_headers.c").as_deref(),
            Some("headers_module")
        );
        assert_eq!(module_ident("event.c").as_deref(), Some("mpm_event_module"));
    }
}
