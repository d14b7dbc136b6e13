//! The device channels as a layer of their own over the engine (device-channels.md): the simulated device of
//! each TID (installed, logged-in user, app version and settings), and the two dialects that drive it — iOS deep
//! links (`ios.rs`) and Android app2app (`app2app.rs`) — sharing one login, logout and password change, one
//! amount format (`format.rs`) and one way to build a payment request. Every task they start is an engine task,
//! so the Cloud API sees it too. No axum.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::engine::terminal::Terminal;
use crate::engine::validate::{CancelMode, Operation, PayType, TaskRequest, TransactionRequest};
use crate::engine::{Engine, Error};

pub mod app2app;
mod batch;
pub mod format;
pub mod ios;

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

/// What the device layer holds beside the engine: the devices, and what each dialect remembers between calls.
#[derive(Debug, Default)]
pub struct Devices {
    /// Simulated devices by TID (created on first use).
    devices: BTreeMap<String, Device>,
    /// iOS deep links waiting for their task, by task id.
    deeplinks: HashMap<String, ios::Pending>,
    /// iOS `requestID` → task id, per TID.
    request_ids: HashMap<(String, String), String>,
    /// app2app registered transaction ids.
    registrations: HashMap<String, app2app::Registration>,
}

impl Devices {
    /// Forgets every device (all) or the device of one TID, with what its dialects remembered.
    pub fn reset(&mut self, tid: Option<&str>) {
        match tid {
            None => *self = Self::default(),
            Some(tid) => {
                self.devices.remove(tid);
                self.deeplinks.retain(|_, p| p.tid() != tid);
                self.request_ids.retain(|(t, _), _| t != tid);
                self.registrations.retain(|_, r| r.tid != tid);
            }
        }
    }
}

/// The device layer at work: the engine and the devices, borrowed together for one call (both live behind the
/// server's one state lock).
pub struct Layer<'a> {
    /// The engine every channel shares.
    pub engine: &'a mut Engine,
    /// The devices.
    pub devices: &'a mut Devices,
}

/// Why a device login was refused (each channel names it in its own dialect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRefused {
    /// No such user, or a wrong password.
    InvalidCredentials,
    /// The user is not bound to that TID.
    TidNotAssigned,
    /// The TID has no device.
    TidNotFound,
}

/// Where a password change got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordChange {
    /// The new password is set.
    Changed,
    /// Started: it waits for the confirmation code GP tom sends.
    Pending,
}

/// Why a password change was refused (each channel names it in its own dialect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordRefused {
    /// The old password is not the user's.
    WrongPassword,
    /// The confirmation code is malformed.
    BadCode,
}

impl Layer<'_> {
    /// `POST /__admin/reset`: the engine and the devices, everything or one TID.
    pub fn reset(&mut self, tid: Option<&str>) -> Result<(), Error> {
        self.engine.reset(tid)?;
        self.devices.reset(tid);
        Ok(())
    }

    /// `DELETE /__admin/sandboxes/{id}`: the sandbox's terminals and logins, with their devices; the TIDs it held.
    pub fn delete_sandbox(&mut self, id: &str) -> Result<Vec<String>, Error> {
        let tids = self.engine.delete_sandbox(id)?;
        for tid in &tids {
            self.devices.reset(Some(tid));
        }
        Ok(tids)
    }

    /// Logs `user` into the simulated device of `tid` (iOS `login`, app2app `login`).
    pub(crate) fn log_in(
        &mut self,
        user: &str,
        password: &str,
        tid: &str,
    ) -> Result<(), LoginRefused> {
        let account = self
            .engine
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

    /// A password change (iOS `change-password`, app2app `changePassword`): the old password must be right;
    /// without a confirmation `code` it only starts; `code_ok` is the channel's rule for the code's form.
    pub fn change_password(
        &mut self,
        user: &str,
        old: &str,
        new: &str,
        code: Option<&str>,
        code_ok: impl Fn(&str) -> bool,
    ) -> Result<PasswordChange, PasswordRefused> {
        if !self.engine.password_is(user, old) {
            return Err(PasswordRefused::WrongPassword);
        }
        match code {
            None => Ok(PasswordChange::Pending),
            Some(c) if !code_ok(c) => Err(PasswordRefused::BadCode),
            Some(_) => {
                self.engine.set_password(user, new);
                Ok(PasswordChange::Changed)
            }
        }
    }

    /// Logs the simulated device of `tid` out (no such device: nothing to do).
    pub(crate) fn log_out(&mut self, tid: &str) {
        if let Ok(d) = self.device(tid) {
            d.logged_in = None;
        }
    }

    /// The device of `tid` (created from the fixtures on first use: logged in as the terminal's account).
    pub fn device(&mut self, tid: &str) -> Result<&mut Device, Error> {
        let terminal = self
            .engine
            .terminal(tid)
            .ok_or_else(|| Error::not_found(format!("no terminal with TID {tid}")))?;
        let devices = &mut self.devices.devices;
        if !devices.contains_key(tid) {
            let user = self.engine.owner_of(tid);
            let device = Device {
                installed: true,
                logged_in: user,
                app_version: APP_VERSION.into(),
                tip_enabled: terminal.tip_enabled,
                printer_available: terminal.printer_available,
                manual_transaction_restricted: false,
            };
            devices.insert(tid.to_owned(), device);
        }
        devices
            .get_mut(tid)
            .ok_or_else(|| Error::not_found(format!("no device for TID {tid}")))
    }

    /// The console's board ([`Engine::board`]) with each terminal's device: who is logged in on it.
    pub fn board(&self, now: crate::clock::Timestamp) -> Vec<serde_json::Value> {
        let mut board = self.engine.board(now);
        for t in &mut board {
            let device = t["tid"]
                .as_str()
                .and_then(|tid| self.devices.devices.get(tid));
            t["device"] = match device {
                Some(d) => serde_json::json!({"installed": d.installed, "loggedIn": d.logged_in}),
                None => serde_json::Value::Null,
            };
        }
        board
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
        let default_user = self.engine.owner_of(tid);
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
}

/// A SALE/REFUND/VOID request as a device channel builds it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn device_request(
    terminal: &Terminal,
    operation: Operation,
    pay_type: PayType,
    amount: i64,
    tip_amount: Option<i64>,
    reference: Option<&str>,
    print: Option<bool>,
    cancel_mode: Option<CancelMode>,
) -> TaskRequest {
    TaskRequest::Transaction(TransactionRequest {
        api_key: terminal.api_key.as_str().into(),
        tid: terminal.tid.as_str().into(),
        initiator: "device".into(),
        title: format!("{operation:?}").to_uppercase().into(),
        operation,
        pay_type,
        amount,
        tip_amount,
        currency_code: terminal.currency.as_str().into(),
        origin_reference_num: reference.map(Into::into),
        print_by_payment_app: print.unwrap_or(true),
        time_to_live: None,
        cancel_mode,
        origin_transaction_id: None,
    })
}
