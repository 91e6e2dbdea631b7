//! The `har` probe: a DevTools HAR export, read as a stream, summarised as facts.

use futures::FutureExt;

use super::{
    ArgSpec, FactSpec, FactType, ProbeArgs, ProbeContext, ProbeKind, ProbeReport, Verdict,
};
use crate::token::har;

pub(crate) const KIND: ProbeKind = ProbeKind {
    name: "har",
    doc: "Read a DevTools HAR export: the 401s, the credentials they carried, the token state.",
    args: &[ArgSpec {
        name: "file",
        required: true,
        secret: false,
        doc: "path of the .har file",
    }],
    facts: &[
        FactSpec {
            name: "requests",
            ty: FactType::Int,
            doc: "requests in the file",
        },
        FactSpec {
            name: "unauthorized",
            ty: FactType::Int,
            doc: "requests answered 401",
        },
        FactSpec {
            name: "first_401_url",
            ty: FactType::Str,
            doc: "first 401's URL, redacted",
        },
        FactSpec {
            name: "first_401_method",
            ty: FactType::Str,
            doc: "first 401's method",
        },
        FactSpec {
            name: "first_401_status",
            ty: FactType::Int,
            doc: "first 401's status (401)",
        },
        FactSpec {
            name: "first_401_sent_credentials",
            ty: FactType::Bool,
            doc: "the first 401 carried credentials of any kind",
        },
        FactSpec {
            name: "first_401_sent_as",
            ty: FactType::StrList,
            doc: "the kinds of credentials it carried, as the http probe's sent_as names them",
        },
        FactSpec {
            name: "sent_authorization",
            ty: FactType::Bool,
            doc: "the first 401 carried an Authorization header",
        },
        FactSpec {
            name: "auth_scheme",
            ty: FactType::Str,
            doc: "its scheme, lower-case",
        },
        FactSpec {
            name: "sent_cookie",
            ty: FactType::Bool,
            doc: "the first 401 carried cookies",
        },
        FactSpec {
            name: "token_expired",
            ty: FactType::Bool,
            doc: "its bearer JWT had expired at the request",
        },
        FactSpec {
            name: "token_kind",
            ty: FactType::Str,
            doc: "jwt, jwe, opaque or malformed",
        },
        FactSpec {
            name: "challenge",
            ty: FactType::Str,
            doc: "its WWW-Authenticate",
        },
        FactSpec {
            name: "auth_exchange_before",
            ty: FactType::Bool,
            doc: "a login or refresh came just before",
        },
        FactSpec {
            name: "error",
            ty: FactType::Str,
            doc: "why the file could not be read",
        },
    ],
    run,
};

fn run(id: String, args: ProbeArgs, _ctx: ProbeContext) -> super::ProbeFuture {
    async move {
        let Some(path) = args
            .get("file")
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
        else {
            return ProbeReport::failed(&id, "har", "no HAR file given");
        };
        // Reading is blocking file I/O: keep it off the async workers.
        let read = tokio::task::spawn_blocking(move || {
            let file = crate::input_file::open_regular(std::path::Path::new(&path))
                .map_err(|e| format!("reading {e}"))?;
            har::analyse(file).map_err(|e| format!("reading {path}: {e}"))
        })
        .await;
        match read {
            Ok(Ok(a)) => describe(&id, &a),
            Ok(Err(e)) => {
                let mut r = ProbeReport::failed(&id, "har", e);
                r.fact("error", r.summary.clone());
                r
            }
            Err(e) => ProbeReport::failed(&id, "har", format!("reading the HAR stopped: {e}")),
        }
    }
    .boxed()
}

/// The kinds of credentials a recorded request carried, named as the http probe's
/// `sent_as` names them (`bearer`, `basic:USER`, `cookie:a,b`, `header:X-Api-Key`).
fn sent_as(e: &har::Exchange) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(a) = &e.authorization {
        out.push(match a.scheme.to_ascii_lowercase().as_str() {
            "bearer" => "bearer".to_owned(),
            "basic" => a
                .user
                .as_ref()
                .map_or_else(|| "basic".to_owned(), |u| format!("basic:{}", u.raw())),
            _ => format!("authorization:{}", a.scheme),
        });
    }
    if !e.cookies.is_empty() {
        // `name=[cookie len=… hmac=…]`: the names only.
        let names: Vec<&str> = e
            .cookies
            .iter()
            .map(|c| c.split_once('=').map_or(c.as_str(), |(n, _)| n))
            .collect();
        out.push(format!("cookie:{}", names.join(",")));
    }
    if let Some(name) = e
        .api_key
        .as_deref()
        .and_then(|k| k.split_whitespace().next())
    {
        out.push(format!("header:{name}"));
    }
    if let Some(param) = &e.token_in_url {
        out.push(format!("query:{param}"));
    }
    out
}

/// The report of a HAR analysis, as the probe gives it (the `why401 har` ticket uses it too).
pub fn describe(id: &str, a: &har::Analysis) -> ProbeReport {
    let mut r = ProbeReport::new(id, "har");
    r.fact("requests", a.requests as i64);
    r.fact("unauthorized", a.unauthorized_total as i64);
    if let Some(first) = a.unauthorized.first() {
        let e = &first.exchange;
        r.fact("first_401_url", e.url.raw());
        r.fact("sent_authorization", e.authorization.is_some());
        r.fact("sent_cookie", !e.cookies.is_empty());
        r.fact("first_401_method", e.method.raw());
        r.fact("first_401_status", e.status);
        let sent_as = sent_as(e);
        r.fact("first_401_sent_credentials", !sent_as.is_empty());
        r.fact("first_401_sent_as", sent_as);
        r.fact("auth_exchange_before", !first.before.is_empty());
        if let Some(c) = e.challenges.first() {
            r.fact("challenge", c.raw());
        }
        if let Some(auth) = &e.authorization {
            r.fact("auth_scheme", auth.scheme.to_ascii_lowercase());
            if let Some(t) = &auth.token {
                r.fact("token_kind", super::jwt::kind_label(t.kind));
                r.fact("token_expired", t.expired.unwrap_or(false));
            }
        }
    }
    for u in a.unauthorized.iter().take(20) {
        let e = &u.exchange;
        r.evidence
            .push(format!("#{} {} {} → 401", e.index, e.method, e.url));
    }
    r.causes.clone_from(&a.causes);
    r.verdict = if a.unauthorized_total == 0 {
        Verdict::Ok
    } else {
        Verdict::Fail
    };
    r.summary = match a.causes.first() {
        Some(c) => format!(
            "{} of {} requests answered 401; most likely {}",
            a.unauthorized_total, a.requests, c.id
        ),
        None => format!(
            "{} of {} requests answered 401",
            a.unauthorized_total, a.requests
        ),
    };
    r
}
