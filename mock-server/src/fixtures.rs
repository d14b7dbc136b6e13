//! Fixtures: the built-in defaults (the very files under `fixtures/`, embedded with `include_str!`) or the YAML
//! files of `--fixtures DIR`, each of which replaces its built-in part. Every problem is reported as
//! `file:line:column: what is wrong` before the server starts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_saphyr::Spanned;

use crate::engine::World;
use crate::engine::fault::FaultSpec;
use crate::engine::outcome::{Outcome, OutcomeTable};
use crate::engine::task::LatencyProfile;
use crate::engine::terminal::{Account, AccountKind, Directory, Mode, OAuthClient, Terminal};
use crate::engine::transaction::CardCatalog;

const ACCOUNTS: &str = include_str!("../../fixtures/accounts.yaml");
const LATENCY: &str = include_str!("../../fixtures/latency.yaml");
const OUTCOMES: &str = include_str!("../../fixtures/outcomes.yaml");
const CARDS: &str = include_str!("../../fixtures/cards.yaml");

/// A fixture file that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", at(*.line, *.column))]
pub struct FixtureError {
    /// The file (`<built-in>/…` for embedded defaults).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// 1-based column, when known.
    pub column: Option<u64>,
    /// What is wrong and what is expected.
    pub message: String,
}

fn at(line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AccountsFile {
    #[serde(default)]
    oauth_client: Option<ClientEntry>,
    terminals: Vec<TerminalEntry>,
    accounts: Vec<AccountEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientEntry {
    id: String,
    secret: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TerminalEntry {
    tid: Spanned<String>,
    api_key: String,
    merchant_id: String,
    currency: Spanned<String>,
    #[serde(default = "automatic")]
    mode: Mode,
    #[serde(default = "yes")]
    reachable: bool,
    #[serde(default)]
    tip_enabled: bool,
    #[serde(default)]
    printer_available: bool,
    #[serde(default)]
    latency: Option<Spanned<String>>,
}

fn automatic() -> Mode {
    Mode::Automatic
}
fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum KindEntry {
    Terminal,
    Master,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountEntry {
    username: Spanned<String>,
    password: String,
    kind: KindEntry,
    tids: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LatencyFile {
    profiles: BTreeMap<String, LatencyProfile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutcomesFile {
    amounts: BTreeMap<i64, Outcome>,
}

/// One source text and the name errors should carry.
struct Source {
    name: String,
    text: String,
}

impl Source {
    fn builtin(file: &str, text: &str) -> Self {
        Source {
            name: format!("<built-in>/fixtures/{file}"),
            text: text.to_owned(),
        }
    }

    fn parse<T: DeserializeOwned>(&self) -> Result<T, FixtureError> {
        serde_saphyr::from_str(&self.text).map_err(|e| {
            let loc = e.location();
            FixtureError {
                file: self.name.clone(),
                line: loc.map(|l| l.line()),
                column: loc.map(|l| l.column()),
                message: e.without_snippet().to_string(),
            }
        })
    }

    fn error_at<T>(&self, span: &Spanned<T>, message: String) -> FixtureError {
        FixtureError {
            file: self.name.clone(),
            line: Some(span.referenced.line()),
            column: Some(span.referenced.column()),
            message,
        }
    }
}

/// The built-in fixtures, or those of `dir` where it has the file.
pub fn load(dir: Option<&Path>) -> Result<World, FixtureError> {
    let pick = |file: &str, builtin: &str| -> Result<Source, FixtureError> {
        match dir.map(|d| d.join(file)) {
            Some(path) if path.exists() => read(&path),
            _ => Ok(Source::builtin(file, builtin)),
        }
    };
    if let Some(d) = dir
        && !d.is_dir()
    {
        return Err(FixtureError {
            file: d.display().to_string(),
            line: None,
            column: None,
            message: "--fixtures must name a directory holding accounts.yaml, latency.yaml, outcomes.yaml or cards.yaml".into(),
        });
    }
    let latency_src = pick("latency.yaml", LATENCY)?;
    let latency = latency_src.parse::<LatencyFile>()?.profiles;
    let directory = directory(&pick("accounts.yaml", ACCOUNTS)?, &latency)?;
    let outcomes = OutcomeTable {
        by_amount: pick("outcomes.yaml", OUTCOMES)?
            .parse::<OutcomesFile>()?
            .amounts,
    };
    let cards_src = pick("cards.yaml", CARDS)?;
    let cards: CardCatalog = cards_src.parse()?;
    if cards.brands.is_empty() || cards.entry_modes.is_empty() {
        let message = "brands and entryModes must each list at least one entry".into();
        return Err(FixtureError {
            file: cards_src.name,
            line: None,
            column: None,
            message,
        });
    }
    let sdk = crate::device::format::IOS_CARD_TYPES;
    if let Some(bad) = cards
        .brands
        .iter()
        .filter_map(|b| b.ios_card_type.as_deref())
        .find(|t| !sdk.contains(t))
    {
        return Err(FixtureError {
            file: cards_src.name,
            line: None,
            column: None,
            message: format!(
                "iosCardType {bad:?} is not a value of the iOS SDK's CardType ({}): the SDK would drop every receipt of that brand",
                sdk.join(", ")
            ),
        });
    }
    for (name, p) in &latency {
        let all = [
            p.push_ms,
            p.started_ms,
            p.init_ms,
            p.card_ms,
            p.cash_ms,
            p.batch_ms,
            p.device_timeout_ms,
        ];
        if all.iter().any(|ms| !(0..=86_400_000).contains(ms)) || p.network_ms > 600_000 {
            let message =
                format!("latency profile {name:?}: every duration must be 0..=86400000 ms");
            return Err(FixtureError {
                file: latency_src.name,
                line: None,
                column: None,
                message,
            });
        }
    }
    Ok(World {
        directory,
        latency: latency
            .into_iter()
            .map(|(name, p)| (name, std::sync::Arc::new(p)))
            .collect(),
        outcomes,
        cards,
    })
}

/// Fault rules of `--faults FILE`: a YAML list of rules as `POST /__admin/faults` takes them.
pub fn load_faults(path: &Path) -> Result<Vec<FaultSpec>, FixtureError> {
    let src = read(&path.to_path_buf())?;
    let rules: Vec<Spanned<FaultSpec>> = src.parse()?;
    rules
        .into_iter()
        .map(|r| match r.value.check() {
            Ok(()) => Ok(r.value.clone()),
            Err((field, why)) => Err(src.error_at(&r, format!("{field}: {why}"))),
        })
        .collect()
}

fn read(path: &PathBuf) -> Result<Source, FixtureError> {
    let text = std::fs::read_to_string(path).map_err(|e| FixtureError {
        file: path.display().to_string(),
        line: None,
        column: None,
        message: format!("cannot read: {e}"),
    })?;
    Ok(Source {
        name: path.display().to_string(),
        text,
    })
}

fn directory(
    src: &Source,
    latency: &BTreeMap<String, LatencyProfile>,
) -> Result<Directory, FixtureError> {
    let file: AccountsFile = src.parse()?;
    let mut terminals = BTreeMap::new();
    let order: Vec<String> = file.terminals.iter().map(|t| t.tid.value.clone()).collect();
    for t in file.terminals {
        let currency = &t.currency.value;
        if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(src.error_at(
                &t.currency,
                format!("currency {currency:?} must be 3 capital letters (ISO 4217)"),
            ));
        }
        if let Some(l) = &t.latency
            && !latency.contains_key(&l.value)
        {
            return Err(src.error_at(
                l,
                format!(
                    "latency profile {:?} is not defined in latency.yaml",
                    l.value
                ),
            ));
        }
        let tid = t.tid.value.clone();
        if tid.is_empty() || terminals.contains_key(tid.as_str()) {
            return Err(src.error_at(&t.tid, format!("TID {tid:?} is empty or defined twice")));
        }
        let terminal = Terminal {
            tid: tid.as_str().into(),
            api_key: t.api_key.into(),
            merchant_id: t.merchant_id,
            currency: currency.as_str().into(),
            mode: t.mode,
            reachable: t.reachable,
            tip_enabled: t.tip_enabled,
            printer_available: t.printer_available,
            latency: t.latency.map(|l| l.value),
        };
        terminals.insert(tid.into(), std::sync::Arc::new(terminal));
    }
    let mut accounts = BTreeMap::new();
    for a in file.accounts {
        let kind = match a.kind {
            KindEntry::Terminal => AccountKind::Terminal,
            KindEntry::Master => AccountKind::Master,
        };
        if a.tids.is_empty() {
            return Err(src.error_at(
                &a.username,
                format!("account {:?} lists no tids", a.username.value),
            ));
        }
        for tid in &a.tids {
            if !terminals.contains_key(tid.value.as_str()) {
                return Err(src.error_at(
                    tid,
                    format!("TID {:?} is not defined under terminals", tid.value),
                ));
            }
        }
        if accounts.contains_key(a.username.value.as_str()) {
            return Err(src.error_at(
                &a.username,
                format!("account {:?} is defined twice", a.username.value),
            ));
        }
        let account = Account {
            username: a.username.value.clone(),
            password: a.password,
            kind,
            tids: a.tids.into_iter().map(|t| t.value.into()).collect(),
        };
        accounts.insert(a.username.value.into(), account);
    }
    let client = file.oauth_client.map_or_else(
        || OAuthClient {
            id: "atom".into(),
            secret: "ashfuf4e5fa".into(),
        },
        |c| OAuthClient {
            id: c.id,
            secret: c.secret,
        },
    );
    let first_tid = order.first().cloned().unwrap_or_default();
    // the trees' order, kept by the directory's maps
    Ok(Directory::new(
        client,
        terminals.into_iter().collect(),
        first_tid,
        accounts.into_iter().collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_with(file: &str, text: &str) -> tempdir::Dir {
        let d = tempdir::Dir::new();
        std::fs::write(d.path().join(file), text).unwrap();
        d
    }

    /// A throwaway directory under the target dir (no extra crate needed).
    mod tempdir {
        use std::path::{Path, PathBuf};
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        pub struct Dir(PathBuf);
        impl Dir {
            pub fn new() -> Self {
                let p = std::env::temp_dir().join(format!(
                    "gptom-fixtures-{}-{}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::SeqCst)
                ));
                std::fs::create_dir_all(&p).unwrap();
                Dir(p)
            }
            pub fn path(&self) -> &Path {
                &self.0
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    #[test]
    fn builtin_fixtures_match_the_spec_table() {
        let w = load(None).unwrap();
        let d = &w.directory;
        assert_eq!(d.terminals.len(), 6);
        assert_eq!(d.terminals["999888"].api_key, "333W212J3");
        assert_eq!(d.terminals["483591"].mode, Mode::SemiIntegrated);
        assert!(!d.terminals["483592"].reachable);
        assert_eq!(d.terminals["700100"].currency, "EUR");
        assert_eq!(
            d.accounts()["example-cloud-admin@example.com"].kind,
            AccountKind::Master
        );
        assert_eq!(
            d.client,
            OAuthClient {
                id: "atom".into(),
                secret: "ashfuf4e5fa".into()
            }
        );
        assert_eq!(w.outcomes.for_amount(1122), Outcome::Decline);
        assert_eq!(w.outcomes.for_amount(4242), Outcome::Approve);
        assert!(w.latency.contains_key("instant") && w.latency.contains_key("realistic"));
    }

    #[test]
    fn a_directory_replaces_only_its_files() {
        let d = dir_with("outcomes.yaml", "amounts:\n  4242: decline\n");
        let w = load(Some(d.path())).unwrap();
        assert_eq!(w.outcomes.for_amount(4242), Outcome::Decline);
        assert_eq!(w.outcomes.for_amount(1122), Outcome::Approve);
        assert_eq!(w.directory.terminals.len(), 6);
    }

    #[test]
    fn bad_files_name_file_line_and_column() {
        let d = dir_with(
            "outcomes.yaml",
            "amounts:\n  1111: approve\n  1122: maybe\n",
        );
        let e = load(Some(d.path())).unwrap_err();
        assert!(e.file.ends_with("outcomes.yaml"), "{e}");
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.to_string().contains("maybe"), "{e}");

        let d = dir_with(
            "accounts.yaml",
            "terminals:\n  - tid: \"1\"\n    apiKey: K\n    merchantId: M\n    currency: CZK\naccounts:\n  - username: a@b\n    password: p\n    kind: terminal\n    tids: [\"1\", \"2\"]\n",
        );
        let e = load(Some(d.path())).unwrap_err();
        assert_eq!((e.line, e.column), (Some(10), Some(17)), "{e}");
        assert!(e.message.contains("TID \"2\" is not defined"), "{e}");

        let d = dir_with(
            "latency.yaml",
            "profiles:\n  slow:\n    pushMs: 1\n    typo: 2\n",
        );
        let e = load(Some(d.path())).unwrap_err();
        assert!(e.line.is_some() && e.message.contains("typo"), "{e}");

        let d = dir_with(
            "cards.yaml",
            "brands:\n  - {cardType: MAESTRO, label: Maestro, aid: A0000000043060, iosCardType: MAESTRO}\nentryModes: [CHIP]\n",
        );
        let e = load(Some(d.path())).unwrap_err();
        assert!(
            e.message.contains("iosCardType \"MAESTRO\" is not a value"),
            "{e}"
        );

        let e = load(Some(Path::new("/definitely/not/here"))).unwrap_err();
        assert!(e.message.contains("directory"), "{e}");
    }
}
