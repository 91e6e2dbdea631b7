//! How an inspection reads on screen and as JSON. The token itself appears only as its
//! fingerprint unless the person asked to reveal it; the signature part is never shown.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::diagnosis::{Inspection, TokenKind};
use crate::diagnose::{CauseHit, cause};

/// Claims shown first, in this order, each on its own line.
const KNOWN: &[&str] = &["iss", "sub", "aud", "azp", "client_id", "scope", "scp"];
const TIMES: &[&str] = &["exp", "nbf", "iat"];

/// The text report for one token. `revealed` is the header.payload to show instead of the
/// fingerprint when the person asked for it.
pub fn text(i: &Inspection, revealed: Option<&str>) -> String {
    let mut out = String::new();
    let kind = match i.kind {
        TokenKind::Jwt => format!("JWT, {}", i.alg().unwrap_or("no alg")),
        TokenKind::Jwe => "encrypted JWT (JWE)".to_owned(),
        TokenKind::Opaque => "opaque token (not a JWT)".to_owned(),
        TokenKind::Malformed => "malformed token".to_owned(),
    };
    let _ = writeln!(out, "Token      {}  {kind}", i.fingerprint);
    if let Some(shown) = revealed {
        let _ = writeln!(out, "Revealed   {shown}.<signature not shown>");
    }
    if let Some(h) = &i.header {
        let parts: Vec<String> = ["alg", "typ", "kid", "cty"]
            .iter()
            .filter_map(|k| h.shown(k).map(|v| format!("{k} {v}")))
            .collect();
        let _ = writeln!(out, "Header     {}", parts.join(" · "));
    }
    if let Some(c) = &i.claims {
        let _ = writeln!(out, "Claims");
        for k in KNOWN {
            if let Some(v) = c.shown(k) {
                let _ = writeln!(out, "  {k:<9} {v}");
            }
        }
        for t in &i.times {
            let _ = writeln!(out, "  {:<9} {}  {}", t.name, t.utc, t.relative);
        }
        let others: Vec<String> = c
            .members()
            .filter(|(k, _)| !KNOWN.contains(&k.raw()) && !TIMES.contains(&k.raw()))
            .map(|(k, v)| format!("  {k:<9} {v}"))
            .collect();
        for line in others {
            let _ = writeln!(out, "{line}");
        }
    }
    if i.kind == TokenKind::Jwt {
        let detail = i
            .signature_detail
            .as_deref()
            .unwrap_or("not checked (give --secret-file, --public-key, --jwks or --discover)");
        let _ = writeln!(out, "Signature  {}: {detail}", i.signature.label());
        let _ = writeln!(
            out,
            "Type       {} token ({})",
            i.type_hint.label(),
            i.type_reason
        );
    }
    for n in &i.notes {
        let _ = writeln!(out, "Note       {n}");
    }
    let empty = match i.kind {
        TokenKind::Opaque | TokenKind::Jwe => {
            "Nothing wrong can be seen from outside; only the issuer can tell more (introspection, RFC 7662)."
        }
        _ if i.signature == super::SignatureState::Valid => "No problem found with this token.",
        _ => "No problem found with this token (its signature was not checked).",
    };
    out.push_str(&causes_text(&i.causes, empty));
    out
}

/// The causes block shared by `jwt` and `har`.
pub(crate) fn causes_text(causes: &[CauseHit], empty: &str) -> String {
    let mut out = String::new();
    if causes.is_empty() {
        out.push('\n');
        out.push_str(empty);
        out.push('\n');
        return out;
    }
    out.push_str("\nFindings, most likely first\n");
    for c in causes {
        let (title, fix) = cause(&c.id).map_or(("", ""), |k| (k.title, k.fix));
        let _ = writeln!(out, "  ✘ {} ({:.0}%): {title}", c.id, c.confidence * 100.0);
        for e in &c.evidence {
            let _ = writeln!(out, "      {e}");
        }
        if !fix.is_empty() {
            let _ = writeln!(out, "      fix: {fix}");
        }
    }
    out
}

/// The `--json` document: {token, kind, header, claims, signature, causes, ...}.
pub fn json(i: &Inspection, revealed: Option<&str>) -> Value {
    let mut v = json!({
        "token": i.fingerprint,
        "length": i.length,
        "kind": i.kind,
        "valid_format": i.valid_format(),
        "header": i.header,
        "claims": i.claims,
        "times": i.times,
        "signature": i.signature,
        "signature_detail": i.signature_detail,
        "type_hint": i.type_hint,
        "scopes": i.scopes,
        "expired": i.expired,
        "expires_in_s": i.expires_in_s,
        "problems": i.problems,
        "notes": i.notes,
        "causes": i.causes,
    });
    if let (Some(shown), Some(obj)) = (revealed, v.as_object_mut()) {
        obj.insert("revealed".to_owned(), Value::String(shown.to_owned()));
    }
    v
}
