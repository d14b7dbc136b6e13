//! Swift / Foundation semantics the official iOS SDK (github.com/GP-tom/tom-ios-sdk @ 08f1318) relies on,
//! transliterated strictly so the SDK's decoders can be replayed in Rust:
//!
//! * `JSONDecoder`'s keyed container over a `serde_json::Value` ([`KeyedContainer`], [`Decodable`]): no
//!   coercion at all — a JSON number is never a `String`, a string is never a number, `0`/`1` are not `Bool`s;
//!   `decode` on an absent key is `keyNotFound`, on `null` `valueNotFound`; `decodeIfPresent` gives nil for both;
//!   an enum takes only its exact raw value (else `dataCorrupted`); unknown keys are ignored.
//! * `Decimal` ([`Decimal`]): exact decimal arithmetic, `Decimal(string:)` scanning, `description`.
//! * `ISO8601DateFormatter` with `[.withInternetDateTime, .withFractionalSeconds]` ([`iso8601_fractional`]).
//! * `URL(string:)`, `URLComponents.queryItems` (getter and setter), `removingPercentEncoding`,
//!   `addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)` ([`Url`], [`query_items`],
//!   [`set_query_items`], [`removing_percent_encoding`], [`adding_percent_encoding_url_query_allowed`]).
//!
//! Foundation source used as the reference: github.com/swiftlang/swift-foundation @ 767ff1c2 (the Foundation of
//! iOS 17+; its character masks are the RFC 3986 sets Apple documents for `URLComponents`), cited as
//! `swift-foundation <file>:<line>`.

use std::fmt;

use serde_json::{Map, Value};

// ---------------------------------------------------------------------------------------------------------------
// JSONDecoder
// ---------------------------------------------------------------------------------------------------------------

/// `Swift.DecodingError`, with the coding path joined by dots.
#[derive(Clone, Debug, PartialEq)]
pub enum DecodingError {
    /// `decode` of a key that is not in the object.
    KeyNotFound { path: String },
    /// `decode` of a key whose value is `null`.
    ValueNotFound {
        path: String,
        expected: &'static str,
    },
    /// The JSON value has another type than the one asked for (Swift never coerces).
    TypeMismatch {
        path: String,
        expected: &'static str,
        found: String,
    },
    /// The value has the right JSON type but is not acceptable (unknown enum raw value, number out of range,
    /// not JSON at all).
    DataCorrupted { path: String, reason: String },
}

impl fmt::Display for DecodingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodingError::KeyNotFound { path } => write!(f, "keyNotFound({path})"),
            DecodingError::ValueNotFound { path, expected } => {
                write!(f, "valueNotFound({expected} at {path})")
            }
            DecodingError::TypeMismatch {
                path,
                expected,
                found,
            } => write!(f, "typeMismatch({expected} at {path}, found {found})"),
            DecodingError::DataCorrupted { path, reason } => {
                write!(f, "dataCorrupted({path}: {reason})")
            }
        }
    }
}

fn kind(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(_) => "a bool".into(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn mismatch(path: &str, expected: &'static str, v: &Value) -> DecodingError {
    match v {
        // decoding a non-optional value from null is valueNotFound, not typeMismatch
        Value::Null => DecodingError::ValueNotFound {
            path: path.to_owned(),
            expected,
        },
        other => DecodingError::TypeMismatch {
            path: path.to_owned(),
            expected,
            found: kind(other),
        },
    }
}

/// A type `JSONDecoder` can decode from one JSON value.
pub trait Decodable: Sized {
    /// Decodes `value` found at `path`.
    fn decode(value: &Value, path: &str) -> Result<Self, DecodingError>;
}

/// `JSONDecoder().decode(T.self, from: Data(string.utf8))` — the SDK's `Decodable.decode(from:)`
/// (DeeplinkResult.swift:108-116; its `dateDecodingStrategy` never applies, every date is decoded as a `String`).
pub fn decode_from_string<T: Decodable>(string: &str) -> Result<T, DecodingError> {
    let value: Value = serde_json::from_str(string).map_err(|e| DecodingError::DataCorrupted {
        path: String::new(),
        reason: format!("The given data was not valid JSON: {e}"),
    })?;
    T::decode(&value, "")
}

/// `decoder.container(keyedBy:)` over a JSON object.
pub struct KeyedContainer<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> KeyedContainer<'a> {
    /// The keyed container of `value`; a non-object is `typeMismatch` (`null`: `valueNotFound`).
    pub fn new(value: &'a Value, path: &str) -> Result<Self, DecodingError> {
        match value {
            Value::Object(map) => Ok(KeyedContainer {
                map,
                path: path.to_owned(),
            }),
            other => Err(mismatch(path, "Dictionary<String, Any>", other)),
        }
    }

    fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// `try container.decode(T.self, forKey:)`: absent → `keyNotFound`, `null` → `valueNotFound`.
    pub fn decode<T: Decodable>(&self, key: &str) -> Result<T, DecodingError> {
        let path = self.key_path(key);
        match self.map.get(key) {
            None => Err(DecodingError::KeyNotFound { path }),
            Some(v) => T::decode(v, &path),
        }
    }

    /// `try container.decodeIfPresent(T.self, forKey:)`: absent or `null` → nil; anything else must decode.
    pub fn decode_if_present<T: Decodable>(&self, key: &str) -> Result<Option<T>, DecodingError> {
        let path = self.key_path(key);
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => T::decode(v, &path).map(Some),
        }
    }
}

/// `String`: only a JSON string.
impl Decodable for String {
    fn decode(value: &Value, path: &str) -> Result<Self, DecodingError> {
        match value {
            Value::String(s) => Ok(s.clone()),
            other => Err(mismatch(path, "String", other)),
        }
    }
}

/// `Bool`: only `true`/`false` (a JSON `0`/`1` is a typeMismatch).
impl Decodable for bool {
    fn decode(value: &Value, path: &str) -> Result<Self, DecodingError> {
        match value {
            Value::Bool(b) => Ok(*b),
            other => Err(mismatch(path, "Bool", other)),
        }
    }
}

/// `Int` (64-bit on every iOS device): a JSON integer; an integral float such as `1.0` is accepted (it fits
/// exactly), `1.5` or an out-of-range number is `dataCorrupted` ("Parsed JSON number <…> does not fit in Int"),
/// a string is a typeMismatch.
impl Decodable for i64 {
    fn decode(value: &Value, path: &str) -> Result<Self, DecodingError> {
        match value {
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    return Ok(i);
                }
                let f = n.as_f64().unwrap_or(f64::NAN);
                if n.as_u64().is_none()
                    && f.fract() == 0.0
                    && f >= i64::MIN as f64
                    && f < i64::MAX as f64
                {
                    #[allow(clippy::cast_possible_truncation)]
                    return Ok(f as i64);
                }
                Err(DecodingError::DataCorrupted {
                    path: path.to_owned(),
                    reason: format!("Parsed JSON number <{n}> does not fit in Int."),
                })
            }
            other => Err(mismatch(path, "Int", other)),
        }
    }
}

/// `Double`: any JSON number; a string is a typeMismatch.
impl Decodable for f64 {
    fn decode(value: &Value, path: &str) -> Result<Self, DecodingError> {
        match value {
            Value::Number(n) => Ok(n.as_f64().unwrap_or(f64::NAN)),
            other => Err(mismatch(path, "Double", other)),
        }
    }
}

/// `Decimal`: any JSON number, read exactly from its digits; a string is a typeMismatch (JSONDecoder has no
/// string fallback for Decimal).
impl Decodable for Decimal {
    fn decode(value: &Value, path: &str) -> Result<Self, DecodingError> {
        match value {
            // serde_json prints a float with the shortest text that reads back as the same f64 — the digits the
            // JSON had, for every rate and amount the mock writes
            Value::Number(n) => {
                Decimal::parse_exact(&n.to_string()).ok_or_else(|| DecodingError::DataCorrupted {
                    path: path.to_owned(),
                    reason: format!("Parsed JSON number <{n}> does not fit in Decimal."),
                })
            }
            other => Err(mismatch(path, "Decimal", other)),
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Decimal
// ---------------------------------------------------------------------------------------------------------------

/// Foundation's `Decimal`: `mantissa × 10^exponent`, exact.
#[derive(Clone, Copy, Debug)]
pub struct Decimal {
    mantissa: i128,
    exponent: i32,
}

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        exponent: 0,
    };

    /// `Decimal(string:)` (`Scanner.scanDecimal`): skips leading whitespace, reads an optional sign, digits, an
    /// optional `.` fraction and an optional exponent, and ignores whatever follows; nil when no digit was read.
    pub fn scan(s: &str) -> Option<Self> {
        let t = s.trim_start();
        let bytes = t.as_bytes();
        let mut i = 0;
        if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
            i += 1;
        }
        let int_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let mut digits = i - int_start;
        if i < bytes.len() && bytes[i] == b'.' {
            let frac_start = i + 1;
            let mut j = frac_start;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            digits += j - frac_start;
            i = j;
        }
        if digits == 0 {
            return None;
        }
        if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
            let mut j = i + 1;
            if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
                j += 1;
            }
            let exp_digits = j;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            if j > exp_digits {
                i = j;
            }
        }
        Decimal::parse_exact(&t[..i])
    }

    /// A complete decimal literal (`-12.340e-2`), nothing else allowed.
    pub fn parse_exact(s: &str) -> Option<Self> {
        let (sign, rest) = match s.as_bytes().first()? {
            b'-' => (-1, &s[1..]),
            b'+' => (1, &s[1..]),
            _ => (1, s),
        };
        let (num, exp) = match rest.find(['e', 'E']) {
            Some(p) => (&rest[..p], rest[p + 1..].parse::<i32>().ok()?),
            None => (rest, 0),
        };
        let (int, frac) = num.split_once('.').unwrap_or((num, ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut mantissa: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            mantissa = mantissa
                .checked_mul(10)?
                .checked_add(i128::from(b - b'0'))?;
        }
        let frac_len = i32::try_from(frac.len()).ok()?;
        Some(
            Decimal {
                mantissa: sign * mantissa,
                exponent: exp.checked_sub(frac_len)?,
            }
            .compact(),
        )
    }

    /// `NSDecimalCompact`: no trailing zeros in the mantissa.
    fn compact(mut self) -> Self {
        if self.mantissa == 0 {
            return Decimal::ZERO;
        }
        while self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.exponent += 1;
        }
        self
    }

    fn aligned(a: Decimal, b: Decimal) -> (i128, i128, i32) {
        let e = a.exponent.min(b.exponent);
        let scale = |d: Decimal| d.mantissa * 10i128.pow((d.exponent - e).unsigned_abs());
        (scale(a), scale(b), e)
    }

    /// `a + b`.
    pub fn add(self, other: Decimal) -> Decimal {
        let (a, b, e) = Decimal::aligned(self, other);
        Decimal {
            mantissa: a + b,
            exponent: e,
        }
        .compact()
    }

    /// `a × b`.
    pub fn mul(self, other: Decimal) -> Decimal {
        Decimal {
            mantissa: self.mantissa * other.mantissa,
            exponent: self.exponent + other.exponent,
        }
        .compact()
    }

    /// Rounded to `digits` fraction digits, half to even (`NumberFormatter`'s default `.halfEven`).
    pub fn round_half_even(self, digits: u32) -> Decimal {
        let target = -i32::try_from(digits).unwrap_or(i32::MAX);
        if self.exponent >= target {
            return self;
        }
        let drop = 10i128.pow((target - self.exponent).unsigned_abs());
        let (q, r) = (self.mantissa / drop, self.mantissa % drop);
        let twice = 2 * r.abs();
        let q = match twice.cmp(&drop) {
            std::cmp::Ordering::Greater => q + self.mantissa.signum(),
            std::cmp::Ordering::Equal if q % 2 != 0 => q + self.mantissa.signum(),
            _ => q,
        };
        Decimal {
            mantissa: q,
            exponent: target,
        }
        .compact()
    }

    /// The value as an `f64` (for tolerances only).
    pub fn to_f64(self) -> f64 {
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    /// Plain notation with exactly `digits` fraction digits (no grouping).
    pub fn fixed(self, digits: u32) -> String {
        let r = self.round_half_even(digits);
        let (m, e) = (r.mantissa, r.exponent);
        let target = -i32::try_from(digits).unwrap_or(i32::MAX);
        let m = m * 10i128.pow((e - target).unsigned_abs());
        let sign = if m < 0 { "-" } else { "" };
        let s = m.unsigned_abs().to_string();
        let d = digits as usize;
        let s = format!("{s:0>width$}", width = d + 1);
        let (int, frac) = s.split_at(s.len() - d);
        if d == 0 {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{frac}")
        }
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.compact(), other.compact());
        a.mantissa == b.mantissa && (a.mantissa == 0 || a.exponent == b.exponent)
    }
}

/// `Decimal.description` (what the SDK's `Amount.string` prints, Amount.swift:13-15): plain notation, no
/// trailing zeros.
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.compact();
        if d.exponent >= 0 {
            return write!(f, "{}", d.mantissa * 10i128.pow(d.exponent.unsigned_abs()));
        }
        write!(f, "{}", d.fixed(d.exponent.unsigned_abs()))
    }
}

// ---------------------------------------------------------------------------------------------------------------
// ISO8601DateFormatter
// ---------------------------------------------------------------------------------------------------------------

/// `ISO.iso8601DateFormatter.date(from:)` (ISO.swift:11-16: `[.withInternetDateTime, .withFractionalSeconds]`):
/// `yyyy-MM-ddTHH:mm:ss.SSS…` then `Z` or `±HH:MM`. With `.withFractionalSeconds` set the fraction is required:
/// `2026-01-01T00:00:00Z` gives nil (a well-known Foundation behaviour). Milliseconds since the epoch.
pub fn iso8601_fractional(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'.'
    {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 20;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i == 20 {
        return None;
    }
    let frac = &s[20..i];
    let millis: i64 = format!("{frac:0<3}")[..3].parse().ok()?;
    let offset_min = match &s[i..] {
        "Z" => 0,
        tz if tz.len() == 6 && tz.as_bytes()[3] == b':' => {
            let sign = match tz.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            sign * (num(i + 1..i + 3)? * 60 + num(i + 4..i + 6)?)
        }
        _ => return None,
    };
    // days from civil (Howard Hinnant)
    let (y2, m2) = if mo <= 2 {
        (y - 1, mo + 9)
    } else {
        (y, mo - 3)
    };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * m2 + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 86_400 + h * 3600 + mi * 60 + sec - offset_min * 60) * 1000) + millis)
}

// ---------------------------------------------------------------------------------------------------------------
// URL, URLComponents, percent encoding
// ---------------------------------------------------------------------------------------------------------------

/// An RFC 3986 character mask, as swift-foundation URLParser.swift:1126-1150 (`URLComponentAllowedMask`).
#[derive(Clone, Copy)]
struct Mask(u128);

impl Mask {
    fn contains(self, b: u8) -> bool {
        b < 128 && (self.0 & (1u128 << b)) != 0
    }
}

/// `URLComponentAllowedMask.query` = `CharacterSet.urlQueryAllowed` = pchar + "/?" (URLParser.swift:1144; used by
/// `addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)`, URLEncoder.swift:769-770). Contains every
/// sub-delim, so `&`, `=`, `+` stay; `:` `/` `?` `@` stay; `%`, space, `"`, `#`, `{`, `}`, non-ASCII are encoded.
const QUERY: Mask = Mask(0x47ff_fffe_87ff_ffff_afff_ffd2_0000_0000);
/// `URLComponentAllowedMask.queryItem` = queryAllowed minus "=&" (URLParser.swift:1122, 1147): what the
/// `queryItems` setter leaves alone in a name or value. So `+`, `:`, `/`, `?`, `@` go out literally; `&`, `=`,
/// `%`, space are percent-encoded.
const QUERY_ITEM: Mask = Mask(0x47ff_fffe_87ff_ffff_8fff_ff92_0000_0000);
/// `unreserved` + `reserved` (URLParser.swift:1152-1153, `anyValid`): every character a URL may hold literally.
const ANY_VALID: Mask = Mask(0x47ff_fffe_afff_ffff_afff_ffda_0000_0000);

fn percent_encode(s: &str, allowed: Mask) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if allowed.contains(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `string.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)` (swift-foundation
/// URLEncoder.swift:769-770: `percentEncode(component: .query, skipAlreadyEncoded: false)`). Leaves
/// `: / @ ? & = +` alone; a `%` becomes `%25`.
pub fn adding_percent_encoding_url_query_allowed(s: &str) -> String {
    percent_encode(s, QUERY)
}

/// `String.removingPercentEncoding` (swift-foundation URLParser.swift:1023-1059): every `%XX` decoded; nil when
/// a `%` is not followed by two hex digits or the bytes are not UTF-8. `+` stays `+`.
pub fn removing_percent_encoding(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `Foundation.URL` made by `URL(string:)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Url(String);

impl Url {
    /// `URL(string:)` as on iOS 15/16 (the SDK's minimum is iOS 15, Package.swift:7): nil unless the text is an
    /// RFC 3986 URI — a scheme, then only `unreserved`/`reserved` characters and `%XX` escapes. (iOS 17 would
    /// instead percent-encode invalid characters, changing the values; either way an answer that needs this is
    /// not what the SDK expects.)
    pub fn parse(s: &str) -> Option<Url> {
        let (scheme, _) = s.split_once(':')?;
        let mut sb = scheme.bytes();
        if !sb.next()?.is_ascii_alphabetic()
            || !sb.all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'-' || c == b'.')
        {
            return None;
        }
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'%' => {
                    if !s.get(i + 1..i + 3)?.bytes().all(|c| c.is_ascii_hexdigit()) {
                        return None;
                    }
                    i += 3;
                }
                c if ANY_VALID.contains(c) => i += 1,
                _ => return None,
            }
        }
        if s.matches('#').count() > 1 {
            return None;
        }
        Some(Url(s.to_owned()))
    }

    /// `url.absoluteString`.
    pub fn absolute_string(&self) -> &str {
        &self.0
    }

    /// `URLComponents.percentEncodedQuery` (RFC 3986 §3.4): after the first `?` that comes before any `#`, up
    /// to the `#`; None without one (a `?` inside the fragment is part of the fragment).
    pub fn percent_encoded_query(&self) -> Option<&str> {
        let before_fragment = self.0.split_once('#').map_or(self.0.as_str(), |(b, _)| b);
        before_fragment.split_once('?').map(|(_, q)| q)
    }
}

/// `URLQueryItem`.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryItem {
    /// `name`.
    pub name: String,
    /// `value` (nil when the item has no `=`, or when its percent-decoding failed).
    pub value: Option<String>,
}

impl QueryItem {
    /// `URLQueryItem(name:value:)`.
    pub fn new(name: &str, value: Option<&str>) -> Self {
        QueryItem {
            name: name.to_owned(),
            value: value.map(str::to_owned),
        }
    }
}

/// `URLComponents(url:resolvingAgainstBaseURL: false)?.queryItems` (swift-foundation URLComponents.swift:600-645):
/// the query split on every `&`, each item on its first `=`, name and value percent-decoded once (a name that
/// fails to decode becomes "", a value nil); `+` is not a space.
pub fn query_items(url: &Url) -> Option<Vec<QueryItem>> {
    let query = url.percent_encoded_query()?;
    if query.is_empty() {
        return Some(Vec::new());
    }
    Some(
        query
            .split('&')
            .map(|item| match item.split_once('=') {
                Some((n, v)) => QueryItem {
                    name: removing_percent_encoding(n).unwrap_or_default(),
                    value: removing_percent_encoding(v),
                },
                None => QueryItem {
                    name: removing_percent_encoding(item).unwrap_or_default(),
                    value: None,
                },
            })
            .collect(),
    )
}

/// The query the `URLComponents.queryItems` setter writes (swift-foundation URLComponents.swift:648-676): each
/// name and value kept as is when every character is in `queryItemAllowed`, otherwise percent-encoded against
/// it; items joined with `&`, `name=value` (just `name` for a nil value).
///
/// Assumption (Apple's documented behaviour, and what the source above does): the setter encodes `&`, `=`,
/// `%`, space and non-ASCII, and leaves `+`, `:`, `/`, `?`, `@` and the other sub-delims literal — so a `+` in a
/// value (a phone number) reaches GP tom as `+`, never as a space.
pub fn set_query_items(items: &[QueryItem]) -> String {
    items
        .iter()
        .map(|item| {
            let name = percent_encode(&item.name, QUERY_ITEM);
            match &item.value {
                None => name,
                Some(v) => format!("{name}={}", percent_encode(v, QUERY_ITEM)),
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_decoder_never_coerces() {
        let v = json!({"s": "1", "n": 1, "f": 1.5, "i": 1.0, "b": true, "z": 0, "null": null});
        let c = KeyedContainer::new(&v, "").unwrap();
        assert!(matches!(
            c.decode::<String>("n"),
            Err(DecodingError::TypeMismatch { .. })
        ));
        assert!(matches!(
            c.decode::<i64>("s"),
            Err(DecodingError::TypeMismatch { .. })
        ));
        assert!(matches!(
            c.decode::<Decimal>("s"),
            Err(DecodingError::TypeMismatch { .. })
        ));
        assert!(matches!(
            c.decode::<f64>("s"),
            Err(DecodingError::TypeMismatch { .. })
        ));
        assert!(matches!(
            c.decode::<bool>("z"),
            Err(DecodingError::TypeMismatch { .. })
        ));
        assert!(matches!(
            c.decode::<i64>("f"),
            Err(DecodingError::DataCorrupted { .. })
        ));
        assert_eq!(c.decode::<i64>("i"), Ok(1));
        assert_eq!(c.decode::<bool>("b"), Ok(true));
        assert!(matches!(
            c.decode::<String>("absent"),
            Err(DecodingError::KeyNotFound { .. })
        ));
        assert!(matches!(
            c.decode::<String>("null"),
            Err(DecodingError::ValueNotFound { .. })
        ));
        assert_eq!(c.decode_if_present::<String>("absent"), Ok(None));
        assert_eq!(c.decode_if_present::<String>("null"), Ok(None));
        assert!(c.decode_if_present::<String>("n").is_err());
        assert!(KeyedContainer::new(&json!("x"), "").is_err());
        assert!(decode_from_string::<String>("not json").is_err());
    }

    #[test]
    fn decimals_are_exact() {
        let d = Decimal::parse_exact("76.923077").unwrap();
        assert_eq!(d.fixed(4), "76.9231");
        assert_eq!(Decimal::parse_exact("0.153846").unwrap().fixed(4), "0.1538");
        assert_eq!(Decimal::parse_exact("2.00005").unwrap().fixed(4), "2.0000");
        assert_eq!(Decimal::parse_exact("2.00015").unwrap().fixed(4), "2.0002");
        assert_eq!(Decimal::parse_exact("11.10").unwrap().to_string(), "11.1");
        assert_eq!(Decimal::parse_exact("1e2").unwrap().to_string(), "100");
        assert_eq!(Decimal::parse_exact("-2.5").unwrap().to_string(), "-2.5");
        assert_eq!(
            Decimal::parse_exact("11.11").unwrap(),
            Decimal::parse_exact("11.110").unwrap()
        );
        assert_eq!(
            Decimal::parse_exact("0.1")
                .unwrap()
                .add(Decimal::parse_exact("0.2").unwrap()),
            Decimal::parse_exact("0.3").unwrap()
        );
        assert!(Decimal::parse_exact("1,5").is_none());
        assert!(Decimal::parse_exact("").is_none());
        // Decimal(string:) scans a prefix
        assert_eq!(Decimal::scan(" 1.298xyz"), Decimal::parse_exact("1.298"));
        assert_eq!(Decimal::scan("abc"), None);
    }

    #[test]
    fn iso8601_needs_the_fraction() {
        assert_eq!(
            iso8601_fractional("2026-01-01T00:00:00.000Z"),
            Some(1_767_225_600_000)
        );
        assert_eq!(
            iso8601_fractional("2026-01-01T01:00:00.5+01:00"),
            Some(1_767_225_600_500)
        );
        assert_eq!(iso8601_fractional("2026-01-01T00:00:00Z"), None);
        assert_eq!(iso8601_fractional("2026-01-01 00:00:00.000Z"), None);
        assert_eq!(iso8601_fractional("2026-01-01T00:00:00.000"), None);
    }

    #[test]
    fn query_items_decode_once_and_keep_plus() {
        let url = Url::parse("gp://x?a=1%2B2&b=+420&c=x=y&d&e=%FF&%41=v#frag").unwrap();
        let items = query_items(&url).unwrap();
        assert_eq!(items[0], QueryItem::new("a", Some("1+2")));
        assert_eq!(items[1], QueryItem::new("b", Some("+420")));
        assert_eq!(items[2], QueryItem::new("c", Some("x=y")));
        assert_eq!(items[3], QueryItem::new("d", None));
        assert_eq!(items[4], QueryItem::new("e", None));
        assert_eq!(items[5], QueryItem::new("A", Some("v")));
        assert_eq!(items.len(), 6);
        assert_eq!(query_items(&Url::parse("gp://x").unwrap()), None);
        assert_eq!(
            query_items(&Url::parse("gp://x#f?status=COMPLETED").unwrap()),
            None
        );
        assert_eq!(removing_percent_encoding("100%"), None);
        assert_eq!(removing_percent_encoding("%C3%A9"), Some("é".into()));
        assert_eq!(removing_percent_encoding("%FF"), None);
    }

    #[test]
    fn urls_with_invalid_characters_are_not_urls() {
        assert!(Url::parse("gp://x?a=%7B%22k%22%7D").is_some());
        assert!(Url::parse("gp://x?a={\"k\"}").is_none());
        assert!(Url::parse("gp://x?a=b c").is_none());
        assert!(Url::parse("gp://x?a=%G1").is_none());
        assert!(Url::parse("no scheme").is_none());
    }

    #[test]
    fn query_item_setter_and_url_query_allowed() {
        let q = set_query_items(&[
            QueryItem::new("phone", Some("+420 606")),
            QueryItem::new("r", Some("gp://a/b?x=1&y=2")),
            QueryItem::new("m", Some("info@gptom.com")),
            QueryItem::new("p", Some("50%")),
            QueryItem::new("flag", None),
        ]);
        assert_eq!(
            q,
            "phone=+420%20606&r=gp://a/b?x%3D1%26y%3D2&m=info@gptom.com&p=50%25&flag"
        );
        assert_eq!(
            adding_percent_encoding_url_query_allowed("gp://a/b?x=1&y=+2 %"),
            "gp://a/b?x=1&y=+2%20%25"
        );
    }
}
