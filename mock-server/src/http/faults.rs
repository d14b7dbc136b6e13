//! Fault middleware on the GP tom routes: describe the request as plain facts, let the engine decide under the
//! lock, then wait / answer / drop outside it (STYLE 2.2). Also the request-body buffering both this layer
//! and the journal use.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{Extensions, request::Parts};
use axum::response::{IntoResponse, Response};
use futures_util::future::Either;

use crate::engine;
use crate::error::ApiError;
use crate::facts::facts_of;
use crate::http::persist::{self, Replay, Suspended};
use crate::state::AppState;

/// Response marker: the server closes the connection instead of writing this response.
#[derive(Clone, Copy, Debug)]
pub struct DropConnection;

/// Reads the whole request body (within the configured limit) and gives back a request that still has it.
pub async fn buffer(app: &AppState, req: Request) -> Result<(Request, Bytes), Response> {
    let (parts, bytes) = read(app, req).await?;
    Ok((Request::from_parts(parts, Body::from(bytes.clone())), bytes))
}

/// Reads the whole request body (within the configured limit): the request's head and its body.
pub async fn read(app: &AppState, req: Request) -> Result<(Parts, Bytes), Response> {
    let (parts, body) = req.into_parts();
    match super::whole(body, app.config().body_limit).await {
        Some(bytes) => Ok((parts, bytes)),
        None => {
            let res = ApiError::vendor(
                413,
                "PAYLOAD_TOO_LARGE",
                "request body exceeds the size limit",
            )
            .into_response();
            Err(crate::error::finish(app, res, parts.uri.path()))
        }
    }
}

/// The fault layer of the GP tom routes (`Router::layer(Layer(app))`; `/__admin` is never faulted).
#[derive(Clone)]
pub struct Layer(pub AppState);

impl<S> tower::Layer<S> for Layer {
    type Service = Faulted<S>;

    fn layer(&self, inner: S) -> Faulted<S> {
        Faulted {
            app: self.0.clone(),
            inner,
        }
    }
}

/// A route behind the fault layer. When nothing could apply (no rule, no network latency, not a replay resuming
/// after its delay) the request goes straight to the route: no description, no boxed future. Else [`apply`].
#[derive(Clone)]
pub struct Faulted<S> {
    app: AppState,
    inner: S,
}

type Answer = Result<Response, Infallible>;

impl<S> tower::Service<Request> for Faulted<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<S::Future, Pin<Box<dyn Future<Output = Answer> + Send>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        if untouched(&self.app, req.extensions()) {
            return Either::Left(self.inner.call(req));
        }
        let replay = req.extensions().get::<Replay>().cloned();
        // The replay of a request's part after its delay goes on with the plan decided before it.
        let resumed = replay.as_ref().and_then(|r| r.plan.clone());
        // the service polled ready goes with this call; a clone stays for the next one
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let app = self.app.clone();
        Either::Right(Box::pin(async move {
            Ok(apply(app, req, replay, resumed, inner).await)
        }))
    }
}

/// Whether nothing could shape `req`: no fault rule, no network latency, and not the replay of a request's part
/// after its delay (which goes on with the plan decided before it).
pub fn untouched(app: &AppState, extensions: &Extensions) -> bool {
    extensions.get::<Replay>().is_none_or(|r| r.plan.is_none())
        && app.with_engine_untimed(|e| e.faults_idle())
}

/// A request that a fault rule or network latency may shape: described, decided under the engine's lock, then
/// waited / answered / dropped outside it, or run.
async fn apply<S>(
    app: AppState,
    req: Request,
    replay: Option<Replay>,
    resumed: Option<engine::fault::Plan>,
    mut inner: S,
) -> Response
where
    S: tower::Service<Request, Response = Response, Error = Infallible>,
{
    // The journal layer (outside this one) has already buffered the body: this is a cheap clone.
    let (req, body) = match buffer(&app, req).await {
        Ok(r) => r,
        Err(res) => return res,
    };
    let (parts, body_in) = req.into_parts();
    let mut scope = None;
    let plan = match resumed {
        Some(plan) => plan,
        None => {
            let facts = facts_of(&parts.method, parts.uri.path(), &parts.headers, &body);
            let plan = app.with_engine(|e, _| e.decide_fault(&facts)); // lock released here
            if plan.delay_ms > 0 {
                if replay.is_some() {
                    let mut res = Response::default();
                    res.extensions_mut().insert(Suspended);
                    return res;
                }
                match persist::wait(&app, &parts, &body, &plan).await {
                    Ok(s) => scope = s,
                    Err(res) => return res,
                }
            }
            plan
        }
    };
    let mut res = if plan.drop {
        let mut res = Response::default();
        res.extensions_mut().insert(DropConnection);
        res
    } else if let Some(r) = plan.respond {
        let message = r
            .message
            .unwrap_or_else(|| format!("injected fault: {} {}", r.status, r.kind));
        ApiError::Vendor(engine::Error::new(r.status, r.kind, message, None)).into_response()
    } else {
        let run = inner.call(Request::from_parts(parts, body_in));
        let run = Box::pin(async move { run.await.unwrap_or_else(|e| match e {}) });
        match scope {
            Some(scope) => scope.run(run).await,
            None => run.await,
        }
    };
    if let Some(rule) = plan.rule {
        res.extensions_mut().insert(FaultApplied(rule));
    }
    res
}

/// Response marker: which fault rule shaped this response (for the journal).
#[derive(Clone, Debug)]
pub struct FaultApplied(pub String);
