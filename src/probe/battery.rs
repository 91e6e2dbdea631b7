//! The `check` probe kind: the whole battery `why401 check` runs, as one step of a flow.
//!
//! Only its description lives here (arguments, facts, the parts it is made of), so lint and
//! the engine know it like any other kind. Running it belongs to `check`, a layer above: the
//! drivers (the wizard, `why401 run`) hand `check` requests to `check::run_probe`, which runs
//! the battery and ranks with the one ranking. Called here directly it only says so.

use futures::FutureExt;

use super::{ArgSpec, FactType, ProbeArgs, ProbeContext, ProbeKind, ProbeReport, fact};

/// The kind's name in flows.
pub const NAME: &str = "check";

/// The battery's parts: the id each report has inside it, and that report's kind. A fact of
/// a part reads `PART.fact` below the battery's own id (`check.token.expired`).
pub const PARTS: &[(&str, &str)] = &[
    ("http", "http"),
    ("challenge", "challenge"),
    ("clock", "clock"),
    ("cache", "cache"),
    ("cookie", "cookie"),
    ("limits", "limits"),
    ("cors", "cors"),
    ("anonymous", "http"),
    ("elsewhere", "http"),
    ("elsewhere_anonymous", "http"),
    ("normalised", "http"),
    ("backend", "http"),
    ("token", "jwt"),
    ("fresh_token", "fresh_token"),
    ("network", "network"),
];

const fn arg(name: &'static str, secret: bool, doc: &'static str) -> ArgSpec {
    ArgSpec::new(name, false, secret, doc)
}

pub const KIND: ProbeKind = ProbeKind {
    name: NAME,
    doc: "The whole battery of `why401 check` on one request, ranked with the one ranking: \
          the top cause, every cause id, and each part's facts as PART.fact.",
    args: &[
        ArgSpec::new("url", true, false, "address to check"),
        arg("method", false, "request method (GET)"),
        arg("authorization", true, "Authorization header value"),
        arg("user", false, "Basic user name"),
        arg("password", true, "Basic password"),
        arg("cookie", true, "Cookie header value"),
        arg(
            "backend",
            false,
            "the backend behind the proxy: the same request is sent there to compare",
        ),
        arg("aud", false, "the audience the API expects"),
        arg("iss", false, "the issuer the API expects"),
        arg("jwks", false, "the API's key set (JWKS file or URL)"),
        arg(
            "origin",
            false,
            "the page's origin, when a browser page calls (CORS)",
        ),
    ],
    facts: &[
        fact("top", FactType::Str, "id of the most likely cause"),
        fact(
            "causes",
            FactType::StrList,
            "ids of every cause that may explain the failure, most likely first",
        ),
        fact(
            "remarks",
            FactType::StrList,
            "ids of what is true of the site but not why it failed",
        ),
        fact("status", FactType::Int, "status of the request as given"),
    ],
    run,
};

fn run(id: String, _args: ProbeArgs, _ctx: ProbeContext) -> super::ProbeFuture {
    async move {
        ProbeReport::failed(
            &id,
            NAME,
            "the check battery runs through the wizard or `why401 run`, not on its own",
        )
    }
    .boxed()
}

/// The type of a part's fact (`token.expired`), read from that part's kind.
pub fn part_fact_type(name: &str) -> Option<FactType> {
    let (part, fact) = name.split_once('.')?;
    let (_, kind) = PARTS.iter().find(|(p, _)| *p == part)?;
    super::kind(kind)?.fact_type(fact)
}
