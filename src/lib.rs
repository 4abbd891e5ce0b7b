//! docsite: a fast static documentation site generator for docs trees described by a
//! `manifest.json` navigation tree (the coder/coder format) plus GitHub-flavoured markdown.
//!
//! Data flows one way: [`source`] (where files come from) → [`site`] (the model: manifest,
//! pages, URLs; parallel markdown rendering through [`markdown`]) → [`render`] (templates and
//! theme) → [`output`] (disk, or memory for a server). [`check`] runs the same pipeline up
//! to the rendered markdown and prints its findings through [`report`]. The `docsite`
//! binary is a thin CLI over [`build::build`] and [`check::check`].

pub mod alloc;
pub mod build;
pub mod check;
pub mod config;
pub mod diag;
pub mod git;
pub mod highlight;
pub mod init;
pub mod manifest;
pub mod markdown;
pub mod output;
pub mod paths;
pub(crate) mod pattern;
pub mod preview;
pub mod redirects;
pub mod render;
pub mod report;
pub mod sanitize;
pub mod search;
pub mod serve;
pub mod site;
pub mod slug;
pub mod source;
pub mod theme;

/// The hasher for maps keyed by the docs' own text (paths, heading ids, words): foldhash,
/// where SipHash (the default, which resists keys chosen by an attacker) showed in profiles.
/// None of these keys come from a network request.
pub(crate) type FastHash = foldhash::fast::FixedState;
