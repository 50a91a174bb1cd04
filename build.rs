use std::fmt::Write as _;
use std::path::Path;

fn main() {
    // Migrations are embedded with sqlx::migrate!; rebuild when they change.
    println!("cargo:rerun-if-changed=migrations");
    embed_playground_static();
}

/// Embeds every file of `src/playground/static/` into the binary (the
/// playground page is served from it: no build step, nothing on disk at
/// run time). Writes `$OUT_DIR/playground_static.rs`: a list of
/// `(name, bytes)`.
fn embed_playground_static() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/playground/static");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from("&[\n");
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with('.') || name.ends_with('~') {
            continue;
        }
        writeln!(
            out,
            "    ({name:?}, include_bytes!({:?}).as_slice()),",
            path.display().to_string()
        )
        .unwrap();
    }
    out.push(']');
    let target = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("playground_static.rs");
    std::fs::write(target, out).expect("OUT_DIR is writable");
}
