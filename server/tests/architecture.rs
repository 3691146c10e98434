//! The shape of the house, checked from the sources: which room may import
//! which, and no circles. It reads every `crate::` and `super::` path in
//! `server/src` (and `app/src` for the views), so a new import that runs back
//! up or closes a circle fails here, naming the files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every room of `server/src` and the rooms it may import, from the bottom
/// up. `lib.rs` and `main.rs` (the root) may import anything.
const ROOMS: &[(&str, &[&str])] = &[
    ("domain", &[]),
    // What operators see: counters and gauges, knowing nothing else.
    ("metrics", &[]),
    ("store", &["domain"]),
    ("password", &["domain"]),
    // The password policy is a setting (its common-password list is read
    // once at start-up, with the other settings).
    ("config", &["domain", "password"]),
    ("telemetry", &["config"]),
    ("mail", &["domain", "config", "store"]),
    ("signing", &["domain", "config", "store"]),
    (
        "state",
        &[
            "domain", "config", "store", "password", "mail", "signing", "metrics",
        ],
    ),
    ("audit", &["domain", "store", "state"]),
    ("directory", SHARED),
    // Holding back guessing: passwords, codes, client secrets alike.
    ("throttle", &[]),
    // Factors sit below the sign-in journey that asks for them.
    ("mfa", &["directory", "throttle"]),
    ("identity", &["directory", "throttle", "mfa"]),
    ("oidc", &["directory", "throttle", "identity", "mfa"]),
    ("transfer", &["directory"]),
    ("jobs", &["directory", "identity", "oidc", "transfer"]),
    (
        "http",
        &[
            "directory",
            "throttle",
            "identity",
            "mfa",
            "oidc",
            "transfer",
        ],
    ),
    (
        "cli",
        &[
            "directory",
            "throttle",
            "identity",
            "mfa",
            "oidc",
            "transfer",
            "jobs",
            "http",
            "telemetry",
        ],
    ),
];

/// What every capability and the rooms above them may use besides the
/// rooms they list.
const SHARED: &[&str] = &[
    "domain", "config", "store", "password", "mail", "signing", "audit", "state", "metrics",
];

/// The rooms `room` may import.
fn allowed(room: &str) -> Vec<&'static str> {
    let listed = ROOMS
        .iter()
        .find(|(r, _)| *r == room)
        .map_or(&[][..], |(_, rooms)| *rooms);
    let below_capabilities = ROOMS.iter().position(|(r, _)| *r == "directory").unwrap();
    let is_capability_or_above = ROOMS
        .iter()
        .position(|(r, _)| *r == room)
        .is_some_and(|at| at >= below_capabilities);
    let mut rooms = listed.to_vec();
    if is_capability_or_above {
        rooms.extend_from_slice(SHARED);
    }
    rooms
}

struct Source {
    /// Module path, e.g. `["identity", "signin"]`; empty for `lib.rs`.
    module: Vec<String>,
    /// The file, from the source root (`identity/signin/mod.rs`).
    file: String,
    text: String,
}

fn server_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The sources of `server/src`.
fn sources() -> Vec<Source> {
    sources_in(&server_src())
}

/// The sources under `root`, with comments removed (a doc comment may name
/// any module) and test modules cut off (the plan is for the code that
/// runs; tests sit at the end of their files).
fn sources_in(root: &Path) -> Vec<Source> {
    let root = root.to_path_buf();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files
        .into_iter()
        .map(|file| {
            let rel = file.strip_prefix(&root).unwrap().with_extension("");
            let mut module: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                module.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                module.pop();
            }
            let mut text = std::fs::read_to_string(&file)
                .unwrap()
                .lines()
                .map(|l| l.split("//").next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n");
            if let Some(tests) = text.find("#[cfg(test)]") {
                text.truncate(tests);
            }
            let file = file.strip_prefix(&root).unwrap().display().to_string();
            Source { module, file, text }
        })
        .collect()
}

/// Whether the text before `at` ends inside an identifier or a path (so
/// `tower_sessions::` is not `sessions::`, and `super::super::` is one path).
fn continues_a_name(text: &str, at: usize) -> bool {
    at > 0 && {
        let before = text.as_bytes()[at - 1];
        before.is_ascii_alphanumeric() || before == b'_' || before == b':'
    }
}

/// Every module path a file names through `crate::` or `super::` (each
/// `super::` one level up), with `crate::{a, b::c}` groups expanded to
/// their first segments.
fn named_paths(source: &Source) -> Vec<Vec<String>> {
    named_paths_with_climbs(source)
        .into_iter()
        .map(|(path, _)| path)
        .collect()
}

/// The paths a file names, each with how many `super::` it climbs.
fn named_paths_with_climbs(source: &Source) -> Vec<(Vec<String>, usize)> {
    let mut paths = Vec::new();
    let text = &source.text;
    for prefix in ["crate::", "super::"] {
        let mut rest = text.as_str();
        let mut offset = 0;
        while let Some(found) = rest.find(prefix) {
            let at = offset + found;
            rest = &rest[found + prefix.len()..];
            offset = at + prefix.len();
            if continues_a_name(text, at) {
                continue;
            }
            let mut climbs = 0;
            let base = if prefix == "crate::" {
                Vec::new()
            } else {
                climbs = 1;
                while let Some(more) = rest.strip_prefix("super::") {
                    rest = more;
                    offset += "super::".len();
                    climbs += 1;
                }
                let mut base = source.module.clone();
                for _ in 0..climbs {
                    base.pop();
                }
                base
            };
            if let Some(group) = rest.strip_prefix('{') {
                let inner = &group[..group.find('}').unwrap_or(group.len())];
                for item in inner.split(',') {
                    let mut path = base.clone();
                    path.extend(segments(item.trim()));
                    paths.push((path, climbs));
                }
            } else {
                let mut path = base.clone();
                path.extend(segments(rest));
                paths.push((path, climbs));
            }
        }
    }
    paths
}

/// The lower-case path segments at the start of `s` (`a::b::Type` gives a, b).
fn segments(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in s.split("::") {
        let ident: String = part
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if ident.is_empty() || ident.chars().next().unwrap().is_ascii_uppercase() {
            break;
        }
        out.push(ident.clone());
        if ident.len() != part.len() {
            break;
        }
    }
    out
}

/// The file a module path lands in: the longest prefix that is a module.
fn resolve<'a>(path: &[String], modules: &'a BTreeMap<Vec<String>, usize>) -> Option<&'a usize> {
    (1..=path.len()).rev().find_map(|n| modules.get(&path[..n]))
}

fn room(module: &[String]) -> &str {
    module.first().map_or("root", String::as_str)
}

struct Graph {
    sources: Vec<Source>,
    /// File index to the file indexes it imports.
    edges: BTreeMap<usize, BTreeSet<usize>>,
}

fn graph() -> Graph {
    graph_of(sources())
}

fn graph_of(sources: Vec<Source>) -> Graph {
    let modules: BTreeMap<Vec<String>, usize> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.module.clone(), i))
        .collect();
    let mut edges: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for (i, source) in sources.iter().enumerate() {
        for path in named_paths(source) {
            if let Some(&to) = resolve(&path, &modules)
                && to != i
                // A folder's mod.rs declares its children; a child naming
                // its parent (`super::Pool`) is the one way in.
                && !sources[to].module.is_empty()
            {
                edges.entry(i).or_default().insert(to);
            }
        }
    }
    Graph { sources, edges }
}

/// Strongly connected groups of more than one node (Tarjan).
fn circles<N: Ord + Copy>(edges: &BTreeMap<N, BTreeSet<N>>) -> Vec<Vec<N>> {
    struct State<N> {
        index: BTreeMap<N, usize>,
        low: BTreeMap<N, usize>,
        stack: Vec<N>,
        on_stack: BTreeSet<N>,
        found: Vec<Vec<N>>,
    }
    fn visit<N: Ord + Copy>(n: N, edges: &BTreeMap<N, BTreeSet<N>>, s: &mut State<N>) {
        let i = s.index.len();
        s.index.insert(n, i);
        s.low.insert(n, i);
        s.stack.push(n);
        s.on_stack.insert(n);
        for &m in edges.get(&n).into_iter().flatten() {
            if !s.index.contains_key(&m) {
                visit(m, edges, s);
                let low = s.low[&n].min(s.low[&m]);
                s.low.insert(n, low);
            } else if s.on_stack.contains(&m) {
                let low = s.low[&n].min(s.index[&m]);
                s.low.insert(n, low);
            }
        }
        if s.low[&n] == s.index[&n] {
            let mut group = Vec::new();
            loop {
                let m = s.stack.pop().unwrap();
                s.on_stack.remove(&m);
                group.push(m);
                if m == n {
                    break;
                }
            }
            if group.len() > 1 {
                s.found.push(group);
            }
        }
    }
    let mut s = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for &n in edges.keys() {
        if !s.index.contains_key(&n) {
            visit(n, edges, &mut s);
        }
    }
    s.found
}

fn display(g: &Graph, i: usize) -> String {
    g.sources[i].file.clone()
}

#[test]
fn every_room_is_on_the_plan() {
    let g = graph();
    let planned: BTreeSet<&str> = ROOMS.iter().map(|(r, _)| *r).collect();
    let unplanned: BTreeSet<String> = g
        .sources
        .iter()
        .map(|s| room(&s.module).to_string())
        .filter(|r| r != "root" && !planned.contains(r.as_str()))
        .collect();
    assert!(
        unplanned.is_empty(),
        "rooms missing from ROOMS in tests/architecture.rs: {unplanned:?}"
    );
}

/// Imports from a room to one it may not use (back up, or sideways).
fn run_ups(g: &Graph) -> Vec<String> {
    let mut wrong = Vec::new();
    for (&from, targets) in &g.edges {
        let from_room = room(&g.sources[from].module);
        for &to in targets {
            let to_room = room(&g.sources[to].module);
            if from_room == "root" || from_room == to_room {
                continue;
            }
            if !allowed(from_room).contains(&to_room) {
                wrong.push(format!("{} -> {}", display(g, from), display(g, to)));
            }
        }
    }
    wrong
}

fn file_circles(g: &Graph) -> Vec<String> {
    circles(&g.edges)
        .into_iter()
        .map(|group| {
            group
                .into_iter()
                .map(|i| display(g, i))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect()
}

fn room_circles(g: &Graph) -> Vec<String> {
    let mut rooms: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (&from, targets) in &g.edges {
        for &to in targets {
            let (a, b) = (room(&g.sources[from].module), room(&g.sources[to].module));
            if a != b && a != "root" {
                rooms.entry(a).or_default().insert(b);
            }
        }
    }
    circles(&rooms)
        .into_iter()
        .map(|group| group.join(", "))
        .collect()
}

/// `super::super` paths that climb out of the file's own room: a way
/// round `crate::` that hides where an import goes.
fn climbs_out(sources: &[Source]) -> Vec<String> {
    let mut wrong = Vec::new();
    for source in sources {
        let own = room(&source.module);
        for (path, climbs) in named_paths_with_climbs(source) {
            if climbs >= 2 && path.first().map(String::as_str) != Some(own) {
                wrong.push(format!(
                    "{}: super::super into {}",
                    source.file,
                    path.join("::")
                ));
            }
        }
    }
    wrong
}

/// Outside crates each room may name: the web's only in `http` (the
/// binary serves it from `cli`; the store keeps tower-sessions' records),
/// SQL only in `store`, the views only in `http` (benches in `cli` follow
/// their addresses).
const CRATE_ROOMS: &[(&str, &[&str])] = &[
    ("axum", &["http", "cli"]),
    ("tower_sessions", &["http", "store"]),
    ("sqlx", &["store"]),
    ("app", &["http", "cli"]),
];

/// The views' words (`app::i18n`, `app::Lang`) are no view: the rooms that
/// write to people (mails, refusals, sign-in steps) may choose them.
const WORDS_ROOMS: &[&str] = &["mail", "identity", "directory", "mfa", "oidc", "jobs"];

fn names_only_words(text: &str, at: usize) -> bool {
    let rest = &text[at + "app::".len()..];
    rest.starts_with("i18n::") || rest.starts_with("Lang")
}

fn crates_in_wrong_rooms(sources: &[Source]) -> Vec<String> {
    let mut wrong = Vec::new();
    for source in sources {
        let own = room(&source.module);
        for (krate, rooms) in CRATE_ROOMS {
            let words_here = *krate == "app" && WORDS_ROOMS.contains(&own);
            let named = source
                .text
                .match_indices(&format!("{krate}::"))
                .filter(|(at, _)| !(words_here && names_only_words(&source.text, *at)))
                .any(|(at, _)| !continues_a_name(&source.text, at));
            if named && !rooms.contains(&own) && own != "root" {
                wrong.push(format!("{}: {krate}", source.file));
            }
        }
    }
    wrong
}

/// Handlers call capabilities, never the store: a rule read in one place.
fn store_calls_from_http(sources: &[Source]) -> Vec<String> {
    sources
        .iter()
        .filter(|s| {
            // rustfmt breaks long chains over lines: read the text without
            // its spaces so `state\n    .store\n    .x()` is seen too.
            let text: String = s.text.split_whitespace().collect();
            room(&s.module) == "http" && text.contains(".store.")
        })
        .map(|s| s.file.clone())
        .collect()
}

#[test]
fn imports_only_run_down() {
    let wrong = run_ups(&graph());
    assert!(
        wrong.is_empty(),
        "imports that run back up or sideways:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_file_imports_itself_in_a_circle() {
    let found = file_circles(&graph());
    assert!(found.is_empty(), "import circles:\n{}", found.join("\n"));
}

#[test]
fn no_room_imports_itself_in_a_circle() {
    let found = room_circles(&graph());
    assert!(found.is_empty(), "rooms in a circle: {found:?}");
}

#[test]
fn no_path_climbs_out_of_its_room() {
    let wrong = climbs_out(&sources());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn outside_crates_stay_in_their_rooms() {
    let wrong = crates_in_wrong_rooms(&sources());
    assert!(
        wrong.is_empty(),
        "crates used in the wrong room:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn handlers_make_no_store_calls() {
    let wrong = store_calls_from_http(&sources());
    assert!(wrong.is_empty(), "http files calling the store: {wrong:?}");
}

/// Each check above catches what it is for: a scratch tree with one
/// violation of each kind (and a lawful import beside them).
#[test]
fn each_check_catches_a_planted_violation() {
    let dir = tempfile::tempdir().unwrap();
    let plant = |file: &str, text: &str| {
        let path = dir.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    plant("lib.rs", "pub mod domain; pub mod store;");
    plant("domain/mod.rs", "pub struct Email;");
    plant(
        "store/mod.rs",
        "use crate::domain::Email;\nuse crate::mfa::check;",
    );
    plant("mfa/mod.rs", "pub mod check;");
    plant("mfa/check.rs", "use crate::identity::signin;");
    plant("identity/mod.rs", "pub mod signin;");
    plant(
        "identity/signin/mod.rs",
        "use crate::mfa::check;\nuse super::super::store::Thing;\nuse axum::Router;",
    );
    plant("directory/mod.rs", "fn f() { sqlx::query(\"SELECT 1\"); }");
    plant("transfer/mod.rs", "use app::paths;");
    // The words may be chosen where mails are written, nothing else of the views.
    plant(
        "mail/mod.rs",
        "use app::Lang; use app::hosted::message_page;",
    );
    plant(
        "identity/words.rs",
        "fn f(lang: app::Lang) -> app::i18n::Arg<'static> { todo!() }",
    );
    plant("store/words.rs", "use app::Lang;");
    plant(
        "http/mod.rs",
        "async fn h(state: AppState) { state\n        .store\n        .customer_by_id(id).await; }",
    );
    plant(
        "http/fine.rs",
        "use tower_sessions::Session; use axum::Router; use app::paths;",
    );

    let sources = sources_in(dir.path());
    let g = graph_of(sources_in(dir.path()));
    let names = |found: &[String], want: &str| {
        assert!(
            found.iter().any(|f| f.contains(want)),
            "{want} not caught in {found:?}"
        );
    };
    let run_ups = run_ups(&g);
    names(&run_ups, "store/mod.rs -> mfa/check.rs");
    names(&run_ups, "mfa/check.rs -> identity/signin/mod.rs");
    assert!(
        !run_ups
            .iter()
            .any(|f| f.starts_with("identity/signin/mod.rs -> mfa")),
        "a lawful import was caught: {run_ups:?}"
    );
    names(&file_circles(&g), "mfa/check.rs");
    names(&room_circles(&g), "identity");
    names(
        &climbs_out(&sources),
        "identity/signin/mod.rs: super::super into store",
    );
    let crates = crates_in_wrong_rooms(&sources);
    names(&crates, "identity/signin/mod.rs: axum");
    names(&crates, "directory/mod.rs: sqlx");
    names(&crates, "transfer/mod.rs: app");
    names(&crates, "mail/mod.rs: app");
    names(&crates, "store/words.rs: app");
    assert!(
        !crates.iter().any(|f| f.starts_with("identity/words.rs")),
        "the words were caught as views: {crates:?}"
    );
    assert!(!crates.iter().any(|f| f.starts_with("http/")), "{crates:?}");
    assert_eq!(
        store_calls_from_http(&sources),
        vec!["http/mod.rs".to_string()]
    );
}

#[test]
fn views_know_nothing_of_the_server() {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("../app");
    let manifest = std::fs::read_to_string(app.join("Cargo.toml")).unwrap();
    assert!(
        !manifest.contains("gatehouse"),
        "app/Cargo.toml depends on the server"
    );
    let mut files = Vec::new();
    rust_files(&app.join("src"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            !text.contains("gatehouse::"),
            "{} uses the server",
            file.display()
        );
    }
}

/// The checks above would pass on an empty reading: make sure they read.
#[test]
fn the_reading_sees_known_imports() {
    let g = graph();
    let find = |m: &str| {
        g.sources
            .iter()
            .position(|s| s.module.join("::") == m)
            .unwrap_or_else(|| panic!("no module {m}"))
    };
    let signin = find("identity::signin");
    let domain_error = find("domain::error");
    let store = find("store");
    assert!(
        g.edges[&signin].contains(&find("state")),
        "identity::signin imports state"
    );
    assert!(
        g.edges
            .values()
            .any(|targets| targets.contains(&domain_error) || targets.contains(&find("domain"))),
        "someone imports the domain"
    );
    assert!(
        g.edges.iter().any(|(_, t)| t.contains(&store)),
        "someone imports the store"
    );
}
