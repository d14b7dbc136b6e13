//! The Cloud API's other steps: `token` (OAuth) and `request`, any raw call (bad-input cases). The task steps
//! are in `task.rs`.

use base64::Engine as _;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::ctx::{Body, Ctx, StepOutcome, sub};
use super::{Kind, Run, Uses, answered, yes};
use crate::result::{StepResult, Verdict};
use crate::scenario::vars::{Vars, as_text, substitute_value};
use crate::scenario::{Expect, Need, Poll};

/// The OAuth grant a `token` step uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    /// `grant_type=password` with username, password and (for terminal accounts) `tid`.
    #[default]
    Password,
    /// `grant_type=refresh_token` with `refresh_token` (default `{{refresh_token}}`).
    Refresh,
}

/// `token`: `POST /cloud/oauth/token` (password) or `/api/oauth/token` (refresh), form-encoded, Basic client.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenStep {
    /// A label for reports.
    pub name: Option<String>,
    /// `password` (default) or `refresh`.
    #[serde(default)]
    pub grant: Grant,
    /// Username; default: the target's. When set, `tid` is sent only if given too.
    pub user: Option<String>,
    /// Password; default: the target's.
    pub password: Option<String>,
    /// The `tid` form field; default: the target's TID (unless `user` is set).
    pub tid: Option<String>,
    /// Refresh token for the refresh grant; default `{{refresh_token}}`.
    pub refresh_token: Option<String>,
    /// Raw `grant_type` value (overrides `grant`), e.g. to test `unsupported_grant_type`.
    pub grant_type: Option<String>,
    /// HTTP Basic client as `id:secret`; default the published `atom:ashfuf4e5fa`.
    pub client: Option<String>,
    /// Token path; default `/cloud/oauth/token` (password) or `/api/oauth/token` (refresh).
    pub path: Option<String>,
    /// Whether a 200 replaces the stored `access_token`/`refresh_token` (default true).
    #[serde(default = "yes")]
    pub store: bool,
    /// Checks on the response.
    #[serde(default)]
    pub expect: Expect,
    /// Variables to capture: name → JSON path.
    #[serde(default)]
    pub capture: Map<String, Value>,
}

/// `request`: any HTTP call. Exactly one body form at most: `json`, `form`, `raw` or `body_size`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRequest {
    /// A label for reports.
    pub name: Option<String>,
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Path (and query) on the target, e.g. `/v1/tasks/TRANSACTION`.
    pub path: String,
    /// Request headers, sent as given.
    #[serde(default)]
    pub headers: Map<String, Value>,
    /// A JSON body (sets `Content-Type: application/json` unless `headers` has one).
    pub json: Option<Value>,
    /// A form body (sets `Content-Type: application/x-www-form-urlencoded` unless `headers` has one).
    pub form: Option<Map<String, Value>>,
    /// A raw text body, sent byte for byte.
    pub raw: Option<String>,
    /// A JSON object padded to exactly this many bytes (body-limit cases).
    pub body_size: Option<usize>,
    /// Repeat until the expectations hold (e.g. `{every: 60, within: 3700}` for a token to expire).
    pub poll: Option<Poll>,
    /// Checks on the response.
    #[serde(default)]
    pub expect: Expect,
    /// Variables to capture.
    #[serde(default)]
    pub capture: Map<String, Value>,
}

impl Kind for TokenStep {
    /// A literal `user` is one of the mock's built-in accounts.
    fn needs(&self) -> Option<Need> {
        self.user
            .as_deref()
            .is_some_and(|u| !u.contains("{{"))
            .then_some(Need::Mock)
    }
    fn uses<'a>(&'a self, uses: &mut Uses<'a>) {
        for s in [
            &self.user,
            &self.password,
            &self.tid,
            &self.refresh_token,
            &self.client,
            &self.path,
        ] {
            uses.opt(s);
        }
        if self.grant == Grant::Refresh && self.refresh_token.is_none() {
            uses.fallback("refresh_token");
        }
    }
    answered!();
    fn implicit_captures(&self) -> &'static [&'static str] {
        &["access_token", "refresh_token"]
    }
    fn tids(&self) -> Vec<&str> {
        self.tid.as_deref().into_iter().collect()
    }
}

impl Run for TokenStep {
    async fn run(&self, ctx: &mut Ctx<'_>, r: &mut StepResult) -> StepOutcome {
        let v = |o: &Option<String>, vars: &Vars| o.as_deref().map(|s| sub(s, vars)).transpose();
        let mut form: Vec<(String, String)> = Vec::new();
        let grant_type = match (&self.grant_type, self.grant) {
            (Some(g), _) => sub(g, &ctx.vars)?,
            (None, Grant::Password) => "password".to_owned(),
            (None, Grant::Refresh) => "refresh_token".to_owned(),
        };
        form.push(("grant_type".into(), grant_type));
        match self.grant {
            Grant::Password => {
                let user = v(&self.user, &ctx.vars)?;
                let tid = v(&self.tid, &ctx.vars)?;
                let tid = match (&user, tid) {
                    (_, Some(tid)) => Some(tid),
                    (None, None) => Some(ctx.creds.tid.clone()),
                    (Some(_), None) => None,
                };
                let password =
                    v(&self.password, &ctx.vars)?.unwrap_or_else(|| ctx.creds.password.clone());
                form.push((
                    "username".into(),
                    user.unwrap_or_else(|| ctx.creds.username.clone()),
                ));
                form.push(("password".into(), password));
                if let Some(tid) = tid {
                    form.push(("tid".into(), tid));
                }
            }
            Grant::Refresh => {
                let token = match &self.refresh_token {
                    Some(s) => sub(s, &ctx.vars)?,
                    None => sub("{{refresh_token}}", &ctx.vars)?,
                };
                form.push(("refresh_token".into(), token));
            }
        }
        let path = match (&self.path, self.grant) {
            (Some(p), _) => sub(p, &ctx.vars)?,
            (None, Grant::Password) => "/cloud/oauth/token".to_owned(),
            (None, Grant::Refresh) => "/api/oauth/token".to_owned(),
        };
        let client = v(&self.client, &ctx.vars)?.unwrap_or_else(|| ctx.creds.client.clone());
        let basic = base64::engine::general_purpose::STANDARD.encode(client);
        let headers = vec![("authorization".to_owned(), format!("Basic {basic}"))];
        let resp = ctx
            .send(r, "POST", &path, headers, Body::Form(form))
            .await?;
        let implicit: &[(&str, &str)] = if self.store {
            &[
                ("access_token", "access_token"),
                ("refresh_token", "refresh_token"),
            ]
        } else {
            &[]
        };
        ctx.finish(r, &resp, &self.expect, &self.capture, implicit)
    }
}

impl Kind for RawRequest {
    /// A call to the admin API needs it.
    fn needs(&self) -> Option<Need> {
        self.path
            .starts_with(crate::admin::path::PREFIX)
            .then_some(Need::Admin)
    }
    fn uses<'a>(&'a self, uses: &mut Uses<'a>) {
        uses.text(&self.path);
        for v in self.headers.values() {
            uses.value(v);
        }
        if let Some(j) = &self.json {
            uses.value(j);
        }
        for v in self.form.iter().flat_map(Map::values) {
            uses.value(v);
        }
        uses.opt(&self.raw);
    }
    answered!();
    fn poll(&self) -> Option<Poll> {
        self.poll
    }
    fn check(&self) -> Result<(), String> {
        let forms = [
            self.json.is_some(),
            self.form.is_some(),
            self.raw.is_some(),
            self.body_size.is_some(),
        ];
        if forms.iter().filter(|b| **b).count() > 1 {
            return Err("give at most one of json, form, raw, body_size".to_owned());
        }
        Ok(())
    }
}

impl Run for RawRequest {
    async fn run(&self, ctx: &mut Ctx<'_>, r: &mut StepResult) -> StepOutcome {
        let path = sub(&self.path, &ctx.vars)?;
        let mut headers = Vec::new();
        for (k, v) in &self.headers {
            let v = substitute_value(v, &ctx.vars).map_err(Verdict::Errored)?;
            headers.push((k.to_ascii_lowercase(), as_text(&v)));
        }
        let body = if let Some(j) = &self.json {
            Body::Json(substitute_value(j, &ctx.vars).map_err(Verdict::Errored)?)
        } else if let Some(f) = &self.form {
            let mut pairs = Vec::new();
            for (k, v) in f {
                let v = substitute_value(v, &ctx.vars).map_err(Verdict::Errored)?;
                pairs.push((k.clone(), as_text(&v)));
            }
            Body::Form(pairs)
        } else if let Some(raw) = &self.raw {
            Body::Raw(sub(raw, &ctx.vars)?)
        } else if let Some(n) = self.body_size {
            let fill = n.saturating_sub(r#"{"pad":""}"#.len());
            let text = format!(r#"{{"pad":"{}"}}"#, "x".repeat(fill));
            if !headers.iter().any(|(k, _)| k == "content-type") {
                headers.push(("content-type".into(), "application/json".into()));
            }
            Body::Raw(text)
        } else {
            Body::None
        };
        let method = self.method.to_ascii_uppercase();
        let resp = ctx.send(r, &method, &path, headers, body).await?;
        ctx.finish(r, &resp, &self.expect, &self.capture, &[])
    }
}
