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
        &["domain", "config", "store", "password", "mail", "signing"],
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
    ("jobs", &["directory", "identity", "transfer"]),
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
    "domain", "config", "store", "password", "mail", "signing", "audit", "state",
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

/// Only the HTTP surface renders views. Other rooms may name addresses
/// (`app::paths`, the one list of them), to put links in mail.
const MAY_USE_APP: &[&str] = &["http"];

struct Source {
    /// Module path, e.g. `["identity", "signin"]`; empty for `lib.rs`.
    module: Vec<String>,
    file: PathBuf,
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

/// The sources with comments removed (a doc comment may name any module).
fn sources() -> Vec<Source> {
    let root = server_src();
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
            let text = std::fs::read_to_string(&file)
                .unwrap()
                .lines()
                .map(|l| l.split("//").next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n");
            Source { module, file, text }
        })
        .collect()
}

/// Every module path a file names through `crate::` or `super::`, with
/// `crate::{a, b::c}` groups expanded to their first segments.
fn named_paths(source: &Source) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let text = &source.text;
    for (prefix, base) in [
        ("crate::", Vec::new()),
        ("super::", {
            let mut parent = source.module.clone();
            parent.pop();
            parent
        }),
    ] {
        let mut rest = text.as_str();
        while let Some(at) = rest.find(prefix) {
            let preceded_by_ident = at > 0 && {
                let before = rest.as_bytes()[at - 1];
                before.is_ascii_alphanumeric() || before == b'_'
            };
            rest = &rest[at + prefix.len()..];
            if preceded_by_ident {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                let inner = &group[..group.find('}').unwrap_or(group.len())];
                for item in inner.split(',') {
                    let mut path = base.clone();
                    path.extend(segments(item.trim()));
                    paths.push(path);
                }
            } else {
                let mut path = base.clone();
                path.extend(segments(rest));
                paths.push(path);
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
    let sources = sources();
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
    g.sources[i]
        .file
        .strip_prefix(server_src())
        .unwrap()
        .display()
        .to_string()
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

#[test]
fn imports_only_run_down() {
    let g = graph();
    let mut wrong = Vec::new();
    for (&from, targets) in &g.edges {
        let from_room = room(&g.sources[from].module);
        for &to in targets {
            let to_room = room(&g.sources[to].module);
            if from_room == "root" || from_room == to_room {
                continue;
            }
            if !allowed(from_room).contains(&to_room) {
                wrong.push(format!("{} -> {}", display(&g, from), display(&g, to)));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports that run back up or sideways:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_file_imports_itself_in_a_circle() {
    let g = graph();
    let found: Vec<String> = circles(&g.edges)
        .into_iter()
        .map(|group| {
            group
                .into_iter()
                .map(|i| display(&g, i))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();
    assert!(found.is_empty(), "import circles:\n{}", found.join("\n"));
}

#[test]
fn no_room_imports_itself_in_a_circle() {
    let g = graph();
    let mut rooms: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (&from, targets) in &g.edges {
        for &to in targets {
            let (a, b) = (room(&g.sources[from].module), room(&g.sources[to].module));
            if a != b && a != "root" {
                rooms.entry(a).or_default().insert(b);
            }
        }
    }
    let found = circles(&rooms);
    assert!(found.is_empty(), "rooms in a circle: {found:?}");
}

#[test]
fn only_http_renders_views() {
    let wrong: Vec<String> = sources()
        .into_iter()
        .filter(|s| !MAY_USE_APP.contains(&room(&s.module)))
        .filter(|s| {
            s.text
                .match_indices("app::")
                .any(|(at, _)| !s.text[at..].starts_with("app::paths"))
        })
        .map(|s| s.file.display().to_string())
        .collect();
    assert!(wrong.is_empty(), "files outside http using app: {wrong:?}");
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
