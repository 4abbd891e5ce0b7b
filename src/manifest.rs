//! `manifest.json`: parsing and validating the navigation tree (the coder/coder format).
//!
//! ```json
//! {"versions": ["main"], "routes": [{"title": "About", "path": "./README.md",
//!   "icon_path": "./images/icons/home.svg", "state": ["beta"], "children": [...]}]}
//! ```
//!
//! The parser keeps the position of every value, so errors name the line, column and the
//! JSON path of the route (`routes[3].children[0].path`). Whether the files exist is the
//! site's business ([`crate::site`]); this module only checks the shape.
//!
//! Two parsers read it: [`fast`] takes the common case, a manifest with nothing to report,
//! straight from the text; anything else (every manifest with a finding, and a few valid
//! but rare forms) goes to the precise parser, jsonc-parser's syntax tree with a position
//! on every node, which makes the findings. Both give the same [`Manifest`].

use jsonc_parser::ast::{Array, Object, ObjectProp, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};

use crate::diag::{Diagnostic, Kind, LineIndex, Pos, Severity};
use crate::paths;

mod fast;

/// The file name, as diagnostics show it.
pub const MANIFEST_FILE: &str = "manifest.json";

/// Index of a route in [`Manifest::routes`].
pub type RouteId = usize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub title: String,
    pub description: Option<String>,
    /// The page, relative to the docs folder, normalized (`./a/b.md` → `a/b.md`).
    pub path: Option<String>,
    /// The SVG icon, relative to the docs folder, normalized.
    pub icon_path: Option<String>,
    pub states: Vec<String>,
    pub children: Vec<RouteId>,
    pub parent: Option<RouteId>,
    /// Where the route sits in the JSON: `routes[3].children[0]`.
    pub json_path: String,
    pub pos: Pos,
    pub path_pos: Pos,
    pub icon_pos: Pos,
}

impl Route {
    /// A route at `json_path` with nothing read yet: no title, page, icon, states or children.
    fn new(json_path: String, parent: Option<RouteId>, pos: Pos) -> Route {
        Route {
            title: String::new(),
            description: None,
            path: None,
            icon_path: None,
            states: Vec::new(),
            children: Vec::new(),
            parent,
            json_path,
            pos,
            path_pos: Pos::FILE,
            icon_pos: Pos::FILE,
        }
    }
}

/// The navigation tree. Routes are stored in manifest (depth-first) order, which is also
/// the reading order used for previous/next links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    pub versions: Vec<String>,
    pub routes: Vec<Route>,
    pub roots: Vec<RouteId>,
}

impl Manifest {
    /// Ancestors of a route, outermost first.
    pub fn ancestors(&self, id: RouteId) -> Vec<RouteId> {
        let mut out = Vec::new();
        let mut cur = self.routes[id].parent;
        while let Some(p) = cur {
            out.push(p);
            cur = self.routes[p].parent;
        }
        out.reverse();
        out
    }
}

/// Plain JSON, as `encoding/json` and `JSON.parse` accept it: docs files are read by other
/// tools too, so docsite accepts nothing they would reject.
pub(crate) fn strict_json() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// Parses `text`. On success returns the manifest and its findings: unknown keys
/// (warnings) and paths that leave the docs folder (errors that do not stop the load: the
/// route just has no page). When the manifest is not valid JSON or not shaped like one,
/// returns every such error found, so one run shows them all.
pub fn parse(text: &str) -> Result<(Manifest, Vec<Diagnostic>), Vec<Diagnostic>> {
    match fast::parse(text) {
        Some(manifest) => Ok((manifest, Vec::new())),
        None => precise(text),
    }
}

/// [`parse`] through jsonc-parser's syntax tree, which has the positions every finding needs.
fn precise(text: &str) -> Result<(Manifest, Vec<Diagnostic>), Vec<Diagnostic>> {
    let parsed = parse_to_ast(text, &CollectOptions::default(), &strict_json()).map_err(|e| {
        let pos = Pos::new(e.line_display(), e.column_display());
        vec![
            Diagnostic::error(
                Kind::InvalidManifest,
                MANIFEST_FILE,
                pos,
                format!("invalid JSON: {}", e.kind()),
            )
            .with_help("manifest.json must be plain JSON (no comments or trailing commas)"),
        ]
    })?;
    let mut p = Parser {
        idx: LineIndex::new(text),
        diags: Vec::new(),
        manifest: Manifest::default(),
    };
    match parsed.value {
        Some(Value::Object(root)) => p.root(&root),
        Some(other) => p.error(&other, "", "the manifest must be a JSON object with a `routes` array"),
        None => p.diags.push(Diagnostic::error(
            Kind::InvalidManifest,
            MANIFEST_FILE,
            Pos::new(1, 1),
            "the manifest is empty",
        )),
    }
    let fatal = |d: &Diagnostic| d.severity == Severity::Error && d.kind == Kind::InvalidManifest;
    if p.diags.iter().any(fatal) {
        Err(p.diags)
    } else {
        Ok((p.manifest, p.diags))
    }
}

struct Parser<'t> {
    idx: LineIndex<'t>,
    diags: Vec<Diagnostic>,
    manifest: Manifest,
}

impl Parser<'_> {
    fn pos(&self, node: &impl Ranged) -> Pos {
        self.idx.pos(node.range().start)
    }

    fn error(&mut self, node: &impl Ranged, json_path: &str, msg: &str) {
        let pos = self.pos(node);
        let msg = if json_path.is_empty() {
            msg.to_string()
        } else {
            format!("`{json_path}`: {msg}")
        };
        self.diags
            .push(Diagnostic::error(Kind::InvalidManifest, MANIFEST_FILE, pos, msg));
    }

    fn unknown_key(&mut self, prop: &ObjectProp, json_path: &str, known: &str) {
        let pos = self.pos(prop);
        let name = prop.name.as_str();
        let at = if json_path.is_empty() {
            String::new()
        } else {
            format!(" in `{json_path}`")
        };
        self.diags.push(
            Diagnostic::warning(
                Kind::UnknownKey,
                MANIFEST_FILE,
                pos,
                format!("unknown key `{name}`{at} is ignored"),
            )
            .with_help(format!("known keys: {known}")),
        );
    }

    fn root(&mut self, obj: &Object) {
        let mut saw_routes = false;
        for prop in &obj.properties {
            match prop.name.as_str() {
                "versions" => {
                    if let Some(list) = self.strings(&prop.value, "versions") {
                        self.manifest.versions = list;
                    }
                }
                "routes" => {
                    saw_routes = true;
                    match &prop.value {
                        Value::Array(arr) => {
                            // A big manifest has 10k routes of ~230 bytes: growing the list
                            // would copy them over and over into fresh memory.
                            self.manifest.routes.reserve(route_objects(arr));
                            let roots = self.routes(arr, "routes", None);
                            self.manifest.roots = roots;
                        }
                        other => self.error(other, "routes", "expected an array of routes"),
                    }
                }
                _ => self.unknown_key(prop, "", "versions, routes"),
            }
        }
        if !saw_routes {
            let pos = self.pos(obj);
            self.diags.push(
                Diagnostic::error(
                    Kind::InvalidManifest,
                    MANIFEST_FILE,
                    pos,
                    "the manifest has no `routes` array",
                )
                .with_help(r#"add "routes": [{"title": "Home", "path": "./README.md"}]"#),
            );
        }
    }

    fn routes(&mut self, arr: &Array, json_path: &str, parent: Option<RouteId>) -> Vec<RouteId> {
        let mut ids = Vec::with_capacity(arr.elements.len());
        for (i, el) in arr.elements.iter().enumerate() {
            let path = format!("{json_path}[{i}]");
            match el {
                Value::Object(obj) => ids.push(self.route(obj, path, parent)),
                other => self.error(other, &path, "expected a route object"),
            }
        }
        ids
    }

    fn route(&mut self, obj: &Object, json_path: String, parent: Option<RouteId>) -> RouteId {
        let id = self.manifest.routes.len();
        let pos = self.pos(obj);
        self.manifest.routes.push(Route::new(json_path.clone(), parent, pos));
        let mut title = None;
        for prop in &obj.properties {
            let key = prop.name.as_str();
            let key_path = format!("{json_path}.{key}");
            match key {
                "title" => title = self.string(&prop.value, &key_path),
                "description" => self.manifest.routes[id].description = self.string(&prop.value, &key_path),
                "path" | "icon_path" => {
                    let Some(raw) = self.string(&prop.value, &key_path) else {
                        continue;
                    };
                    let pos = self.pos(&prop.value);
                    match paths::normalize(&raw) {
                        Some(p) if !p.is_empty() => {
                            let r = &mut self.manifest.routes[id];
                            if key == "path" {
                                r.path = Some(p);
                                r.path_pos = pos;
                            } else {
                                r.icon_path = Some(p);
                                r.icon_pos = pos;
                            }
                        }
                        Some(_) => self.error(&prop.value, &key_path, "is empty"),
                        None => self.diags.push(
                            Diagnostic::error(
                                Kind::MissingRouteFile,
                                MANIFEST_FILE,
                                pos,
                                format!("`{key_path}`: `{raw}` points outside the docs folder"),
                            )
                            .with_excerpt(&format!("\"{raw}\""))
                            .with_help("paths are relative to the folder of manifest.json"),
                        ),
                    }
                }
                "state" => {
                    // The coder format has used both a plain string and an array of strings.
                    let states = match &prop.value {
                        Value::StringLit(s) => Some(vec![s.value.to_string()]),
                        other => self.strings(other, &key_path),
                    };
                    if let Some(states) = states {
                        self.manifest.routes[id].states = states.into_iter().filter(|s| !s.trim().is_empty()).collect();
                    }
                }
                "children" => match &prop.value {
                    Value::Array(arr) => {
                        let children = self.routes(arr, &key_path, Some(id));
                        self.manifest.routes[id].children = children;
                    }
                    other => self.error(other, &key_path, "expected an array of routes"),
                },
                _ => self.unknown_key(prop, &json_path, "title, description, path, icon_path, state, children"),
            }
        }
        match title {
            Some(t) if !t.trim().is_empty() => self.manifest.routes[id].title = t,
            _ => self.error(obj, &json_path, "route has no `title`"),
        }
        id
    }

    fn string(&mut self, v: &Value, json_path: &str) -> Option<String> {
        match v {
            Value::StringLit(s) => Some(s.value.to_string()),
            other => {
                self.error(other, json_path, &format!("expected a string, found {}", kind(other)));
                None
            }
        }
    }

    fn strings(&mut self, v: &Value, json_path: &str) -> Option<Vec<String>> {
        let Value::Array(arr) = v else {
            self.error(
                v,
                json_path,
                &format!("expected an array of strings, found {}", kind(v)),
            );
            return None;
        };
        let mut out = Vec::new();
        for (i, el) in arr.elements.iter().enumerate() {
            if let Some(s) = self.string(el, &format!("{json_path}[{i}]")) {
                out.push(s);
            }
        }
        Some(out)
    }
}

/// How many route objects `routes` and their `children` hold (at most as many routes as
/// the parse makes).
fn route_objects(routes: &Array) -> usize {
    let objects = routes.elements.iter().filter_map(|el| match el {
        Value::Object(obj) => Some(obj),
        _ => None,
    });
    objects
        .map(|obj| {
            let children = obj.properties.iter().filter(|p| p.name.as_str() == "children");
            let nested: usize = children
                .map(|p| match &p.value {
                    Value::Array(arr) => route_objects(arr),
                    _ => 0,
                })
                .sum();
            1 + nested
        })
        .sum()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::StringLit(_) => "a string",
        Value::NumberLit(_) => "a number",
        Value::BooleanLit(_) => "a boolean",
        Value::Object(_) => "an object",
        Value::Array(_) => "an array",
        Value::NullKeyword(_) => "null",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        parse(text).unwrap_err().iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn parses_tree_in_order_with_normalized_paths() {
        let text = r#"{"versions": ["main"], "routes": [
            {"title": "Home", "path": "./README.md", "icon_path": "./images/home.svg"},
            {"title": "Guide \u0026 more", "path": "guide/index.md", "state": "beta", "children": [
                {"title": "A", "path": "./guide/a.md", "state": ["premium", "early access"]}
            ]}
        ]}"#;
        let (m, warnings) = parse(text).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(m.versions, ["main"]);
        assert_eq!(m.roots, [0, 1]);
        assert_eq!(m.routes[1].title, "Guide & more");
        assert_eq!(m.routes[1].states, ["beta"]);
        assert_eq!(m.routes[2].path.as_deref(), Some("guide/a.md"));
        assert_eq!(m.routes[2].parent, Some(1));
        assert_eq!(m.routes[2].json_path, "routes[1].children[0]");
        assert_eq!(m.routes[2].path_pos, Pos::new(4, 40));
        assert_eq!(m.routes[0].icon_path.as_deref(), Some("images/home.svg"));
        assert_eq!(m.ancestors(2), [1]);
    }

    #[test]
    fn invalid_json_reports_line_and_column() {
        let e = errors("{\n  \"routes\": [\n    {\"title\": \"x\",}\n  ]\n}");
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("manifest.json:3:"), "{}", e[0]);
        assert!(e[0].contains("invalid JSON"), "{}", e[0]);
    }

    #[test]
    fn wrong_types_name_the_json_path() {
        let e = errors(r#"{"routes": [{"title": "a"}, {"title": "b", "children": [{"title": "c", "path": 3}]}]}"#);
        assert_eq!(
            e,
            ["manifest.json:1:80: error: `routes[1].children[0].path`: expected a string, found a number"]
        );
        let e = errors(r#"{"routes": [{"path": "a.md"}]}"#);
        assert_eq!(e, ["manifest.json:1:13: error: `routes[0]`: route has no `title`"]);
    }

    #[test]
    fn path_leaving_docs_is_an_error_that_does_not_stop_the_load() {
        let (m, d) = parse(r#"{"routes": [{"title": "a", "path": "../secret.md"}]}"#).unwrap();
        assert_eq!(m.routes[0].path, None);
        assert_eq!(d[0].kind, Kind::MissingRouteFile);
        assert_eq!(
            d[0].to_string(),
            "manifest.json:1:36: error: `routes[0].path`: `../secret.md` points outside the docs folder\n  help: paths are relative to the folder of manifest.json"
        );
    }

    #[test]
    fn unknown_keys_warn() {
        let (_, w) = parse(r#"{"routes": [{"title": "a", "path": "a.md", "colour": "red"}], "extra": 1}"#).unwrap();
        let w: Vec<String> = w.iter().map(|d| d.to_string()).collect();
        assert_eq!(w.len(), 2);
        assert!(w[0].contains("unknown key `colour` in `routes[0]`"), "{}", w[0]);
        assert!(w[1].contains("unknown key `extra`"), "{}", w[1]);
    }

    /// Whether the fast path took `text`. When it did, the precise parser must accept it
    /// without a finding and build the same manifest (positions and JSON paths included);
    /// either way [`parse`] must answer as the precise parser does.
    fn fast_agrees(text: &str) -> bool {
        let precise = precise(text);
        assert_eq!(parse(text), precise, "{text:?}");
        match fast::parse(text) {
            Some(m) => {
                assert_eq!(precise, Ok((m, Vec::new())), "{text:?}");
                true
            }
            None => false,
        }
    }

    /// A manifest with everything the fast path takes: escapes, `state` as a string and as
    /// an array (with a blank one), nesting, a page listed twice, non-ASCII text before a
    /// path (columns count characters), tabs and CRLF line ends.
    const CLEAN: &str = "{\"versions\": [\"main\", \"v2\"], \"routes\": [\r\n\
        {\"title\": \"Home \\u0026 \\\"more\\\" \\/ \\t\\n\\u00e9\", \"path\": \"./README.md\", \"icon_path\": \"./i/home.svg\"},\n\
        \t{\"title\": \"Gu\u{ef}de \u{1f600}\", \"description\": \"d\u{e9}\", \"path\": \"a//b/../guide.md\", \"state\": \"beta\",\n\
        \"children\": [{\"title\": \"A\", \"path\": \"/guide/a.md\", \"state\": [\"premium\", \" \", \"early access\"],\n\
            \"children\": [{\"title\": \"Deep\", \"path\": \"README.md\", \"children\": []}]}]},\n\
        {\"title\": \"No page\", \"state\": []}\n  ]  }\n";

    #[test]
    fn fast_path_builds_what_the_precise_parser_builds() {
        assert!(fast_agrees(CLEAN));
        let (m, _) = parse(CLEAN).unwrap();
        assert_eq!(m.routes[0].title, "Home & \"more\" / \t\n\u{e9}");
        assert_eq!(m.routes[1].states, ["beta"]);
        assert_eq!(m.routes[2].states, ["premium", "early access"]);
        assert_eq!(m.routes[3].json_path, "routes[1].children[0].children[0]");
        assert_eq!(m.routes[1].path_pos, Pos::new(3, 52));
        assert!(fast_agrees(r#"{"routes": []}"#));
        assert!(fast_agrees(r#" {"routes": [{"title": "x"}], "versions": []} "#));
        for docs in ["docs", "tests/fixtures/acme"] {
            let text = std::fs::read_to_string(format!("{docs}/manifest.json")).unwrap();
            assert!(fast_agrees(&text), "{docs}");
        }
        // The corpus the benchmarks scale up, when it is there.
        if let Ok(text) = std::fs::read_to_string("../shared/corpus/coder-docs/docs/manifest.json") {
            assert!(fast_agrees(&text));
        }
    }

    #[test]
    fn anything_with_a_finding_goes_to_the_precise_parser() {
        let cases = [
            // Invalid JSON, and what jsonc-parser could take but plain JSON does not.
            "",
            "   ",
            "{",
            r#"{"routes": [{"title": "x",}]}"#,
            r#"{"routes": [{"title": "x"},]}"#,
            r#"{"routes": [{"title": "x"} {"title": "y"}]}"#,
            "{\"routes\": [] // comment\n}",
            "/* c */ {\"routes\": []}",
            r#"{routes: []}"#,
            r#"{'routes': []}"#,
            r#"{"routes": [{"title": 'x'}]}"#,
            r#"{"routes": [{"title": "\x41"}]}"#,
            r#"{"routes": [{"title": "\'"}]}"#,
            r#"{"routes": [{"title": "\u00g1"}]}"#,
            r#"{"routes": [{"title": "\u00"}]}"#,
            r#"{"routes": []} {}"#,
            r#"{"routes": []} x"#,
            // Not shaped like a manifest: wrong types, a missing `routes`, no title.
            r#"[]"#,
            r#"{}"#,
            r#"{"versions": ["main"]}"#,
            r#"{"routes": {}}"#,
            r#"{"routes": [1]}"#,
            r#"{"routes": [null, {"title": "a"}]}"#,
            r#"{"versions": "main", "routes": []}"#,
            r#"{"versions": [1], "routes": []}"#,
            r#"{"routes": [{"title": 1}]}"#,
            r#"{"routes": [{"title": "a", "description": false}]}"#,
            r#"{"routes": [{"title": "a", "path": 3}]}"#,
            r#"{"routes": [{"title": "a", "icon_path": ["x"]}]}"#,
            r#"{"routes": [{"title": "a", "state": 1}]}"#,
            r#"{"routes": [{"title": "a", "state": ["x", 2]}]}"#,
            r#"{"routes": [{"title": "a", "children": {}}]}"#,
            r#"{"routes": [{"title": "a", "children": [[]]}]}"#,
            r#"{"routes": [{"path": "a.md"}]}"#,
            r#"{"routes": [{"title": " \t", "path": "a.md"}]}"#,
            // Findings that do not stop the load: unknown keys, paths.
            r#"{"routes": [], "extra": 1}"#,
            r#"{"routes": [{"title": "a", "colour": "red"}]}"#,
            r#"{"routes": [{"title": "a", "path": "../secret.md"}]}"#,
            r#"{"routes": [{"title": "a", "icon_path": "/../x.svg"}]}"#,
            r#"{"routes": [{"title": "a", "path": ""}]}"#,
            r#"{"routes": [{"title": "a", "path": "./"}]}"#,
            // Valid but rare: left to the precise parser rather than copied.
            r#"{"routes": [{"title": "a", "title": "b"}]}"#,
            r#"{"routes": [{"title": "a", "children": [], "children": [{"title": "b"}]}]}"#,
            r#"{"routes": [], "routes": [{"title": "b"}]}"#,
            r#"{"versions": [], "versions": ["x"], "routes": []}"#,
            r#"{"rout\u0065s": []}"#,
            r#"{"routes": [{"title": "\ud83d\ude00"}]}"#,
            "{\"routes\": [{\"title\": \"a\tb\"}]}",
            "{\"routes\": [{\"title\": \"a\nb\"}]}",
            "\u{feff}{\"routes\": []}",
            "{\u{a0}\"routes\": []}",
            "{\"routes\":\u{b}[]}",
        ];
        for text in cases {
            assert!(!fast_agrees(text), "{text:?}");
        }
        // The fallback's findings, as the precise parser alone gave them before.
        assert_eq!(
            parse(r#"{"routes": [{"title": "a", "colour": "red"}]}"#).unwrap().1[0].to_string(),
            "manifest.json:1:28: warning: unknown key `colour` in `routes[0]` is ignored\n  \
             help: known keys: title, description, path, icon_path, state, children"
        );
        assert_eq!(
            errors(r#"{"routes": [{"title": "a", "state": ["x", 2]}]}"#),
            ["manifest.json:1:43: error: `routes[0].state[1]`: expected a string, found a number"]
        );
        let e = errors("{\"routes\": [] // comment\n}");
        assert!(
            e[0].starts_with("manifest.json:1:15: error: invalid JSON: Comments are not allowed"),
            "{e:?}"
        );
        let e = errors(r#"{"routes": [{"title": "x"},]}"#);
        assert!(e[0].starts_with("manifest.json:1:27: error: invalid JSON: "), "{e:?}");
    }

    #[test]
    fn routes_nested_past_the_fast_paths_depth_go_to_the_precise_parser() {
        let deep = |levels: usize| {
            let mut text = String::from(r#"{"routes": ["#);
            text.push_str(&r#"{"title": "t", "children": ["#.repeat(levels));
            text.push_str(&"]}".repeat(levels));
            text.push_str("]}");
            text
        };
        assert!(fast_agrees(&deep(fast::MAX_DEPTH)));
        assert!(!fast_agrees(&deep(fast::MAX_DEPTH + 2)));
    }

    /// Every one-byte deletion, and insertions and replacements of the bytes JSON is made
    /// of, at every position of [`CLEAN`]: the fast path either leaves the text to the
    /// precise parser or builds what it builds.
    #[test]
    fn fast_path_agrees_on_mutated_manifests() {
        let bytes = CLEAN.as_bytes();
        let mut taken = 0;
        let mut check = |mutated: Vec<u8>| {
            if let Ok(text) = String::from_utf8(mutated) {
                taken += usize::from(fast_agrees(&text));
            }
        };
        for i in 0..=bytes.len() {
            if i < bytes.len() {
                check([&bytes[..i], &bytes[i + 1..]].concat());
            }
            for b in *b"{}[],:\" \\/\nu0a.1" {
                check([&bytes[..i], &[b], &bytes[i..]].concat());
                if i < bytes.len() {
                    check([&bytes[..i], &[b], &bytes[i + 1..]].concat());
                }
            }
        }
        // Many mutations keep the manifest clean (a changed title or path, more spaces).
        assert!(taken > 1000, "{taken}");
    }
}
