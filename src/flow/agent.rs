//! Help-desk wording: the flows speak to the person in front of the screen ("open your
//! browser", "I get 401 again"); in help-desk mode that person is an agent and the one with
//! the problem is the caller on the line. One systematic rewrite turns every flow text
//! (titles, bodies, prompts, choices) into text about the caller, and `flows lint` rejects a
//! text the rewrite leaves speaking to the agent as if they were the caller.
//!
//! The rewrite: `you`/`I` become "the caller" at the first mention in a sentence and
//! "they"/"them" after it, with the verb after "the caller" put in the third person
//! (`I log in` → `The caller logs in`, `you are` → `the caller is`); `your`/`my` become
//! "the caller's"/"their". Text in double quotes or backticks is what the caller reads on
//! their own screen (a button, a message) and stays as written.

/// What a step's text opens with in help-desk mode.
pub(crate) const BODY_LEAD: &str = "Go through this with the caller:";

/// A step's body for the agent: the lead line, then the text about the caller.
pub fn body(text: &str) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    format!("{BODY_LEAD}\n{}", rewrite(&reflowed(text)))
}

/// Lines broken inside a sentence joined again: the rewrite makes lines longer, and the
/// screen wraps them anyway. A line ending a sentence, or followed by one that starts with a
/// capital or a list mark, stays a line.
fn reflowed(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        let Some(next) = lines.peek() else { break };
        let ends = line.trim_end().ends_with(['.', '!', '?', ':']) || line.trim().is_empty();
        let starts = next
            .trim_start()
            .chars()
            .next()
            .is_none_or(|c| !c.is_lowercase());
        out.push(if ends || starts { '\n' } else { ' ' });
    }
    out
}

/// A title, prompt, choice label or reason for the agent.
pub fn line(text: &str) -> String {
    rewrite(text)
}

/// The first word of `text` (outside quotes) that speaks as or to the caller, once
/// rewritten: what `flows lint` reports.
pub(crate) fn leftover(text: &str) -> Option<String> {
    if written_for_the_agent(text) {
        return None;
    }
    let rewritten = tokens(&rewrite(text));
    rewritten.iter().enumerate().find_map(|(i, t)| match t {
        Token::Word {
            text,
            quoted: false,
        } if is_person_word(text) && !(text == "I" && glued(&rewritten, i)) => Some(text.clone()),
        _ => None,
    })
}

/// A text that already speaks of the caller is written for the agent ("ask the caller what
/// you see"): its "you" is the agent.
fn written_for_the_agent(text: &str) -> bool {
    text.to_ascii_lowercase().contains("caller")
}

/// True when the word at `i` is glued to what comes before (`Cmd+Option+I`).
fn glued(tokens: &[Token], i: usize) -> bool {
    i.checked_sub(1)
        .and_then(|p| match &tokens[p] {
            Token::Other(o) => o.chars().last(),
            Token::Word { .. } => None,
        })
        .is_some_and(|c| !c.is_whitespace() && !matches!(c, '(' | '"' | '\'' | '`'))
}

/// Words that speak as the caller or to them.
fn is_person_word(word: &str) -> bool {
    if is_acronym(word) {
        return false;
    }
    let w = word.to_ascii_lowercase();
    let w = w.trim_matches('\'');
    if w == "i" {
        // Only the capital I is the pronoun (not the i of "i.e.").
        return word == "I";
    }
    matches!(
        w,
        "i" | "i'm"
            | "i've"
            | "i'll"
            | "i'd"
            | "me"
            | "my"
            | "mine"
            | "myself"
            | "you"
            | "you're"
            | "you've"
            | "you'll"
            | "you'd"
            | "your"
            | "yours"
            | "yourself"
            | "yourselves"
            | "we"
            | "we're"
            | "we've"
            | "our"
            | "ours"
            | "ourselves"
    )
}

/// `US`, `MY`: capitals, not a pronoun.
fn is_acronym(word: &str) -> bool {
    word.chars().count() > 1 && word.chars().all(char::is_uppercase)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word { text: String, quoted: bool },
    Other(String),
}

/// Words (letters and apostrophes) and everything between them, with whether the word sits
/// inside double quotes or backticks.
fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut other = String::new();
    let mut in_double = false;
    let mut in_tick = false;
    for c in text.chars() {
        let is_word = c.is_alphabetic() || (c == '\'' && !word.is_empty());
        if is_word {
            if !other.is_empty() {
                out.push(Token::Other(std::mem::take(&mut other)));
            }
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            push_word(&mut out, &mut word, in_double || in_tick);
        }
        match c {
            '"' => in_double = !in_double,
            '`' => in_tick = !in_tick,
            _ => {}
        }
        other.push(c);
    }
    if !word.is_empty() {
        push_word(&mut out, &mut word, in_double || in_tick);
    }
    if !other.is_empty() {
        out.push(Token::Other(other));
    }
    out
}

fn push_word(out: &mut Vec<Token>, word: &mut String, quoted: bool) {
    // A closing single quote is not part of the word (`'my'`).
    let trailing = word.len() - word.trim_end_matches('\'').len();
    let text = word[..word.len() - trailing].to_owned();
    out.push(Token::Word { text, quoted });
    if trailing > 0 {
        out.push(Token::Other("'".repeat(trailing)));
    }
    word.clear();
}

/// How a pronoun stands in its sentence.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Subject,
    Object,
    Possessive,
    Standalone,
    Reflexive,
}

/// The role and the verb form a pronoun or contraction carries (`you're` → subject + "are").
fn pronoun(lower: &str) -> Option<(Role, Option<&'static str>)> {
    Some(match lower {
        // "you" is told apart from the object by its neighbours.
        "i" | "we" | "you" => (Role::Subject, None),
        "i'm" => (Role::Subject, Some("am")),
        "we're" | "you're" => (Role::Subject, Some("are")),
        "i've" | "we've" | "you've" => (Role::Subject, Some("have")),
        "i'll" | "you'll" | "we'll" => (Role::Subject, Some("will")),
        "i'd" | "you'd" | "we'd" => (Role::Subject, Some("would")),
        // Not "us": `eu vs us` is a region as often as a pronoun.
        "me" => (Role::Object, None),
        "my" | "your" | "our" => (Role::Possessive, None),
        "mine" | "yours" | "ours" => (Role::Standalone, None),
        "myself" | "yourself" | "yourselves" | "ourselves" => (Role::Reflexive, None),
        _ => return None,
    })
}

/// Words after which `you` is an object even before a verb (`let you sign in`).
const BARE_INFINITIVE_VERBS: &[&str] = &[
    "let", "lets", "make", "makes", "help", "helps", "see", "watch", "have",
];

/// Words that cannot follow a subject `you` as its verb.
const NOT_VERBS: &[&str] = &[
    "to", "and", "or", "but", "the", "a", "an", "in", "on", "at", "for", "with", "from", "of",
    "by", "best", "about", "into", "through", "back", "up", "down", "out", "off", "here", "there",
    "this", "that", "these", "those", "what", "how", "why", "when", "where", "which", "who", "if",
    "as", "so", "again", "more", "right", "first", "now", "too", "than", "before", "after",
    "until", "once", "while", "because", "whether", "it", "its", "their", "them", "access", "one",
    "some", "any", "no", "each", "they", "he", "she", "we", "you", "i",
];

/// Adverbs that may sit between a subject and its verb.
const ADVERBS: &[&str] = &[
    "just",
    "still",
    "also",
    "only",
    "never",
    "always",
    "already",
    "really",
    "usually",
    "often",
    "even",
    "sometimes",
    "then",
    "probably",
];

/// Verb forms that stay as they are after "the caller".
const UNCHANGED: &[&str] = &[
    "can",
    "cannot",
    "can't",
    "could",
    "couldn't",
    "will",
    "won't",
    "would",
    "wouldn't",
    "should",
    "shouldn't",
    "must",
    "may",
    "might",
    "did",
    "didn't",
    "was",
    "wasn't",
    "had",
    "hadn't",
    "got",
    "set",
    "put",
    "forgot",
    "saw",
    "made",
    "took",
    "gave",
    "sent",
    "came",
    "went",
    "knew",
    "thought",
    "found",
    "lost",
    "left",
    "ran",
    "kept",
    "paid",
    "told",
    "said",
    "began",
    "wrote",
    "chose",
    "rather",
];

/// The third-person form of `verb` (`log` → `logs`, `try` → `tries`, `are` → `is`).
fn third_person(verb: &str) -> String {
    let lower = verb.to_ascii_lowercase();
    let irregular = match lower.as_str() {
        "am" | "are" => Some("is"),
        "were" => Some("was"),
        "have" => Some("has"),
        "do" => Some("does"),
        "don't" => Some("doesn't"),
        "haven't" => Some("hasn't"),
        "aren't" => Some("isn't"),
        "weren't" => Some("wasn't"),
        _ => None,
    };
    if let Some(i) = irregular {
        return i.to_owned();
    }
    // A past tense stays (`removed`), a verb in -eed does not (`need`, `proceed`).
    let past = lower.ends_with("ed") && !lower.ends_with("eed");
    if UNCHANGED.contains(&lower.as_str()) || past || lower.contains('\'') {
        return verb.to_owned();
    }
    let bytes = lower.as_bytes();
    let consonant_y = lower.ends_with('y')
        && bytes.len() > 1
        && !matches!(bytes[bytes.len() - 2], b'a' | b'e' | b'i' | b'o' | b'u');
    if consonant_y {
        format!("{}ies", &verb[..verb.len() - 1])
    } else if ["s", "sh", "ch", "x", "z", "o"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        format!("{verb}es")
    } else {
        format!("{verb}s")
    }
}

/// Ends a sentence: the next word starts with a capital. (A line break does not: flow
/// bodies break their lines inside sentences.)
fn ends_sentence(other: &str) -> bool {
    other.contains(['.', '!', '?'])
}

/// Ends a clause: the next mention is "the caller" again.
fn ends_clause(other: &str) -> bool {
    ends_sentence(other) || other.contains([':', ';'])
}

/// `text` with its first character upper-cased.
fn capitalised(text: &str) -> String {
    let mut c = text.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

/// The next word after index `i`, unless a sentence or clause ends first.
fn next_word(tokens: &[Token], i: usize) -> Option<(usize, String)> {
    let mut j = i + 1;
    while let Some(t) = tokens.get(j) {
        match t {
            Token::Word { text, .. } => return Some((j, text.to_ascii_lowercase())),
            Token::Other(o) if o.trim().is_empty() => j += 1,
            Token::Other(_) => return None,
        }
    }
    None
}

fn prev_word(tokens: &[Token], i: usize) -> Option<String> {
    let mut j = i.checked_sub(1)?;
    loop {
        match tokens.get(j)? {
            Token::Word { text, .. } => return Some(text.to_ascii_lowercase()),
            Token::Other(o) if o.trim().is_empty() => j = j.checked_sub(1)?,
            Token::Other(_) => return None,
        }
    }
}

/// The whole rewrite (see the module doc). A text that already speaks of the caller is
/// written for the agent and stays as it is.
fn rewrite(text: &str) -> String {
    if written_for_the_agent(text) {
        return text.to_owned();
    }
    let mut tokens = tokens(text);
    let mut mentioned = false;
    let mut sentence_start = true;
    let mut i = 0;
    while i < tokens.len() {
        let (word, quoted) = match &tokens[i] {
            Token::Other(o) => {
                if ends_clause(o) {
                    mentioned = false;
                }
                if ends_sentence(o) {
                    sentence_start = true;
                }
                i += 1;
                continue;
            }
            Token::Word { text, quoted } => (text.clone(), *quoted),
        };
        let lower = word.to_ascii_lowercase();
        let person = if (lower == "i" && (word != "I" || glued(&tokens, i))) || is_acronym(&word) {
            None
        } else {
            pronoun(&lower)
        };
        let Some((mut role, carried)) = person.filter(|_| !quoted) else {
            sentence_start = false;
            i += 1;
            continue;
        };
        let next = next_word(&tokens, i);
        if lower == "you" {
            let after_let =
                prev_word(&tokens, i).is_some_and(|p| BARE_INFINITIVE_VERBS.contains(&p.as_str()));
            let next_is_verb = next
                .as_ref()
                .is_some_and(|(_, n)| !NOT_VERBS.contains(&n.as_str()));
            if after_let || !next_is_verb {
                role = Role::Object;
                // "Who are you?" → "Who is the caller?"
                if !mentioned {
                    agree_before(&mut tokens, i);
                }
            }
        }
        let plural = matches!(lower.as_str(), "we" | "our" | "ours" | "ourselves")
            || lower.starts_with("we'");
        let first = !mentioned && !plural;
        let replacement = match role {
            Role::Subject if first => {
                let verb = carried.map(third_person);
                if carried.is_none() {
                    conjugate_after(&mut tokens, i);
                }
                match verb {
                    Some(v) => format!("the caller {v}"),
                    None => "the caller".to_owned(),
                }
            }
            Role::Subject => match carried {
                Some("am") => "they are".to_owned(),
                Some(v) => format!("they {v}"),
                None => "they".to_owned(),
            },
            Role::Object if first => "the caller".to_owned(),
            Role::Object => "them".to_owned(),
            Role::Possessive | Role::Standalone if first => "the caller's".to_owned(),
            Role::Possessive => "their".to_owned(),
            Role::Standalone => "theirs".to_owned(),
            Role::Reflexive => "themselves".to_owned(),
        };
        mentioned = true;
        // "I" is always a capital: only a sentence's start makes its replacement one.
        let first_person_i = lower == "i" || lower.starts_with("i'");
        let replacement =
            if sentence_start || (!first_person_i && word.starts_with(char::is_uppercase)) {
                capitalised(&replacement)
            } else {
                replacement
            };
        tokens[i] = Token::Word {
            text: replacement,
            quoted: false,
        };
        sentence_start = false;
        i += 1;
    }
    tokens
        .into_iter()
        .map(|t| match t {
            Token::Word { text, .. } | Token::Other(text) => text,
        })
        .collect()
}

/// `are`/`were` right before an object `you` that is really the subject of a question.
fn agree_before(tokens: &mut [Token], i: usize) {
    let Some(p) = i.checked_sub(2) else { return };
    let is_space = matches!(&tokens[p + 1], Token::Other(o) if o.trim().is_empty());
    if let (true, Token::Word { text, quoted }) = (is_space, &tokens[p]) {
        let to = match text.as_str() {
            "are" => "is",
            "Are" => "Is",
            "were" => "was",
            "Were" => "Was",
            _ => return,
        };
        tokens[p] = Token::Word {
            text: to.to_owned(),
            quoted: *quoted,
        };
    }
}

/// Puts the verb after the subject at `i` (skipping adverbs) in the third person, and a
/// second verb joined by "but" in the same clause (`logs in, but gets`).
fn conjugate_after(tokens: &mut [Token], i: usize) {
    let mut at = i;
    while let Some((j, w)) = next_word(tokens, at) {
        if ADVERBS.contains(&w.as_str()) {
            at = j;
            continue;
        }
        if NOT_VERBS.contains(&w.as_str()) {
            return;
        }
        if let Token::Word { text, quoted } = &tokens[j] {
            let conjugated = third_person(text);
            let changed = conjugated != *text;
            tokens[j] = Token::Word {
                text: conjugated,
                quoted: *quoted,
            };
            if changed {
                conjugate_joined(tokens, j);
            }
        }
        return;
    }
}

/// Verbs that follow "and" in the flows' first-person sentences (`I visit a site and get 401`).
const VERBS_AFTER_AND: &[&str] = &["get", "see", "try", "keep"];

/// The verb after the first "but" (or "and" before a known verb) that follows `j` in its clause.
fn conjugate_joined(tokens: &mut [Token], j: usize) {
    let mut k = j + 1;
    while let Some(t) = tokens.get(k) {
        match t {
            Token::Other(o) if ends_clause(o) => return,
            // "but", or "and" before a verb flows use: after "and"/"or" a noun is as likely
            // (`the site or server`), so only these verbs are taken as one.
            Token::Word { text, .. } if text == "but" || text == "and" => {
                let and = text == "and";
                if let Some((v, w)) = next_word(tokens, k)
                    && !NOT_VERBS.contains(&w.as_str())
                    && !ADVERBS.contains(&w.as_str())
                    && (!and || VERBS_AFTER_AND.contains(&w.as_str()))
                    && let Token::Word { text, quoted } = &tokens[v]
                {
                    tokens[v] = Token::Word {
                        text: third_person(text),
                        quoted: *quoted,
                    };
                }
                return;
            }
            _ => k += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_person_choices_speak_of_the_caller() {
        for (mine, theirs) in [
            (
                "I get 401 again right away",
                "The caller gets 401 again right away",
            ),
            (
                "I log in, but get 401 again",
                "The caller logs in, but gets 401 again",
            ),
            (
                "I visit a site and get 401 Unauthorized",
                "The caller visits a site and gets 401 Unauthorized",
            ),
            (
                "I run the site and server that answers",
                "The caller runs the site and server that answers",
            ),
            (
                "I run the site or server that answers",
                "The caller runs the site or server that answers",
            ),
            ("Cmd+Option+I on a Mac", "Cmd+Option+I on a Mac"),
            (
                "I removed it and reloaded nginx",
                "The caller removed it and reloaded nginx",
            ),
            (
                "My browser still shows 401",
                "The caller's browser still shows 401",
            ),
            (
                "I am sure they are right, or I forgot the password",
                "The caller is sure they are right, or they forgot the password",
            ),
            (
                "I would rather not type my password here",
                "The caller would rather not type their password here",
            ),
            (
                "The server is down for everyone; I need the host",
                "The server is down for everyone; the caller needs the host",
            ),
            (
                "Test my user name and password here",
                "Test the caller's user name and password here",
            ),
            (
                "I have no proxy account or it is refused",
                "The caller has no proxy account or it is refused",
            ),
            ("I'm not sure", "The caller is not sure"),
            ("I cannot log in at all", "The caller cannot log in at all"),
            ("I try again", "The caller tries again"),
            ("It works now", "It works now"),
        ] {
            assert_eq!(line(mine), theirs, "{mine}");
        }
    }

    #[test]
    fn second_person_text_speaks_of_the_caller() {
        for (yours, theirs) in [
            ("who you are", "who the caller is"),
            (
                "Open it in your browser.",
                "Open it in the caller's browser.",
            ),
            (
                "The site sends you to a login page.",
                "The site sends the caller to a login page.",
            ),
            (
                "If you see 401, your session ended.",
                "If the caller sees 401, their session ended.",
            ),
            (
                "The link lets you sign in again.",
                "The link lets the caller sign in again.",
            ),
            (
                "You're signed out; you have to log in.",
                "The caller is signed out; the caller has to log in.",
            ),
            ("the password you use", "the password the caller uses"),
            (
                "Pick the line that fits you best.",
                "Pick the line that fits the caller best.",
            ),
            ("Who are you?", "Who is the caller?"),
            ("every step\nyou tried", "every step\nthe caller tried"),
            ("Ask the caller what you see", "Ask the caller what you see"),
        ] {
            assert_eq!(line(yours), theirs, "{yours}");
        }
    }

    #[test]
    fn quoted_text_is_what_the_caller_reads_and_stays() {
        assert_eq!(
            line("Click \"Forgot your password?\" and check your mail"),
            "Click \"Forgot your password?\" and check the caller's mail"
        );
        assert_eq!(leftover("Click \"Forgot your password?\""), None);
    }

    #[test]
    fn bodies_open_with_the_lead_and_blank_stays_blank() {
        assert_eq!(
            body("It means the realm names the\narea you are in.\nNext line."),
            format!("{BODY_LEAD}\nIt means the realm names the area the caller is in.\nNext line.")
        );
        assert_eq!(
            body("Open your browser."),
            format!("{BODY_LEAD}\nOpen the caller's browser.")
        );
        assert_eq!(body("  "), "");
    }

    #[test]
    fn nothing_personal_is_left_after_the_rewrite() {
        assert_eq!(leftover("I visit; you see; my, your, me, we, our"), None);
        assert_eq!(line("eu vs us"), "eu vs us");
        assert_eq!(leftover("Lowercase i is not a pronoun, i.e. none"), None);
        assert_eq!(line("Servers in the US"), "Servers in the US");
    }
}
