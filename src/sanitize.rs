//! Untrusted content (`serve --untrusted`, for previews of pull requests from forks): raw
//! HTML in pages is cleaned with ammonia (no scripts, event handlers, `javascript:` URLs,
//! frames or forms), and responses carry a Content-Security-Policy that allows only the
//! theme's own scripts. What docsite's markdown writes itself (classes, ids, ARIA and
//! `data-` attributes, task list checkboxes, media) survives the cleaning.

use std::sync::LazyLock;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::markdown::RenderedPage;
use crate::theme::Theme;

/// Whether raw HTML in the markdown is kept as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RawHtml {
    /// The docs are the project's own.
    #[default]
    Trusted,
    /// The docs may come from anyone: clean them.
    Sanitize,
}

impl RawHtml {
    /// The Content-Security-Policy to serve a site built with the theme `theme` gives under:
    /// the theme's ([`content_security_policy`]) for docs from anyone, none for the
    /// project's own. `theme` is called only when a policy is wanted.
    pub fn policy<T: std::borrow::Borrow<Theme>>(self, theme: impl FnOnce() -> T) -> Option<std::sync::Arc<str>> {
        (self == RawHtml::Sanitize).then(|| content_security_policy(theme().borrow()).into())
    }
}

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.add_tags([
        "input",
        "video",
        "audio",
        "source",
        "picture",
        "figure",
        "figcaption",
        "kbd",
        "mark",
    ])
    .add_generic_attributes(["class", "id", "role", "hidden", "tabindex", "align", "width", "height"])
    .add_generic_attribute_prefixes(["data-", "aria-"])
    .add_tag_attributes("input", ["type", "checked", "disabled"])
    .add_tag_attributes("video", ["src", "controls", "poster", "loop", "muted", "playsinline"])
    .add_tag_attributes("audio", ["src", "controls"])
    .add_tag_attributes("source", ["src", "srcset", "type", "media"])
    .add_tag_attributes("img", ["srcset", "loading"])
    .add_tag_attributes("a", ["name"])
    // Ours are relative; keep them as they are.
    .url_relative(ammonia::UrlRelative::PassThrough)
    .link_rel(Some("noopener noreferrer ugc"));
    b
});

/// `html` without anything that could run script or leave the page.
pub fn clean(html: &str) -> String {
    CLEANER.clean(html).to_string()
}

/// Cleans a rendered page's content and headings in place.
pub fn clean_page(page: &mut RenderedPage) {
    page.html = clean(&page.html);
    for entry in &mut page.toc {
        entry.html = clean(&entry.html);
    }
}

/// The Content-Security-Policy for untrusted sites built with `theme`: scripts only from
/// the site itself, plus the inline scripts of the theme's templates, by hash.
pub fn content_security_policy(theme: &Theme) -> String {
    static INLINE: LazyLock<regex::bytes::Regex> =
        LazyLock::new(|| crate::pattern::ascii(r"(?s)<script>(.*?)</script>"));
    let mut hashes: Vec<String> = theme
        .templates
        .values()
        .flat_map(|t| {
            INLINE
                .captures_iter(t.as_bytes())
                .filter_map(move |c| Some(crate::pattern::text(t, c.get(1)?)))
        })
        // A script with template code in it differs per page: it cannot be allowed by hash.
        .filter(|body| !body.contains("{{") && !body.contains("{%"))
        .map(|body| {
            let digest = Sha256::digest(body.as_bytes());
            format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
        })
        .collect();
    hashes.sort();
    hashes.dedup();
    format!(
        "default-src 'self'; script-src 'self' {}; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; \
         media-src 'self' https:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
        hashes.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_urls_go_ours_stay() {
        let dirty = r#"<p class="x" id="y" data-tabs="1" aria-label="z" onclick="steal()">hi</p>
<script>steal()</script><a href="javascript:steal()">a</a><a href="../b/">b</a>
<img src="i.png" onerror="steal()"><iframe src="https://evil.example"></iframe>
<input type="checkbox" checked disabled><details><summary>s</summary>d</details>"#;
        let out = clean(dirty);
        for gone in ["onclick", "<script", "steal()", "javascript:", "onerror", "<iframe"] {
            assert!(!out.contains(gone), "{gone} in {out}");
        }
        for kept in [
            "class=\"x\"",
            "id=\"y\"",
            "data-tabs=\"1\"",
            "aria-label=\"z\"",
            "href=\"../b/\"",
            "src=\"i.png\"",
            "type=\"checkbox\"",
            "<details>",
        ] {
            assert!(out.contains(kept), "{kept} missing from {out}");
        }
    }

    #[test]
    fn the_policy_allows_the_theme_inline_script_by_hash() {
        let csp = content_security_policy(&Theme::embedded());
        assert!(csp.contains("script-src 'self' 'sha256-"), "{csp}");
        assert!(csp.contains("object-src 'none'"));
    }
}
