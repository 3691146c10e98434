//! Compiles the stylesheet: scans the views in `app/src` for Tailwind classes,
//! generates their CSS with encre-css, appends `style/gatehouse.css`, and
//! exposes a content hash so the file can be cached forever.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let views = root.join("app/src");
    let custom = root.join("style/gatehouse.css");
    println!("cargo:rerun-if-changed={}", views.display());
    println!("cargo:rerun-if-changed={}", custom.display());

    let mut sources = Vec::new();
    collect_rs(&views, &mut sources);
    sources.sort();
    let texts: Vec<String> = sources
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read view source"))
        .collect();
    let config = encre_css::Config::default();
    let mut css = encre_css::generate(texts.iter().map(String::as_str), &config);
    css.push('\n');
    css.push_str(&std::fs::read_to_string(&custom).expect("read style/gatehouse.css"));

    // The page script, named by its hash too (it is cached forever).
    let script = root.join("app/assets/passkeys.js");
    println!("cargo:rerun-if-changed={}", script.display());
    let js = std::fs::read_to_string(&script).expect("read app/assets/passkeys.js");
    let mut js_hasher = std::collections::hash_map::DefaultHasher::new();
    js.hash(&mut js_hasher);
    println!(
        "cargo:rustc-env=GATEHOUSE_JS_HASH={:012x}",
        js_hasher.finish() & 0xffff_ffff_ffff
    );

    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    css.hash(&mut hasher);
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out.join("gatehouse.css"), &css).expect("write stylesheet");
    println!(
        "cargo:rustc-env=GATEHOUSE_CSS_HASH={:012x}",
        hasher.finish() & 0xffff_ffff_ffff
    );
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read app/src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            collect_rs(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            println!("cargo:rerun-if-changed={}", path.display());
            out.push(path);
        }
    }
}
