//! Rules across the battery's probes: from the facts of several probe reports (the request as
//! given, the same without credentials, with a normalised Authorization, straight to the
//! backend, at the site root) to ranked causes. Pure: no I/O, so every rule is tested with made-up reports.

use crate::diagnose::CauseHit;
use crate::probe::{FactValue, ProbeReport};

/// Probe ids the rules read; the check battery and the flows use these names.
pub mod ids {
    /// The request with the credentials as given.
    pub(crate) const MAIN: &str = "http";
    /// The same request without credentials.
    pub(crate) const ANONYMOUS: &str = "anonymous";
    /// The same request with the Authorization header normalised.
    pub(crate) const NORMALISED: &str = "normalised";
    /// The request straight to the backend behind the proxy.
    pub(crate) const BACKEND: &str = "backend";
    /// The site root with the same credentials.
    pub(crate) const ELSEWHERE: &str = "elsewhere";
    /// The site root without credentials.
    pub(crate) const ELSEWHERE_ANONYMOUS: &str = "elsewhere_anonymous";
    /// The Apache configuration or .htaccess the person gave, analysed for this request.
    pub(crate) const SERVER_APACHE: &str = "server_apache";
    /// The nginx configuration the person gave, analysed for this request.
    pub(crate) const SERVER_NGINX: &str = "server_nginx";
    /// The user file given alone.
    pub(crate) const USER_FILE: &str = "user_file";

    /// True for the analysis of a file the person gave.
    pub(crate) fn is_server_file(id: &str) -> bool {
        [SERVER_APACHE, SERVER_NGINX, USER_FILE].contains(&id)
    }

    /// The first token the request carries, decoded and checked.
    pub const TOKEN: &str = "token";

    /// The id of the `n`th token sent (from 0): `token`, then `token.2`, `token.3`...
    pub fn token(n: usize) -> String {
        if n == 0 {
            TOKEN.to_owned()
        } else {
            format!("{TOKEN}.{}", n + 1)
        }
    }

    /// True for the report of a token sent.
    pub(crate) fn is_token(id: &str) -> bool {
        id == TOKEN
            || id
                .strip_prefix("token.")
                .is_some_and(|n| n.parse::<usize>().is_ok())
    }
}

/// What the rules know about the request besides the reports (never secret values).
#[derive(Debug, Clone, Default)]
pub struct RuleInput {
    /// Scheme word of the Authorization sent (lower-case), or "basic" for --user; `None` when
    /// the value starts with no plausible scheme word (never a piece of the token).
    pub scheme_sent: Option<String>,
    /// The kind of credential sent: `bearer`, `basic`, `authorization` (another scheme),
    /// `cookie`, `api-key` (a header or query parameter).
    pub credential: Option<&'static str>,
    /// Where the credentials went: `header`, `query`, `cookie`.
    pub places: Vec<&'static str>,
    /// A header named after a scheme (`Bearer: <token>`): no Authorization was sent.
    pub scheme_named_header: Option<String>,
    /// What the normalised request changed: `scheme` or `syntax`.
    pub normalisation: Option<&'static str>,
    pub cookie_sent: bool,
    /// Names of extra headers sent.
    pub header_names: Vec<String>,
    /// The Basic user name sent (a name, not a secret).
    pub user: Option<String>,
}

mod config;
mod said;
mod token;

pub(crate) fn report<'a>(reports: &'a [ProbeReport], id: &str) -> Option<&'a ProbeReport> {
    reports.iter().find(|r| r.id == id)
}

/// The reports of every token sent.
pub(crate) fn tokens(reports: &[ProbeReport]) -> impl Iterator<Item = &ProbeReport> {
    reports.iter().filter(|r| ids::is_token(&r.id))
}

pub(crate) fn status(reports: &[ProbeReport], id: &str) -> Option<i64> {
    match report(reports, id)?.facts.get("status") {
        Some(FactValue::Int(s)) => Some(*s),
        _ => None,
    }
}

pub(crate) fn list(reports: &[ProbeReport], id: &str, fact: &str) -> Vec<String> {
    match report(reports, id).and_then(|r| r.facts.get(fact)) {
        Some(FactValue::StrList(v)) => v.clone(),
        _ => Vec::new(),
    }
}

/// Why the main request's Digest challenge went unanswered, when it did and nothing else
/// carried credentials (an algorithm no client answers, the password limit reached).
fn digest_unanswered(reports: &[ProbeReport]) -> Option<String> {
    let main = report(reports, ids::MAIN)?;
    let outcome = main.facts.get("digest.outcome")?.to_string();
    if !matches!(outcome.as_str(), "unsupported" | "withheld") {
        return None;
    }
    if list(reports, ids::MAIN, "hops")
        .iter()
        .any(|h| h.ends_with("[credentials sent]"))
    {
        return None;
    }
    main.evidence
        .iter()
        .find_map(|e| e.strip_prefix("Digest not answered: "))
        .map(str::to_owned)
}

fn accepted(s: Option<i64>) -> bool {
    s.is_some_and(|s| (200..400).contains(&s))
}

/// The causes the reports point to together, not yet ranked.
pub fn diagnose(reports: &[ProbeReport], input: &RuleInput) -> Vec<CauseHit> {
    let mut hits = Vec::new();
    let Some(main) = status(reports, ids::MAIN) else {
        return hits;
    };
    let url = report(reports, ids::MAIN)
        .and_then(|r| r.facts.get("final_url"))
        .map_or_else(String::new, ToString::to_string);
    if !matches!(main, 401 | 407) {
        let cors = |fact: &str| {
            report(reports, "cors").and_then(|r| r.facts.get(fact)) == Some(&FactValue::Bool(true))
        };
        if accepted(Some(main)) && status(reports, "cors") == Some(401) {
            // Only a page on another origin sends a preflight: without --origin it is a remark.
            let line = format!(
                "{url} answers {main} to the request, but 401 to the CORS preflight browsers send first without credentials"
            );
            hits.push(if cors("explicit_origin") {
                CauseHit::new("cors-preflight-requires-auth", 0.92, line)
            } else {
                CauseHit::remark("cors-preflight-requires-auth", 0.4, line)
            });
        }
        let resent = redirect_resent(reports);
        let not_a_401 = if resent.is_empty() { 0.9 } else { 0.6 };
        if accepted(Some(main)) && !resent.is_empty() {
            let mut hit = CauseHit::new(
                "credentials-dropped-on-redirect",
                0.9,
                format!(
                    "{url} answers {main} only after a redirect on the same origin: why401 sends the credentials again on every hop, but clients that drop Authorization on any redirect (.NET HttpClient) arrive with none and get 401 — call the final URL directly"
                ),
            );
            hit.evidence.extend(resent);
            hits.push(hit);
        }
        hits.push(CauseHit::new(
            "not-a-401",
            not_a_401,
            format!("{url} answered {main}, not 401"),
        ));
        return hits;
    }
    if main == 407 {
        return hits;
    }
    let offered = list(reports, ids::MAIN, "challenge.schemes");
    let unanswered = digest_unanswered(reports);
    let sent = unanswered.is_none()
        && report(reports, ids::MAIN)
            .and_then(|r| r.facts.get("sent_credentials"))
            .is_some_and(|v| *v == FactValue::Bool(true));
    if let Some(name) = &input.scheme_named_header {
        hits.push(CauseHit::new(
            "no-credentials-sent",
            0.93,
            format!("the token went in a header named '{name}:', which no server reads: no Authorization header was sent (write 'Authorization: {name} <token>')"),
        ));
    }
    if !sent {
        let asks = if offered.is_empty() {
            String::new()
        } else {
            format!("; the server asks for {}", offered.join(", "))
        };
        let why = unanswered.map_or_else(String::new, |w| {
            format!(" (the password was not sent: {w})")
        });
        hits.push(CauseHit::new(
            "no-credentials-sent",
            0.8,
            format!("{url} answered 401 to a request without credentials{asks}{why}"),
        ));
        // A body may name a cause that needs no credentials (IIS 401.3: a file ACL).
        said::body_causes(reports, input, sent, &mut hits);
        return hits;
    }
    with_credentials(reports, input, &offered, &url, &mut hits);
    said::body_causes(reports, input, sent, &mut hits);
    token::sound_token_refused(reports, &url, &mut hits);
    config::confirmed_by_the_answer(reports, input, &url, &mut hits);
    token::explained_together(reports, &mut hits);
    if accepted(status(reports, ids::BACKEND)) {
        // The backend accepts the very same credentials: whatever the proxy's 401 looks like,
        // they are not bad, and a person told to re-enter them would change nothing.
        hits.retain(|h| h.id != "bad-credentials");
    }
    hits
}

fn with_credentials(
    reports: &[ProbeReport],
    input: &RuleInput,
    offered: &[String],
    url: &str,
    hits: &mut Vec<CauseHit>,
) {
    let mut hit = |id: &str, c: f64, e: String| hits.push(CauseHit::new(id, c, e));
    if let (Some(kind), Some(s)) = (input.normalisation, status(reports, ids::NORMALISED))
        && accepted(Some(s))
    {
        let id = if kind == "scheme" {
            "wrong-auth-scheme"
        } else {
            "malformed-authorization-header"
        };
        hit(
            id,
            0.92,
            format!(
                "401 with the Authorization header as given, {s} once it was normalised ({kind} fixed)"
            ),
        );
    }
    // A user and password answer the challenge in the scheme it asks for: Digest is sent
    // as Digest, whatever `scheme_sent` guessed from the credentials alone.
    let answered_in_digest = report(reports, ids::MAIN)
        .is_some_and(|r| r.facts.contains_key("digest.outcome"))
        && input.scheme_sent.as_deref() == Some("basic")
        && input.user.is_some();
    if let Some(scheme) = &input.scheme_sent
        && !offered.is_empty()
        && !offered.contains(scheme)
        && !answered_in_digest
    {
        hit(
            "wrong-auth-scheme",
            0.8,
            format!(
                "sent scheme '{scheme}', the server offers {}",
                offered.join(", ")
            ),
        );
    }
    if let Some(b) = status(reports, ids::BACKEND) {
        if accepted(Some(b)) {
            hit(
                "proxy-strips-authorization",
                0.9,
                format!(
                    "the backend accepts the same credentials ({b}) while the proxy answers 401"
                ),
            );
        } else if b == 401 {
            hit(
                "bad-credentials",
                0.6,
                "the backend itself answers 401 to the same credentials".to_owned(),
            );
        }
    }
    let root = status(reports, ids::ELSEWHERE);
    let root_anon = status(reports, ids::ELSEWHERE_ANONYMOUS);
    if accepted(root) && root_anon == Some(401) {
        hit(
            "should-be-403",
            0.7,
            format!(
                "the same credentials are accepted at the site root ({}), so the user is known: a refusal here should be 403",
                root.unwrap_or_default()
            ),
        );
    }
    let anon = status(reports, ids::ANONYMOUS);
    if accepted(anon) {
        let (id, why) = if input.cookie_sent {
            (
                "stale-cookie-or-cache",
                "the cookie sent is what the server rejects",
            )
        } else {
            (
                "bad-credentials",
                "the credentials sent are what the server rejects",
            )
        };
        hit(
            id,
            0.7,
            format!(
                "without credentials {url} answers {}; {why}",
                anon.unwrap_or_default()
            ),
        );
    }
    for name in input.header_names.iter().filter(|n| n.contains('_')) {
        hit(
            "underscore-header-dropped",
            0.55,
            format!(
                "header '{name}' has an underscore: nginx drops it unless underscores_in_headers is on"
            ),
        );
    }
    if let Some(env) = environment_named(url) {
        hit(
            "wrong-url-or-environment",
            0.55,
            format!(
                "the address names the {env} environment and refused the {} sent: {env} and production usually hold separate credentials (and separate URLs)",
                credential_words(input.credential)
            ),
        );
    }
    if input.scheme_named_header.is_none() {
        hit(
            "bad-credentials",
            0.5,
            format!(
                "{url} answered 401 to the {} sent",
                credential_words(input.credential)
            ),
        );
    }
}

/// The environment a host name names (`api-sandbox.example.com` → `sandbox`), if any.
fn environment_named(url: &str) -> Option<&'static str> {
    const WORDS: &[&str] = &[
        "sandbox", "staging", "stage", "test", "testing", "dev", "uat", "qa", "preprod",
    ];
    let host = url::Url::parse(url).ok()?.host_str()?.to_ascii_lowercase();
    // The last label is the top-level domain (`.test` is a reserved one, RFC 2606).
    let (labels, _tld) = host.rsplit_once('.')?;
    labels
        .split(['.', '-'])
        .find_map(|part| WORDS.iter().find(|w| **w == part).copied())
}

/// How the credential sent is named in evidence.
pub(crate) fn credential_words(kind: Option<&str>) -> &'static str {
    match kind {
        Some("bearer") => "bearer token",
        Some("basic") => "user name and password",
        Some("cookie") => "cookie",
        Some("api-key") => "API key",
        _ => "credentials",
    }
}

/// The hops of same-origin redirects on which why401 sent the credentials again.
fn redirect_resent(reports: &[ProbeReport]) -> Vec<String> {
    let Some(r) = report(reports, ids::MAIN) else {
        return Vec::new();
    };
    let same_origin = matches!(
        r.facts.get("redirect.drop_kind"),
        Some(FactValue::Str(k)) if k == "trailing-slash" || k == "same-origin"
    );
    let withheld = r.facts.get("redirect.dropped_credentials") == Some(&FactValue::Bool(true));
    if !same_origin || withheld {
        return Vec::new();
    }
    list(reports, ids::MAIN, "hops")
}

/// Problems of an Authorization value that need no server to see. The evidence never quotes
/// the value.
pub(crate) fn lint_authorization(value: &str) -> Vec<CauseHit> {
    let mut out = Vec::new();
    let mut bad = |e: &str| {
        out.push(CauseHit::new(
            "malformed-authorization-header",
            0.6,
            format!("Authorization header: {e}"),
        ));
    };
    if value.contains(['\r', '\n']) {
        bad("contains a line break");
    }
    if value != value.trim() {
        bad("has leading or trailing whitespace");
    }
    let trimmed = value.trim();
    let Some((scheme, rest)) = trimmed.split_once(char::is_whitespace) else {
        bad("has no scheme word (expected e.g. 'Bearer <token>')");
        return out;
    };
    if rest.starts_with(char::is_whitespace) {
        bad("has more than one space after the scheme");
    }
    let rest = rest.trim();
    if rest.starts_with('"') || rest.ends_with('"') {
        bad("the credentials are wrapped in quotes");
    }
    if rest
        .split_whitespace()
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case(scheme))
    {
        bad("the scheme word is repeated");
    }
    if scheme.eq_ignore_ascii_case("basic") {
        use base64::Engine as _;
        match base64::engine::general_purpose::STANDARD.decode(rest.trim_matches('"')) {
            Ok(bytes) if !bytes.contains(&b':') => {
                bad("Basic credentials decode without a ':' between user and password");
            }
            Ok(_) => {}
            Err(_) => bad("Basic credentials are not valid base64"),
        }
    }
    if !["basic", "bearer", "digest", "negotiate", "ntlm"]
        .contains(&scheme.to_ascii_lowercase().as_str())
    {
        out.push(CauseHit::new(
            "wrong-auth-scheme",
            0.5,
            format!(
                "Authorization scheme '{}' is not a registered HTTP scheme",
                scheme_for_evidence(scheme)
            ),
        ));
    }
    out
}

/// The scheme word, unless it looks like a token (long, or not a plain word).
fn scheme_for_evidence(word: &str) -> String {
    if word.len() <= 16 && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        word.to_owned()
    } else {
        crate::secret::fingerprint("word", word)
    }
}

/// The Authorization value a careful client would send, and what changed: `scheme` when the
/// scheme word was replaced, `syntax` when only spacing, quotes or case were fixed.
pub(crate) fn normalise_authorization(value: &str) -> Option<(String, &'static str)> {
    let clean: String = value.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    let words: Vec<&str> = clean.split_whitespace().collect();
    let (scheme, creds) = match words.as_slice() {
        [] => return None,
        [word] => match super::sent::glued_scheme(word) {
            // `BearereyJ…`: the scheme word glued to the token.
            Some((scheme, rest)) => (canonical_scheme(scheme), rest.to_owned()),
            None => ("Bearer".to_owned(), (*word).to_owned()),
        },
        [scheme, rest @ ..] => (canonical_scheme(scheme), rest.join(" ")),
    };
    let mut creds = creds.trim_matches('"').to_owned();
    if let Some(stripped) = creds.strip_prefix(&format!("{scheme} ")) {
        creds = stripped.to_owned();
    }
    let out = format!("{scheme} {creds}");
    if out == value {
        return None;
    }
    let first = words.first().copied().unwrap_or("");
    let kind = if words.len() > 1 && !first.eq_ignore_ascii_case(&scheme) {
        "scheme"
    } else {
        "syntax"
    };
    Some((out, kind))
}

fn canonical_scheme(word: &str) -> String {
    match word.to_ascii_lowercase().as_str() {
        "basic" => "Basic".to_owned(),
        "digest" => "Digest".to_owned(),
        "negotiate" => "Negotiate".to_owned(),
        "ntlm" => "NTLM".to_owned(),
        // Token, JWT, Bearer in any case, or a scheme nobody registered: Bearer is what APIs mean.
        _ => "Bearer".to_owned(),
    }
}

#[cfg(test)]
mod tests;
