//! A Digest challenge answered with the person's user and password (RFC 7616): once, and once
//! more when the server says the nonce went stale. What happened is kept, so a wrong password,
//! a nonce that keeps going stale and an algorithm no client can answer are told apart.

use super::fetch::{Auth, send};
use super::target::Target;
use crate::diagnose::CauseHit;
use crate::net::classify::FetchError;
use crate::net::digest::{self as rfc7616, DigestChallenge, DigestError, DigestRequest};
use crate::probe::{ProbeContext, ProbeReport};

/// How the Digest exchange ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestOutcome {
    /// The answer was taken (the status is no longer 401).
    Accepted,
    /// 401 again with a fresh nonce: the user or password is wrong.
    Rejected,
    /// The nonce was stale again right after a retry with a new one.
    StaleAgain,
    /// No challenge could be answered; the reason.
    Unsupported(String),
    /// Not answered: the password had gone out as often as this run allows.
    Withheld(String),
}

impl DigestOutcome {
    pub fn id(&self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::StaleAgain => "stale-again",
            Self::Unsupported(_) => "unsupported",
            Self::Withheld(_) => "withheld",
        }
    }
}

/// What was sent and what came of it.
#[derive(Debug, Clone)]
pub struct DigestTrace {
    /// e.g. `SHA-256-sess`.
    pub algorithm: Option<String>,
    pub qop: Option<&'static str>,
    pub userhash: bool,
    /// Digest answers sent (1, or 2 after `stale=true`).
    pub answers: u8,
    pub stale_retry: bool,
    pub outcome: DigestOutcome,
}

impl DigestTrace {
    /// The answers counted against the run's password sends: a `stale=true` retry is the same
    /// answer again with the server's new nonce, not another try of the password.
    pub fn counted(&self) -> usize {
        usize::from(self.answers) - usize::from(self.stale_retry && self.answers > 0)
    }
}

/// The Digest challenge of a 401 this client can answer best, if the 401 carries one.
fn challenge_of(response: &reqwest::Response) -> Option<Result<DigestChallenge, DigestError>> {
    rfc7616::best_of(&super::header_lines(response.headers(), "www-authenticate"))
}

/// The request target as sent: path and query.
fn request_target(url: &url::Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

/// When `response` is a 401 with a Digest challenge and the target has a user and password,
/// answers it (and a `stale=true` once more); otherwise hands `response` back untouched.
pub async fn answer(
    ctx: &ProbeContext,
    target: &Target,
    method: &reqwest::Method,
    url: &url::Url,
    response: reqwest::Response,
) -> Result<(reqwest::Response, Option<DigestTrace>), FetchError> {
    let c = &target.creds;
    let user = match (&c.user, &c.authorization) {
        (Some(u), None) if response.status() == 401 => u.clone(),
        _ => return Ok((response, None)),
    };
    let ch = match challenge_of(&response) {
        None => return Ok((response, None)),
        Some(Err(e)) => {
            let trace = DigestTrace {
                algorithm: None,
                qop: None,
                userhash: false,
                answers: 0,
                stale_retry: false,
                outcome: DigestOutcome::Unsupported(e.to_string()),
            };
            return Ok((response, Some(trace)));
        }
        Some(Ok(ch)) => ch,
    };
    // Noted before answering: a request to the same origin that starts meanwhile (the site
    // root beside the main request) answers its own anonymous challenge instead of asking.
    ctx.password_sends
        .asked(url, super::ledger::AskedFor::Digest);
    let (response, trace) =
        answer_challenge(ctx, target, method, url, &user, ch, Some(response)).await?;
    match response {
        Some(r) => Ok((r, Some(trace))),
        // Not reached: the 401 given is handed back when nothing goes out.
        None => Err(FetchError::usage(&super::fetch::limit_message(ctx))),
    }
}

/// Answers `ch` (and a `stale=true` once more). `last` is the answer handed back when the
/// password may not go out; without it, `None` is.
pub(super) async fn answer_challenge(
    ctx: &ProbeContext,
    target: &Target,
    method: &reqwest::Method,
    url: &url::Url,
    user: &str,
    mut ch: DigestChallenge,
    mut last: Option<reqwest::Response>,
) -> Result<(Option<reqwest::Response>, DigestTrace), FetchError> {
    let c = &target.creds;
    let password = c
        .password
        .as_ref()
        .map_or("", crate::secret::Secret::expose);
    let uri = request_target(url);
    let body = target.body.as_deref().unwrap_or("").as_bytes();
    let mut trace = DigestTrace {
        algorithm: None,
        qop: None,
        userhash: false,
        answers: 0,
        stale_retry: false,
        outcome: DigestOutcome::Rejected,
    };
    let response = loop {
        // A `stale=true` retry is not counted as another send: RFC 7616 §3.3 has the server
        // say stale only of an answer it found valid (the password was right), no password
        // goes out in Digest, and fail2ban's apache-auth filter does not count a nonce that
        // expired (AH01777's "nonce expired") as a failure.
        if trace.stale_retry {
            ctx.password_sends.note_stale_retry();
        } else if !ctx.password_sends.take() {
            trace.outcome = DigestOutcome::Withheld(super::fetch::limit_message(ctx));
            break last;
        }
        let req = DigestRequest {
            method: method.as_str(),
            uri: &uri,
            body,
        };
        let a = rfc7616::answer(&ch, user, password, req, &rfc7616::new_cnonce(), 1);
        trace.algorithm = Some(ch.algorithm_name());
        trace.qop = Some(ch.qop.name());
        trace.userhash = ch.userhash;
        trace.answers += 1;
        drop(last);
        let response = send(ctx, target, method, url, true, Auth::Answer(&a.header)).await?;
        if response.status() != 401 {
            trace.outcome = DigestOutcome::Accepted;
            break Some(response);
        }
        match challenge_of(&response) {
            Some(Ok(next)) if next.stale && !trace.stale_retry => {
                trace.stale_retry = true;
                ch = next;
                last = Some(response);
            }
            Some(Ok(next)) if next.stale => {
                trace.outcome = DigestOutcome::StaleAgain;
                break Some(response);
            }
            _ => break Some(response),
        }
    };
    Ok((response, trace))
}

/// Facts, evidence and causes of a Digest exchange, on the report of the request.
pub fn describe(report: &mut ProbeReport, trace: &DigestTrace, user: &str, with_causes: bool) {
    report.fact("digest.outcome", trace.outcome.id());
    if let Some(a) = &trace.algorithm {
        report.fact("digest.algorithm", a.as_str());
    }
    if let Some(q) = trace.qop {
        report.fact("digest.qop", q);
    }
    report.fact("digest.userhash", trace.userhash);
    report.fact("digest.stale_retry", trace.stale_retry);
    let how = format!(
        "{} qop={}{}",
        trace.algorithm.as_deref().unwrap_or("?"),
        trace.qop.unwrap_or("?"),
        if trace.userhash {
            ", user name hashed"
        } else {
            ""
        }
    );
    let line = match &trace.outcome {
        DigestOutcome::Accepted if trace.stale_retry => format!(
            "Digest ({how}) for user '{user}' accepted after one retry with the fresh nonce of a stale=true challenge"
        ),
        DigestOutcome::Accepted => format!("Digest ({how}) for user '{user}' accepted"),
        DigestOutcome::Rejected => format!(
            "Digest ({how}) for user '{user}' rejected with a fresh nonce (not stale): the user name or password is wrong"
        ),
        DigestOutcome::StaleAgain => format!(
            "Digest ({how}): the server called the nonce stale again right after a retry with its new nonce"
        ),
        DigestOutcome::Unsupported(why) | DigestOutcome::Withheld(why) => {
            format!("Digest not answered: {why}")
        }
    };
    report.evidence.push(line.clone());
    if !with_causes {
        return;
    }
    match &trace.outcome {
        DigestOutcome::Rejected => report
            .causes
            .push(CauseHit::new("bad-credentials", 0.85, line)),
        DigestOutcome::StaleAgain => {
            report
                .causes
                .push(CauseHit::new("digest-nonce-stale", 0.8, line));
        }
        // Not a fault of the site or the person: the fact and the evidence say what it is.
        DigestOutcome::Unsupported(_) | DigestOutcome::Withheld(_) | DigestOutcome::Accepted => {}
    }
}
