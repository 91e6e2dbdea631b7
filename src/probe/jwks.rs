//! The `jwks` probe: fetch an issuer's keys (directly, or through OpenID discovery) and say
//! whether the key a token names is among them, the usual cause after a key rotation.

use futures::FutureExt;

use super::{
    ArgSpec, FactSpec, FactType, ProbeArgs, ProbeContext, ProbeKind, ProbeReport, Verdict,
};
use crate::diagnose::CauseHit;
use crate::token::jwks::{self, KeySet};

pub(crate) const KIND: ProbeKind = ProbeKind {
    name: "jwks",
    doc: "Fetch a JWKS (URL, file, or the issuer's OpenID discovery) and look for a kid.",
    args: &[
        ArgSpec {
            name: "url",
            required: false,
            secret: false,
            doc: "JWKS URL or file path",
        },
        ArgSpec {
            name: "issuer",
            required: false,
            secret: false,
            doc: "issuer for OpenID discovery",
        },
        ArgSpec {
            name: "kid",
            required: false,
            secret: false,
            doc: "key id to look for",
        },
        ArgSpec {
            name: "token",
            required: false,
            secret: true,
            doc: "a JWT whose kid (and iss) to use",
        },
    ],
    facts: &[
        FactSpec {
            name: "reachable",
            ty: FactType::Bool,
            doc: "the keys could be fetched and parsed",
        },
        FactSpec {
            name: "jwks_uri",
            ty: FactType::Str,
            doc: "where the keys came from",
        },
        FactSpec {
            name: "discovery_issuer",
            ty: FactType::Str,
            doc: "issuer named by the discovery document",
        },
        FactSpec {
            name: "key_count",
            ty: FactType::Int,
            doc: "usable keys in the set",
        },
        FactSpec {
            name: "kids",
            ty: FactType::StrList,
            doc: "key ids in the set",
        },
        FactSpec {
            name: "kid",
            ty: FactType::Str,
            doc: "the kid looked for",
        },
        FactSpec {
            name: "kid_found",
            ty: FactType::Bool,
            doc: "the kid is in the set",
        },
        FactSpec {
            name: "private_keys_published",
            ty: FactType::Bool,
            doc: "the set leaks private key members",
        },
        FactSpec {
            name: "skipped",
            ty: FactType::Int,
            doc: "entries skipped as unusable",
        },
        FactSpec {
            name: "error",
            ty: FactType::Str,
            doc: "why the keys could not be had",
        },
    ],
    run,
};

fn run(id: String, args: ProbeArgs, ctx: ProbeContext) -> super::ProbeFuture {
    async move { probe(&id, &args, &ctx).await }.boxed()
}

async fn probe(id: &str, args: &ProbeArgs, ctx: &ProbeContext) -> ProbeReport {
    let get = |k: &str| args.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let token =
        get("token").map(|t| crate::token::inspect(t, &crate::token::Expectations::local()));
    let kid = get("kid").map(str::to_owned).or_else(|| {
        token
            .as_ref()
            .and_then(|t| t.raw_header("kid"))
            .map(str::to_owned)
    });
    let issuer = get("issuer").or_else(|| token.as_ref().and_then(|t| t.raw_claim("iss")));
    let mut report = ProbeReport::new(id, "jwks");
    let fetched = match (get("url"), issuer) {
        (Some(url), _) if url.starts_with("http://") || url.starts_with("https://") => {
            jwks::fetch_set(&ctx.connection(), url)
                .await
                .map(|s| (url.to_owned(), s))
        }
        (Some(path), _) => {
            jwks::load_file(std::path::Path::new(path)).map(|s| (path.to_owned(), s))
        }
        (None, Some(iss)) => jwks::discover(&ctx.connection(), iss).await.map(|d| {
            if let Some(doc_iss) = &d.issuer {
                report.fact("discovery_issuer", doc_iss.as_str());
            }
            (d.jwks_uri, d.keys)
        }),
        (None, None) => Err("give a JWKS url, an issuer, or a token with an iss claim".to_owned()),
    };
    match fetched {
        Ok((source, set)) => describe(&mut report, &source, &set, kid.as_deref()),
        Err(e) => {
            report.fact("reachable", false);
            report.fact("error", e.as_str());
            report.verdict = Verdict::Fail;
            report.summary.clone_from(&e);
            report.evidence.push(e);
        }
    }
    report
}

fn describe(report: &mut ProbeReport, source: &str, set: &KeySet, kid: Option<&str>) {
    let kids = set.kids();
    report.fact("reachable", true);
    report.fact("jwks_uri", source);
    report.fact("key_count", set.keys.len() as i64);
    report.fact("kids", kids.clone());
    report.fact("skipped", set.skipped.len() as i64);
    report.fact("private_keys_published", !set.private_leaks.is_empty());
    report.evidence.push(format!(
        "{} usable key(s) at {source}: {}",
        set.keys.len(),
        kids.join(", ")
    ));
    report
        .evidence
        .extend(set.skipped.iter().map(|s| format!("skipped {s}")));
    if !set.private_leaks.is_empty() {
        report.evidence.push(format!(
            "the set publishes private key material for {}: rotate those keys now",
            set.private_leaks.join(", ")
        ));
    }
    report.verdict = Verdict::Ok;
    report.summary = format!("{} key(s) at {source}", set.keys.len());
    if let Some(kid) = kid {
        let found = kids.iter().any(|k| k == kid);
        report.fact("kid", kid);
        report.fact("kid_found", found);
        if !found {
            let why = format!(
                "kid '{kid}' is not in the JWKS at {source} (its kids: {})",
                kids.join(", ")
            );
            report
                .causes
                .push(CauseHit::new("token-key-not-found", 0.85, why.clone()));
            report.verdict = Verdict::Fail;
            report.summary = why;
        }
    }
    if !set.private_leaks.is_empty() && report.verdict == Verdict::Ok {
        report.verdict = Verdict::Warn;
    }
}
