//! Formats the device channels share: amounts as decimal strings, card and currency code tables, the
//! merchant's location. Pure functions.

use serde_json::{Value, json};

use crate::engine::terminal::Terminal;
use crate::engine::transaction::CardBrand;

/// Client id of a merchant (the CID GP tom checks `clientID` against) [assumption: derived from the merchant id].
pub fn client_id(terminal: &Terminal) -> String {
    format!("CID{}", terminal.merchant_id)
}

/// Minor units → decimal major-unit string with trailing zeros trimmed: 1111 → "11.11", 1000 → "10", 1150 → "11.5".
pub fn major(amount: i64) -> String {
    let sign = if amount < 0 { "-" } else { "" };
    let (whole, cents) = (amount.abs() / 100, amount.abs() % 100);
    match cents {
        0 => format!("{sign}{whole}"),
        c if c % 10 == 0 => format!("{sign}{whole}.{}", c / 10),
        c => format!("{sign}{whole}.{c:02}"),
    }
}

/// Minor units → a JSON number in major units (iOS batch JSON): 9550 → 95.5.
pub fn major_number(amount: i64) -> Value {
    serde_json::from_str(&major(amount)).unwrap_or(Value::Null)
}

/// ISO 4217 numeric code (Android `currencyCode`).
pub fn numeric_currency(alpha: &str) -> i64 {
    match alpha {
        "CZK" => 203,
        "EUR" => 978,
        "PLN" => 985,
        "HUF" => 348,
        "USD" => 840,
        "GBP" => 826,
        "CHF" => 756,
        _ => 0,
    }
}

/// Android `cardProduct` for an iOS/Cloud `cardType`.
pub fn card_product(card_type: &str) -> &'static str {
    match card_type {
        "MASTERCARD" => "MASTER",
        "VISA" => "VISA",
        "MAESTRO" => "Maestro",
        "AMEX" => "AMEX",
        "JCB" => "JCB",
        "UNIONPAY" => "UNIONPAY",
        "DISCOVER" => "DISCOVERY",
        _ => "UNKNOW",
    }
}

/// The values of the iOS SDK's `CardType` (`CardType.swift`).
pub const IOS_CARD_TYPES: [&str; 12] = [
    "DISCOVER",
    "JCBANDVISA",
    "MASTERCARD",
    "VISA",
    "AMEX",
    "JCB",
    "TROY",
    "UNIONPAY",
    "RUPAY",
    "PURE",
    "GIROCARD",
    "UNKNOWN",
];

/// A brand's `cardType` on iOS receipts: its `iosCardType`, else its `cardType` when the SDK knows it, else
/// `UNKNOWN` (never a value the SDK would reject, which would drop the whole receipt).
pub fn ios_card_type(brand: &CardBrand) -> String {
    match &brand.ios_card_type {
        Some(t) => t.clone(),
        None if IOS_CARD_TYPES.contains(&brand.card_type.as_str()) => brand.card_type.clone(),
        None => "UNKNOWN".to_owned(),
    }
}

/// Android `CardEntryType` for a Cloud `cardDataEntry`.
pub fn entry_type(entry: &str) -> &'static str {
    match entry {
        "CHIP" => "C",
        "MAGSTRIPE" => "S",
        "CONTACTLESS" => "CL",
        _ => "MANUAL",
    }
}

/// Where the mock says its merchants are [assumption: the vendor's example location].
pub fn merchant_location() -> Value {
    json!({"city": "Prague", "county": "", "house": "10", "location": "", "street": "Prazska", "zip": "10100"})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn major_units_trim_trailing_zeros() {
        let rows = [
            (1111, "11.11"),
            (1000, "10"),
            (1150, "11.5"),
            (5, "0.05"),
            (99_999_999, "999999.99"),
            (0, "0"),
            (-250, "-2.5"),
        ];
        for (minor, text) in rows {
            assert_eq!(major(minor), text, "{minor}");
        }
        assert_eq!(major_number(9550), json!(95.5));
    }
}
