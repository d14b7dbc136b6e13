//! JSON request bodies as the mock reads them: duplicate object keys refused at any depth (400 on every
//! channel), and a task body's top-level fields kept in order with their strings borrowed from the request bytes
//! ([`Json`], [`Object`]), which is what the field rules of [`super::validate`] read. A task creation parses its
//! body once and copies a string only into the accepted request.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::contract::fields::TRANSACTION_TASK_FIELDS as KNOWN;

/// Parses any JSON document into a [`Value`], refusing duplicate object keys anywhere in it.
pub fn parse_value(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = de.deserialize_any(StrictVisitor)?;
    de.end()?;
    Ok(value)
}

/// Parses a request body whose top level the field rules read: an object's fields borrowed, anything else
/// as a [`Value`]. Refuses what [`parse_value`] refuses, with the same messages.
pub fn parse(bytes: &[u8]) -> Result<Json<'_>, serde_json::Error> {
    // UTF-8 checked once for the whole body rather than string by string; a body that is not UTF-8 is parsed
    // from the bytes so that the error names the same place as before.
    match std::str::from_utf8(bytes) {
        Ok(text) => top(serde_json::Deserializer::from_str(text)),
        Err(_) => top(serde_json::Deserializer::from_slice(bytes)),
    }
}

fn top<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
) -> Result<Json<'de>, serde_json::Error> {
    let json = de.deserialize_any(TopVisitor)?;
    de.end()?;
    Ok(json)
}

/// A parsed request body.
#[derive(Debug)]
pub enum Json<'a> {
    /// A JSON object.
    Object(Object<'a>),
    /// Anything else (an array, a string, a number, …).
    Other(Value),
}

/// A JSON object's fields in the order sent (no key twice), with where each documented task field is.
#[derive(Debug, Default)]
pub struct Object<'a> {
    fields: Vec<(Cow<'a, str>, Field<'a>)>,
    /// For each [`Name`]: 1 + its place in `fields`, 0 when the body lacks it.
    slots: [u32; KNOWN.len()],
}

/// Declares [`Name`] and [`Name::ALL`] from one list.
macro_rules! names {
    ($($name:ident = $wire:literal),* $(,)?) => {
        /// A field of a task body GP tom documents ([`KNOWN`], `TRANSACTION_TASK_FIELDS`; the batch fields are its
        /// first four), in that list's order: the field rules read it without comparing names.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Name {
            $(#[doc = concat!("`", $wire, "`.")] $name,)*
        }

        impl Name {
            /// Every name, in [`KNOWN`]'s order (a test holds the two lists together).
            pub const ALL: &[Name] = &[$(Name::$name),*];

            /// The field's name as GP tom spells it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Name::$name => $wire,)*
                }
            }
        }
    };
}

names!(
    ApiKey = "apiKey",
    Tid = "Tid",
    Initiator = "initiator",
    Title = "title",
    TransactionOperation = "transactionOperation",
    TransactionType = "transactionType",
    Amount = "amount",
    TipAmount = "tipAmount",
    CurrencyCode = "currencyCode",
    OriginReferenceNum = "originReferenceNum",
    PrintByPaymentApp = "printByPaymentApp",
    TimeToLive = "timeToLive",
    CancelMode = "cancelMode",
    OriginTransactionId = "originTransactionId",
);

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where `key` is among the documented task fields.
fn slot(key: &str) -> Option<usize> {
    KNOWN.iter().position(|k| *k == key)
}

/// One field's value.
#[derive(Debug, Clone)]
pub enum Field<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number as serde_json holds it.
    Number(Number),
    /// A string, borrowed unless it had escapes.
    Str(Cow<'a, str>),
    /// An array or an object.
    Nested(Cow<'a, Value>),
}

impl<'a> Json<'a> {
    /// A [`Value`] read as a body: an object's fields borrowed (the divergence check reads journal bodies).
    pub fn from_value(v: &'a Value) -> Self {
        match v {
            Value::Object(m) => Json::Object(Object::from_map(m)),
            other => Json::Other(other.clone()),
        }
    }
}

impl<'a> Object<'a> {
    /// The fields of a [`Map`], borrowed (the divergence check and tests read journal bodies this way).
    pub fn from_map(map: &'a Map<String, Value>) -> Self {
        let mut o = Object::default();
        for (k, v) in map {
            o.push(Cow::Borrowed(k), Field::from_value(v));
        }
        o
    }

    /// Adds a field whose key is not in the object yet.
    fn push(&mut self, key: Cow<'a, str>, value: Field<'a>) {
        if let Some(i) = slot(&key) {
            self.slots[i] = u32::try_from(self.fields.len() + 1).unwrap_or(0);
        }
        self.fields.push((key, value));
    }

    /// The value of a documented field, if the body has it.
    pub fn field(&self, name: Name) -> Option<&Field<'a>> {
        let at = self.slots[name as usize] as usize;
        at.checked_sub(1)
            .and_then(|i| self.fields.get(i))
            .map(|(_, v)| v)
    }

    /// The value of `name`, if the body has it (any key; the field rules read [`Object::field`]).
    #[cfg(test)]
    pub fn get(&self, name: &str) -> Option<&Field<'a>> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// The field names, in the order sent.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|(k, _)| k.as_ref())
    }
}

impl<'a> Field<'a> {
    fn from_value(v: &'a Value) -> Self {
        match v {
            Value::Null => Field::Null,
            Value::Bool(b) => Field::Bool(*b),
            Value::Number(n) => Field::Number(n.clone()),
            Value::String(s) => Field::Str(Cow::Borrowed(s)),
            nested => Field::Nested(Cow::Borrowed(nested)),
        }
    }

    /// "null", "a string", … for messages (as [`kind`] words a [`Value`]).
    pub fn kind(&self) -> &'static str {
        match self {
            Field::Null => "null",
            Field::Bool(_) => "a boolean",
            Field::Number(_) => "a number",
            Field::Str(_) => "a string",
            Field::Nested(v) => kind(v),
        }
    }
}

/// "null", "a boolean", "a number", "a string", "an array" or "an object", for messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Past this many keys an object's duplicate check hashes instead of comparing with every earlier key.
const LINEAR_KEYS: usize = 32;

/// Refuses the second occurrence of a key: a linear scan over a task body's few keys, a hash set past
/// [`LINEAR_KEYS`] so a large object costs no more than linear time.
struct Seen<'a> {
    many: Option<std::collections::HashSet<Cow<'a, str>, foldhash::fast::RandomState>>,
}

impl<'a> Seen<'a> {
    fn new() -> Self {
        Seen { many: None }
    }

    /// Whether `key` is new among `keys` (the keys so far, in order), remembering it.
    #[allow(
        clippy::ptr_arg,
        reason = "the set keeps a clone of the Cow: a borrowed key stays borrowed"
    )]
    fn fresh<'k>(
        &mut self,
        keys: impl ExactSizeIterator<Item = &'k Cow<'a, str>>,
        key: &Cow<'a, str>,
    ) -> bool
    where
        'a: 'k,
    {
        if let Some(set) = &mut self.many {
            return set.insert(key.clone());
        }
        if keys.len() < LINEAR_KEYS {
            return keys.into_iter().all(|k| k != key);
        }
        let mut set: std::collections::HashSet<_, _> = keys.cloned().collect();
        let fresh = set.insert(key.clone());
        self.many = Some(set);
        fresh
    }
}

fn duplicate<E: de::Error>(key: &str) -> E {
    E::custom(format_args!("duplicate key \"{key}\""))
}

/// A key, borrowed from the input when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// The top level: an object's fields borrowed, anything else a strict [`Value`].
struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json<'de>, E> {
        Ok(Json::Other(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json<'de>, E> {
        Ok(Json::Other(Value::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json<'de>, E> {
        Ok(Json::Other(Value::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json<'de>, E> {
        Ok(Json::Other(
            Number::from_f64(v).map_or(Value::Null, Value::Number),
        ))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json<'de>, E> {
        Ok(Json::Other(Value::String(v.to_owned())))
    }
    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Other(Value::Null))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Json<'de>, A::Error> {
        StrictVisitor.visit_seq(seq).map(Json::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let mut object = Object {
            fields: Vec::with_capacity(16),
            slots: [0; KNOWN.len()],
        };
        let mut seen = Seen::new();
        while let Some(Key(key)) = map.next_key()? {
            let value = map.next_value_seed(FieldSeed)?;
            if !seen.fresh(object.fields.iter().map(|(k, _)| k), &key) {
                return Err(duplicate(&key));
            }
            object.push(key, value);
        }
        Ok(Json::Object(object))
    }
}

/// A top-level field's value: scalars and strings kept as they are, arrays and objects parsed strictly.
struct FieldSeed;

impl<'de> DeserializeSeed<'de> for FieldSeed {
    type Value = Field<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Field<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FieldSeed {
    type Value = Field<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Field<'de>, E> {
        Ok(Field::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Field<'de>, E> {
        Ok(Field::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Field<'de>, E> {
        Ok(Field::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Field<'de>, E> {
        Ok(Number::from_f64(v).map_or(Field::Null, Field::Number))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Field<'de>, E> {
        Ok(Field::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Field<'de>, E> {
        Ok(Field::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Field<'de>, E> {
        Ok(Field::Str(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Field<'de>, E> {
        Ok(Field::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Field<'de>, A::Error> {
        StrictVisitor
            .visit_seq(seq)
            .map(|v| Field::Nested(Cow::Owned(v)))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Field<'de>, A::Error> {
        StrictVisitor
            .visit_map(map)
            .map(|v| Field::Nested(Cow::Owned(v)))
    }
}

/// Any value as a [`Value`], duplicate keys refused.
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let Strict(v) = map.next_value()?;
            match out.entry(key) {
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(v);
                }
                serde_json::map::Entry::Occupied(slot) => return Err(duplicate(slot.key())),
            }
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(text: &str) -> Object<'_> {
        match parse(text.as_bytes()).unwrap() {
            Json::Object(o) => o,
            Json::Other(v) => panic!("not an object: {v}"),
        }
    }

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        for text in [
            r#"{"a":1,"a":2}"#,
            r#"{"x":{"b":1,"b":1}}"#,
            r#"{"x":[{"b":1,"b":1}]}"#,
        ] {
            let (flat, tree) = (parse(text.as_bytes()), parse_value(text.as_bytes()));
            let (flat, tree) = (flat.unwrap_err().to_string(), tree.unwrap_err().to_string());
            assert_eq!(flat, tree, "{text}: the two parses word the refusal alike");
            assert!(flat.starts_with("duplicate key"), "{flat}");
        }
        assert!(parse_value(br#"[{"c":1},{"c":1}]"#).is_ok());
        assert!(matches!(
            parse(br#"[{"c":1},{"c":1}]"#),
            Ok(Json::Other(Value::Array(_)))
        ));
        // the escaped spelling of a key is the same key
        assert!(parse(br#"{"a":1,"\u0061":2}"#).is_err());
    }

    #[test]
    fn many_keys_switch_to_a_set_and_still_catch_duplicates() {
        let keys: Vec<String> = (0..100).map(|i| format!("\"k{i}\":{i}")).collect();
        let ok = format!("{{{}}}", keys.join(","));
        assert_eq!(object(&ok).keys().count(), 100);
        for dup in [5, 40, 99] {
            let text = format!("{{{},\"k{dup}\":0}}", keys.join(","));
            assert!(parse(text.as_bytes()).is_err(), "k{dup} twice");
        }
    }

    #[test]
    fn names_are_the_documented_fields_in_order() {
        use Name::*;
        let all = Name::ALL;
        let names: Vec<&str> = all.iter().map(|n| n.as_str()).collect();
        assert_eq!(names, KNOWN);
        assert!(all.iter().enumerate().all(|(i, n)| *n as usize == i));
        let o = object(r#"{"x":1,"amount":5,"Tid":"1","tid":"2"}"#);
        assert!(matches!(o.field(Amount), Some(Field::Number(n)) if n.as_i64() == Some(5)));
        assert!(matches!(o.field(Tid), Some(Field::Str(t)) if t == "1"));
        assert!(o.field(ApiKey).is_none());
        let map = serde_json::json!({"title": "t", "Title": "T"});
        let o = Object::from_map(map.as_object().unwrap());
        assert!(matches!(o.field(Title), Some(Field::Str(t)) if t == "t"));
    }

    #[test]
    fn fields_keep_their_values_and_order() {
        let text = r#" {"s":"a\"b","t":"plain","n":1.5,"i":-3,"b":true,"z":null,"o":{"x":[1]}} "#;
        let o = object(text);
        assert_eq!(
            o.keys().collect::<Vec<_>>(),
            ["s", "t", "n", "i", "b", "z", "o"]
        );
        assert!(matches!(o.get("s"), Some(Field::Str(Cow::Owned(s))) if s == "a\"b"));
        assert!(matches!(
            o.get("t"),
            Some(Field::Str(Cow::Borrowed("plain")))
        ));
        assert!(matches!(o.get("n"), Some(Field::Number(n)) if n.as_f64() == Some(1.5)));
        assert!(matches!(o.get("i"), Some(Field::Number(n)) if n.as_i64() == Some(-3)));
        assert!(matches!(o.get("b"), Some(Field::Bool(true))));
        assert!(matches!(o.get("z"), Some(Field::Null)));
        assert_eq!(o.get("o").map(Field::kind), Some("an object"));
        assert!(o.get("missing").is_none());
    }

    #[test]
    fn errors_and_trailing_text_are_refused() {
        let texts: [&[u8]; 8] = [
            b"",
            b"{} x",
            b"{\"a\":}",
            b"{\"a\":1,}",
            b"[",
            b"{\"a\":1",
            b"{\"a\":\"\xff\"}",
            b"{\"a\":\"ok\"} \xc3",
        ];
        for text in texts {
            assert!(parse(text).is_err(), "{text:?}");
            assert_eq!(
                parse(text).unwrap_err().to_string(),
                parse_value(text).unwrap_err().to_string(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn nesting_is_bounded_not_a_stack_overflow() {
        let deep = format!("{{\"a\":{}", "[".repeat(100_000));
        assert!(parse(deep.as_bytes()).is_err());
        assert!(parse_value("[".repeat(100_000).as_bytes()).is_err());
    }
}
