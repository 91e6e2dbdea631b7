//! Command-line definitions (clap derive). No behaviour lives here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Finds out why a web request gets HTTP 401 Unauthorized, and what to do about it.
#[derive(Debug, Parser)]
#[command(name = "why401", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The address that answers 401 (prefills the wizard).
    #[arg(value_name = "URL")]
    pub url: Option<String>,

    #[command(flatten)]
    pub global: GlobalArgs,

    /// Help-desk mode: ask for ticket id and reporter, keep notes per step.
    #[arg(long)]
    pub agent: bool,

    /// Resume a session saved with --save-session.
    #[arg(long, value_name = "FILE")]
    pub resume: Option<PathBuf>,

    /// Save the session (answers, redacted probe facts, notes) to FILE on exit.
    #[arg(long, value_name = "FILE")]
    pub save_session: Option<PathBuf>,

    /// The backend behind the proxy or gateway: the wizard's checks compare its answers with
    /// the proxy's, as `check --backend` does.
    #[arg(long, value_name = "URL")]
    pub backend: Option<String>,

    /// A HAR export of the failing requests (DevTools → Network → Save all as HAR): the wizard
    /// reads it as `why401 har` does; its findings join the ranking and its facts route the walk.
    #[arg(long, value_name = "FILE")]
    pub har: Option<PathBuf>,

    /// How the wizard's probes connect (trusted CA, fixed address, proxy), as in curl.
    #[command(flatten)]
    pub connect: Box<ConnectArgs>,
}

/// Options every command understands.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Load extra flows from DIR (a flow with a shipped id replaces the shipped one).
    #[arg(long, global = true, value_name = "DIR")]
    pub flows: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP probe battery against URL and print a ranked diagnosis.
    Check(CheckArgs),
    /// Inspect and verify a JWT (read from a prompt, stdin or a file; never required as an argument).
    Jwt(JwtArgs),
    /// Read a DevTools HAR export: every 401, the credentials sent, the tokens' state.
    Har(HarArgs),
    /// Check server-side auth configuration: nginx, Apache .htaccess, .htpasswd.
    Server(ServerArgs),
    /// Analyse access and error logs for 401s and authentication failures.
    Logs(LogsArgs),
    /// Walk a flow headless from scripted answers and print the ticket.
    Run(RunArgs),
    /// Validate flows or draw one as a diagram.
    #[command(subcommand)]
    Flows(FlowsCommand),
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

/// Output format of a ticket (the report owns it; `--format` takes it).
pub use crate::report::TicketFormat;

/// Where a ticket goes besides stdout.
#[derive(Debug, Args, Clone, Default)]
pub struct ReportArgs {
    /// Write the support ticket to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Ticket format.
    #[arg(long, value_enum, default_value_t)]
    pub format: TicketFormat,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The address to check.
    pub url: String,
    /// Request method (GET; POST when --data is given, as in curl).
    #[arg(long, short = 'X', visible_alias = "request")]
    pub method: Option<String>,
    /// User name for Basic authentication (the password is read with --password-stdin).
    #[arg(long, short = 'u')]
    pub user: Option<String>,
    /// Read the password from standard input.
    #[arg(long, requires = "user")]
    pub password_stdin: bool,
    /// Read a bearer token from FILE ('-' for stdin).
    #[arg(long, value_name = "FILE")]
    pub bearer_file: Option<PathBuf>,
    /// Extra request header 'Name: value' (repeatable). Use @FILE as the value to read it from a file.
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Cookie 'name=value' (repeatable).
    #[arg(long = "cookie", short = 'b', value_name = "NAME=VALUE")]
    pub cookies: Vec<String>,
    /// Send an API key (read from WHY401_API_KEY or stdin) in this query parameter.
    #[arg(long, value_name = "NAME")]
    pub api_key_query: Option<String>,
    /// The backend behind the proxy, to compare what reaches it.
    #[arg(long, value_name = "URL")]
    pub backend: Option<String>,
    /// Origin for the CORS preflight check.
    #[arg(long, value_name = "ORIGIN")]
    pub origin: Option<String>,
    /// The audience the API expects: the token sent is checked against it.
    #[arg(long)]
    pub aud: Option<String>,
    /// The issuer the API expects.
    #[arg(long)]
    pub iss: Option<String>,
    /// The API's key set (JWKS file or URL) to verify the token sent.
    #[arg(long, value_name = "FILE_OR_URL")]
    pub jwks: Option<String>,
    /// Timeout per request, in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
    /// Send the password in at most N requests (redirect hops, Digest answers and side requests counted, a Digest retry after stale=true not; fail2ban bans after 5 failures).
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..))]
    pub max_password_sends: u16,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub files: ServerFileArgs,
    #[command(flatten)]
    pub net: Box<NetArgs>,
}

/// The answering server's own files, analysed for the URL's host and path and weighed with
/// what the requests show (what `why401 server` reads).
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "The server's files (when you have them)")]
pub struct ServerFileArgs {
    /// nginx configuration of the server that answers.
    #[arg(long, value_name = "FILE")]
    pub nginx_conf: Option<PathBuf>,
    /// Apache server configuration (apache2.conf / httpd.conf) of the server that answers.
    #[arg(long, value_name = "FILE")]
    pub apache_conf: Option<PathBuf>,
    /// The .htaccess of the directory the URL names.
    #[arg(long, value_name = "FILE")]
    pub htaccess: Option<PathBuf>,
    /// The user file (instead of the one the configuration names, or alone).
    #[arg(long, value_name = "FILE")]
    pub htpasswd: Option<PathBuf>,
}

/// How requests connect, with curl's option names and meanings: for `check` and the wizard.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Connection (as in curl)")]
pub struct ConnectArgs {
    /// Trust only the CA certificates in this PEM file (else SSL_CERT_FILE / SSL_CERT_DIR, else built-in roots).
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,
    /// Go on when the server's certificate fails verification; every output says so.
    #[arg(long, short = 'k')]
    pub insecure: bool,
    /// Send requests for HOST:PORT to ADDR instead of what DNS says (repeatable).
    #[arg(long, value_name = "HOST:PORT:ADDR[,ADDR]")]
    pub resolve: Vec<String>,
    /// Connect to HOST2:PORT2 for requests to HOST1:PORT1; empty fields match any (repeatable).
    #[arg(long, value_name = "HOST1:PORT1:HOST2:PORT2")]
    pub connect_to: Vec<String>,
    /// Use this proxy (else https_proxy / http_proxy / ALL_PROXY, minus NO_PROXY).
    #[arg(long, short = 'x', value_name = "URL")]
    pub proxy: Option<String>,
    /// User name for the proxy; its password is read from WHY401_PROXY_PASSWORD or --proxy-password-file.
    #[arg(long, value_name = "USER")]
    pub proxy_user: Option<String>,
    /// Read the proxy password from FILE.
    #[arg(long, value_name = "FILE", requires = "proxy_user")]
    pub proxy_password_file: Option<PathBuf>,
    /// Speak HTTP/1.1 only.
    #[arg(long = "http1.1", conflicts_with = "http2")]
    pub http1_1: bool,
    /// Speak HTTP/2 only (ALPN h2 over TLS, prior knowledge over plain http).
    #[arg(long)]
    pub http2: bool,
}

/// What the request carries besides credentials, and a fresh token, with curl's names.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Request and connection (as in curl)")]
pub struct NetArgs {
    /// Request body; @FILE reads it from a file (line breaks removed, as curl's -d does).
    #[arg(long, short = 'd', value_name = "DATA")]
    pub data: Option<String>,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Get a fresh token as this OAuth client (client credentials grant) and retry with it;
    /// the secret is read from WHY401_CLIENT_SECRET or --client-secret-file.
    #[arg(long, value_name = "CLIENT_ID")]
    pub client_credentials: Option<String>,
    /// Read the OAuth client secret from FILE.
    #[arg(long, value_name = "FILE", requires = "client_credentials")]
    pub client_secret_file: Option<PathBuf>,
    /// Scope to ask the token endpoint for.
    #[arg(long, requires = "client_credentials")]
    pub scope: Option<String>,
    /// Audience to ask the token endpoint for.
    #[arg(long, requires = "client_credentials")]
    pub audience: Option<String>,
    /// The token endpoint (else found by OpenID discovery of --issuer).
    #[arg(long, value_name = "URL", requires = "client_credentials")]
    pub token_endpoint: Option<String>,
    /// The issuer whose /.well-known/openid-configuration names the token endpoint.
    #[arg(long, value_name = "URL", requires = "client_credentials")]
    pub issuer: Option<String>,
    /// Send the client secret in the form (client_secret_post) instead of HTTP Basic.
    #[arg(long, requires = "client_credentials")]
    pub client_secret_post: bool,
}

#[derive(Debug, Args)]
pub struct JwtArgs {
    /// '-' reads the token from stdin; a path reads it from that file. Without it, a masked prompt asks.
    #[arg(value_name = "TOKEN_FILE_OR_-")]
    pub token: Option<String>,
    /// HMAC secret for HS* tokens, read from FILE.
    #[arg(long, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,
    /// PEM public key or certificate (RS*, PS*, ES*, EdDSA).
    #[arg(long, value_name = "PEM")]
    pub public_key: Option<PathBuf>,
    /// JWKS file or URL.
    #[arg(long, value_name = "FILE_OR_URL")]
    pub jwks: Option<String>,
    /// Fetch the issuer's OpenID discovery document and its JWKS.
    #[arg(long)]
    pub discover: bool,
    /// Expected audience.
    #[arg(long)]
    pub aud: Option<String>,
    /// Expected issuer.
    #[arg(long)]
    pub iss: Option<String>,
    /// A scope the API requires (repeatable).
    #[arg(long = "require-scope", value_name = "SCOPE")]
    pub require_scope: Vec<String>,
    /// Clock leeway in seconds.
    #[arg(long, default_value_t = 60)]
    pub leeway: u64,
    /// The server's clock: its Date header ("Tue, 22 Mar 2011 18:43:00 GMT") or an RFC 3339 time.
    #[arg(long, value_name = "DATE")]
    pub server_date: Option<String>,
    /// Show the token's header and claims as sent (never its signature) instead of its fingerprint, on screen only.
    #[arg(long)]
    pub reveal: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub report: ReportArgs,
    /// How the JWKS and discovery requests connect.
    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Args)]
pub struct HarArgs {
    /// HAR file exported from the browser's DevTools ('-' for stdin).
    pub file: PathBuf,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct ServerArgs {
    /// nginx configuration (nginx.conf, a sites-available file or a snippet).
    #[arg(long, value_name = "FILE")]
    pub nginx: Option<PathBuf>,
    /// Apache server configuration.
    #[arg(long, value_name = "FILE", conflicts_with = "htaccess")]
    pub apache: Option<PathBuf>,
    /// An Apache .htaccess file.
    #[arg(long, value_name = "FILE")]
    pub htaccess: Option<PathBuf>,
    /// An htpasswd user file.
    #[arg(long, value_name = "FILE")]
    pub htpasswd: Option<PathBuf>,
    /// Host name the request is for (nginx server_name / Apache ServerName).
    #[arg(long)]
    pub host: Option<String>,
    /// Request path to work out the effective auth for.
    #[arg(long, default_value = "/")]
    pub path: String,
    /// User whose password to verify against the user file.
    #[arg(long, short = 'u')]
    pub user: Option<String>,
    /// Read that user's password from stdin.
    #[arg(long, requires = "user")]
    pub password_stdin: bool,
    /// The live site (for an .htaccess: the URL of its directory), to check whether the user
    /// file can be downloaded from it. Its scheme and port also choose nginx's server block.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// A custom header the client authenticates with (e.g. X_API_KEY), for nginx's
    /// underscores_in_headers rule.
    #[arg(long, value_name = "NAME")]
    pub auth_header: Option<String>,
    /// Apache's ServerRoot (apache2 -d DIR), where relative AuthUserFile and Include paths
    /// start. Default: the config's ServerRoot, else the distribution's.
    #[arg(long, value_name = "DIR")]
    pub server_root: Option<PathBuf>,
    /// A name Apache is started with (apache2 -D NAME), for <IfDefine NAME>. Repeatable.
    #[arg(long, value_name = "NAME")]
    pub define: Vec<String>,
    /// The client's IP address, for allow/deny, Order/Allow/Deny and Require ip rules.
    #[arg(long, value_name = "IP")]
    pub client: Option<std::net::IpAddr>,
    /// Skip running the server's own configuration test (nginx -t, apache2 -t).
    #[arg(long)]
    pub no_config_test: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub report: ReportArgs,
    /// How the --url request connects.
    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Log files (plain or .gz; a rotated series is read in order) or '-' for stdin.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Access-log format: combined, common, json, or an nginx log_format string.
    #[arg(long)]
    pub format: Option<String>,
    /// Read the access-log format from this nginx configuration.
    #[arg(long, value_name = "FILE")]
    pub nginx_conf: Option<PathBuf>,
    /// Only lines at or after this time: RFC 3339, or 'YYYY-MM-DD HH:MM' read in the zone
    /// the access log states (else this machine's).
    #[arg(long)]
    pub since: Option<String>,
    /// Only lines before this time.
    #[arg(long)]
    pub until: Option<String>,
    /// Only lines around this time (with --window).
    #[arg(long)]
    pub around: Option<String>,
    /// Window for --around, e.g. 10m, 2h.
    #[arg(long, default_value = "10m")]
    pub window: String,
    /// Only requests whose path starts with this.
    #[arg(long)]
    pub path: Option<String>,
    /// Only requests from this client address.
    #[arg(long)]
    pub client: Option<String>,
    /// Keep reading as the files grow (survives rotation).
    #[arg(long)]
    pub follow: bool,
    /// Only lines from why401's own probes with this probe marker id.
    #[arg(long, value_name = "ID")]
    pub probe_marker: Option<String>,
    /// With --follow: stop after this long (e.g. 2m); without it, follow until interrupted.
    #[arg(long, value_name = "DURATION", requires = "follow")]
    pub follow_for: Option<String>,
    /// Entries in each top list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Scanning threads (default: every core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Also write the report to FILE (JSON when FILE ends in .json, text otherwise).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The flow to walk (visitor, owner, api, start, or one from --flows).
    #[arg(long)]
    pub flow: String,
    /// YAML or JSON file mapping input ids and node ids to values and choices.
    #[arg(long, value_name = "FILE")]
    pub answers: PathBuf,
    /// Timeout per probe, in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
    /// Lets `{ env: NAME }` answers read environment variables (off: an answers file is data
    /// that names where its answers are sent).
    #[arg(long)]
    pub allow_env: bool,
    /// A browser's HAR export of the failing request: the flow's HAR step reads it without an
    /// answer, as `why401 --har FILE` does in the wizard.
    #[arg(long, value_name = "FILE")]
    pub har: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Subcommand)]
pub enum FlowsCommand {
    /// Check flows: the shipped ones, or every *.yaml in DIR.
    Lint {
        /// A directory of flow files (default: the shipped flows).
        dir: Option<PathBuf>,
    },
    /// Print a flow as a diagram.
    Graph {
        /// Flow id.
        id: String,
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
    /// List the available flows.
    List,
    /// List every probe kind with its arguments and the facts flows can test.
    Probes,
    /// Print the JSON Schema of the flow format.
    Schema,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}
