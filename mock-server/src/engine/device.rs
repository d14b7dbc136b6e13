//! The simulated device of each TID (device-channels.md §1): installed, logged-in user, app version and
//! settings, plus helpers the device channels (iOS deep links, Android app2app) share: amounts as decimal
//! strings, card/currency code tables, batch summaries. No axum.

use serde::Serialize;
use serde_json::{Value, json};

use super::transaction::{Batch, CardBrand, Transaction, TxnResult};
use super::validate::{Operation, PayType};
use super::{Engine, Error, TaskView, terminal::Terminal};
use crate::clock::Timestamp;

/// App version the simulated devices report [assumption].
pub const APP_VERSION: &str = "1.80.0";

/// One simulated phone/terminal running GP tom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// GP tom is installed.
    pub installed: bool,
    /// The logged-in user, if any.
    pub logged_in: Option<String>,
    /// GP tom version.
    pub app_version: String,
    /// Tipping enabled in the app.
    pub tip_enabled: bool,
    /// A receipt printer is connected.
    pub printer_available: bool,
    /// Manual card entry is restricted.
    pub manual_transaction_restricted: bool,
}

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

/// Why a device login was refused (each channel names it in its own dialect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoginRefused {
    /// No such user, or a wrong password.
    InvalidCredentials,
    /// The user is not bound to that TID.
    TidNotAssigned,
    /// The TID has no device.
    TidNotFound,
}

impl Engine {
    /// Whether `password` is the password of `user` (device logins and password changes).
    pub(crate) fn password_is(&self, user: &str, password: &str) -> bool {
        self.world
            .directory
            .account(user)
            .is_some_and(|a| a.password == password)
    }

    /// Logs `user` into the simulated device of `tid` (iOS `login`, app2app `login`).
    pub(crate) fn log_in(
        &mut self,
        user: &str,
        password: &str,
        tid: &str,
    ) -> Result<(), LoginRefused> {
        let account = self
            .world
            .directory
            .account(user)
            .filter(|a| a.password == password)
            .cloned()
            .ok_or(LoginRefused::InvalidCredentials)?;
        if !account.tids.iter().any(|t| t == tid) {
            return Err(LoginRefused::TidNotAssigned);
        }
        let device = self.device(tid).map_err(|_| LoginRefused::TidNotFound)?;
        device.logged_in = Some(account.username);
        Ok(())
    }

    /// Logs the simulated device of `tid` out (no such device: nothing to do).
    pub(crate) fn log_out(&mut self, tid: &str) {
        if let Ok(d) = self.device(tid) {
            d.logged_in = None;
        }
    }

    /// Sets the password of `user` (a confirmed password change).
    pub(crate) fn set_password(&mut self, user: &str, new: &str) {
        if let Some(a) = self.world.directory.accounts.get_mut(user) {
            a.password = new.to_owned();
        }
    }

    /// The device of `tid` (created from the fixtures on first use: logged in as the terminal's account).
    pub fn device(&mut self, tid: &str) -> Result<&mut Device, Error> {
        let terminal = self
            .world
            .directory
            .terminals
            .get(tid)
            .ok_or_else(|| Error::not_found(format!("no terminal with TID {tid}")))?;
        if !self.devices.contains_key(tid) {
            let user = self
                .world
                .directory
                .owner_of(tid)
                .map(|a| a.username.clone());
            let device = Device {
                installed: true,
                logged_in: user,
                app_version: APP_VERSION.into(),
                tip_enabled: terminal.tip_enabled,
                printer_available: terminal.printer_available,
                manual_transaction_restricted: false,
            };
            self.devices.insert(tid.to_owned(), device);
        }
        self.devices
            .get_mut(tid)
            .ok_or_else(|| Error::not_found(format!("no device for TID {tid}")))
    }

    /// `PATCH /__admin/devices/{tid}`: `logged_in` true logs the terminal's own account in.
    pub fn patch_device(
        &mut self,
        tid: &str,
        installed: Option<bool>,
        logged_in: Option<bool>,
        app_version: Option<String>,
        printer_available: Option<bool>,
        tip_enabled: Option<bool>,
    ) -> Result<Device, Error> {
        let default_user = self
            .world
            .directory
            .owner_of(tid)
            .map(|a| a.username.clone());
        let d = self.device(tid)?;
        if let Some(i) = installed {
            d.installed = i;
        }
        match logged_in {
            Some(true) if d.logged_in.is_none() => d.logged_in = default_user,
            Some(false) => d.logged_in = None,
            _ => {}
        }
        if let Some(v) = app_version {
            d.app_version = v;
        }
        if let Some(p) = printer_available {
            d.printer_available = p;
        }
        if let Some(t) = tip_enabled {
            d.tip_enabled = t;
        }
        Ok(d.clone())
    }

    /// The terminal of `tid`, or the first one of the fixtures.
    pub fn terminal_or_first(&self, tid: Option<&str>) -> Result<Terminal, Error> {
        let tid = tid.unwrap_or(&self.world.directory.first_tid);
        self.world
            .directory
            .terminals
            .get(tid)
            .cloned()
            .ok_or_else(|| Error::not_found(format!("no terminal with TID {tid}")))
    }

    /// A task as of `now`, whatever its TID (device channels have no token to check).
    pub fn task_any(&mut self, id: &str, now: Timestamp) -> Option<TaskView> {
        let tid = self.tasks.get(id)?.tid.clone();
        self.settle(&tid, now);
        Some(self.view(id, now))
    }

    /// A transaction by id, after settling its terminal.
    pub fn transaction_any(&mut self, tid: &str, id: &str, now: Timestamp) -> Option<Transaction> {
        self.settle(tid, now);
        self.transactions
            .get(id)
            .filter(|t| t.tid == tid)
            .map(|t| (**t).clone())
    }

    /// A closed batch of `tid` by id, or the open one as a pseudo-batch for `OPEN`.
    pub fn batch_json(&mut self, tid: &str, id: &str, now: Timestamp) -> Option<Value> {
        self.settle(tid, now);
        let (open_batch, open_totals, batches) = match self.tids.get(tid) {
            Some(s) => (s.open_batch, s.open_totals, s.batches.clone()),
            None => (1, Default::default(), Vec::new()),
        };
        let currency = self
            .world
            .directory
            .terminals
            .get(tid)
            .map(|t| t.currency.clone())
            .unwrap_or_default();
        if id == "OPEN" {
            let open = Batch {
                id: "OPEN".into(),
                number: open_batch,
                closed: now.to_rfc3339(),
                totals: open_totals,
            };
            return Some(self.batch_summary(tid, &open, &currency, batches.last()));
        }
        let i = batches.iter().position(|b| b.id == id)?;
        let previous = i.checked_sub(1).and_then(|p| batches.get(p));
        Some(self.batch_summary(tid, &batches[i], &currency, previous))
    }

    /// The iOS `Batch` JSON of a batch (decimal major-unit numbers), totals recomputed per payment type from the
    /// batch's transactions.
    pub fn batch_summary(
        &self,
        tid: &str,
        batch: &Batch,
        currency: &str,
        previous: Option<&Batch>,
    ) -> Value {
        let txns: Vec<&Transaction> = self
            .transactions
            .values()
            .map(|t| &**t)
            .filter(|t| {
                t.tid == tid && t.batch_number == batch.number && t.result == TxnResult::Accepted
            })
            .collect();
        let first = txns.iter().map(|t| t.date).min();
        let sub = |pay: PayType| {
            let of = |op: Operation| {
                txns.iter()
                    .filter(move |t| t.pay_type == pay && t.operation == op)
                    .map(|t| t.amount)
            };
            let (sale, void, refund): (Vec<i64>, Vec<i64>, Vec<i64>) = (
                of(Operation::Sale).collect(),
                of(Operation::Void).collect(),
                of(Operation::Refund).collect(),
            );
            // totals as the batch counts them (refunds included), so the sub-batches add up to the batch
            let total =
                sale.iter().sum::<i64>() - void.iter().sum::<i64>() - refund.iter().sum::<i64>();
            json!({"closeBatchNumber": batch.number.to_string(), "saleAmount": major_number(sale.iter().sum()),
                   "saleCount": sale.len(), "totalAmount": major_number(total),
                   "totalCount": sale.len() + void.len() + refund.len(), "voidAmount": major_number(void.iter().sum()),
                   "voidCount": void.len()})
        };
        let t = &batch.totals;
        let tip_average = if t.tips.count == 0 {
            0
        } else {
            t.tips.amount / t.tips.count as i64
        };
        let tip_pct = if t.sale.amount == 0 {
            0.0
        } else {
            (t.tips.amount as f64 * 10_000.0 / t.sale.amount as f64).round() / 100.0
        };
        json!({
            "amsId": batch.id, "batchNumber": batch.number.to_string(), "communicationId": batch.number.to_string(),
            "currency": currency, "date": batch.closed,
            "firstTransactionDate": first.map(Timestamp::to_rfc3339),
            "previousBatchDate": previous.map(|p| p.closed.clone()),
            "invalidCount": 0,
            "saleAmount": major_number(t.sale.amount), "saleCount": t.sale.count,
            "totalAmount": major_number(t.sale.amount - t.void.amount - t.refund.amount),
            "totalCount": t.sale.count + t.void.count + t.refund.count,
            "voidAmount": major_number(t.void.amount), "voidCount": t.void.count,
            "tipAmount": major_number(t.tips.amount), "tipCount": t.tips.count,
            "tipAverage": major_number(tip_average), "tipAveragePercentage": tip_pct,
            "subBatches": {"CARD": sub(PayType::Card), "CASH": sub(PayType::Cash)},
        })
    }
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
