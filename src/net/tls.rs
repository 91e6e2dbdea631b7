//! TLS the way curl offers it: which certificates are trusted (`--cacert`, `SSL_CERT_FILE`,
//! `SSL_CERT_DIR`, else the built-in Mozilla roots), `--insecure`, and a verifier that names
//! what is wrong with a certificate instead of rustls's first error alone: a self-signed
//! certificate for another host is "self-signed, issued for X, not Y", not "unknown issuer".

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, DigitallySignedStruct, Error, OtherError, RootCertStore, SignatureScheme,
};

/// Largest certificate file read (a full public bundle is about 250 KB).
const MAX_PEM_BYTES: u64 = 16 * 1024 * 1024;
/// Files read at most from an `SSL_CERT_DIR`.
const MAX_DIR_FILES: usize = 4096;

/// What is wrong with a server's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsProblem {
    Expired,
    NotYetValid,
    SelfSigned,
    UnknownIssuer,
    WrongHost,
    Revoked,
    Other,
}

impl TlsProblem {
    /// The id used in facts (`error.tls`) and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::NotYetValid => "not-yet-valid",
            Self::SelfSigned => "self-signed",
            Self::UnknownIssuer => "unknown-issuer",
            Self::WrongHost => "name-mismatch",
            Self::Revoked => "revoked",
            Self::Other => "handshake",
        }
    }

    /// Reads the id back from an error text made by [`CertFinding`]'s `Display`.
    pub(crate) fn from_text(text: &str) -> Option<Self> {
        let start = text.find(FINDING_MARK)? + FINDING_MARK.len();
        let id = text[start..].split(')').next()?;
        [
            Self::Expired,
            Self::NotYetValid,
            Self::SelfSigned,
            Self::UnknownIssuer,
            Self::WrongHost,
            Self::Revoked,
            Self::Other,
        ]
        .into_iter()
        .find(|p| p.id() == id)
    }
}

const FINDING_MARK: &str = "certificate problem (";

/// Everything found wrong with one server's certificate, most important first.
#[derive(Clone, PartialEq, Eq)]
pub struct CertFinding {
    pub host: String,
    pub problems: Vec<TlsProblem>,
    /// One line for the person: what failed and the certificate's own names and dates.
    pub detail: String,
}

impl CertFinding {
    pub(crate) fn primary(&self) -> TlsProblem {
        self.problems.first().copied().unwrap_or(TlsProblem::Other)
    }
}

impl fmt::Display for CertFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{FINDING_MARK}{}) {}", self.primary().id(), self.detail)
    }
}

/// rustls shows the error of a failed verification with `Debug`: it reads as the `Display`.
impl fmt::Debug for CertFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for CertFinding {}

/// An error text with rustls's wrapping of a [`CertFinding`] (`Other(OtherError(...))`)
/// taken off, so the finding reads as a sentence.
pub(crate) fn tidy(text: &str) -> String {
    const WRAP: &str = "Other(OtherError(";
    let Some(start) = text.find(&format!("{WRAP}{FINDING_MARK}")) else {
        return text.to_owned();
    };
    let inner = &text[start + WRAP.len()..];
    match inner.rfind("))") {
        Some(end) => format!("{}{}{}", &text[..start], &inner[..end], &inner[end + 2..]),
        None => text.to_owned(),
    }
}

/// Where the trusted certificates come from, and how many there are.
#[derive(Debug, Clone)]
pub(crate) struct Trust {
    pub roots: Arc<RootCertStore>,
    /// e.g. "--cacert ca.pem (1 certificate)" or "built-in Mozilla roots (146)".
    pub described: String,
}

/// The trust store: `--cacert` alone when given (as curl does), else `SSL_CERT_FILE` and
/// `SSL_CERT_DIR`, else the built-in roots. `env` reads an environment variable.
pub(crate) fn load_trust(
    cacert: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Trust, String> {
    let mut roots = RootCertStore::empty();
    let described = if let Some(path) = cacert {
        let n = add_pem_file(&mut roots, path).map_err(|e| format!("--cacert {e}"))?;
        format!("--cacert {} ({n} certificate{})", path.display(), plural(n))
    } else {
        let file = env("SSL_CERT_FILE").filter(|v| !v.is_empty());
        let dir = env("SSL_CERT_DIR").filter(|v| !v.is_empty());
        let mut parts = Vec::new();
        if let Some(f) = &file {
            let n =
                add_pem_file(&mut roots, Path::new(f)).map_err(|e| format!("SSL_CERT_FILE {e}"))?;
            parts.push(format!("SSL_CERT_FILE={f} ({n} certificate{})", plural(n)));
        }
        if let Some(d) = &dir {
            let n = add_pem_dirs(&mut roots, d).map_err(|e| format!("SSL_CERT_DIR {e}"))?;
            parts.push(format!("SSL_CERT_DIR={d} ({n} certificate{})", plural(n)));
        }
        if parts.is_empty() {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            format!("built-in Mozilla roots ({})", roots.len())
        } else {
            parts.join(", ")
        }
    };
    Ok(Trust {
        roots: Arc::new(roots),
        described,
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Adds every certificate of a PEM file; an error names the file and what is wrong.
fn add_pem_file(roots: &mut RootCertStore, path: &Path) -> Result<usize, String> {
    use std::io::Read as _;
    let shown = path.display();
    let file = crate::input_file::open_regular(path).map_err(|e| format!("cannot open: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_PEM_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let mut added = 0;
    for (i, cert) in CertificateDer::pem_slice_iter(&bytes).enumerate() {
        let cert = cert.map_err(|e| format!("{shown}: PEM block {}: {e}", i + 1))?;
        roots
            .add(cert)
            .map_err(|e| format!("{shown}: certificate {}: {e}", i + 1))?;
        added += 1;
    }
    if added == 0 {
        return Err(format!(
            "{shown}: no PEM certificate (BEGIN CERTIFICATE) in it"
        ));
    }
    Ok(added)
}

/// Adds the certificates of every file in the `:`-separated directories (OpenSSL's hashed
/// `abcd1234.0` files or plain PEM files); files that hold no certificate are skipped.
fn add_pem_dirs(roots: &mut RootCertStore, dirs: &str) -> Result<usize, String> {
    let mut added = 0;
    for dir in dirs.split(':').filter(|d| !d.is_empty()) {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{dir}: cannot list: {e}"))?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .take(MAX_DIR_FILES)
            .collect();
        paths.sort();
        for p in paths {
            added += add_pem_file(roots, &p).unwrap_or(0);
        }
    }
    if added == 0 {
        return Err(format!("{dirs}: no PEM certificate in any file"));
    }
    Ok(added)
}

/// Certificate findings seen with `--insecure`, when the connection went ahead anyway.
#[derive(Debug, Clone, Default)]
pub struct Overridden(Arc<Mutex<Vec<CertFinding>>>);

impl Overridden {
    fn record(&self, f: CertFinding) {
        if let Ok(mut seen) = self.0.lock()
            && !seen.contains(&f)
        {
            seen.push(f);
        }
    }

    /// Every finding so far, in the order first seen.
    pub fn all(&self) -> Vec<CertFinding> {
        self.0.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

/// Verifies like rustls's WebPKI verifier, and on failure works out every problem.
#[derive(Debug)]
pub(crate) struct ExplainingVerifier {
    inner: Arc<WebPkiServerVerifier>,
    insecure: bool,
    overridden: Overridden,
}

impl ExplainingVerifier {
    pub fn new(
        trust: &Trust,
        provider: Arc<CryptoProvider>,
        insecure: bool,
        overridden: Overridden,
    ) -> Result<Self, String> {
        let inner = WebPkiServerVerifier::builder_with_provider(trust.roots.clone(), provider)
            .build()
            .map_err(|e| format!("TLS setup: {e}"))?;
        Ok(Self {
            inner,
            insecure,
            overridden,
        })
    }
}

impl ServerCertVerifier for ExplainingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(v) => Ok(v),
            Err(e) => {
                let finding = explain(&e, end_entity, server_name);
                if self.insecure {
                    self.overridden.record(finding);
                    Ok(ServerCertVerified::assertion())
                } else {
                    Err(Error::InvalidCertificate(CertificateError::Other(
                        OtherError(Arc::new(finding)),
                    )))
                }
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Every problem of a certificate rustls rejected with `err`.
pub(crate) fn explain(
    err: &Error,
    end_entity: &CertificateDer<'_>,
    server_name: &ServerName<'_>,
) -> CertFinding {
    let host = server_name.to_str().into_owned();
    let mut problems = Vec::new();
    let mut details = Vec::new();
    if let Error::InvalidCertificate(ce) = err {
        match ce {
            CertificateError::Expired => problems.push(TlsProblem::Expired),
            CertificateError::ExpiredContext { not_after, .. } => {
                problems.push(TlsProblem::Expired);
                details.push(format!("expired on {}", date(*not_after)));
            }
            CertificateError::NotValidYet => problems.push(TlsProblem::NotYetValid),
            CertificateError::NotValidYetContext { not_before, .. } => {
                problems.push(TlsProblem::NotYetValid);
                details.push(format!("not valid before {}", date(*not_before)));
            }
            CertificateError::Revoked => problems.push(TlsProblem::Revoked),
            _ => {}
        }
    }
    let parsed = webpki::EndEntityCert::try_from(end_entity).ok();
    if let Some(cert) = &parsed {
        if cert.subject() == cert.issuer() {
            problems.push(TlsProblem::SelfSigned);
            details.push(
                "self-signed (its issuer is itself, so no trusted authority vouches for it)"
                    .to_owned(),
            );
        } else if matches!(
            err,
            Error::InvalidCertificate(CertificateError::UnknownIssuer)
        ) {
            problems.push(TlsProblem::UnknownIssuer);
            details.push("issued by an authority not in the trust store".to_owned());
        }
        let names: Vec<&str> = cert.valid_dns_names().take(8).collect();
        if cert.verify_is_valid_for_subject_name(server_name).is_err() {
            problems.push(TlsProblem::WrongHost);
            details.push(if names.is_empty() {
                format!("names no host at all, so not {host}")
            } else {
                format!("issued for {}, not {host}", names.join(", "))
            });
        }
    }
    if problems.is_empty() {
        problems.push(TlsProblem::Other);
        details.push(err.to_string());
    }
    CertFinding {
        host: host.clone(),
        problems,
        detail: format!("certificate of {host}: {}", details.join("; ")),
    }
}

/// A certificate time as a UTC date and time.
fn date(t: UnixTime) -> String {
    i64::try_from(t.as_secs())
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map_or_else(
            || "an unreadable date".to_owned(),
            |d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_reads_back_from_rustls_wording() {
        let f = CertFinding {
            host: "a.test".into(),
            problems: vec![TlsProblem::SelfSigned, TlsProblem::WrongHost],
            detail: "certificate of a.test: self-signed; issued for b.test, not a.test".into(),
        };
        let err = Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(f))));
        let text = format!("client error (Connect): {err}");
        assert_eq!(TlsProblem::from_text(&text), Some(TlsProblem::SelfSigned));
        assert_eq!(
            tidy(&text),
            "client error (Connect): invalid peer certificate: certificate problem (self-signed) \
             certificate of a.test: self-signed; issued for b.test, not a.test"
        );
        assert_eq!(tidy("plain"), "plain");
    }
}
