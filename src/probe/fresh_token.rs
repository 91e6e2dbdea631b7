//! The `fresh_token` probe: "try again with a fresh token", done. A token is asked of the
//! token endpoint by the client credentials grant (the endpoint given, or found by OpenID
//! discovery of the issuer), the request is made again with it, and the report says whether
//! a fresh token fixes the 401 — or which error the token endpoint gave instead.

use futures::FutureExt;

use super::http::{self, Target};
use super::{ArgSpec, FactType, ProbeArgs, ProbeContext, ProbeKind, ProbeReport, Verdict, fact};
use crate::diagnose::CauseHit;
use crate::net::oauth::{self, ClientAuth, ClientCredentials, TokenOutcome};

pub(crate) const KIND: ProbeKind = ProbeKind {
    name: "fresh_token",
    doc: "A token by the OAuth client credentials grant, and the request made again with it: does a fresh token fix the 401?",
    args: &[
        ArgSpec::new(
            "url",
            true,
            false,
            "address to request with the fresh token",
        ),
        ArgSpec::new("method", false, false, "request method (GET)"),
        ArgSpec::new("body", false, true, "request body (curl's -d)"),
        ArgSpec::new("client_id", true, false, "OAuth client id"),
        ArgSpec::new("client_secret", true, true, "OAuth client secret"),
        ArgSpec::new("scope", false, false, "scope to ask for"),
        ArgSpec::new("audience", false, false, "audience to ask for"),
        ArgSpec::new("token_endpoint", false, false, "token endpoint URL"),
        ArgSpec::new(
            "issuer",
            false,
            false,
            "issuer, for OpenID discovery of the token endpoint",
        ),
        ArgSpec::new(
            "client_auth",
            false,
            false,
            "'basic' (client_secret_basic, default) or 'post'",
        ),
    ],
    facts: &[
        fact(
            "token.obtained",
            FactType::Bool,
            "the token endpoint issued a token",
        ),
        fact("token.endpoint", FactType::Str, "the token endpoint used"),
        fact(
            "token.error",
            FactType::Str,
            "the token endpoint's error code (RFC 6749 §5.2)",
        ),
        fact(
            "token.error_description",
            FactType::Str,
            "its error_description",
        ),
        fact(
            "token.expires_in",
            FactType::Int,
            "lifetime of the token, in seconds",
        ),
        fact("token.scope", FactType::Str, "scope granted"),
        fact(
            "retry.status",
            FactType::Int,
            "status of the request made with the fresh token",
        ),
        fact(
            "fixed",
            FactType::Bool,
            "the request with a fresh token no longer gets 401",
        ),
    ],
    run,
};

fn credentials(args: &ProbeArgs) -> Result<ClientCredentials, String> {
    let get = |k: &str| args.get(k).filter(|v| !v.is_empty()).cloned();
    let url = |k: &str| -> Result<Option<url::Url>, String> {
        get(k)
            .map(|v| http::parse_url(&v).map_err(|e| format!("{k}: {}", e.message)))
            .transpose()
    };
    let cc = ClientCredentials {
        client_id: get("client_id").ok_or("no client_id given")?,
        client_secret: crate::secret::Secret::new(
            get("client_secret").ok_or("no client_secret given")?,
        ),
        scope: get("scope"),
        audience: get("audience"),
        token_endpoint: url("token_endpoint")?,
        issuer: url("issuer")?,
        auth: match get("client_auth").as_deref() {
            None | Some("basic") => ClientAuth::Basic,
            Some("post") => ClientAuth::Post,
            Some(other) => return Err(format!("client_auth '{other}': use basic or post")),
        },
    };
    if cc.token_endpoint.is_none() && cc.issuer.is_none() {
        return Err("give a token endpoint or an issuer to discover it".to_owned());
    }
    Ok(cc)
}

fn run(id: String, args: ProbeArgs, ctx: ProbeContext) -> super::ProbeFuture {
    async move {
        let cc = match credentials(&args) {
            Ok(cc) => cc,
            Err(e) => return ProbeReport::failed(&id, "fresh_token", e),
        };
        let mut report = ProbeReport::new(&id, "fresh_token");
        match oauth::fetch_token(&ctx.connection(), &cc, ctx.timeout).await {
            TokenOutcome::Issued {
                access_token,
                token_type,
                expires_in,
                scope,
                endpoint,
            } => {
                report.fact("token.obtained", true);
                report.fact("token.endpoint", endpoint.as_str());
                if let Some(e) = expires_in {
                    report.fact("token.expires_in", i64::try_from(e).unwrap_or(i64::MAX));
                }
                if let Some(s) = &scope {
                    report.fact("token.scope", s.as_str());
                }
                let life = expires_in
                    .map(|e| format!(", expires in {e} s"))
                    .unwrap_or_default();
                report.evidence.push(format!(
                    "client '{}' got a {token_type} token of {} characters from {endpoint}{life}",
                    cc.client_id,
                    access_token.len()
                ));
                retry(&mut report, &args, &ctx, &access_token).await;
            }
            TokenOutcome::Refused {
                status,
                error,
                description,
                endpoint,
            } => refused(
                &mut report,
                &cc,
                status,
                &error,
                description.as_deref(),
                &endpoint,
            ),
            TokenOutcome::Failed(why) => {
                report.fact("token.obtained", false);
                report.verdict = Verdict::Warn;
                report.summary = format!("no fresh token: {why}");
                report.evidence.push(report.summary.clone());
            }
        }
        report
    }
    .boxed()
}

/// The request again with `Authorization: Bearer <fresh token>`.
async fn retry(report: &mut ProbeReport, args: &ProbeArgs, ctx: &ProbeContext, token: &str) {
    let mut request = ProbeArgs::new();
    for k in ["url", "method", "body"] {
        if let Some(v) = args.get(k) {
            request.insert(k.to_owned(), v.clone());
        }
    }
    request.insert("authorization".into(), format!("Bearer {token}"));
    let target = match Target::from_args(&request) {
        Ok(t) => t,
        Err(e) => {
            report.verdict = Verdict::Fail;
            report.summary = e.message;
            return;
        }
    };
    let line = http::request_line(&target);
    let inner = ProbeReport::new(&report.id, "fresh_token");
    match http::fetch_target(inner, target, ctx).await {
        Err(failed) => {
            report.verdict = Verdict::Warn;
            report.summary = format!(
                "a fresh token was issued, but the retry got no answer: {}",
                failed.summary
            );
            report.evidence.push(report.summary.clone());
        }
        Ok((_, _, ex)) => {
            let fixed = ex.status != 401;
            report.fact("retry.status", i64::from(ex.status));
            report.fact("fixed", fixed);
            report.evidence.push(format!("{line} → {}", ex.status));
            if fixed {
                report.verdict = Verdict::Ok;
                report.summary = format!(
                    "a fresh token fixes it: the request with it got {} instead of 401; the token sent before was expired, revoked or issued for something else",
                    ex.status
                );
            } else {
                report.verdict = Verdict::Fail;
                "a fresh token does not fix it: the API rejects a token straight from the token endpoint too"
                    .clone_into(&mut report.summary);
                report.causes.push(CauseHit::new(
                    "server-key-or-config-stale",
                    0.5,
                    "a token just issued by the token endpoint is answered 401: the API expects another issuer, audience or key, or caches stale keys".to_owned(),
                ));
            }
            report.evidence.push(report.summary.clone());
        }
    }
}

fn refused(
    report: &mut ProbeReport,
    cc: &ClientCredentials,
    status: u16,
    error: &str,
    description: Option<&str>,
    endpoint: &url::Url,
) {
    report.fact("token.obtained", false);
    report.fact("token.endpoint", endpoint.as_str());
    report.fact("token.error", error);
    if let Some(d) = description {
        report.fact("token.error_description", d);
    }
    let said = description.map(|d| format!(" ({d})")).unwrap_or_default();
    let line = format!(
        "token endpoint {endpoint} refused client '{}' with {status} error={error}{said}",
        cc.client_id
    );
    report.evidence.push(line.clone());
    report.verdict = Verdict::Fail;
    report.summary = format!("no fresh token: {error}{said}");
    if let Some((id, meaning)) = oauth::cause_of(error, description) {
        report
            .causes
            .push(CauseHit::new(id, 0.9, format!("{line}: {meaning}")));
    }
}
