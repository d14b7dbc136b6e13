//! Shared server state: the config, the clock, and the one engine with the device layer's state behind a std
//! mutex. `with_engine` and `with_devices` are the only doors in; the closure shape makes holding the lock across
//! an `.await` impossible. Also the request [`Scope`]: the time a request runs at under `--state` (fixed, so that
//! a replay gives the same answers) and the sandbox whose clock it reads.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use crate::clock::{Clock, Timestamp};
use crate::config::Config;
use crate::device::{Devices, Layer};
use crate::engine::Engine;
use crate::journal::Journal;
use crate::store::Store;

/// What one request runs under, set by the journal layer (the outermost) for the whole request.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Under `--state` (and when replaying it): the mock time every engine call of this request reads, so the
    /// log can give it back. `None`: each call reads the clock under the lock.
    pub now: Option<Timestamp>,
    /// When the request arrived (its journal time), if fixed.
    pub started: Option<Timestamp>,
    /// `X-Gptom-Sandbox`: the sandbox whose clock offset the request's time carries.
    pub sandbox: Option<Arc<str>>,
    /// The request is a replay of the `--state` log (the admin token was checked when it was logged).
    pub replay: bool,
}

tokio::task_local! {
    static SCOPE: Scope;
}

impl Scope {
    /// Runs `f` under this scope.
    pub async fn run<F: Future>(self, f: F) -> F::Output {
        SCOPE.scope(self, f).await
    }

    /// The scope of the running request (the default outside one).
    pub fn current() -> Scope {
        SCOPE.try_with(Scope::clone).unwrap_or_default()
    }

    fn with<T>(f: impl FnOnce(&Scope) -> T) -> Option<T> {
        SCOPE.try_with(f).ok()
    }

    /// Whether the running request is a replay of the `--state` log.
    pub fn replaying() -> bool {
        Self::with(|s| s.replay).unwrap_or(false)
    }
}

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
    /// `--state DIR`: the request log. Its lock is also what puts logged requests in one order.
    store: Option<Arc<tokio::sync::Mutex<Store>>>,
    /// What open consoles hear (journal entries as they are recorded, …): bounded, never waited on.
    events: tokio::sync::broadcast::Sender<Event>,
    /// Set when the server stops, so that event streams end instead of holding the drain up.
    stopping: tokio::sync::watch::Sender<bool>,
    /// `/openapi.json`, built on its first read (start-up does not pay for it).
    openapi: std::sync::OnceLock<bytes::Bytes>,
}

/// One event for the consoles listening (`GET /__admin/journal/stream`).
#[derive(Clone, Debug)]
pub struct Event {
    /// `entry`, `cleared`.
    pub kind: &'static str,
    /// Its JSON, or what it is made from.
    pub data: EventData,
}

/// What an event says: JSON, or a journal entry made into JSON only by the reader that takes it (so that an open
/// console costs a request little more than a copy, and a reader that falls behind drops the work with the
/// events).
#[derive(Clone, Debug)]
pub enum EventData {
    /// Ready JSON.
    Json(Arc<str>),
    /// A journal record.
    Entry(Arc<crate::journal::Live>),
}

impl EventData {
    /// The JSON.
    pub fn json(&self) -> Arc<str> {
        match self {
            Self::Json(j) => j.clone(),
            Self::Entry(live) => live.json().into(),
        }
    }
}

/// Events kept for a slow listener before it loses the oldest (and is told how many).
pub const EVENT_BUFFER: usize = 1024;

impl AppState {
    /// State over an engine, a clock and the config.
    pub fn new(
        config: Config,
        clock: Arc<dyn Clock>,
        engine: Engine,
        ca_pem: Option<String>,
        store: Option<Store>,
    ) -> Self {
        let journal =
            Mutex::new(Journal::new(config.journal_cap).sealing_tokens(config.upstream.is_some()));
        AppState(Arc::new(Inner {
            config,
            clock,
            core: Mutex::new((engine, Devices::default())),
            journal,
            ca_pem,
            store: store.map(|s| Arc::new(tokio::sync::Mutex::new(s))),
            events: tokio::sync::broadcast::Sender::new(EVENT_BUFFER),
            stopping: tokio::sync::watch::Sender::new(false),
            openapi: std::sync::OnceLock::new(),
        }))
    }

    /// The OpenAPI document as JSON, made by `build` the first time.
    pub fn openapi(&self, build: impl FnOnce() -> bytes::Bytes) -> bytes::Bytes {
        self.0.openapi.get_or_init(build).clone()
    }

    /// Whether a console listens (events are not even built otherwise).
    pub fn listened(&self) -> bool {
        self.0.events.receiver_count() > 0
    }

    /// Tells the consoles listening, if any; never waits (a slow one loses the oldest events).
    pub fn publish(&self, kind: &'static str, data: impl FnOnce() -> String) {
        if self.listened() {
            let _ = self.0.events.send(Event {
                kind,
                data: EventData::Json(data().into()),
            });
        }
    }

    /// Tells the consoles listening of a new journal entry (made into JSON by each reader).
    pub fn publish_entry(&self, live: crate::journal::Live) {
        let _ = self.0.events.send(Event {
            kind: "entry",
            data: EventData::Entry(Arc::new(live)),
        });
    }

    /// A new listener: the events, and the flag that turns true when the server stops.
    pub fn listen(
        &self,
    ) -> (
        tokio::sync::broadcast::Receiver<Event>,
        tokio::sync::watch::Receiver<bool>,
    ) {
        (self.0.events.subscribe(), self.0.stopping.subscribe())
    }

    /// The server is stopping: event streams end.
    pub fn stop(&self) {
        self.0.stopping.send_replace(true);
    }

    /// Runs `f` on the engine with the request's time: the clock read under the lock (so timestamps follow the
    /// order in which requests mutate the engine), or the time `--state` fixed for the request; plus the clock
    /// offset of the request's sandbox.
    pub fn with_engine<T>(&self, f: impl FnOnce(&mut Engine, Timestamp) -> T) -> T {
        self.with_engine_untimed(|engine| {
            let now = self.time_in(engine);
            f(engine, now)
        })
    }

    fn time_in(&self, engine: &Engine) -> Timestamp {
        let (fixed, sandbox) = Scope::with(|s| (s.now, s.sandbox.clone())).unwrap_or_default();
        let now = fixed.unwrap_or_else(|| self.0.clock.now());
        match sandbox {
            Some(id) => now.plus_ms(engine.sandbox_offset(&id)),
            None => now,
        }
    }

    /// The request's time as [`AppState::with_engine`] gives it, for a request's journal entry and clock reads:
    /// its arrival under `--state`, else the clock now; plus its sandbox's offset.
    pub fn now(&self) -> Timestamp {
        let (started, sandbox) =
            Scope::with(|s| (s.started, s.sandbox.clone())).unwrap_or_default();
        let now = started.unwrap_or_else(|| self.0.clock.now());
        match sandbox {
            Some(id) => now.plus_ms(self.with_engine_untimed(|e| e.sandbox_offset(&id))),
            None => now,
        }
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
        let now = self.time_in(engine);
        let mut layer = Layer { engine, devices };
        f(&mut layer, now)
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

    /// `--state DIR`: the request log.
    pub fn store(&self) -> Option<&Arc<tokio::sync::Mutex<Store>>> {
        self.0.store.as_ref()
    }

    /// The config the server started with.
    pub fn config(&self) -> &Config {
        &self.0.config
    }
}
