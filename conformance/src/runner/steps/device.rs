//! The device-channel steps: `deeplink` (iOS) and `app2app` (Android), and the wait for a `202 {pending}`
//! answer they share.

use serde_json::{Map, Value, json};

use super::super::repeat::Repeat;
use super::{Body, Ctx, Response, StepOutcome, sub};
use crate::result::{Exchange, StepResult, Verdict};
use crate::scenario::vars::substitute_value;
use crate::scenario::{App2App, App2AppCall, Deeplink};

/// Where and how often to ask again while an answer is pending.
struct Pending<'a> {
    /// The result route; the pending id is appended (`/ios/deeplink` → `/ios/deeplink/{id}`).
    route: &'a str,
    headers: Vec<(String, String)>,
    interval: f64,
    timeout: f64,
}

impl Ctx<'_> {
    pub(super) async fn deeplink(&mut self, d: &Deeplink, r: &mut StepResult) -> StepOutcome {
        let url = sub(&d.url, &self.vars)?;
        let tid = self.tid_or_default(d.tid.as_deref())?;
        let body = Body::Json(json!({"url": url, "tid": tid}));
        let resp = self
            .send(r, "POST", "/ios/deeplink", Vec::new(), body)
            .await?;
        let resp = if d.wait {
            let pending = Pending {
                route: "/ios/deeplink",
                headers: Vec::new(),
                interval: d.interval,
                timeout: d.timeout,
            };
            self.wait_out(r, resp, &pending).await?
        } else {
            resp
        };
        self.finish(r, &resp, &d.expect, &d.capture, &[])
    }

    pub(super) async fn app2app(&mut self, a: &App2App, r: &mut StepResult) -> StepOutcome {
        let tid = self.tid_or_default(a.tid.as_deref())?;
        let headers = vec![("x-gptom-tid".to_owned(), tid)];
        let id = a
            .id_template()
            .map(|t| sub(t, &self.vars))
            .transpose()?
            .unwrap_or_default();
        let path = match a.call {
            App2AppCall::State => format!("/app2app/state/{id}"),
            App2AppCall::Inquire => format!("/app2app/inquire/{id}"),
            App2AppCall::Result => format!("/app2app/transaction/{id}"),
            call => format!("/app2app/{}", call.as_str()),
        };
        let (method, body) = if a.call.has_body() {
            let mut entity = Map::new();
            if a.call == App2AppCall::Transaction && a.id_template().is_some() {
                entity.insert("transactionID".into(), json!(id));
            }
            for (k, v) in a.body.iter().flatten() {
                entity.insert(k.clone(), v.clone());
            }
            let entity =
                substitute_value(&Value::Object(entity), &self.vars).map_err(Verdict::Errored)?;
            ("POST", Body::Json(entity))
        } else {
            ("GET", Body::None)
        };
        let resp = self.send(r, method, &path, headers.clone(), body).await?;
        let resp = if a.wait && a.call.may_pend() {
            let pending = Pending {
                route: "/app2app/transaction",
                headers,
                interval: a.interval,
                timeout: a.timeout,
            };
            self.wait_out(r, resp, &pending).await?
        } else {
            resp
        };
        let implicit: &[(&str, &str)] = match a.call {
            App2AppCall::Register => &[("transactionId", "transactionId")],
            _ => &[],
        };
        self.finish(r, &resp, &a.expect, &a.capture, implicit)
    }

    /// While `first` is `202 {"pending": id}`: let `interval` pass (moving a manual clock, waiting otherwise),
    /// then `GET {route}/{id}`, until another status or `timeout`. The request and its final answer are one
    /// logical exchange in the transcript (the pending answer and the polls become its `pending` line), so a
    /// target that answers at once and one that makes the caller wait read the same.
    async fn wait_out(
        &mut self,
        r: &mut StepResult,
        first: Response,
        p: &Pending<'_>,
    ) -> Result<Response, Verdict> {
        let Some(id) = pending_id(&first) else {
            return Ok(first);
        };
        let path = format!("{}/{id}", p.route);
        let mut repeat = Repeat::new(p.interval, p.timeout, self.target.manual_clock());
        let keep = r.exchanges.len();
        loop {
            if !repeat.can_wait() {
                r.notes
                    .push(format!("still pending {id}: {}", repeat.describe()));
                return Err(Verdict::Failed(format!(
                    "still pending after {}s (timeout {}s)",
                    repeat.waited(),
                    p.timeout
                )));
            }
            repeat.wait(self).await?;
            r.exchanges.truncate(keep); // the transcript shows the last poll only
            let resp = self
                .send(r, "GET", &path, p.headers.clone(), Body::None)
                .await?;
            repeat.tried();
            if resp.status != 202 {
                if let Some(last) = r.exchanges.pop()
                    && let Some(request) = r.exchanges.last_mut()
                {
                    *request = Exchange {
                        pending: Some(format!(
                            "202 pending {id}; GET {path} {}",
                            repeat.describe()
                        )),
                        elapsed_ms: request.elapsed_ms + last.elapsed_ms,
                        ..last
                    }
                    .with_request_of(request);
                }
                return Ok(resp);
            }
        }
    }
}

/// The id of a `202 {"pending": id}` answer.
fn pending_id(resp: &Response) -> Option<String> {
    if resp.status != 202 {
        return None;
    }
    let id = resp.json.as_ref()?.get("pending")?.as_str()?;
    Some(id.to_owned())
}
