//! The navigation diff: `manifest.json` at the merge base against the head.
//!
//! Routes are matched by the page they list (through renames), and page-less sections by
//! their breadcrumb of titles, else (after a retitle) by an entry they still hold; a page
//! listed twice is matched occurrence by occurrence.
//! Matched routes are compared for their parent or their order among siblings (moved),
//! title (retitled), states (state-changed), description (redescribed) and icon
//! (icon-changed); the others were added or removed. Of
//! siblings that changed order, the fewest that explain it count as moved (the ones outside
//! the longest run that kept its order).

use std::collections::{HashMap, HashSet};

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
    /// The description under the entry (in `<children>` lists and the page's meta) changed.
    Redescribed,
    IconChanged,
}

/// Where an entry sits in one manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NavPlace {
    /// Titles from the top-level entry down to this one.
    pub breadcrumb: Vec<String>,
    pub states: Vec<String>,
    pub description: Option<String>,
    /// `icon_path`, relative to the docs folder.
    pub icon: Option<String>,
    /// 1-based position among its siblings.
    pub position: usize,
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
    let siblings = match m.routes[id].parent {
        Some(p) => &m.routes[p].children,
        None => &m.roots,
    };
    NavPlace {
        breadcrumb,
        states: m.routes[id].states.clone(),
        description: m.routes[id].description.clone(),
        icon: m.routes[id].icon_path.clone(),
        position: siblings.iter().position(|&s| s == id).map_or(0, |i| i + 1),
        line: m.routes[id].pos.line,
    }
}

/// Head routes that kept their parent but not their order: for each list of siblings, the
/// ones outside the longest subsequence that is in base order.
fn reordered(
    before: &Manifest,
    after: &Manifest,
    matched: &[Option<RouteId>],
    same_parent: &[bool],
) -> HashSet<RouteId> {
    let mut base_pos = vec![0; before.routes.len()];
    for list in std::iter::once(&before.roots).chain(before.routes.iter().map(|r| &r.children)) {
        for (i, &id) in list.iter().enumerate() {
            base_pos[id] = i;
        }
    }
    let mut out = HashSet::new();
    for list in std::iter::once(&after.roots).chain(after.routes.iter().map(|r| &r.children)) {
        let seq: Vec<(RouteId, usize)> = list
            .iter()
            .filter(|&&id| same_parent[id])
            .filter_map(|&id| matched[id].map(|old| (id, base_pos[old])))
            .collect();
        // Longest increasing subsequence of base positions, O(n²): sibling lists are short.
        let mut best = vec![1usize; seq.len()];
        let mut prev = vec![usize::MAX; seq.len()];
        for i in 0..seq.len() {
            for j in 0..i {
                if seq[j].1 < seq[i].1 && best[j] + 1 > best[i] {
                    best[i] = best[j] + 1;
                    prev[i] = j;
                }
            }
        }
        let mut keep = HashSet::new();
        let mut at = (0..seq.len()).max_by_key(|&i| (best[i], std::cmp::Reverse(i)));
        while let Some(i) = at {
            keep.insert(i);
            at = (prev[i] != usize::MAX).then_some(prev[i]);
        }
        out.extend((0..seq.len()).filter(|i| !keep.contains(i)).map(|i| seq[i].0));
    }
    out
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
    let mut matched: Vec<Option<RouteId>> = new_keys.iter().map(|k| old_by_key.get(k.as_str()).copied()).collect();
    let mut old_matched: HashSet<RouteId> = matched.iter().flatten().copied().collect();
    // A page-less section whose title (or an ancestor's) changed: match it with an unmatched
    // base section that held one of its entries. Children first, so nested sections match.
    for id in (0..after.routes.len()).rev() {
        if matched[id].is_some() || after.routes[id].path.is_some() {
            continue;
        }
        let old = after.routes[id].children.iter().find_map(|&c| {
            let parent = before.routes[matched[c]?].parent?;
            (before.routes[parent].path.is_none() && !old_matched.contains(&parent)).then_some(parent)
        });
        if let Some(old) = old {
            matched[id] = Some(old);
            old_matched.insert(old);
        }
    }
    let same_parent: Vec<bool> = (0..after.routes.len())
        .map(|id| {
            matched[id].is_some_and(|old| match (after.routes[id].parent, before.routes[old].parent) {
                (None, None) => true,
                (Some(p), Some(q)) => matched[p] == Some(q),
                _ => false,
            })
        })
        .collect();
    let reordered = reordered(before, after, &matched, &same_parent);

    let mut changes = Vec::new();
    for id in 0..before.routes.len() {
        if !old_matched.contains(&id) {
            changes.push(NavChange {
                change: NavChangeKind::Removed,
                path: before.routes[id].path.clone(),
                before: Some(place(before, id)),
                after: None,
            });
        }
    }
    for id in 0..after.routes.len() {
        let path = after.routes[id].path.clone();
        let Some(old) = matched[id] else {
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
        if !same_parent[id] || reordered.contains(&id) {
            kinds.push(NavChangeKind::Moved);
        }
        if was.title != now.title {
            kinds.push(NavChangeKind::Retitled);
        }
        if was.states != now.states {
            kinds.push(NavChangeKind::StateChanged);
        }
        if was.description != now.description {
            kinds.push(NavChangeKind::Redescribed);
        }
        if was.icon_path != now.icon_path {
            kinds.push(NavChangeKind::IconChanged);
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

    #[test]
    fn a_retitled_section_without_a_page_is_retitled_not_replaced() {
        let before = manifest(
            r#"{"routes": [{"title": "Tools", "children": [{"title": "Deep", "children": [{"title": "A", "path": "a.md"}]}]}]}"#,
        );
        let after = manifest(
            r#"{"routes": [{"title": "Utilities", "children": [{"title": "Deep", "children": [{"title": "A", "path": "a.md"}]}]}]}"#,
        );
        let got: Vec<(NavChangeKind, String)> = diff(&before, &after, &HashMap::new())
            .into_iter()
            .map(|c| (c.change, c.after.unwrap().breadcrumb.join(" › ")))
            .collect();
        assert_eq!(got, [(NavChangeKind::Retitled, "Utilities".to_string())]);
    }

    #[test]
    fn a_reorder_moves_the_fewest_entries() {
        let list = |order: &[&str]| {
            let kids: Vec<String> = order
                .iter()
                .map(|t| format!(r#"{{"title": "{t}", "path": "{t}.md"}}"#))
                .collect();
            manifest(&format!(
                r#"{{"routes": [{{"title": "Home", "path": "README.md", "children": [{}]}}]}}"#,
                kids.join(",")
            ))
        };
        let changes = diff(
            &list(&["a", "b", "c", "d"]),
            &list(&["d", "a", "b", "c"]),
            &HashMap::new(),
        );
        assert_eq!(changes.len(), 1, "{changes:#?}");
        assert_eq!(changes[0].change, NavChangeKind::Moved);
        assert_eq!(changes[0].path.as_deref(), Some("d.md"));
        let (b, a) = (changes[0].before.as_ref().unwrap(), changes[0].after.as_ref().unwrap());
        assert_eq!((b.position, a.position), (4, 1));
        assert!(diff(&list(&["a", "b"]), &list(&["a", "b"]), &HashMap::new()).is_empty());
    }
}
