//! The vendor's example app, github.com/GP-tom/tom-ios-sdk-example @ fa7903e62360a7cf4e8a1846a343e9602fcfc704
//! (`deeplinks/`), transliterated: `buildDeeplink(scheme:path:params:)` and every form's `@State` defaults and
//! `buildDeeplink()`, producing byte for byte the `gptom://` link the app opens. Links for the URIs the app has no
//! form for (`batch/detail`, `logout`, `change-password`, and `login`'s `redirectUrl`) use the same builder with
//! the parameter names of the SDK's request parser (Deeplink.swift).
//!
//! Swift builds the query from a `[String: String?]` dictionary, whose iteration order is unspecified (seeded
//! per process); the items here go out in source order, and [`reversed`] gives another order a real run may
//! produce.

use crate::swift::{QueryItem, adding_percent_encoding_url_query_allowed, set_query_items};

/// `buildDeeplink(scheme:path:params:)` (ContentView.swift:94-109): `URLComponents(string: "<scheme>://<path>")`,
/// nil values dropped, `queryItems` set (nil when empty: no `?` at all), `url(relativeTo: nil)`.
pub fn build_deeplink(scheme: &str, path: &str, params: &[(&str, Option<String>)]) -> String {
    let items: Vec<QueryItem> = params
        .iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| QueryItem::new(k, Some(v))))
        .collect();
    if items.is_empty() {
        format!("{scheme}://{path}")
    } else {
        format!("{scheme}://{path}?{}", set_query_items(&items))
    }
}

/// The same parameters in reverse order (another order Swift's dictionary may iterate in).
pub fn reversed(params: &[(&'static str, Option<String>)]) -> Vec<(&'static str, Option<String>)> {
    params.iter().rev().cloned().collect()
}

/// The `redirectUrl` each form sets in `.onAppear`: `buildDeeplink(scheme: "gp", path: path, params: [:])
/// .absoluteString` (e.g. CreateTransactionForm.swift:118-125) — `gp://<path>`.
pub fn redirect_on_appear(path: &str) -> String {
    build_deeplink("gp", path, &[])
}

/// `value.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)` as the forms write it (non-nil for any
/// valid string).
fn pe(value: &str) -> Option<String> {
    Some(adding_percent_encoding_url_query_allowed(value))
}

/// The `status` link of the list (ContentView.swift:45-56): `redirectUrl` = `gp://status`, pre-encoded.
pub fn status_link() -> String {
    build_deeplink(
        "gptom",
        "status",
        &[("redirectUrl", pe(&build_deeplink("gp", "status", &[])))],
    )
}

/// `CreateTransactionForm` (CreateTransactionForm.swift:12-28 defaults, 128-149 link).
#[derive(Clone, Debug)]
pub struct CreateTransactionForm {
    pub path: &'static str,
    pub request_id: String,
    pub amount: String,
    pub client_id: String,
    pub reference_number: String,
    pub print_by_payment_app: bool,
    pub tip_amount: String,
    pub redirect_url: String,
    pub tip_collect: bool,
    pub preferable_receipt_type: &'static str,
    pub transaction_type: &'static str,
    pub client_phone: String,
    pub client_email: String,
}

impl CreateTransactionForm {
    /// The form as it appears (`@State` defaults, `redirectUrl` from `.onAppear`).
    pub fn new() -> Self {
        let path = "transaction/create";
        CreateTransactionForm {
            path,
            request_id: "123".into(),
            amount: "2".into(),
            client_id: String::new(),
            reference_number: "12345".into(),
            print_by_payment_app: false,
            tip_amount: "1".into(),
            redirect_url: redirect_on_appear(path),
            tip_collect: false,
            preferable_receipt_type: "QR",
            transaction_type: "CARD",
            client_phone: "+420606505404".into(),
            client_email: "info@gptom.com".into(),
        }
    }

    /// The form with `amount` typed in.
    pub fn amount(amount: &str) -> Self {
        CreateTransactionForm {
            amount: amount.into(),
            ..Self::new()
        }
    }

    /// The dictionary of `buildDeeplink()` (:131-148).
    pub fn params(&self) -> Vec<(&'static str, Option<String>)> {
        vec![
            ("requestId", Some(self.request_id.clone())),
            ("amount", pe(&self.amount)),
            ("clientID", Some(self.client_id.clone())),
            ("originReferenceNum", pe(&self.reference_number)),
            (
                "printByPaymentApp",
                Some(self.print_by_payment_app.to_string()),
            ),
            ("tipAmount", pe(&self.tip_amount)),
            ("redirectUrl", pe(&self.redirect_url)),
            ("tipCollect", Some(self.tip_collect.to_string())),
            (
                "preferableReceiptType",
                Some(self.preferable_receipt_type.into()),
            ),
            ("clientPhone", Some(self.client_phone.clone())),
            ("clientEmail", Some(self.client_email.clone())),
            ("transactionType", Some(self.transaction_type.into())),
        ]
    }

    /// `buildDeeplink()` (:128-154).
    pub fn link(&self) -> String {
        build_deeplink("gptom", self.path, &self.params())
    }
}

/// `RefundForm` (RefundForm.swift:12-25 defaults, 105-122 link). It has no `requestId` field.
#[derive(Clone, Debug)]
pub struct RefundForm {
    pub path: &'static str,
    pub amount: String,
    pub client_id: String,
    pub reference_number: String,
    pub print_by_payment_app: bool,
    pub redirect_url: String,
    pub preferable_receipt_type: &'static str,
    pub transaction_type: &'static str,
    pub client_phone: String,
    pub client_email: String,
}

impl RefundForm {
    /// The form as it appears.
    pub fn new() -> Self {
        let path = "transaction/refund";
        RefundForm {
            path,
            amount: "2".into(),
            client_id: String::new(),
            reference_number: "12345".into(),
            print_by_payment_app: false,
            redirect_url: redirect_on_appear(path),
            preferable_receipt_type: "QR",
            transaction_type: "CARD",
            client_phone: "+420606505404".into(),
            client_email: "info@gptom.com".into(),
        }
    }

    /// `buildDeeplink()` (:105-127).
    pub fn link(&self) -> String {
        build_deeplink(
            "gptom",
            self.path,
            &[
                ("amount", pe(&self.amount)),
                ("clientID", Some(self.client_id.clone())),
                ("originReferenceNum", pe(&self.reference_number)),
                (
                    "printByPaymentApp",
                    Some(self.print_by_payment_app.to_string()),
                ),
                ("redirectUrl", pe(&self.redirect_url)),
                (
                    "preferableReceiptType",
                    Some(self.preferable_receipt_type.into()),
                ),
                ("clientPhone", Some(self.client_phone.clone())),
                ("clientEmail", Some(self.client_email.clone())),
                ("transactionType", Some(self.transaction_type.into())),
            ],
        )
    }
}

/// `CancelTransactionForm` (CancelTransactionForm.swift:12-24 defaults, 95-108 link).
#[derive(Clone, Debug)]
pub struct CancelTransactionForm {
    pub path: &'static str,
    pub request_id: String,
    pub ams_id: String,
    pub client_id: String,
    pub redirect_url: String,
    pub print_by_payment_app: bool,
    pub preferable_receipt_type: &'static str,
    pub client_phone: String,
    pub client_email: String,
}

impl CancelTransactionForm {
    /// The form as it appears (`amsID` empty).
    pub fn new() -> Self {
        let path = "transaction/cancel";
        CancelTransactionForm {
            path,
            request_id: "123".into(),
            ams_id: String::new(),
            client_id: String::new(),
            redirect_url: redirect_on_appear(path),
            print_by_payment_app: false,
            preferable_receipt_type: "QR",
            client_phone: "+420606505404".into(),
            client_email: "info@gptom.com".into(),
        }
    }

    /// The form with the receipt's `amsID` pasted in.
    pub fn ams(ams_id: &str) -> Self {
        CancelTransactionForm {
            ams_id: ams_id.into(),
            ..Self::new()
        }
    }

    /// `buildDeeplink()` (:95-113).
    pub fn link(&self) -> String {
        build_deeplink(
            "gptom",
            self.path,
            &[
                ("requestId", Some(self.request_id.clone())),
                ("amsID", Some(self.ams_id.clone())),
                ("clientID", Some(self.client_id.clone())),
                (
                    "printByPaymentApp",
                    Some(self.print_by_payment_app.to_string()),
                ),
                ("redirectUrl", pe(&self.redirect_url)),
                (
                    "preferableReceiptType",
                    Some(self.preferable_receipt_type.into()),
                ),
                ("clientPhone", Some(self.client_phone.clone())),
                ("clientEmail", Some(self.client_email.clone())),
            ],
        )
    }
}

/// `TransactionDetailForm` (TransactionDetailForm.swift:11-17 defaults, 44-55 link): `requestId` and `amsID`
/// only — no `redirectUrl`, so GP tom has nowhere to send the answer.
#[derive(Clone, Debug)]
pub struct TransactionDetailForm {
    pub ams_id: String,
    pub request_id: String,
}

impl TransactionDetailForm {
    /// The form as it appears.
    pub fn new() -> Self {
        TransactionDetailForm {
            ams_id: String::new(),
            request_id: "123".into(),
        }
    }

    /// `buildDeeplink()` (:44-55).
    pub fn link(&self) -> String {
        build_deeplink(
            "gptom",
            "transaction/detail",
            &[
                ("requestId", Some(self.request_id.clone())),
                ("amsID", Some(self.ams_id.clone())),
            ],
        )
    }
}

/// `CloseBatchForm` (CloseBatchForm.swift:13-23 defaults, 86-97 link).
#[derive(Clone, Debug)]
pub struct CloseBatchForm {
    pub client_id: String,
    pub redirect_url: String,
    pub print_by_payment_app: bool,
    pub preferable_receipt_type: &'static str,
    pub client_phone: String,
    pub client_email: String,
}

impl CloseBatchForm {
    /// The form as it appears.
    pub fn new() -> Self {
        CloseBatchForm {
            client_id: String::new(),
            redirect_url: redirect_on_appear("batch/close"),
            print_by_payment_app: false,
            preferable_receipt_type: "QR",
            client_phone: "+420606505404".into(),
            client_email: "info@gptom.com".into(),
        }
    }

    /// `buildDeeplink()` (:86-102).
    pub fn link(&self) -> String {
        build_deeplink(
            "gptom",
            "batch/close",
            &[
                ("clientID", Some(self.client_id.clone())),
                ("redirectUrl", pe(&self.redirect_url)),
                (
                    "printByPaymentApp",
                    Some(self.print_by_payment_app.to_string()),
                ),
                (
                    "preferableReceiptType",
                    Some(self.preferable_receipt_type.into()),
                ),
                ("clientPhone", Some(self.client_phone.clone())),
                ("clientEmail", Some(self.client_email.clone())),
            ],
        )
    }
}

/// `LoginForm` (LoginForm.swift:12-19 defaults, 50-62 link): `username`, `password`, `tid`, all empty at first,
/// and no `redirectUrl`.
#[derive(Clone, Debug, Default)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
    pub tid: String,
}

impl LoginForm {
    /// `buildDeeplink()` (:50-62).
    pub fn link(&self) -> String {
        build_deeplink("gptom", "login", &self.params())
    }

    fn params(&self) -> Vec<(&'static str, Option<String>)> {
        vec![
            ("username", Some(self.username.clone())),
            ("password", Some(self.password.clone())),
            ("tid", Some(self.tid.clone())),
        ]
    }

    /// The same link plus the `redirectUrl` the SDK's `LoginParams` reads (Deeplink.swift:304, 318), built the
    /// way the other forms build theirs.
    pub fn link_with_redirect(&self) -> String {
        let mut p = self.params();
        p.push(("redirectUrl", pe(&redirect_on_appear("login"))));
        build_deeplink("gptom", "login", &p)
    }
}

/// `gptom://logout` (`LogoutParams`, Deeplink.swift:291-297) with a `gp://logout` redirect.
pub fn logout_link() -> String {
    build_deeplink(
        "gptom",
        "logout",
        &[("redirectUrl", pe(&redirect_on_appear("logout")))],
    )
}

/// `gptom://change-password` (`ChangePasswordParams`, Deeplink.swift:322-344) with a `gp://change-password`
/// redirect; `code` only in the second step.
pub fn change_password_link(
    username: &str,
    password: &str,
    new_password: &str,
    code: Option<&str>,
) -> String {
    build_deeplink(
        "gptom",
        "change-password",
        &[
            ("username", Some(username.into())),
            ("password", Some(password.into())),
            ("newPassword", Some(new_password.into())),
            ("code", code.map(str::to_owned)),
            ("redirectUrl", pe(&redirect_on_appear("change-password"))),
        ],
    )
}

/// `gptom://batch/detail` (`BatchDetailParams`, Deeplink.swift:278-289: `amsID` only) plus a `redirectUrl`
/// the mock honours (the SDK's parser has none for this URI).
pub fn batch_detail_link(ams_id: &str, redirect: Option<&str>) -> String {
    build_deeplink(
        "gptom",
        "batch/detail",
        &[
            ("amsID", Some(ams_id.into())),
            ("redirectUrl", redirect.and_then(pe)),
        ],
    )
}

/// `gptom://transaction/detail` with the SDK's names (`amsID`, `requestID`, Deeplink.swift:221-239) plus a
/// `redirectUrl` the mock honours.
pub fn transaction_detail_link(
    ams_id: Option<&str>,
    request_id: Option<&str>,
    redirect: Option<&str>,
) -> String {
    build_deeplink(
        "gptom",
        "transaction/detail",
        &[
            ("amsID", ams_id.map(str::to_owned)),
            ("requestID", request_id.map(str::to_owned)),
            ("redirectUrl", redirect.and_then(pe)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact bytes the example app opens (in source order).
    #[test]
    fn links_are_built_byte_for_byte() {
        assert_eq!(
            CreateTransactionForm::new().link(),
            "gptom://transaction/create?requestId=123&amount=2&clientID=&originReferenceNum=12345\
             &printByPaymentApp=false&tipAmount=1&redirectUrl=gp://transaction/create&tipCollect=false\
             &preferableReceiptType=QR&clientPhone=+420606505404&clientEmail=info@gptom.com&transactionType=CARD"
        );
        assert_eq!(status_link(), "gptom://status?redirectUrl=gp://status");
        assert_eq!(
            TransactionDetailForm::new().link(),
            "gptom://transaction/detail?requestId=123&amsID="
        );
        assert_eq!(
            LoginForm::default().link(),
            "gptom://login?username=&password=&tid="
        );
        assert_eq!(
            CloseBatchForm::new().link(),
            "gptom://batch/close?clientID=&redirectUrl=gp://batch/close&printByPaymentApp=false\
             &preferableReceiptType=QR&clientPhone=+420606505404&clientEmail=info@gptom.com"
        );
        // a user-typed redirect with its own query: `=`/`&` are encoded by the setter, `%` twice (once by
        // addingPercentEncoding, once by the setter) — GP tom's parser decodes twice (Deeplink.swift:82)
        let form = CreateTransactionForm {
            redirect_url: "gp://transaction/create?order=A 1&x=y".into(),
            ..CreateTransactionForm::new()
        };
        assert!(
            form.link()
                .contains("&redirectUrl=gp://transaction/create?order%3DA%25201%26x%3Dy&"),
            "{}",
            form.link()
        );
    }
}
