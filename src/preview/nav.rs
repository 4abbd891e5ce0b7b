//! The navigation diff: `manifest.json` at the merge base against the head.
//!
//! Routes are matched by the page they list (through renames), and page-less sections by
//! their breadcrumb of titles; a page listed twice is matched occurrence by occurrence.
//! Matched routes are compared for their parent (moved), title (retitled) and states
//! (state-changed); the others were added or removed.

use std::collections::HashMap;

use serde::Serialize;

use crate::manifest::{Manifest, RouteId};

/// What happened to a navigation entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NavChangeKind {
    Added,
    Removed,
    Moved,
    Retitled,
    StateChanged,
}

/// Where an entry sits in one manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NavPlace {
    /// Titles from the top-level entry down to this one.
    pub breadcrumb: Vec<String>,
    pub states: Vec<String>,
    /// Line of the entry in that commit's `manifest.json`.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NavChange {
    pub change: NavChangeKind,
    /// The page the entry lists (head path; base path for a removed entry), if any.
    pub path: Option<String>,
    pub before: Option<NavPlace>,
    pub after: Option<NavPlace>,
}

fn place(m: &Manifest, id: RouteId) -> NavPlace {
    let mut breadcrumb: Vec<String> = m.ancestors(id).into_iter().map(|a| m.routes[a].title.clone()).collect();
    breadcrumb.push(m.routes[id].title.clone());
    NavPlace {
        breadcrumb,
        states: m.routes[id].states.clone(),
        line: m.routes[id].pos.line,
    }
}

/// A matching key for every route: the page path (renamed to its head name), or the
/// breadcrumb of a page-less section, with the occurrence number.
fn keys(m: &Manifest, rename: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    (0..m.routes.len())
        .map(|id| {
            let base = match &m.routes[id].path {
                Some(p) => format!("page:{}", rename(p)),
                None => format!("section:{}", place(m, id).breadcrumb.join("\u{1f}")),
            };
            let n = seen.entry(base.clone()).or_default();
            *n += 1;
            format!("{base}#{n}")
        })
        .collect()
}

/// The changes from `before` to `after`; `renamed` maps base page paths to head paths.
/// Removed entries come first (base order), then the others in head order.
pub fn diff(before: &Manifest, after: &Manifest, renamed: &HashMap<String, String>) -> Vec<NavChange> {
    let old_keys = keys(before, &|p| renamed.get(p).cloned().unwrap_or_else(|| p.to_string()));
    let new_keys = keys(after, &|p| p.to_string());
    let old_by_key: HashMap<&str, RouteId> = old_keys.iter().enumerate().map(|(i, k)| (k.as_str(), i)).collect();
    let new_by_key: HashMap<&str, RouteId> = new_keys.iter().enumerate().map(|(i, k)| (k.as_str(), i)).collect();
    let parent_key = |keys: &[String], m: &Manifest, id: RouteId| m.routes[id].parent.map(|p| keys[p].clone());

    let mut changes = Vec::new();
    for (id, key) in old_keys.iter().enumerate() {
        if !new_by_key.contains_key(key.as_str()) {
            changes.push(NavChange {
                change: NavChangeKind::Removed,
                path: before.routes[id].path.clone(),
                before: Some(place(before, id)),
                after: None,
            });
        }
    }
    for (id, key) in new_keys.iter().enumerate() {
        let path = after.routes[id].path.clone();
        let Some(&old) = old_by_key.get(key.as_str()) else {
            changes.push(NavChange {
                change: NavChangeKind::Added,
                path,
                before: None,
                after: Some(place(after, id)),
            });
            continue;
        };
        let (was, now) = (&before.routes[old], &after.routes[id]);
        let mut kinds = Vec::new();
        if parent_key(&old_keys, before, old) != parent_key(&new_keys, after, id) {
            kinds.push(NavChangeKind::Moved);
        }
        if was.title != now.title {
            kinds.push(NavChangeKind::Retitled);
        }
        if was.states != now.states {
            kinds.push(NavChangeKind::StateChanged);
        }
        for change in kinds {
            changes.push(NavChange {
                change,
                path: path.clone(),
                before: Some(place(before, old)),
                after: Some(place(after, id)),
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse;

    fn manifest(json: &str) -> Manifest {
        parse(json).unwrap().0
    }

    #[test]
    fn finds_every_kind_of_change_through_renames() {
        let before = manifest(
            r#"{"routes": [{"title": "Home", "path": "README.md", "children": [
                {"title": "A", "path": "a.md"}, {"title": "B", "path": "b.md", "state": ["beta"]},
                {"title": "Old", "path": "old.md"}, {"title": "Gone", "path": "gone.md"}]},
              {"title": "Other", "children": [{"title": "C", "path": "c.md"}]}]}"#,
        );
        let after = manifest(
            r#"{"routes": [{"title": "Home", "path": "README.md", "children": [
                {"title": "A two", "path": "a.md"}, {"title": "B", "path": "b.md"},
                {"title": "Old", "path": "new.md"}, {"title": "Fresh", "path": "fresh.md"}]},
              {"title": "Other", "children": [{"title": "Intro", "path": "intro.md"}]},
              {"title": "C", "path": "c.md"}]}"#,
        );
        let renamed: HashMap<String, String> = [("old.md".to_string(), "new.md".to_string())].into();
        let got: Vec<(NavChangeKind, String)> = diff(&before, &after, &renamed)
            .into_iter()
            .map(|c| {
                let place = c.after.as_ref().or(c.before.as_ref()).unwrap();
                (c.change, place.breadcrumb.join(" › "))
            })
            .collect();
        assert_eq!(
            got,
            [
                (NavChangeKind::Removed, "Home › Gone".to_string()),
                (NavChangeKind::Retitled, "Home › A two".to_string()),
                (NavChangeKind::StateChanged, "Home › B".to_string()),
                (NavChangeKind::Added, "Home › Fresh".to_string()),
                (NavChangeKind::Added, "Other › Intro".to_string()),
                (NavChangeKind::Moved, "C".to_string()),
            ]
        );
    }
}
