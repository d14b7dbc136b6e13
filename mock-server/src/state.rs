//! Shared server state: the config, the clock, and the one engine with the device layer's state behind a std
//! mutex. `with_engine` and `with_devices` are the only doors in; the closure shape makes holding the lock across
//! an `.await` impossible.

use std::sync::{Arc, Mutex, PoisonError};

use crate::clock::{Clock, Timestamp};
use crate::config::Config;
use crate::device::{Devices, Layer};
use crate::engine::Engine;
use crate::journal::Journal;

/// Cheap-to-clone handle on the server's state.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    config: Config,
    clock: Arc<dyn Clock>,
    /// The engine and the devices: one lock, so a device call sees and changes both at once.
    core: Mutex<(Engine, Devices)>,
    journal: Mutex<Journal>,
    /// `--tls auto`: the CA certificate devices must trust, PEM.
    ca_pem: Option<String>,
}

impl AppState {
    /// State over an engine, a clock and the config.
    pub fn new(
        config: Config,
        clock: Arc<dyn Clock>,
        engine: Engine,
        ca_pem: Option<String>,
    ) -> Self {
        let journal =
            Mutex::new(Journal::new(config.journal_cap).sealing_tokens(config.upstream.is_some()));
        AppState(Arc::new(Inner {
            config,
            clock,
            core: Mutex::new((engine, Devices::default())),
            journal,
            ca_pem,
        }))
    }

    /// Runs `f` on the engine with the current time. `now` is read under the lock, so timestamps follow
    /// the order in which requests mutate the engine.
    pub fn with_engine<T>(&self, f: impl FnOnce(&mut Engine, Timestamp) -> T) -> T {
        self.with_engine_untimed(|engine| f(engine, self.0.clock.now()))
    }

    /// Runs `f` on the engine without reading the clock (for calls that do not depend on the time).
    pub fn with_engine_untimed<T>(&self, f: impl FnOnce(&mut Engine) -> T) -> T {
        let mut core = self.0.core.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut core.0)
    }

    /// Runs `f` on the device layer (the engine and the devices) with the current time, read under the lock.
    pub fn with_devices<T>(&self, f: impl FnOnce(&mut Layer<'_>, Timestamp) -> T) -> T {
        let mut core = self.0.core.lock().unwrap_or_else(PoisonError::into_inner);
        let (engine, devices) = &mut *core;
        let mut layer = Layer { engine, devices };
        f(&mut layer, self.0.clock.now())
    }

    /// Runs `f` on the request journal.
    pub fn with_journal<T>(&self, f: impl FnOnce(&mut Journal) -> T) -> T {
        let mut journal = self
            .0
            .journal
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        f(&mut journal)
    }

    /// The clock.
    pub fn clock(&self) -> &dyn Clock {
        self.0.clock.as_ref()
    }

    /// `--tls auto`: the CA certificate, PEM.
    pub fn ca_pem(&self) -> Option<&str> {
        self.0.ca_pem.as_deref()
    }

    /// The config the server started with.
    pub fn config(&self) -> &Config {
        &self.0.config
    }
}
