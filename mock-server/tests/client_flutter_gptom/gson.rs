//! Gson as AppsDevTeam/flutter-gptom (commit 11c1772c9e97fc929321bb5b8cc2dc841199867b) applies it:
//! `Gson().fromJson(json, Entity::class.java)` with no type adapters registered (`GpTomPlugin.kt:44`), Gson 2.13.2
//! (`android/build.gradle:68`). This file is the reflective decoder's value rules, one function per Java type the
//! AAR 1.28.0 entities use (`String`, `Integer`/`int`, `Long`, `Boolean`/`boolean`, enums, nested entities,
//! `java.util.Date`, `BigDecimal`, `java.util.Currency`); `entities.rs` lists the fields.
//!
//! Rules (Gson's `TypeAdapters`, `DateTypeAdapter`, `ISO8601Utils`, `JsonReader.nextInt/nextLong/nextString`;
//! each checked against the real Gson with `/tmp/research/harness`, see `controls.rs`):
//! - unknown keys are skipped; a missing key or `null` leaves the field null (a primitive keeps 0 / false);
//! - `""` or `null` as the whole document → `fromJson` returns null; a non-object document → exception;
//! - String field: a number gives its literal text, a boolean `"true"`/`"false"`, an object or array → exception;
//! - Integer/Long field: numbers that are whole and in range, and strings that parse as such (`"6"`, `"6.0"`) are
//!   accepted; fractions, out-of-range values, non-numeric strings and booleans → exception;
//! - Boolean field: `true`/`false`, or a string through `Boolean.parseBoolean` (`"yes"` → false); a number →
//!   exception;
//! - enum field: the constant's exact name, anything else → null without an error (booleans and objects throw);
//! - nested entity: an object, or null; anything else → exception;
//! - Date: the en-US `DateFormat` DEFAULT style, else ISO 8601 with a zone; zone-less, space-separated or epoch
//!   numbers → exception.
//!
//! Not modelled: Gson's lenient syntax extras (comments, single quotes, unquoted names) — serde_json rejects them,
//! which only makes this reader stricter; the literal text of a float as a String (serde_json re-prints it:
//! `1e0` becomes `1.0`).

use serde_json::{Map, Value};

/// `com.google.gson.JsonSyntaxException`: every decoding failure the plugin can meet is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonSyntaxException(pub String);

impl std::fmt::Display for JsonSyntaxException {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JsonSyntaxException: {}", self.0)
    }
}

/// A Gson read.
pub type Gson<T> = Result<T, JsonSyntaxException>;

fn fail<T>(cause: &str, path: &str) -> Gson<T> {
    Err(JsonSyntaxException(format!("{cause} at path {path}")))
}

/// The `JsonToken` name Gson's messages use.
fn token(v: &Value) -> &'static str {
    match v {
        Value::Null => "NULL",
        Value::Bool(_) => "BOOLEAN",
        Value::Number(_) => "NUMBER",
        Value::String(_) => "STRING",
        Value::Array(_) => "BEGIN_ARRAY",
        Value::Object(_) => "BEGIN_OBJECT",
    }
}

/// `gson.fromJson(String, Entity::class.java)`: `Ok(None)` for a blank document or `null`.
pub fn from_json<T>(json: &str, read: fn(&Obj<'_>) -> Gson<T>) -> Gson<Option<T>> {
    if json.trim().is_empty() {
        return Ok(None); // Gson: EOFException on an empty document → null
    }
    let v: Value = serde_json::from_str(json)
        .map_err(|e| JsonSyntaxException(format!("MalformedJsonException: {e}")))?;
    match &v {
        Value::Null => Ok(None),
        Value::Object(m) => read(&Obj::new(m, "$".into())).map(Some),
        other => fail(
            &format!(
                "IllegalStateException: Expected BEGIN_OBJECT but was {}",
                token(other)
            ),
            "$",
        ),
    }
}

/// One JSON object being read into an entity.
pub struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Obj<'a> {
    fn new(map: &'a Map<String, Value>, path: String) -> Self {
        Obj { map, path }
    }

    fn at(&self, key: &str) -> (&'a Value, String) {
        static NULL: Value = Value::Null;
        (
            self.map.get(key).unwrap_or(&NULL),
            format!("{}.{key}", self.path),
        )
    }

    /// A `java.lang.String` field.
    pub fn string(&self, key: &str) -> Gson<Option<String>> {
        let (v, path) = self.at(key);
        read_string(v, &path)
    }

    /// A `java.lang.Integer` field.
    pub fn integer(&self, key: &str) -> Gson<Option<i32>> {
        let (v, path) = self.at(key);
        Ok(read_whole(v, &path, Width::Int)?.map(|i| i as i32))
    }

    /// A primitive `int` field: missing or null keeps Java's default 0.
    pub fn int(&self, key: &str) -> Gson<i32> {
        Ok(self.integer(key)?.unwrap_or(0))
    }

    /// A `java.lang.Long` field.
    pub fn long(&self, key: &str) -> Gson<Option<i64>> {
        let (v, path) = self.at(key);
        read_whole(v, &path, Width::Long)
    }

    /// A `java.lang.Boolean` field.
    pub fn boolean(&self, key: &str) -> Gson<Option<bool>> {
        let (v, path) = self.at(key);
        match v {
            Value::Null => Ok(None),
            Value::Bool(b) => Ok(Some(*b)),
            // TypeAdapters.BOOLEAN: a STRING goes through Boolean.parseBoolean
            Value::String(s) => Ok(Some(s.eq_ignore_ascii_case("true"))),
            other => fail(
                &format!(
                    "IllegalStateException: Expected a boolean but was {}",
                    token(other)
                ),
                &path,
            ),
        }
    }

    /// A primitive `boolean` field: missing or null keeps false.
    pub fn primitive_boolean(&self, key: &str) -> Gson<bool> {
        Ok(self.boolean(key)?.unwrap_or(false))
    }

    /// An enum field: the constant named exactly so, else null (Gson's `EnumTypeAdapter`).
    pub fn enumeration(
        &self,
        key: &str,
        constants: &'static [&'static str],
    ) -> Gson<Option<&'static str>> {
        let (v, path) = self.at(key);
        Ok(match next_string(v, &path)? {
            Some(s) => constants.iter().copied().find(|c| *c == s),
            None => None,
        })
    }

    /// A nested entity field.
    pub fn object<T>(&self, key: &str, read: fn(&Obj<'_>) -> Gson<T>) -> Gson<Option<T>> {
        let (v, path) = self.at(key);
        match v {
            Value::Null => Ok(None),
            Value::Object(m) => read(&Obj::new(m, path)).map(Some),
            other => fail(
                &format!(
                    "IllegalStateException: Expected BEGIN_OBJECT but was {}",
                    token(other)
                ),
                &path,
            ),
        }
    }

    /// A `java.util.Date` field, as epoch milliseconds (`Date.getTime()`).
    pub fn date(&self, key: &str) -> Gson<Option<i64>> {
        let (v, path) = self.at(key);
        match next_string(v, &path)? {
            None => Ok(None),
            Some(s) => match gson_date(&s) {
                Some(ms) => Ok(Some(ms)),
                None => fail(&format!("Failed parsing '{s}' as Date"), &path),
            },
        }
    }

    /// A `java.math.BigDecimal` field, as its text.
    pub fn big_decimal(&self, key: &str) -> Gson<Option<String>> {
        let (v, path) = self.at(key);
        match next_string(v, &path)? {
            None => Ok(None),
            Some(s) if is_big_decimal(&s) => Ok(Some(s)),
            Some(s) => fail(&format!("Failed parsing '{s}' as BigDecimal"), &path),
        }
    }

    /// A `java.util.Currency` field (`Currency.getInstance(String)`).
    pub fn currency(&self, key: &str) -> Gson<Option<String>> {
        let (v, path) = self.at(key);
        match next_string(v, &path)? {
            None => Ok(None),
            Some(s) if iso_4217_known(&s) => Ok(Some(s)),
            Some(s) => fail(&format!("Failed parsing '{s}' as Currency"), &path),
        }
    }
}

/// `TypeAdapters.STRING`.
fn read_string(v: &Value, path: &str) -> Gson<Option<String>> {
    match v {
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => next_string(other, path),
    }
}

/// `JsonReader.nextString()` (what enum, Date, BigDecimal and Currency adapters call): strings and the literal
/// text of numbers; a boolean, object or array → exception.
fn next_string(v: &Value, path: &str) -> Gson<Option<String>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        other => fail(
            &format!(
                "IllegalStateException: Expected a string but was {}",
                token(other)
            ),
            path,
        ),
    }
}

#[derive(Clone, Copy)]
enum Width {
    Int,
    Long,
}

/// `JsonReader.nextInt()` / `nextLong()` behind `TypeAdapters.INTEGER` / `LONG`.
fn read_whole(v: &Value, path: &str, width: Width) -> Gson<Option<i64>> {
    let (name, min, max) = match width {
        Width::Int => ("an int", i64::from(i32::MIN), i64::from(i32::MAX)),
        Width::Long => ("a long", i64::MIN, i64::MAX),
    };
    let text = match v {
        Value::Null => return Ok(None),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            // Integer.parseInt / Long.parseLong first, then the double fallback below
            if let Ok(i) = s.parse::<i64>()
                && (min..=max).contains(&i)
            {
                return Ok(Some(i));
            }
            s.clone()
        }
        other => {
            return fail(
                &format!(
                    "IllegalStateException: Expected {name} but was {}",
                    token(other)
                ),
                path,
            );
        }
    };
    if let Ok(i) = text.parse::<i64>() {
        return if (min..=max).contains(&i) {
            Ok(Some(i))
        } else {
            fail(
                &format!("NumberFormatException: Expected {name} but was {text}"),
                path,
            )
        };
    }
    let Some(d) = java_parse_double(&text) else {
        return fail(
            &format!("NumberFormatException: For input string: \"{text}\""),
            path,
        );
    };
    // `(int) asDouble` / `(long) asDouble` saturate like Rust's `as`; a lost fraction or range is an error
    let whole = d as i64;
    if whole as f64 == d && (min..=max).contains(&whole) {
        Ok(Some(whole))
    } else {
        fail(
            &format!("NumberFormatException: Expected {name} but was {text}"),
            path,
        )
    }
}

/// `Double.parseDouble`: surrounding whitespace trimmed, an optional `d`/`f` suffix, `NaN`/`Infinity`.
fn java_parse_double(s: &str) -> Option<f64> {
    let t = s.trim_matches(|c: char| c <= ' ');
    match t {
        "NaN" => return Some(f64::NAN),
        "Infinity" | "+Infinity" => return Some(f64::INFINITY),
        "-Infinity" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    let t = t.strip_suffix(['d', 'D', 'f', 'F']).unwrap_or(t);
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
    {
        return None;
    }
    t.parse().ok()
}

/// `new BigDecimal(String)`: sign, digits with at most one point, optional exponent.
fn is_big_decimal(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = mantissa.bytes().filter(u8::is_ascii_digit).count();
    let points = mantissa.bytes().filter(|b| *b == b'.').count();
    let mantissa_ok = digits > 0 && points <= 1 && digits + points == mantissa.len();
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

/// ISO 4217 codes `Currency.getInstance` knows (the active list; the JDK knows a few historic ones more).
const ISO_4217: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN \
    BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP \
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW \
    KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK \
    NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN \
    SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU \
    XBA XBB XBC XBD XCD XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWL";

/// Whether `code` is an ISO 4217 alphabetic code.
pub fn iso_4217_known(code: &str) -> bool {
    ISO_4217.split_whitespace().any(|c| c == code)
}

/// Gson's `DateTypeAdapter`: the en-US `DateFormat` DEFAULT style (both the JDK ≤ 8 `MMM d, yyyy h:mm:ss a` and
/// the CLDR `MMM d, yyyy, h:mm:ss a`), then `ISO8601Utils.parse`. Epoch milliseconds.
///
/// [assumption] The device's locale is en-US and its zone UTC: Gson also tries the device locale's own format,
/// and the en-US style is read in the device zone.
pub fn gson_date(s: &str) -> Option<i64> {
    us_default_format(s).or_else(|| iso8601_utils(s))
}

fn us_default_format(s: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (mon, rest) = s.split_once(' ')?;
    let month = MONTHS.iter().position(|m| *m == mon)? as i64 + 1;
    let (day, rest) = rest.split_once(", ")?;
    let (year, rest) = rest.split_at_checked(4)?;
    let rest = rest.strip_prefix(',').unwrap_or(rest).strip_prefix(' ')?;
    let (clock, ampm) = rest.split_once(' ')?;
    let mut hms = clock.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
    let pm = match ampm {
        "AM" => false,
        "PM" => true,
        _ => return None,
    };
    if !(1..=12).contains(&h) || m > 59 || sec > 59 {
        return None;
    }
    let hour = h % 12 + if pm { 12 } else { 0 };
    let (y, d) = (year.parse().ok()?, day.parse().ok()?);
    valid_date(y, month, d)?;
    Some(epoch_ms(y, month, d, hour, m, sec, 0))
}

/// `com.google.gson.internal.bind.util.ISO8601Utils.parse`: `yyyy[-]MM[-]dd` alone (midnight UTC), or with
/// `THH[:]mm[[:]ss[.fff…]]` and then a zone `Z`, `±hh:mm`, `±hhmm` or `±hh`; text after `Z` is not checked.
fn iso8601_utils(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |from: usize, to: usize| -> Option<i64> {
        if to > b.len() || from > to {
            return None;
        }
        b[from..to].iter().try_fold(0i64, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let mut off = 0;
    let year = num(off, off + 4)?;
    off += 4;
    if at(off, b'-') {
        off += 1;
    }
    let month = num(off, off + 2)?;
    off += 2;
    if at(off, b'-') {
        off += 1;
    }
    let day = num(off, off + 2)?;
    off += 2;
    let (mut hour, mut minute, mut second, mut millis) = (0, 0, 0, 0);
    let has_t = at(off, b'T');
    if !has_t && b.len() <= off {
        valid_date(year, month, day)?;
        return Some(epoch_ms(year, month, day, 0, 0, 0, 0));
    }
    if has_t {
        off += 1;
        hour = num(off, off + 2)?;
        off += 2;
        if at(off, b':') {
            off += 1;
        }
        minute = num(off, off + 2)?;
        off += 2;
        if at(off, b':') {
            off += 1;
        }
        if b.len() > off && !matches!(b[off], b'Z' | b'+' | b'-') {
            second = num(off, off + 2)?;
            off += 2;
            if (60..63).contains(&second) {
                second = 59; // leap seconds are truncated
            }
            if at(off, b'.') {
                off += 1;
                let end = (off + 1..b.len())
                    .find(|i| !b[*i].is_ascii_digit())
                    .unwrap_or(b.len());
                let parse_end = end.min(off + 3).min(b.len());
                let fraction = num(off, parse_end)?;
                millis = match parse_end - off {
                    2 => fraction * 10,
                    1 => fraction * 100,
                    _ => fraction,
                };
                off = end;
            }
        }
    }
    // "No time zone indicator"
    let indicator = *b.get(off)?;
    let offset_minutes = match indicator {
        b'Z' => 0,
        b'+' | b'-' => {
            let mut zone = s[off..].to_owned();
            if zone.len() < 5 {
                zone.push_str("00");
            }
            // TimeZone.getTimeZone("GMT" + zone) must give back that id (colon optional)
            let z = zone.as_bytes();
            let (hh, mm) = match z.len() {
                5 => (two(z, 1)?, two(z, 3)?),
                6 if z[3] == b':' => (two(z, 1)?, two(z, 4)?),
                _ => return None,
            };
            if hh > 23 || mm > 59 {
                return None;
            }
            let sign = if indicator == b'-' { -1 } else { 1 };
            sign * (hh * 60 + mm)
        }
        _ => return None, // "Invalid time zone indicator"
    };
    // the Calendar is not lenient
    valid_date(year, month, day)?;
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(epoch_ms(year, month, day, hour, minute, second, millis) - offset_minutes * 60_000)
}

fn two(z: &[u8], from: usize) -> Option<i64> {
    let d = z.get(from..from + 2)?;
    d.iter()
        .all(u8::is_ascii_digit)
        .then(|| i64::from(d[0] - b'0') * 10 + i64::from(d[1] - b'0'))
}

/// Days in a month of the proleptic Gregorian calendar.
pub fn month_length(year: i64, month: i64) -> i64 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

fn valid_date(year: i64, month: i64, day: i64) -> Option<()> {
    ((1..=12).contains(&month) && (1..=month_length(year, month)).contains(&day)).then_some(())
}

/// Epoch milliseconds of a UTC civil time (days from civil, H. Hinnant).
pub fn epoch_ms(y: i64, m: i64, d: i64, h: i64, min: i64, s: i64, ms: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    ((days * 24 + h) * 60 + min) * 60_000 + s * 1000 + ms
}
