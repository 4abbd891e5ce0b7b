//! GitHub's emoji shortcodes: `:tada:` in text shows as 🎉, as it does on GitHub. Only the
//! names GitHub knows (gemoji's, which the `emojis` crate carries; `build.rs` writes them
//! as a table that costs no memory until it is read) are replaced, and only
//! where no letter or digit touches the colons: `host:x:1000` or `a:b:c` stay as written,
//! though `:x:` and `:b:` are emoji. Code is never touched: it reaches the renderer as
//! events of its own.

use std::borrow::Cow;
use std::cmp::Ordering;

include!(concat!(env!("OUT_DIR"), "/shortcodes.rs"));

/// The emoji of a shortcode's name (`tada` → 🎉): a binary search of the sorted names.
fn emoji(name: &str) -> Option<&'static str> {
    let start = |ends: &[u32], i: usize| if i == 0 { 0 } else { ends[i - 1] as usize };
    let (mut low, mut high) = (0, NAME_ENDS.len());
    while low < high {
        let mid = (low + high) / 2;
        match NAMES.get(start(&NAME_ENDS, mid)..NAME_ENDS[mid] as usize)?.cmp(name) {
            Ordering::Less => low = mid + 1,
            Ordering::Greater => high = mid,
            Ordering::Equal => return EMOJI.get(start(&EMOJI_ENDS, mid)..*EMOJI_ENDS.get(mid)? as usize),
        }
    }
    None
}

/// `text` with each known shortcode replaced by its emoji.
pub fn replace(text: &str) -> Cow<'_, str> {
    // Most text has no colon: no copy, no scan past this one.
    if !text.contains(':') {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while let Some(found) = text[i..].find(':') {
        let open = i + found;
        let name = open + 1;
        let len = bytes[name..]
            .iter()
            .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-'))
            .count();
        let close = name + len;
        if len == 0 || bytes.get(close) != Some(&b':') {
            i = name;
            continue;
        }
        let touches = |at: Option<&u8>| at.is_some_and(|b| b.is_ascii_alphanumeric());
        if touches(open.checked_sub(1).and_then(|j| bytes.get(j))) || touches(bytes.get(close + 1)) {
            i = close;
            continue;
        }
        match emoji(&text[name..close]) {
            Some(emoji) => {
                out.push_str(&text[copied..open]);
                out.push_str(emoji);
                copied = close + 1;
                i = close + 1;
            }
            // Its closing colon may open the next one (`:bad::tada:`).
            None => i = close,
        }
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_names_become_emoji_and_the_rest_stays() {
        for (text, shown) in [
            ("Shipped :tada: today", "Shipped 🎉 today"),
            (":+1::white_check_mark:", "👍✅"),
            ("at 10:30:tada:", "at 10:30:tada:"),
            (":bad::tada:", ":bad:🎉"),
            ("(:tada:).", "(🎉)."),
            (
                ":not_an_emoji: and a:b:c, host:x:1000, :x:y",
                ":not_an_emoji: and a:b:c, host:x:1000, :x:y",
            ),
            ("::", "::"),
            (":", ":"),
            ("no colon", "no colon"),
            ("ends :warning", "ends :warning"),
            ("ünï :rocket: ü", "ünï 🚀 ü"),
        ] {
            assert_eq!(replace(text), shown, "{text}");
        }
        assert!(matches!(replace("a: b"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn the_table_is_sorted_and_whole() {
        let names: Vec<&str> = (0..NAME_ENDS.len())
            .map(|i| &NAMES[if i == 0 { 0 } else { NAME_ENDS[i - 1] as usize }..NAME_ENDS[i] as usize])
            .collect();
        assert!(names.len() > 1500, "{}", names.len());
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        for name in ["+1", "-1", "100", "zzz", "white_check_mark", "a", "zap"] {
            assert!(emoji(name).is_some(), "{name}");
        }
        assert_eq!(emoji("smile"), Some("😄"));
        assert_eq!(emoji("no_such_name"), None);
    }
}
