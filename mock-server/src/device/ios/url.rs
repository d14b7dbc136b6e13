//! The deep link as GP tom reads it: the ten request URIs, their parameters decoded the way the iOS SDK decodes
//! them, the redirect URL with the result appended, and warnings for the slips a client makes. Pure.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde_json::{Map, Value};

use crate::engine::validate::MAX_AMOUNT;

/// RFC 3986 unreserved characters stay as they are; everything else is percent-encoded.
const VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The ten request URIs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `transaction/create`.
    Create,
    /// `transaction/refund`.
    Refund,
    /// `transaction/cancel`.
    Cancel,
    /// `transaction/detail`.
    Detail,
    /// `batch/close`.
    BatchClose,
    /// `batch/detail`.
    BatchDetail,
    /// `login`.
    Login,
    /// `logout`.
    Logout,
    /// `change-password`.
    ChangePassword,
    /// `status`.
    Status,
}

impl Op {
    pub(super) fn parse(path: &str) -> Option<Self> {
        Some(match path {
            "transaction/create" => Op::Create,
            "transaction/refund" => Op::Refund,
            "transaction/cancel" => Op::Cancel,
            "transaction/detail" => Op::Detail,
            "batch/close" => Op::BatchClose,
            "batch/detail" => Op::BatchDetail,
            "login" => Op::Login,
            "logout" => Op::Logout,
            "change-password" => Op::ChangePassword,
            "status" => Op::Status,
            _ => return None,
        })
    }

    /// Parameter names the SDK knows for this URI (case-sensitive).
    pub(super) fn params(self) -> &'static [&'static str] {
        const PAY: &[&str] = &[
            "amount",
            "requestID",
            "clientID",
            "originReferenceNum",
            "printByPaymentApp",
            "tipAmount",
            "redirectUrl",
            "tipCollect",
            "preferableReceiptType",
            "clientPhone",
            "clientEmail",
            "transactionType",
        ];
        match self {
            Op::Create | Op::Refund => PAY,
            Op::Cancel => &[
                "amsID",
                "requestID",
                "clientID",
                "redirectUrl",
                "printByPaymentApp",
                "preferableReceiptType",
                "clientPhone",
                "clientEmail",
            ],
            Op::Detail => &["amsID", "requestID", "redirectUrl"],
            Op::BatchClose => &[
                "clientID",
                "redirectUrl",
                "printByPaymentApp",
                "preferableReceiptType",
                "clientPhone",
                "clientEmail",
            ],
            Op::BatchDetail => &["amsID", "redirectUrl"],
            Op::Login => &["username", "password", "tid", "redirectUrl"],
            Op::Logout => &["redirectUrl"],
            Op::ChangePassword => &["username", "password", "newPassword", "code", "redirectUrl"],
            Op::Status => &["redirectUrl"],
        }
    }
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Foundation's `removingPercentEncoding`: `None` when a `%` does not start a valid escape of UTF-8.
fn removing_percent_encoding(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let valid = bytes.iter().enumerate().all(|(i, b)| {
        *b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    if !valid {
        return None;
    }
    percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// Splits `gptom://path?query` into the path and the parameters as GP tom reads them (`Deeplink.from(url:)` of
/// the iOS SDK): `URLComponents.queryItems` decodes each value once (`+` stays `+`), then `removingPercentEncoding`
/// decodes it again — a value that fails the second decoding is dropped.
pub(super) fn split(url: &str) -> Result<(String, Vec<(String, String)>), String> {
    let rest = url
        .strip_prefix("gptom://")
        .ok_or_else(|| format!("{url:?} is not a gptom:// URL; GP tom would not open it"))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let params = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Some((decode(k), removing_percent_encoding(&decode(v))?))
        })
        .collect();
    Ok((path.trim_end_matches('/').to_owned(), params))
}

/// The caller's `redirectUrl` with `params` added to its query (before a `#fragment`, where URL parsers look for
/// a query), values percent-encoded.
pub fn redirect_with(base: &str, params: &Map<String, Value>) -> String {
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("{k}={}", utf8_percent_encode(&text, VALUE))
        })
        .collect();
    let (base, fragment) = match base.split_once('#') {
        Some((b, f)) => (b, format!("#{f}")),
        None => (base, String::new()),
    };
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{}{fragment}", query.join("&"))
}

/// The parameters of one deep link, in order.
pub(super) struct Params {
    pub(super) list: Vec<(String, String)>,
}

impl Params {
    /// A parameter's value; an empty one (`clientID=`, as the vendor's example app sends on every form) counts
    /// as absent.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.list
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
    /// A `true`/`false` parameter.
    pub(super) fn flag(&self, name: &str) -> Option<bool> {
        self.get(name).map(|v| v == "true")
    }
}

/// Wrong-case or unknown parameter names and value-set slips, as warnings naming the likely intent.
pub(super) fn lint(op: Op, params: &Params) -> Vec<String> {
    let known = op.params();
    let mut out = Vec::new();
    for (k, _) in &params.list {
        if known.contains(&k.as_str()) {
            continue;
        }
        match known.iter().find(|n| n.eq_ignore_ascii_case(k)) {
            Some(n) => out.push(format!(
                "parameter \"{k}\" is ignored by GP tom: the SDK reads \"{n}\" (case-sensitive)"
            )),
            None => out.push(format!("unknown parameter \"{k}\" is ignored by GP tom")),
        }
    }
    if let Some(t) = params.get("preferableReceiptType")
        && !["SMS", "EMAIL", "QR", "PRINT"].contains(&t)
    {
        let hint = if t == "PHONE" {
            "SMS".to_owned()
        } else {
            t.to_uppercase()
        };
        out.push(format!("preferableReceiptType \"{t}\" is ignored: the SDK knows SMS, EMAIL, QR, PRINT (did you mean {hint}?)"));
    }
    if let Some(r) = params.get("redirectUrl")
        && !r.contains(match op {
            Op::Create => "transaction/create",
            Op::Refund => "transaction/refund",
            Op::Cancel => "transaction/cancel",
            Op::BatchClose => "batch/close",
            Op::Login => "login",
            Op::Logout => "logout",
            Op::ChangePassword => "change-password",
            // the answer carries `appStatus=`, which is what the SDK routes on: any redirect works
            Op::Status | Op::Detail | Op::BatchDetail => "",
        })
    {
        out.push(format!("redirectUrl \"{r}\" does not contain the operation path: the iOS SDK cannot tell which result it is"));
    }
    out
}

/// A tip: digits only, 0..=99999999.
pub(super) fn tip(v: &str) -> Option<i64> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok().filter(|a| (0..=MAX_AMOUNT).contains(a))
}

/// A minor-units integer parameter: digits only, 1..=99999999.
pub(super) fn amount(v: Option<&str>) -> Option<i64> {
    let v = v?;
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok().filter(|a| (1..=MAX_AMOUNT).contains(a))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::completed;
    use super::*;

    #[test]
    fn urls_split_and_decode_like_the_sdk_keeping_plus() {
        let (path, params) = split("gptom://transaction/create?amount=1111&clientPhone=+420606505404&redirectUrl=gp%3A%2F%2Ftransaction%2Fcreate").unwrap();
        assert_eq!(path, "transaction/create");
        assert_eq!(params[1], ("clientPhone".into(), "+420606505404".into()));
        assert_eq!(params[2].1, "gp://transaction/create");
        assert!(split("https://example.com").is_err());
        // decoded twice, as Deeplink.from(url:) does: an app that pre-encodes gets its value back
        let (_, params) =
            split("gptom://transaction/create?redirectUrl=gp://x%2523done&ref=50%25").unwrap();
        assert_eq!(
            params,
            [("redirectUrl".into(), "gp://x#done".into())],
            "50% fails the second decoding"
        );
    }

    #[test]
    fn redirects_percent_encode_values() {
        let mut m = Map::new();
        m.insert("status".into(), json!("COMPLETED"));
        m.insert("receipt".into(), json!({"amount": "11.11"}));
        assert_eq!(
            redirect_with("gp://transaction/create", &m),
            "gp://transaction/create?status=COMPLETED&receipt=%7B%22amount%22%3A%2211.11%22%7D"
        );
        assert_eq!(
            redirect_with("fb://success?x=1", &completed()),
            "fb://success?x=1&status=COMPLETED"
        );
        assert_eq!(
            redirect_with("gp://transaction/create#done", &completed()),
            "gp://transaction/create?status=COMPLETED#done"
        );
    }

    #[test]
    fn amounts_are_whole_minor_units() {
        assert_eq!(amount(Some("1111")), Some(1111));
        for bad in ["10.50", "", "-5", "0", "1e3", "abc", "100000000"] {
            assert_eq!(amount(Some(bad)), None, "{bad}");
        }
    }
}
