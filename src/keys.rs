//! Frappe's key formats and Redis glob matching: plain functions over bytes, no PyO3.
//!
//! - site key: `{site}|{key}`
//! - user key: `{site}|user:{user}:{key}`
//! - shared key: `{key}`, unchanged (the caller never gets here)

/// Appends Frappe's prefixed key to `out` (which is cleared first, so a buffer can be reused).
pub fn build_into(out: &mut Vec<u8>, site: &str, user: Option<&str>, key: &[u8]) {
    out.clear();
    out.reserve(site.len() + key.len() + user.map_or(1, |u| u.len() + 7));
    out.extend_from_slice(site.as_bytes());
    out.push(b'|');
    if let Some(user) = user {
        out.extend_from_slice(b"user:");
        out.extend_from_slice(user.as_bytes());
        out.push(b':');
    }
    out.extend_from_slice(key);
}

pub fn build(site: &str, user: Option<&str>, key: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    build_into(&mut out, site, user, key);
    out
}

/// The part of a site key after `{site}|`, or `None` when `full` belongs to another site.
pub fn strip_site<'a>(site: &str, full: &'a [u8]) -> Option<&'a [u8]> {
    full.strip_prefix(site.as_bytes())?.strip_prefix(b"|")
}

/// `text` with Redis glob characters escaped, to match it literally inside a pattern.
pub fn glob_escape(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for &c in text {
        if matches!(c, b'*' | b'?' | b'[' | b']' | b'\\') {
            out.push(b'\\');
        }
        out.push(c);
    }
    out
}

/// Redis' glob matching (`*`, `?`, `[abc]`, `[^a-z]`, `\x`), as KEYS and SCAN MATCH apply it.
pub fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Where to resume after the most recent `*`: (pattern index after it, text index it covers to).
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() {
            match pattern[p] {
                b'*' => {
                    star = Some((p + 1, t));
                    p += 1;
                    continue;
                }
                b'?' => {
                    p += 1;
                    t += 1;
                    continue;
                }
                b'[' => {
                    if let Some((matched, next)) = match_class(pattern, p, text[t]) {
                        if matched {
                            p = next;
                            t += 1;
                            continue;
                        }
                    }
                }
                b'\\' if p + 1 < pattern.len() => {
                    if pattern[p + 1] == text[t] {
                        p += 2;
                        t += 1;
                        continue;
                    }
                }
                c => {
                    if c == text[t] {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
            }
        }
        // Mismatch: let the last `*` swallow one more byte, or fail.
        match star {
            Some((sp, st)) => {
                star = Some((sp, st + 1));
                p = sp;
                t = st + 1;
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Matches `c` against the class starting at `pattern[start] == b'['`.
/// Returns (matched, index after the class), or `None` for an unterminated class.
fn match_class(pattern: &[u8], start: usize, c: u8) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = pattern.get(i) == Some(&b'^');
    if negate {
        i += 1;
    }
    let mut matched = false;
    while i < pattern.len() && pattern[i] != b']' {
        if pattern[i] == b'\\' && i + 1 < pattern.len() {
            matched |= pattern[i + 1] == c;
            i += 2;
        } else if i + 2 < pattern.len() && pattern[i + 1] == b'-' && pattern[i + 2] != b']' {
            let (lo, hi) = (
                pattern[i].min(pattern[i + 2]),
                pattern[i].max(pattern[i + 2]),
            );
            matched |= lo <= c && c <= hi;
            i += 3;
        } else {
            matched |= pattern[i] == c;
            i += 1;
        }
    }
    if i >= pattern.len() {
        return None;
    }
    Some((matched != negate, i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_user_and_plain_keys() {
        assert_eq!(build("_1a2b", None, b"app_hooks"), b"_1a2b|app_hooks");
        assert_eq!(
            build("_1a2b", Some("a@b.com"), b"bootinfo"),
            b"_1a2b|user:a@b.com:bootinfo"
        );
        assert_eq!(build("db", Some("x:y z"), b""), b"db|user:x:y z:");
    }

    #[test]
    fn build_into_reuses_the_buffer() {
        let mut buf = b"leftover".to_vec();
        build_into(&mut buf, "s", None, b"k");
        assert_eq!(buf, b"s|k");
    }

    #[test]
    fn strip_site_only_strips_its_own_prefix() {
        assert_eq!(strip_site("db", b"db|k|x"), Some(&b"k|x"[..]));
        assert_eq!(strip_site("db", b"db2|k"), None);
        assert_eq!(strip_site("db", b"dbk"), None);
    }

    #[test]
    fn escaped_text_matches_only_itself() {
        let text = b"mod.f[x]*?::";
        let mut pattern = glob_escape(text);
        assert!(glob_match(&pattern, text));
        assert!(!glob_match(&pattern, b"mod.fx::"));
        pattern.push(b'*');
        assert!(glob_match(&pattern, b"mod.f[x]*?::abc"));
    }

    #[test]
    fn glob_matches_like_redis() {
        let cases: &[(&[u8], &[u8], bool)] = &[
            (b"db|user:*", b"db|user:a@b:x", true),
            (b"db|test_*", b"db|test_1", true),
            (b"db|test_*", b"db|tes", false),
            (b"*", b"", true),
            (b"a?c", b"abc", true),
            (b"a?c", b"ac", false),
            (b"a[bc]d", b"acd", true),
            (b"a[^bc]d", b"acd", false),
            (b"a[a-c]d", b"abd", true),
            (b"a[c-a]d", b"abd", true),
            (b"a\\*", b"a*", true),
            (b"a\\*", b"ab", false),
            (b"*a*b*", b"xxaxxbxx", true),
            (b"*a*b", b"xxaxxbxx", false),
            (b"d*::*", b"document_cache::User::x", true),
            (b"[", b"[", false),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(
                glob_match(pattern, text),
                *expected,
                "{} ~ {}",
                String::from_utf8_lossy(pattern),
                String::from_utf8_lossy(text)
            );
        }
    }
}
