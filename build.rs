//! Build script. Three jobs:
//!
//! - It tells cargo to rebuild when the embedded theme or templates change. `include_dir!`
//!   embeds them, but a proc macro cannot declare the files it reads, so without this an
//!   edited template or stylesheet would not reach the binary until a `.rs` file changed.
//! - It packs the `docsite` binary's relative relocations (`DT_RELR`) where the C library
//!   that will load it understands them.
//!
//! A position-independent binary carries one relocation per pointer in its static data
//! (vtables, string tables, the HTML entity tables of pulldown-cmark and html5ever): ~31k,
//! 740 KB as `RELA` entries, which the dynamic loader reads at every start. Packed as
//! `RELR`, they take ~10 KB, and a 53-page build's peak resident memory falls by ~0.6 MB
//! (bench/README.md, "Peak memory at 1x"). The binary stays position-independent.
//!
//! glibc loads `RELR` from 2.36 on, and a binary that uses it names the version
//! `GLIBC_ABI_DT_RELR`, so it will not start on an older glibc. Hence: only for a native
//! Linux glibc build whose glibc is 2.36 or newer, and never with `DOCSITE_NO_RELR` set
//! (for a binary meant to run on older systems than the one that builds it).
//!
//! - It writes GitHub's emoji shortcodes (from the `emojis` crate) as a table with no
//!   pointers in it: the names and the emoji as two strings, and where each entry ends as
//!   numbers. The crate's own tables hold pointers, which the loader must write into at
//!   every start: linked in, they raised a 53-page build's peak resident memory by ~0.35 MB.

use std::env;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=themes");
    println!("cargo:rerun-if-env-changed=DOCSITE_NO_RELR");
    let var = |name: &str| env::var(name).unwrap_or_default();
    let native_glibc =
        var("TARGET") == var("HOST") && var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu";
    if native_glibc && env::var_os("DOCSITE_NO_RELR").is_none() && glibc_version().is_some_and(|v| v >= (2, 36)) {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    write_shortcodes();
}

/// `$OUT_DIR/shortcodes.rs`: `NAMES` (every shortcode, sorted, run together), `NAME_ENDS`
/// (where each ends in it), and `EMOJI` and `EMOJI_ENDS` likewise, in the same order.
fn write_shortcodes() {
    let mut pairs: Vec<(&str, &str)> = emojis::iter()
        .flat_map(|e| e.shortcodes().map(move |name| (name, e.as_str())))
        .collect();
    pairs.sort_unstable();
    pairs.dedup_by(|a, b| a.0 == b.0);
    let (mut names, mut emoji, mut name_ends, mut emoji_ends) = (String::new(), String::new(), vec![], vec![]);
    for (name, e) in &pairs {
        names.push_str(name);
        name_ends.push(names.len());
        emoji.push_str(e);
        emoji_ends.push(emoji.len());
    }
    let mut out = String::new();
    let _ = writeln!(out, "static NAMES: &str = {names:?};");
    let _ = writeln!(out, "static NAME_ENDS: [u32; {}] = {name_ends:?};", name_ends.len());
    let _ = writeln!(out, "static EMOJI: &str = {emoji:?};");
    let _ = writeln!(out, "static EMOJI_ENDS: [u32; {}] = {emoji_ends:?};", emoji_ends.len());
    let dir = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(e) = std::fs::write(dir.join("shortcodes.rs"), out) {
        panic!("cannot write the shortcode table: {e}");
    }
}

/// The version of the build machine's glibc, from `getconf GNU_LIBC_VERSION` ("glibc 2.36").
fn glibc_version() -> Option<(u32, u32)> {
    let out = Command::new("getconf").arg("GNU_LIBC_VERSION").output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let (major, minor) = text.trim().strip_prefix("glibc ")?.split_once('.')?;
    let minor = minor.split(|c: char| !c.is_ascii_digit()).next()?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}
