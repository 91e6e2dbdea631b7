//! The `jwt` probe: a token from a flow input, decoded and checked; verified when the flow
//! also gives a key (secret, PEM file, JWKS file or URL, or discovery from `iss`).

use futures::FutureExt;

use super::fact;
use super::{ArgSpec, FactType, ProbeArgs, ProbeContext, ProbeKind, ProbeReport, Verdict};
use crate::token::diagnosis::TokenKind;
use crate::token::verify::Key;
use crate::token::{Expectations, Inspection, inspect, jwks, time};

const fn arg(name: &'static str, secret: bool, doc: &'static str) -> ArgSpec {
    ArgSpec {
        name,
        required: false,
        secret,
        doc,
    }
}

pub(crate) const KIND: ProbeKind = ProbeKind {
    name: "jwt",
    doc: "Decode and check a bearer token (JWT or opaque); verify it when a key is given.",
    args: &[
        ArgSpec {
            name: "token",
            required: true,
            secret: true,
            doc: "the token (a 'Bearer ' prefix is noted and removed)",
        },
        arg("aud", false, "audience the API expects"),
        arg("iss", false, "issuer the API expects"),
        arg("scope", false, "scopes the API requires, space-separated"),
        arg("leeway", false, "clock leeway in seconds (60)"),
        arg(
            "server_date",
            false,
            "the server's Date header (or RFC 3339 time)",
        ),
        arg("secret", true, "HMAC secret for HS* tokens"),
        arg(
            "public_key",
            false,
            "path of a PEM public key or certificate",
        ),
        arg("jwks", false, "JWKS file path or URL"),
        arg(
            "discover",
            false,
            "'true': fetch the JWKS through the issuer's OpenID discovery",
        ),
    ],
    facts: &[
        fact(
            "valid_format",
            FactType::Bool,
            "a well-formed JWS, nothing pasted around it",
        ),
        fact("kind", FactType::Str, "jwt, jwe, opaque or malformed"),
        fact(
            "opaque",
            FactType::Bool,
            "not a JWT: only introspection (RFC 7662) can check it",
        ),
        fact(
            "malformed_reason",
            FactType::Str,
            "the first format problem, naming the segment",
        ),
        fact(
            "fingerprint",
            FactType::Str,
            "length and short SHA-256 of the token",
        ),
        fact("alg", FactType::Str, "header alg"),
        fact("typ", FactType::Str, "header typ"),
        fact("kid", FactType::Str, "header kid"),
        fact("iss", FactType::Str, "issuer claim"),
        fact("sub", FactType::Str, "subject claim"),
        fact("azp", FactType::Str, "authorized party claim"),
        fact("aud", FactType::StrList, "audiences"),
        fact("scopes", FactType::StrList, "scopes from scope / scp"),
        fact(
            "expired",
            FactType::Bool,
            "exp is past, beyond the leeway, by the local clock",
        ),
        fact(
            "has_exp",
            FactType::Bool,
            "the token has a usable exp claim",
        ),
        fact(
            "expires_in_s",
            FactType::Int,
            "seconds to exp (negative once expired)",
        ),
        fact(
            "expired_by_server_clock",
            FactType::Bool,
            "expired by the server's Date",
        ),
        fact(
            "not_yet_valid",
            FactType::Bool,
            "nbf or iat in the future beyond the leeway",
        ),
        fact("type_hint", FactType::Str, "access, id, refresh or unknown"),
        fact("signature", FactType::Str, "valid, invalid or unchecked"),
        fact(
            "key_error",
            FactType::Str,
            "why the key could not be read or fetched",
        ),
    ],
    run,
};

fn run(id: String, args: ProbeArgs, ctx: ProbeContext) -> super::ProbeFuture {
    async move { probe(&id, &args, &ctx).await }.boxed()
}

async fn probe(id: &str, args: &ProbeArgs, ctx: &ProbeContext) -> ProbeReport {
    let Some(token) = args.get("token").filter(|t| !t.trim().is_empty()) else {
        return ProbeReport::failed(id, "jwt", "no token given");
    };
    let expect = expectations(args);
    let mut i = inspect(token, &expect);
    let mut report = ProbeReport::new(id, "jwt");
    if i.kind == TokenKind::Jwt {
        match key(args, &i, ctx).await {
            Ok(Some(k)) => i.verify_with(&k),
            Ok(None) => {}
            Err(e) => {
                report.fact("key_error", e.as_str());
                report.evidence.push(format!("signature not checked: {e}"));
                i.unchecked(&e);
            }
        }
    }
    describe(&mut report, &i);
    report
}

fn expectations(args: &ProbeArgs) -> Expectations {
    let nonempty = |k: &str| {
        args.get(k)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    Expectations {
        aud: nonempty("aud"),
        iss: nonempty("iss"),
        scopes: nonempty("scope")
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
        leeway: nonempty("leeway")
            .and_then(|l| l.parse().ok())
            .unwrap_or(60),
        server_now: nonempty("server_date").and_then(|d| time::parse_date(&d)),
        ..Expectations::local()
    }
}

/// The key the arguments name; an error says why it could not be had.
pub async fn key(
    args: &ProbeArgs,
    i: &Inspection,
    ctx: &ProbeContext,
) -> Result<Option<Key>, String> {
    let get = |k: &str| args.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    if let Some(secret) = args.get("secret").filter(|s| !s.is_empty()) {
        return Ok(Some(Key::Secret(secret.as_bytes().to_vec())));
    }
    if let Some(path) = get("public_key") {
        let pem = crate::token::input::read_bounded_file(
            std::path::Path::new(path),
            jwks::DOCUMENT_LIMIT,
        )
        .map_err(|e| crate::error::error_line(&e))?;
        return Ok(Some(Key::Pem(pem.into_bytes())));
    }
    if let Some(source) = get("jwks") {
        let set = if source.starts_with("http://") || source.starts_with("https://") {
            jwks::fetch_set(&ctx.connection(), source).await?
        } else {
            jwks::load_file(std::path::Path::new(source))?
        };
        return Ok(Some(Key::Jwks(set)));
    }
    if get("discover").is_some_and(|d| matches!(d, "true" | "yes" | "1")) {
        let Some(issuer) = get("iss").or_else(|| i.raw_claim("iss")) else {
            return Err("discovery needs an issuer and the token has no iss claim".to_owned());
        };
        return Ok(Some(Key::Jwks(
            jwks::discover(&ctx.connection(), issuer).await?.keys,
        )));
    }
    Ok(None)
}

/// The report of an inspection, as the probe gives it (the `why401 jwt` ticket uses it too).
pub(crate) fn report_of(id: &str, i: &Inspection) -> ProbeReport {
    let mut report = ProbeReport::new(id, "jwt");
    describe(&mut report, i);
    verdict(&mut report, i);
    report
}

fn describe(report: &mut ProbeReport, i: &Inspection) {
    report.fact("fingerprint", i.fingerprint.as_str());
    report.fact("valid_format", i.valid_format());
    report.fact("kind", kind_label(i.kind));
    report.fact("opaque", i.kind == TokenKind::Opaque);
    if let Some(p) = i.problems.first() {
        report.fact("malformed_reason", p.as_str());
    }
    for (fact, value) in [
        ("alg", i.raw_header("alg")),
        ("typ", i.raw_header("typ")),
        ("kid", i.raw_header("kid")),
    ] {
        if let Some(v) = value {
            report.fact(fact, v);
        }
    }
    for name in ["iss", "sub", "azp"] {
        if let Some(v) = i.raw_claim(name) {
            report.fact(name, v);
        }
    }
    report.fact("aud", i.audiences.clone());
    report.fact("scopes", i.scopes.clone());
    // A token without exp never expires: flows can test `jwt.expired` either way.
    report.fact("expired", i.expired.unwrap_or(false));
    report.fact("has_exp", i.expired.is_some());
    if let Some(s) = i.expires_in_s {
        report.fact("expires_in_s", s);
    }
    if let Some(e) = i.expired_by_server_clock {
        report.fact("expired_by_server_clock", e);
    }
    report.fact("not_yet_valid", i.not_yet_valid);
    report.fact("type_hint", i.type_hint.label());
    report.fact("signature", i.signature.label());
    report
        .evidence
        .push(format!("token {} ({})", i.fingerprint, kind_label(i.kind)));
    report.evidence.extend(
        i.times
            .iter()
            .map(|t| format!("{} {} ({})", t.name, t.utc, t.relative)),
    );
    if let Some(d) = &i.signature_detail {
        report
            .evidence
            .push(format!("signature {}: {d}", i.signature.label()));
    }
    report.evidence.extend(i.notes.iter().cloned());
    verdict(report, i);
}

/// Verdict and summary line, from the causes found.
fn verdict(report: &mut ProbeReport, i: &Inspection) {
    report.causes.clone_from(&i.causes);
    report.verdict = if i.causes.iter().any(|c| c.confidence >= 0.7) {
        Verdict::Fail
    } else if i.causes.is_empty() {
        Verdict::Ok
    } else {
        Verdict::Warn
    };
    report.summary = match (i.kind, i.causes.first()) {
        (TokenKind::Opaque, None) => {
            "opaque token: only the issuer can check it (introspection, RFC 7662)".to_owned()
        }
        (_, Some(c)) => format!(
            "{}: {}",
            c.id,
            c.evidence.first().map_or("", String::as_str)
        ),
        (_, None) => format!("token looks fine (signature {})", i.signature.label()),
    };
}

pub(crate) fn kind_label(k: TokenKind) -> &'static str {
    match k {
        TokenKind::Jwt => "jwt",
        TokenKind::Jwe => "jwe",
        TokenKind::Opaque => "opaque",
        TokenKind::Malformed => "malformed",
    }
}
