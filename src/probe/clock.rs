//! The `clock` probe: the server's Date header against the local clock. Tokens (`exp`, `nbf`)
//! and signed cookies break when the two disagree by more than the verifier's leeway.

use futures::FutureExt;

use super::http::{self, Exchange};
use super::{FactSpec, FactType, ProbeArgs, ProbeContext, ProbeKind, ProbeReport, Verdict};
use crate::diagnose::CauseHit;

/// Above this the difference is worth a warning: many verifiers allow 30 to 60 s.
pub(crate) const WARN_SECS: f64 = 30.0;
/// Above this it fails: beyond any common leeway (Kerberos allows 5 minutes).
pub(crate) const FAIL_SECS: f64 = 300.0;

pub(crate) const KIND: ProbeKind = ProbeKind {
    name: "clock",
    doc: "Server Date header against the local clock: clock skew breaks tokens and sessions.",
    args: http::REQUEST_ARGS,
    facts: &[
        FactSpec {
            name: "has_date",
            ty: FactType::Bool,
            doc: "the answer carried a Date header",
        },
        FactSpec {
            name: "server_date",
            ty: FactType::Str,
            doc: "the server's Date, RFC 3339",
        },
        FactSpec {
            name: "offset_s",
            ty: FactType::Float,
            doc: "server clock minus local clock, seconds",
        },
        FactSpec {
            name: "skewed",
            ty: FactType::Bool,
            doc: "the offset is above 30 s",
        },
    ],
    run,
};

fn run(id: String, args: ProbeArgs, ctx: ProbeContext) -> super::ProbeFuture {
    async move {
        let before = chrono::Utc::now();
        match http::exchange(&id, "clock", &args, &ctx).await {
            Ok((mut report, _, ex)) => {
                let after = chrono::Utc::now();
                // The server stamped Date somewhere between send and receive: take the middle.
                let local = before + (after - before) / 2;
                describe(&mut report, &ex, local);
                report
            }
            Err(report) => report,
        }
    }
    .boxed()
}

fn describe(report: &mut ProbeReport, ex: &Exchange, local: chrono::DateTime<chrono::Utc>) {
    let Some(date) = http::header_text(&ex.headers, "date") else {
        report.fact("has_date", false);
        report.fact("skewed", false);
        report.verdict = Verdict::Info;
        "no Date header: the server clock cannot be compared".clone_into(&mut report.summary);
        return;
    };
    report.fact("has_date", true);
    let Ok(server) = chrono::DateTime::parse_from_rfc2822(&date) else {
        report.fact("skewed", false);
        report.verdict = Verdict::Warn;
        report.summary = format!("Date header '{date}' is not an HTTP date");
        report.evidence.push(report.summary.clone());
        return;
    };
    let server = server.with_timezone(&chrono::Utc);
    report.fact("server_date", server.to_rfc3339());
    let offset = (server - local).num_milliseconds() as f64 / 1000.0;
    report.fact("offset_s", offset);
    assess(report, offset, &date);
}

/// Verdict and cause for an offset; Date has whole seconds, so 1 s of noise is expected.
pub(crate) fn assess(report: &mut ProbeReport, offset: f64, date: &str) {
    let abs = offset.abs();
    report.fact("skewed", abs > WARN_SECS);
    let side = if offset > 0.0 { "ahead of" } else { "behind" };
    let line = format!("server Date: {date}; server clock is {abs:.0} s {side} this machine");
    report.evidence.push(line.clone());
    if abs > FAIL_SECS {
        report.verdict = Verdict::Fail;
        report
            .causes
            .push(CauseHit::new("clock-skew", 0.75, line.clone()));
    } else if abs > WARN_SECS {
        report.verdict = Verdict::Warn;
        report
            .causes
            .push(CauseHit::new("clock-skew", 0.45, line.clone()));
    } else {
        report.verdict = Verdict::Ok;
    }
    report.summary = line;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_warn_above_30_s_and_fail_above_5_min() {
        for (offset, verdict, cause) in [
            (2.0, Verdict::Ok, false),
            (-45.0, Verdict::Warn, true),
            (400.0, Verdict::Fail, true),
        ] {
            let mut r = ProbeReport::new("clock", "clock");
            assess(&mut r, offset, "x");
            assert_eq!(r.verdict, verdict, "{offset}");
            assert_eq!(!r.causes.is_empty(), cause, "{offset}");
        }
    }
}
