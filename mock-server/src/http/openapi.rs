//! The OpenAPI 3.1 document of the GP tom surface and the admin API, generated from the handlers'
//! `#[utoipa::path]` annotations (registered with their routes by `utoipa-axum`), served at `/openapi.json` with Swagger UI (vendored, works offline) at `/docs`.

use serde_json::Value;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::dto;

/// What the document says besides its paths; the paths come from the router (`http::router`), which
/// registers each handler with its `#[utoipa::path]` entry.
#[derive(OpenApi)]
#[openapi(
    info(title = "gptom-mock", description = "A stateful mock of the GP tom Cloud API (Global Payments), plus its admin API."),
    components(schemas(dto::VendorErrorBody, dto::OAuthErrorBody, dto::AdminErrorBody, crate::engine::outcome::Outcome)),
    modifiers(&Security),
    tags(
        (name = "OAuth", description = "Tokens (HTTP Basic client atom:ashfuf4e5fa)"),
        (name = "Cloud API", description = "GP tom tasks and transactions (Bearer access token)"),
        (name = "iOS deep links", description = "gptom:// URLs in, the redirect GP tom opens out"),
        (name = "Android app2app", description = "The AIDL calls as JSON (entities as Gson writes them)"),
        (name = "Admin (not GP tom)", description = "Control plane of the mock"),
        (name = "Console (not GP tom)", description = "The web console at /__console"),
    )
)]
pub struct ApiDoc;

/// The document as served: the router's plus what only the running mock knows, the loaded latency profile
/// names (the `latency` of `PATCH /__admin/terminals/{tid}` becomes an enum of them).
pub fn document(
    mut doc: utoipa::openapi::OpenApi,
    latency_profiles: impl IntoIterator<Item = String>,
) -> utoipa::openapi::OpenApi {
    let body = doc
        .components
        .as_mut()
        .and_then(|c| c.schemas.get_mut("PatchTerminalBody"));
    if let Some(RefOr::T(Schema::Object(body))) = body
        && let Some(RefOr::T(Schema::Object(latency))) = body.properties.get_mut("latency")
    {
        let names = latency_profiles.into_iter().map(Value::from);
        latency.enum_values = Some(names.chain([Value::Null]).collect());
    }
    doc
}

struct Security;

impl Modify for Security {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        let bearer = Http::builder()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .build();
        components.add_security_scheme("GPTomAuth", SecurityScheme::Http(bearer));
        components.add_security_scheme(
            "clientBasic",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)),
        );
        components.add_security_scheme(
            "adminToken",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}
