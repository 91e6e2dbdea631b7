//! nginx and Apache match with PCRE: lookarounds, backreferences, possessive and atomic
//! groups are all fair game in their configs. `fancy-regex` takes those (backtracking where
//! the pattern needs it, the `regex` crate's engine elsewhere), so a section is evaluated
//! instead of dropped; a pattern even it cannot take is reported, never ignored.

/// A compiled server regex.
pub(crate) struct Pcre(fancy_regex::Regex);

/// Steps one match may take before it is given up (a pathological pattern must not hang).
const BACKTRACK_LIMIT: usize = 1_000_000;

impl Pcre {
    /// Compiles `source` as the server would: `caseless` for nginx `~*` and caseless
    /// server names; `dotall` for Apache (ap_regcomp's default AP_REG_DOTALL).
    pub fn new(source: &str, caseless: bool, dotall: bool) -> Result<Self, String> {
        let flags = match (caseless, dotall) {
            (true, true) => "(?is)",
            (true, false) => "(?i)",
            (false, true) => "(?s)",
            (false, false) => "",
        };
        fancy_regex::RegexBuilder::new(&format!("{flags}{source}"))
            .backtrack_limit(BACKTRACK_LIMIT)
            .delegate_size_limit(1 << 22)
            .build()
            .map(Self)
            .map_err(|e| e.to_string())
    }

    /// Whether the pattern matches anywhere in `text`; `None` when matching gave up.
    pub fn is_match(&self, text: &str) -> Option<bool> {
        self.0.is_match(text).ok()
    }
}

/// Whether a pattern could match `text` at all, judged from its anchored literal start
/// alone (`^/admin...` cannot match `/public`): used only for patterns that do not compile.
pub(crate) fn could_match(source: &str, text: &str, caseless: bool) -> bool {
    let Some(rest) = source.strip_prefix('^') else {
        return true;
    };
    let mut literal = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n) if n.is_ascii_punctuation() => literal.push(n),
                _ => break,
            },
            '.' | '[' | '(' | ')' | '|' | '*' | '+' | '?' | '{' | '$' | '^' => {
                // A quantifier makes the last literal character optional.
                if matches!(c, '*' | '?' | '{') {
                    literal.pop();
                }
                break;
            }
            c => literal.push(c),
        }
    }
    if caseless {
        text.to_lowercase().starts_with(&literal.to_lowercase())
    } else {
        text.starts_with(&literal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcre_only_syntax_is_evaluated() {
        // The lookahead of the common "hide dot-files but .well-known" rule.
        let re = Pcre::new(r"(^|/)\.(?!well-known/)", false, true).unwrap();
        assert_eq!(re.is_match("/.git/config"), Some(true));
        assert_eq!(re.is_match("/.well-known/acme-challenge/x"), Some(false));
        let back = Pcre::new(r"^/(\w+)/\1$", false, false).unwrap();
        assert_eq!(back.is_match("/ab/ab"), Some(true));
        assert_eq!(back.is_match("/ab/cd"), Some(false));
        let possessive = Pcre::new(r"^/a(?>bc|b)c$", false, false).unwrap();
        assert_eq!(possessive.is_match("/abcc"), Some(true));
        assert_eq!(possessive.is_match("/abc"), Some(false));
        assert_eq!(
            Pcre::new("^/CASE", true, false).unwrap().is_match("/case"),
            Some(true)
        );
    }

    #[test]
    fn anchored_literals_rule_out_paths() {
        assert!(!could_match(r"^/admin/(?<x>\d+)", "/public", false));
        assert!(could_match(r"^/admin/(?<x>\d+)", "/admin/1", false));
        assert!(could_match(r"\.php$", "/x", false));
        assert!(could_match(r"^/ab?c", "/ac", false));
        assert!(could_match(r"^/ADMIN", "/admin", true));
    }
}
