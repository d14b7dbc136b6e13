//! The Dart runtime the models of mhmmdlkts/gptom_aidl_plugin (commit a6c8d6f5faf7f3256744e88828fa4dc416f8e66e)
//! stand on, transliterated from the Dart SDK (VM): `jsonDecode` (`sdk/lib/_internal/vm/lib/convert_patch.dart`
//! `parseNumber`: an integer literal that fits 64 bits is an `int`, everything with `.`/`e` or too large a `double`,
//! `-0` is the int 0), `jsonEncode`, `Object.toString()` of JSON values, `int.tryParse` (`integers_patch.dart`:
//! whitespace trimmed, sign, `0x` hex, 64-bit overflow → null), `double.tryParse` (`double_patch.dart`),
//! `num.round()`/`toInt()`, `DateTime.parse`/`tryParse` (`date_time.dart` `_parseFormat`, out-of-range fields
//! overflow into the next one), the `as T?` casts that throw a `TypeError`, and `Uri`: the query of
//! `Uri(queryParameters:)` (`_makeQueryFromParametersDefault` → `encodeQueryComponent`: unreserved
//! `[A-Za-z0-9-._~]` kept, space → `+`, the rest `%XX` upper-case, an empty value → the bare key) and
//! `Uri.parse(…).queryParameters` (`splitQueryString`: `+` → space, percent-decoding, last key wins).
//!
//! A Dart exception (TypeError, FormatException, RangeError, UnsupportedError, NoSuchMethodError) is `Err(Thrown)`.

use std::fmt;

/// A Dart exception or error thrown inside a parser.
#[derive(Clone, Debug, PartialEq)]
pub struct Thrown(pub String);

impl fmt::Display for Thrown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The result of Dart code that may throw.
pub type Dart<T> = Result<T, Thrown>;

/// A value `jsonDecode` produces (`dynamic`): `Map` keeps insertion order like Dart's `LinkedHashMap`.
#[derive(Clone, Debug, PartialEq)]
pub enum Dv {
    /// `null`.
    Null,
    /// `bool`.
    Bool(bool),
    /// `int` (64-bit on the VM).
    Int(i64),
    /// `double`.
    Double(f64),
    /// `String`.
    Str(String),
    /// `List<dynamic>`.
    List(Vec<Dv>),
    /// `Map<String, dynamic>`.
    Map(DMap),
}

static NULL: Dv = Dv::Null;

/// `Map<String, dynamic>` in insertion order; `map[k] = v` on an existing key keeps its position.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DMap(pub Vec<(String, Dv)>);

impl DMap {
    /// `map[key]`: `null` when absent.
    pub fn get(&self, key: &str) -> &Dv {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .unwrap_or(&NULL)
    }

    /// `map[key] = value`.
    pub fn insert(&mut self, key: &str, value: Dv) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key.to_owned(), value)),
        }
    }

    /// `map.remove(key)`.
    pub fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key);
    }

    /// `map.containsKey(key)`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }
}

impl Dv {
    /// The runtime type Dart names in a TypeError.
    pub fn runtime_type(&self) -> &'static str {
        match self {
            Dv::Null => "Null",
            Dv::Bool(_) => "bool",
            Dv::Int(_) => "int",
            Dv::Double(_) => "double",
            Dv::Str(_) => "String",
            Dv::List(_) => "List<dynamic>",
            Dv::Map(_) => "_Map<String, dynamic>",
        }
    }

    /// `value == null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Dv::Null)
    }
}

fn type_error(v: &Dv, target: &str) -> Thrown {
    Thrown(format!(
        "TypeError: type '{}' is not a subtype of type '{target}' in type cast",
        v.runtime_type()
    ))
}

// ------------------------------------------------------------------------------------------------ casts

/// `value as String?` (also an implicit `dynamic` → `String?` downcast).
pub fn as_string(v: &Dv) -> Dart<Option<String>> {
    match v {
        Dv::Null => Ok(None),
        Dv::Str(s) => Ok(Some(s.clone())),
        other => Err(type_error(other, "String?")),
    }
}

/// `value as int?`: a `double` is not an `int` on the VM (`0.0 as int?` throws).
pub fn as_int(v: &Dv) -> Dart<Option<i64>> {
    match v {
        Dv::Null => Ok(None),
        Dv::Int(i) => Ok(Some(*i)),
        other => Err(type_error(other, "int?")),
    }
}

/// `value as bool?`.
pub fn as_bool(v: &Dv) -> Dart<Option<bool>> {
    match v {
        Dv::Null => Ok(None),
        Dv::Bool(b) => Ok(Some(*b)),
        other => Err(type_error(other, "bool?")),
    }
}

/// A Dart `num`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Num {
    /// `int`.
    Int(i64),
    /// `double`.
    Double(f64),
}

impl Num {
    /// `num.round()`: half away from zero; `UnsupportedError` for NaN/Infinity; the VM clamps to 64 bits.
    pub fn round(self) -> Dart<i64> {
        match self {
            Num::Int(i) => Ok(i),
            Num::Double(d) if d.is_finite() => Ok(d.round() as i64),
            Num::Double(d) => Err(Thrown(format!(
                "UnsupportedError: Unsupported operation: {d}"
            ))),
        }
    }

    /// `num.toInt()`: truncation.
    pub fn to_int(self) -> Dart<i64> {
        match self {
            Num::Int(i) => Ok(i),
            Num::Double(d) if d.is_finite() => Ok(d.trunc() as i64),
            Num::Double(d) => Err(Thrown(format!(
                "UnsupportedError: Unsupported operation: {d}"
            ))),
        }
    }

    /// `value * 100` (int × int stays int, anything with a double is a double).
    pub fn times_100(self) -> Num {
        match self {
            Num::Int(i) => Num::Int(i.wrapping_mul(100)),
            Num::Double(d) => Num::Double(d * 100.0),
        }
    }
}

/// `value as num?`.
pub fn as_num(v: &Dv) -> Dart<Option<Num>> {
    match v {
        Dv::Null => Ok(None),
        Dv::Int(i) => Ok(Some(Num::Int(*i))),
        Dv::Double(d) => Ok(Some(Num::Double(*d))),
        other => Err(type_error(other, "num?")),
    }
}

/// `Map<String, dynamic>.from(value)` / `value as Map` on a `dynamic` (a non-Map, `null` included, throws).
pub fn as_map(v: &Dv) -> Dart<DMap> {
    match v {
        Dv::Map(m) => Ok(m.clone()),
        other => Err(type_error(other, "Map<dynamic, dynamic>")),
    }
}

/// `receipt[key]` on a `dynamic`: only a Map answers a String index; anything else throws.
pub fn index(v: &Dv, key: &str) -> Dart<Dv> {
    match v {
        Dv::Map(m) => Ok(m.get(key).clone()),
        Dv::List(_) | Dv::Str(_) => Err(Thrown(format!(
            "TypeError: type 'String' is not a subtype of type 'int' of 'index' ({key})"
        ))),
        other => Err(Thrown(format!(
            "NoSuchMethodError: Class '{}' has no instance method '[]'",
            other.runtime_type()
        ))),
    }
}

// ------------------------------------------------------------------------------------------------ toString

/// `double.toString()`: shortest round-trip digits; `1e-6 <= |d| < 1e21` in decimal with at least one fraction
/// digit, otherwise exponential (`1e+21`, `1.5e-7`).
pub fn double_to_string(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if d == 0.0 {
        return if d.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let a = d.abs();
    if (1e-6..1e21).contains(&a) {
        let s = format!("{d}");
        if s.contains('.') { s } else { format!("{s}.0") }
    } else {
        let s = format!("{d:e}");
        match s.split_once('e') {
            Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
            _ => s,
        }
    }
}

/// `value.toString()` / `'$value'` of a decoded JSON value (`{k: v}` for maps, `[a, b]` for lists).
pub fn to_string(v: &Dv) -> String {
    match v {
        Dv::Null => "null".into(),
        Dv::Bool(b) => b.to_string(),
        Dv::Int(i) => i.to_string(),
        Dv::Double(d) => double_to_string(*d),
        Dv::Str(s) => s.clone(),
        Dv::List(l) => format!(
            "[{}]",
            l.iter().map(to_string).collect::<Vec<_>>().join(", ")
        ),
        Dv::Map(m) => format!(
            "{{{}}}",
            m.0.iter()
                .map(|(k, v)| format!("{k}: {}", to_string(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

// ------------------------------------------------------------------------------------------------ parsing

/// `_isWhitespace` of the VM's `_StringBase`.
fn is_dart_whitespace(c: char) -> bool {
    matches!(c as u32, 9..=13 | 32 | 0x85 | 0xA0 | 0x1680 | 0x2000..=0x200A | 0x2028 | 0x2029 | 0x202F | 0x205F | 0x3000 | 0xFEFF)
}

fn dart_trim(s: &str) -> &str {
    s.trim_matches(is_dart_whitespace)
}

/// `int._tryParseSmi`: an optional sign and at most 18 ASCII digits, nothing else.
fn try_parse_smi(s: &str) -> Option<i64> {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = digits.parse().ok()?;
    Some(if neg { -v } else { v })
}

/// `int.tryParse(source)` (no radix).
pub fn int_try_parse(source: &str) -> Option<i64> {
    if source.is_empty() {
        return None;
    }
    if let Some(v) = try_parse_smi(source) {
        return Some(v);
    }
    let t = dart_trim(source);
    if t.is_empty() {
        return None;
    }
    let (negative, rest) = match t.as_bytes()[0] {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    if rest.is_empty() {
        return None;
    }
    if rest == "0" {
        return Some(0);
    }
    let (radix, digits) = match rest
        .strip_prefix('0')
        .and_then(|r| r.strip_prefix(['x', 'X']))
    {
        Some(hex) => (16, hex),
        None => (10, rest),
    };
    if digits.is_empty() || digits.len() > 40 || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = u128::from_str_radix(digits, radix).ok()?;
    match (negative, radix) {
        (true, _) if v <= 1u128 << 63 => Some((v as i128).wrapping_neg() as i64),
        (false, 10) if v <= i64::MAX as u128 => Some(v as i64),
        // a positive hex literal may use all 64 bits (`allowU64`) and wraps to a negative int
        (false, 16) if v <= u64::MAX as u128 => Some(v as u64 as i64),
        _ => None,
    }
}

/// `double.tryParse(source)`: trimmed; an optional sign then `Infinity`, `NaN`, or decimal digits with an
/// optional point and exponent (`5.`, `.5`, `1e5` are numbers; hex is not).
pub fn double_try_parse(source: &str) -> Option<f64> {
    let t = dart_trim(source);
    if t.is_empty() {
        return None;
    }
    let (sign, body) = match t.as_bytes()[0] {
        b'-' => (-1.0, &t[1..]),
        b'+' => (1.0, &t[1..]),
        _ => (1.0, t),
    };
    match body {
        "Infinity" => return Some(sign * f64::INFINITY),
        "NaN" => return Some(f64::NAN),
        _ => {}
    }
    let b = body.as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp_digits == 0 {
            return None;
        }
        i += exp_digits;
    }
    if i != b.len() {
        return None;
    }
    body.parse::<f64>().ok().map(|v| sign * v)
}

// ------------------------------------------------------------------------------------------------ jsonDecode

struct Parser<'a> {
    src: &'a str,
    s: &'a [u8],
    i: usize,
}

fn format_error(what: &str, at: usize) -> Thrown {
    Thrown(format!("FormatException: {what} (at character {})", at + 1))
}

impl Parser<'_> {
    fn ws(&mut self) {
        while matches!(self.s.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Dart<Dv> {
        if depth > 512 {
            return Err(format_error("Nesting too deep", self.i));
        }
        self.ws();
        match self.s.get(self.i) {
            None => Err(format_error("Unexpected end of input", self.i)),
            Some(b'{') => {
                self.i += 1;
                let mut m = DMap::default();
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Dv::Map(m));
                }
                loop {
                    self.ws();
                    if self.s.get(self.i) != Some(&b'"') {
                        return Err(format_error("Unexpected character", self.i));
                    }
                    let k = self.string()?;
                    self.ws();
                    if self.s.get(self.i) != Some(&b':') {
                        return Err(format_error("Unexpected character", self.i));
                    }
                    self.i += 1;
                    let v = self.value(depth + 1)?;
                    m.insert(&k, v);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Dv::Map(m));
                        }
                        _ => return Err(format_error("Unexpected character", self.i)),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut l = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Dv::List(l));
                }
                loop {
                    l.push(self.value(depth + 1)?);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Dv::List(l));
                        }
                        _ => return Err(format_error("Unexpected character", self.i)),
                    }
                }
            }
            Some(b'"') => Ok(Dv::Str(self.string()?)),
            Some(b't') => self.keyword("true", Dv::Bool(true)),
            Some(b'f') => self.keyword("false", Dv::Bool(false)),
            Some(b'n') => self.keyword("null", Dv::Null),
            Some(_) => self.number(),
        }
    }

    fn keyword(&mut self, word: &str, v: Dv) -> Dart<Dv> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(format_error("Unexpected character", self.i))
        }
    }

    fn hex4(&mut self) -> Dart<u32> {
        let h = self
            .s
            .get(self.i..self.i + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| format_error("Invalid unicode escape", self.i))?;
        self.i += 4;
        Ok(h)
    }

    fn string(&mut self) -> Dart<String> {
        self.i += 1; // opening quote
        let mut units: Vec<u16> = Vec::new();
        loop {
            let Some(&c) = self.s.get(self.i) else {
                return Err(format_error("Unterminated string", self.i));
            };
            match c {
                b'"' => {
                    self.i += 1;
                    // lone surrogates (legal in a Dart String) become U+FFFD here
                    return Ok(String::from_utf16_lossy(&units));
                }
                b'\\' => {
                    self.i += 1;
                    let e = *self
                        .s
                        .get(self.i)
                        .ok_or_else(|| format_error("Unexpected end of input", self.i))?;
                    self.i += 1;
                    let unit = match e {
                        b'b' => 0x08,
                        b'f' => 0x0C,
                        b'n' => 0x0A,
                        b'r' => 0x0D,
                        b't' => 0x09,
                        b'/' => 0x2F,
                        b'\\' => 0x5C,
                        b'"' => 0x22,
                        b'u' => self.hex4()? as u16,
                        _ => return Err(format_error("Unrecognized string escape", self.i - 1)),
                    };
                    units.push(unit);
                }
                c if c < 0x20 => return Err(format_error("Control character in string", self.i)),
                _ => {
                    // one character (the source is a &str and `i` always sits on a character boundary)
                    let ch = self.src[self.i..].chars().next().unwrap_or('\u{FFFD}');
                    let mut buf = [0u16; 2];
                    units.extend_from_slice(ch.encode_utf16(&mut buf));
                    self.i += ch.len_utf8();
                }
            }
        }
    }

    /// `'-'?('0'|[1-9][0-9]*)('.'[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Dart<Dv> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let n = p.s[p.i..].iter().take_while(|c| c.is_ascii_digit()).count();
            p.i += n;
            n
        };
        if self.s.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        match self.s.get(self.i) {
            Some(b'0') => {
                self.i += 1;
                if self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
                    return Err(format_error("Unexpected character", self.i));
                }
            }
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(format_error("Unexpected character", self.i)),
        }
        let mut is_double = false;
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            is_double = true;
            if digits(self) == 0 {
                return Err(format_error("Unexpected character", self.i));
            }
        }
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            is_double = true;
            if matches!(self.s.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(format_error("Missing expected digit", self.i));
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("0");
        if !is_double && let Ok(i) = text.parse::<i64>() {
            return Ok(Dv::Int(i)); // "-0" is the int 0
        }
        // an integer literal beyond 64 bits becomes a double, as in `parseNumber`
        text.parse::<f64>()
            .map(Dv::Double)
            .map_err(|_| format_error("Invalid number", start))
    }
}

/// `jsonDecode(source)`.
pub fn json_decode(source: &str) -> Dart<Dv> {
    let mut p = Parser {
        src: source,
        s: source.as_bytes(),
        i: 0,
    };
    let v = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return Err(format_error("Unexpected character", p.i));
    }
    Ok(v)
}

/// `jsonEncode(value)`: compact; strings escape `"`, `\` and control characters only.
pub fn json_encode(v: &Dv) -> String {
    match v {
        Dv::Null => "null".into(),
        Dv::Bool(b) => b.to_string(),
        Dv::Int(i) => i.to_string(),
        Dv::Double(d) => double_to_string(*d),
        Dv::Str(s) => {
            let mut out = String::from("\"");
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\u{8}' => out.push_str("\\b"),
                    '\u{c}' => out.push_str("\\f"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        Dv::List(l) => format!(
            "[{}]",
            l.iter().map(json_encode).collect::<Vec<_>>().join(",")
        ),
        Dv::Map(m) => format!(
            "{{{}}}",
            m.0.iter()
                .map(|(k, v)| format!("{}:{}", json_encode(&Dv::Str(k.clone())), json_encode(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

// ------------------------------------------------------------------------------------------------ DateTime

/// A Dart `DateTime`: microseconds since the epoch of its wall clock and `isUtc`. A string without an offset is
/// local time on the phone; its fields are those of the string (the phone's zone is not modelled).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateTime {
    /// Microseconds since 1970-01-01T00:00 of the wall clock (UTC when `is_utc`).
    pub micros: i64,
    /// `isUtc`.
    pub is_utc: bool,
}

const MICROS_PER_DAY: i64 = 86_400_000_000;
const MAX_MICROS: i64 = 8_640_000_000_000_000_000;

/// Days from 1970-01-01 of a proleptic Gregorian date (month 1..=12).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

impl DateTime {
    /// `DateTime.utc(…)` / the local constructor, with Dart's overflow of out-of-range fields; None if the
    /// result is outside ±8.64e15 ms.
    #[allow(clippy::too_many_arguments)]
    pub fn from_fields(
        year: i64,
        month: i64,
        day: i64,
        hour: i64,
        minute: i64,
        second: i64,
        micro: i64,
        is_utc: bool,
    ) -> Option<DateTime> {
        let m0 = month - 1;
        let (year, m0) = (year + m0.div_euclid(12), m0.rem_euclid(12));
        let days = days_from_civil(year, m0 + 1, 1) + (day - 1);
        let micros = days
            .checked_mul(MICROS_PER_DAY)?
            .checked_add(hour.checked_mul(3_600_000_000)?)?
            .checked_add(minute.checked_mul(60_000_000)?)?
            .checked_add(second.checked_mul(1_000_000)?)?
            .checked_add(micro)?;
        (micros.abs() <= MAX_MICROS).then_some(DateTime { micros, is_utc })
    }

    /// `DateTime.fromMillisecondsSinceEpoch(ms)` (local).
    pub fn from_millis(ms: i64) -> DateTime {
        DateTime {
            micros: ms * 1000,
            is_utc: false,
        }
    }

    fn date(&self) -> (i64, i64, i64) {
        civil_from_days(self.micros.div_euclid(MICROS_PER_DAY))
    }
    fn time_micros(&self) -> i64 {
        self.micros.rem_euclid(MICROS_PER_DAY)
    }
    /// `.year`.
    pub fn year(&self) -> i64 {
        self.date().0
    }
    /// `.month`.
    pub fn month(&self) -> i64 {
        self.date().1
    }
    /// `.day`.
    pub fn day(&self) -> i64 {
        self.date().2
    }
    /// `.hour`.
    pub fn hour(&self) -> i64 {
        self.time_micros() / 3_600_000_000
    }
    /// `.minute`.
    pub fn minute(&self) -> i64 {
        self.time_micros() / 60_000_000 % 60
    }
    /// `.second`.
    pub fn second(&self) -> i64 {
        self.time_micros() / 1_000_000 % 60
    }
    /// `.millisecond`.
    pub fn millisecond(&self) -> i64 {
        self.time_micros() / 1000 % 1000
    }

    /// `DateTime.parse(s)`.
    pub fn parse(s: &str) -> Dart<DateTime> {
        let c = match_parse_format(s)
            .ok_or_else(|| Thrown(format!("FormatException: Invalid date format {s}")))?;
        let num = |x: &str| x.parse::<i64>().unwrap_or(0);
        let opt = |x: Option<&str>| x.map_or(0, num);
        let frac = c.fraction.map_or(0, |f| {
            let mut r = 0;
            for i in 0..6 {
                r = r * 10 + f.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0'));
            }
            r
        });
        let mut minute = opt(c.minute);
        let is_utc = c.tz;
        if let Some((sign, h, m)) = c.offset {
            let diff = 60 * num(h) + opt(m);
            minute -= if sign == "-" { -diff } else { diff };
        }
        DateTime::from_fields(
            num(c.year.trim_start_matches('+')),
            num(c.month),
            num(c.day),
            opt(c.hour),
            minute,
            opt(c.second),
            frac,
            is_utc,
        )
        .ok_or_else(|| Thrown(format!("FormatException: Time out of range {s}")))
    }

    /// `DateTime.tryParse(s)`.
    pub fn try_parse(s: &str) -> Option<DateTime> {
        DateTime::parse(s).ok()
    }
}

struct Captures<'a> {
    year: &'a str,
    month: &'a str,
    day: &'a str,
    hour: Option<&'a str>,
    minute: Option<&'a str>,
    second: Option<&'a str>,
    fraction: Option<&'a str>,
    tz: bool,
    offset: Option<(&'a str, &'a str, Option<&'a str>)>,
}

/// `^([+-]?\d{4,6})-?(\d\d)-?(\d\d)(?:[ T](\d\d)(?::?(\d\d)(?::?(\d\d)(?:[.,](\d+))?)?)?( ?[zZ]| ?([-+])(\d\d)(?::?(\d\d))?)?)?$`
/// (`\d` is ASCII only). Only the year's length needs backtracking; the rest is decided by the next character.
fn match_parse_format(s: &str) -> Option<Captures<'_>> {
    let b = s.as_bytes();
    let two = |i: usize| {
        b.get(i..i + 2)
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .map(|_| &s[i..i + 2])
    };
    let sign = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    for ylen in (4..=6).rev() {
        let yend = sign + ylen;
        if b.len() < yend || !b[sign..yend].iter().all(u8::is_ascii_digit) {
            continue;
        }
        let mut i = yend;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        let Some(month) = two(i) else { continue };
        i += 2;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        let Some(day) = two(i) else { continue };
        i += 2;
        let mut c = Captures {
            year: &s[..yend],
            month,
            day,
            hour: None,
            minute: None,
            second: None,
            fraction: None,
            tz: false,
            offset: None,
        };
        if i == b.len() {
            return Some(c);
        }
        if !matches!(b.get(i), Some(b' ' | b'T')) {
            continue;
        }
        i += 1;
        let Some(hour) = two(i) else { continue };
        c.hour = Some(hour);
        i += 2;
        let colon = |i: usize| i + usize::from(b.get(i) == Some(&b':'));
        if let Some(m) = two(colon(i)) {
            c.minute = Some(m);
            i = colon(i) + 2;
            if let Some(sec) = two(colon(i)) {
                c.second = Some(sec);
                i = colon(i) + 2;
                if matches!(b.get(i), Some(b'.' | b',')) {
                    let n = b[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
                    if n > 0 {
                        c.fraction = Some(&s[i + 1..i + 1 + n]);
                        i += 1 + n;
                    }
                }
            }
        }
        if i < b.len() {
            let j = i + usize::from(b[i] == b' ');
            match b.get(j) {
                Some(b'z' | b'Z') => {
                    c.tz = true;
                    i = j + 1;
                }
                Some(b'+' | b'-') => {
                    let Some(h) = two(j + 1) else { continue };
                    let mut k = j + 3;
                    let mm = two(colon(k));
                    if mm.is_some() {
                        k = colon(k) + 2;
                    }
                    c.tz = true;
                    c.offset = Some((&s[j..j + 1], h, mm));
                    i = k;
                }
                _ => continue,
            }
        }
        if i == b.len() {
            return Some(c);
        }
    }
    None
}

// ------------------------------------------------------------------------------------------------ Uri

/// `Uri.encodeQueryComponent(s)`.
pub fn encode_query_component(s: &str) -> String {
    let mut out = String::new();
    for byte in s.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// `Uri(scheme:, host:, path:, queryParameters:).toString()`; parameters in map-literal order.
pub fn build_uri(scheme: &str, host: &str, path: &str, params: &[(&str, String)]) -> String {
    let query = params
        .iter()
        .map(|(k, v)| {
            if v.is_empty() {
                encode_query_component(k)
            } else {
                format!(
                    "{}={}",
                    encode_query_component(k),
                    encode_query_component(v)
                )
            }
        })
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}://{}/{}?{query}",
        scheme.to_lowercase(),
        host.to_lowercase(),
        path.trim_start_matches('/')
    )
}

/// `Uri.parse(s)`: the scheme (lower-cased) and the raw query.
#[derive(Clone, Debug, PartialEq)]
pub struct Uri {
    /// `uri.scheme`.
    pub scheme: String,
    /// `uri.query` (before the fragment).
    pub query: String,
}

impl Uri {
    /// `Uri.parse(s)`.
    pub fn parse(s: &str) -> Uri {
        let scheme = match s.split_once(':') {
            Some((sc, _))
                if sc.starts_with(|c: char| c.is_ascii_alphabetic())
                    && sc
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
            {
                sc.to_ascii_lowercase()
            }
            _ => String::new(),
        };
        let before_fragment = s.split('#').next().unwrap_or("");
        let query = before_fragment
            .split_once('?')
            .map(|(_, q)| q.to_owned())
            .unwrap_or_default();
        Uri { scheme, query }
    }

    /// `uri.queryParameters`: `Uri.splitQueryString(query)`. `Uri.parse` has already escaped a `%` that does not
    /// start a valid escape, so only a bad UTF-8 sequence can throw (a `FormatException`).
    pub fn query_parameters(&self) -> Dart<DMap> {
        let mut map = DMap::default();
        for element in self.query.split('&') {
            match element.find('=') {
                None if element.is_empty() => {}
                None => map.insert(&decode_query_component(element)?, Dv::Str(String::new())),
                Some(0) => {}
                Some(i) => {
                    let key = decode_query_component(&element[..i])?;
                    map.insert(&key, Dv::Str(decode_query_component(&element[i + 1..])?));
                }
            }
        }
        Ok(map)
    }
}

/// `Uri.decodeQueryComponent(s)`: `+` → space, `%XX` → byte, then UTF-8.
pub fn decode_query_component(s: &str) -> Dart<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |x: Option<&u8>| x.and_then(|c| (*c as char).to_digit(16));
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => match (hex(b.get(i + 1)), hex(b.get(i + 2))) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| Thrown("FormatException: Invalid UTF-8 byte".into()))
}
