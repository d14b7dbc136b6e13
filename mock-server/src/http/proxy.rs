//! `gptom-mock proxy --upstream URL`: the GP tom Cloud routes forwarded to a real GP tom (or anything that
//! speaks its API), every exchange journalled like the mock journals its own, and the upstream's answers
//! checked against the mock's model (`GET /__admin/divergences`, [`crate::divergence`]).
//!
//! Forwarded unchanged: method, path, query, body and headers, except the hop-by-hop ones (RFC 9110 §7.6.1),
//! `Host` (the upstream's) and `Accept-Encoding` (answers come back uncompressed, so the proxy can read them;
//! no client of GP tom needs compression). The upstream's status, headers (hop-by-hop ones aside) and body go
//! back byte for byte. Never retried, never altered; redirects are passed back, not followed. An upstream that
//! fails (connection refused, TLS, timeout) or answers more than `--body-limit` is answered 502 with a vendor
//! error body saying so, and journalled with that reason as its `fault`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Extension, Json, Router};
use serde_json::json;

use super::faults::{FaultApplied, buffer};
use super::{admin, journal};
use crate::config::Upstream;
use crate::divergence::{self, Model};
use crate::error::{self, ApiError, Passthrough};
use crate::state::AppState;

/// The upstream and the client that reaches it.
pub struct Forwarder {
    base: String,
    client: reqwest::Client,
    timeout: Duration,
}

impl Forwarder {
    /// A client for `upstream`: system roots plus `--upstream-ca`, no redirects followed, no retries.
    pub fn new(upstream: &Upstream) -> Result<Self, String> {
        let loopback = reqwest::Url::parse(&upstream.url)
            .ok()
            .and_then(|u| u.host_str().map(|h| h.trim_matches(['[', ']']).to_owned()))
            .is_some_and(|h| {
                h == "localhost"
                    || h.parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            });
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .retry(reqwest::retry::never())
            .connect_timeout(upstream.timeout.min(Duration::from_secs(10)))
            .timeout(upstream.timeout);
        if loopback {
            builder = builder.no_proxy(); // a local upstream is never reached through HTTP(S)_PROXY
        }
        if let Some(path) = &upstream.ca {
            let certs = crate::tls::extra_roots(path, "--upstream-ca")?;
            builder = builder.tls_certs_merge(certs);
        }
        let client = builder
            .build()
            .map_err(|e| format!("--upstream {}: {e}", upstream.url))?;
        Ok(Forwarder {
            base: upstream.url.trim_end_matches('/').to_owned(),
            client,
            timeout: upstream.timeout,
        })
    }
}

/// The proxy's HTTP surface: the forwarded GP tom routes and a small admin API (health, clock, journal,
/// divergences) behind the optional admin token, inside the same journal layer as the mock's.
pub fn router(state: AppState, forwarder: Forwarder) -> journal::Served {
    let document = serde_json::to_value(super::api_doc()).unwrap_or_default();
    let model = Arc::new(Model::new(state.config().profiles, &document));
    let forwarded = Router::new()
        .route("/cloud/oauth/token", any(forward))
        .route("/api/oauth/token", any(forward))
        .route("/v1/{*rest}", any(forward))
        .layer(Extension(Arc::new(forwarder)));
    let control = Router::new()
        .route("/__admin/health", get(health))
        .route("/__admin/clock", get(admin::clock))
        .route(
            "/__admin/journal",
            get(admin::journal).delete(admin::clear_journal),
        )
        .route("/__admin/divergences", get(divergences))
        .layer(Extension(model))
        .route_layer(from_fn_with_state(state.clone(), admin::require_token));
    let routes = forwarded
        .merge(control)
        .fallback(error::not_found)
        .with_state(state.clone());
    journal::around(state, routes)
}

async fn health(State(app): State<AppState>) -> Json<serde_json::Value> {
    let upstream = app.config().upstream.as_ref().map(|u| u.url.clone());
    Json(json!({
        "status": "ok",
        "name": "gptom-mock proxy",
        "version": env!("CARGO_PKG_VERSION"),
        "upstream": upstream,
    }))
}

/// `GET /__admin/divergences`: the journal's exchanges checked against the model.
async fn divergences(
    State(app): State<AppState>,
    Extension(model): Extension<Arc<Model>>,
) -> Json<serde_json::Value> {
    let (entries, evicted) = app.with_journal(|j| (j.select(&Default::default()), j.evicted()));
    let report = divergence::check(&model, &entries);
    let mut body = serde_json::to_value(report).unwrap_or_default();
    body["evicted"] = json!(evicted);
    Json(body)
}

/// Hop-by-hop headers (RFC 9110 §7.6.1), never forwarded in either direction, plus those a `Connection`
/// header names.
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
        .collect();
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
    for name in named {
        headers.remove(name);
    }
}

async fn forward(
    State(app): State<AppState>,
    Extension(f): Extension<Arc<Forwarder>>,
    req: Request,
) -> Response {
    // The journal layer has buffered the body within --body-limit already: this is a cheap clone.
    let (req, body) = match buffer(&app, req).await {
        Ok(r) => r,
        Err(res) => return res,
    };
    let parts = req.into_parts().0;
    let target = parts
        .uri
        .path_and_query()
        .map_or(parts.uri.path(), |pq| pq.as_str());
    let url = format!("{}{target}", f.base);
    let mut headers = parts.headers;
    strip_hop_by_hop(&mut headers);
    for name in [
        header::HOST,
        header::CONTENT_LENGTH,
        header::ACCEPT_ENCODING,
    ] {
        headers.remove(name);
    }
    let sent = f
        .client
        .request(parts.method, &url)
        .headers(headers)
        .body(body)
        .send()
        .await;
    let mut upstream = match sent {
        Ok(r) => r,
        Err(e) => {
            let why = if e.is_timeout() {
                format!("no answer within {}s", f.timeout.as_secs_f64())
            } else {
                error::chain(&e)
            };
            return failed(&format!("upstream {} failed: {why}", f.base));
        }
    };
    let status = upstream.status();
    let mut headers = upstream.headers().clone();
    strip_hop_by_hop(&mut headers);
    headers.remove(header::CONTENT_LENGTH);
    let limit = app.config().body_limit;
    let mut answer = Vec::new();
    loop {
        match upstream.chunk().await {
            Ok(Some(chunk)) if answer.len() + chunk.len() <= limit => {
                answer.extend_from_slice(&chunk);
            }
            Ok(Some(_)) => {
                return failed(&format!(
                    "upstream {} answered more than --body-limit ({limit} bytes)",
                    f.base
                ));
            }
            Ok(None) => break,
            Err(e) => {
                return failed(&format!(
                    "upstream {} broke off its answer: {}",
                    f.base,
                    error::chain(&e)
                ));
            }
        }
    }
    let mut res = Response::new(Body::from(answer));
    *res.status_mut() = status;
    *res.headers_mut() = headers;
    res.extensions_mut().insert(Passthrough);
    res
}

/// An answer the proxy makes itself when the upstream fails: a 502 vendor error body (`UPSTREAM_FAILED`) that
/// says why, journalled with the reason as its `fault` so a judge and the divergence check leave it out.
fn failed(why: &str) -> Response {
    tracing::warn!("{why}");
    let mut res = ApiError::vendor(502, "UPSTREAM_FAILED", why).into_response();
    res.extensions_mut()
        .insert(FaultApplied(format!("proxy: {why}")));
    res
}
