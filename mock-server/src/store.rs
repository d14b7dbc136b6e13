//! `--state DIR`: what lets a shared mock survive a restart or a `kill -9`. The mock is deterministic — same
//! settings, same requests at the same mock times ⇒ same state — so what is kept is not the state but the
//! requests that made it: every request that can change the engine, the journal or the clock is appended here,
//! with the mock time it ran at, before it runs (so before its answer leaves). At start the log is replayed
//! through the router on those times, which rebuilds terminals, tasks, transactions, batches, voids, fault rules,
//! next-outcome overrides, sandboxes and the journal exactly; the clock (a manual clock's time, a real clock's
//! offset) is kept beside it.
//!
//! SQLite in WAL mode with `synchronous=FULL`: a request is on disk before it is acknowledged. One file,
//! `DIR/state.sqlite`, locked (`flock`) for as long as the instance runs; the schema version is SQLite's
//! `user_version`; the settings the log was made under (seed, fixtures, profiles, …, version) are kept and a
//! start with others is refused, since the same requests would not give the same state. No axum here.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde_json::{Map, Value};

use crate::clock::Timestamp;
use crate::engine::fault::Plan;

/// The schema this build writes and reads.
pub const SCHEMA: i64 = 1;

/// The file under the state directory.
pub const FILE: &str = "state.sqlite";

/// Which part of a request a log row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The request from its start (for a request the fault layer delays: up to the fault decision).
    Start,
    /// A delayed request after its delay: the fault plan decided before it is in the row, and the request goes
    /// on from there (other requests may have run while it waited).
    Resumed,
}

/// One row of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logged {
    /// Which part of the request.
    pub phase: Phase,
    /// Mock time the request arrived (its journal time).
    pub started: Timestamp,
    /// Mock time this part ran at (the time every engine call of it reads).
    pub now: Timestamp,
    /// `GET`, `POST`, …
    pub method: String,
    /// Path and query.
    pub target: String,
    /// Headers, one `name: value` line each.
    pub head: Vec<u8>,
    /// The body; `None` when it was over the size limit (the request was refused with 413).
    pub body: Option<Vec<u8>>,
    /// [`Phase::Resumed`]: the fault plan decided at the start.
    pub plan: Option<Plan>,
}

/// An open state directory.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Held for the life of the store: one instance per directory.
    _lock: File,
    /// The clock as last written.
    clock: Option<i64>,
}

/// Why a state directory cannot be used: the message names the directory or file and the problem.
pub type StoreError = String;

fn sql(path: &Path, what: &str) -> impl Fn(rusqlite::Error) -> StoreError {
    let path = path.display().to_string();
    let what = what.to_owned();
    move |e| format!("--state: {path}: {what}: {e}")
}

impl Store {
    /// Opens (or makes) the state of `dir` for a mock with the settings `identity`. Refuses, touching nothing
    /// already there, a directory it cannot write, one another instance holds, a file that is not a readable
    /// state file, a newer schema, or a log made under other settings.
    pub fn open(dir: &Path, identity: &Map<String, Value>) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            format!(
                "--state {}: cannot create the directory: {e}",
                dir.display()
            )
        })?;
        let path = dir.join(FILE);
        let fresh = !path.exists();
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| {
                format!(
                    "--state: {}: cannot open it for writing: {e}",
                    path.display()
                )
            })?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(format!(
                    "--state: {} is in use by another gptom-mock: one instance per state directory",
                    path.display()
                ));
            }
            Err(TryLockError::Error(e)) => {
                return Err(format!("--state: {}: cannot lock it: {e}", path.display()));
            }
        }
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql(&path, "cannot open it"))?;
        let unreadable = |e: rusqlite::Error| {
            format!(
                "--state: {} is not a readable gptom-mock state file ({e}); it is left as it is: move it away or \
                 give another --state directory",
                path.display()
            )
        };
        let check: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(unreadable)?;
        if check != "ok" {
            return Err(format!(
                "--state: {} is damaged ({check}); it is left as it is: move it away or give another --state \
                 directory",
                path.display()
            ));
        }
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(unreadable)?;
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(unreadable)?;
        if version > SCHEMA {
            return Err(format!(
                "--state: {} was written by a newer gptom-mock (schema {version}; this one reads up to {SCHEMA}): \
                 use that version, or give another --state directory",
                path.display()
            ));
        }
        if version == 0 && tables > 0 {
            return Err(format!(
                "--state: {} is an SQLite file but not a gptom-mock state file; it is left as it is",
                path.display()
            ));
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sql(&path, "cannot switch to WAL"))?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(sql(&path, "cannot set synchronous=FULL"))?;
        if version == 0 {
            conn.execute_batch(
                "BEGIN;
                 CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                 CREATE TABLE requests (
                     seq INTEGER PRIMARY KEY, phase INTEGER NOT NULL, started INTEGER NOT NULL,
                     now INTEGER NOT NULL, method TEXT NOT NULL, target TEXT NOT NULL, head BLOB NOT NULL,
                     body BLOB, plan TEXT);
                 PRAGMA user_version = 1;
                 COMMIT;",
            )
            .map_err(sql(&path, "cannot write the schema"))?;
        }
        let mut store = Store {
            conn,
            path,
            _lock: lock,
            clock: None,
        };
        store.settle_identity(identity, fresh || version == 0)?;
        store.clock = store
            .meta("clock")?
            .map(|c| c.parse::<i64>())
            .transpose()
            .map_err(|e| {
                format!(
                    "--state: {}: the saved clock is unreadable: {e}",
                    store.path.display()
                )
            })?;
        Ok(store)
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(sql(&self.path, "cannot read"))
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .map(|_| ())
            .map_err(sql(&self.path, "cannot write"))
    }

    /// A new log takes the settings; an existing one must have been made under the same.
    fn settle_identity(&self, identity: &Map<String, Value>, new: bool) -> Result<(), StoreError> {
        let Some(kept) = self.meta("identity")? else {
            if !new {
                return Err(format!(
                    "--state: {}: the settings it was made under are missing",
                    self.path.display()
                ));
            }
            return self.set_meta("identity", &Value::Object(identity.clone()).to_string());
        };
        let kept: Map<String, Value> = serde_json::from_str(&kept).map_err(|e| {
            format!(
                "--state: {}: the settings it was made under are unreadable: {e}",
                self.path.display()
            )
        })?;
        for (key, was) in &kept {
            let is = identity.get(key).unwrap_or(&Value::Null);
            if is != was {
                return Err(format!(
                    "--state: {} was made with {key} = {was}; this start has {key} = {is}. The state is rebuilt by \
                     replaying its requests, which needs the settings that made it: start with those, or give \
                     another --state directory",
                    self.path.display()
                ));
            }
        }
        if let Some(key) = identity.keys().find(|k| !kept.contains_key(*k)) {
            return Err(format!(
                "--state: {} does not say which {key} it was made with: give another --state directory",
                self.path.display()
            ));
        }
        Ok(())
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The clock as saved, if it ever was.
    pub fn clock(&self) -> Option<i64> {
        self.clock
    }

    /// Saves the clock (written only when it changed).
    pub fn save_clock(&mut self, saved: i64) -> Result<(), StoreError> {
        if self.clock == Some(saved) {
            return Ok(());
        }
        self.set_meta("clock", &saved.to_string())?;
        self.clock = Some(saved);
        Ok(())
    }

    /// Appends a row; it is on disk when this returns.
    pub fn append(&mut self, row: &Logged) -> Result<(), StoreError> {
        let plan = row
            .plan
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| format!("--state: cannot write a fault plan: {e}"))?;
        let mut insert = self
            .conn
            .prepare_cached(
                "INSERT INTO requests (phase, started, now, method, target, head, body, plan)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(sql(&self.path, "cannot write"))?;
        insert
            .execute(params![
                match row.phase {
                    Phase::Start => 0,
                    Phase::Resumed => 1,
                },
                row.started.0,
                row.now.0,
                row.method,
                row.target,
                row.head,
                row.body,
                plan,
            ])
            .map(|_| ())
            .map_err(sql(&self.path, "cannot write"))
    }

    /// Up to `n` rows after `after` (a row's number), in order, each with its number.
    pub fn rows(&self, after: i64, n: usize) -> Result<Vec<(i64, Logged)>, StoreError> {
        let mut select = self
            .conn
            .prepare_cached(
                "SELECT seq, phase, started, now, method, target, head, body, plan FROM requests
                 WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )
            .map_err(sql(&self.path, "cannot read"))?;
        let rows = select
            .query_map(params![after, n as i64], |r| {
                let plan: Option<String> = r.get(8)?;
                Ok((
                    r.get::<_, i64>(0)?,
                    Logged {
                        phase: if r.get::<_, i64>(1)? == 1 {
                            Phase::Resumed
                        } else {
                            Phase::Start
                        },
                        started: Timestamp(r.get(2)?),
                        now: Timestamp(r.get(3)?),
                        method: r.get(4)?,
                        target: r.get(5)?,
                        head: r.get(6)?,
                        body: r.get(7)?,
                        plan: None,
                    },
                    plan,
                ))
            })
            .map_err(sql(&self.path, "cannot read"))?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, mut logged, plan) = row.map_err(sql(&self.path, "cannot read"))?;
            logged.plan = plan
                .map(|p| serde_json::from_str(&p))
                .transpose()
                .map_err(|e| {
                    format!(
                        "--state: {}: row {seq}: unreadable fault plan: {e}",
                        self.path.display()
                    )
                })?;
            out.push((seq, logged));
        }
        Ok(out)
    }
}

/// The seed a state directory's log was made with, if it has one (a start without `--seed` takes it).
pub fn kept_seed(dir: &Path) -> Option<u64> {
    let conn =
        Connection::open_with_flags(dir.join(FILE), OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    let identity: String = conn
        .query_row("SELECT value FROM meta WHERE key = 'identity'", [], |r| {
            r.get(0)
        })
        .ok()?;
    serde_json::from_str::<Value>(&identity)
        .ok()?
        .get("seed")?
        .as_u64()
}

/// A short, stable fingerprint of some bytes (FNV-1a, 64 bits): the settings record names files by content.
pub fn fingerprint(parts: &[&[u8]]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.iter().chain(&[0xff]) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(seed: u64) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("seed".into(), seed.into());
        m
    }

    fn row(target: &str) -> Logged {
        Logged {
            phase: Phase::Start,
            started: Timestamp(1),
            now: Timestamp(2),
            method: "POST".into(),
            target: target.into(),
            head: b"content-type: application/json\n".to_vec(),
            body: Some(b"{}".to_vec()),
            plan: None,
        }
    }

    #[test]
    fn rows_come_back_in_order_after_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path(), &identity(1)).unwrap();
        s.append(&row("/a")).unwrap();
        let mut resumed = row("/b");
        resumed.phase = Phase::Resumed;
        resumed.body = None;
        resumed.plan = Some(Plan {
            delay_ms: 5,
            drop: true,
            ..Plan::default()
        });
        s.append(&resumed).unwrap();
        s.save_clock(42).unwrap();
        drop(s);
        let s = Store::open(dir.path(), &identity(1)).unwrap();
        assert_eq!(s.clock(), Some(42));
        let rows = s.rows(0, 10).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].1, row("/a"));
        assert_eq!(rows[1].1, resumed);
        assert_eq!(s.rows(rows[0].0, 10).unwrap().len(), 1);
    }

    #[test]
    fn other_settings_a_second_instance_and_a_newer_schema_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path(), &identity(1)).unwrap();
        let busy = Store::open(dir.path(), &identity(1)).err().unwrap();
        assert!(busy.contains("in use by another gptom-mock"), "{busy}");
        drop(s);
        let other = Store::open(dir.path(), &identity(2)).err().unwrap();
        assert!(
            other.contains("made with seed = 1; this start has seed = 2"),
            "{other}"
        );
        let conn = Connection::open(dir.path().join(FILE)).unwrap();
        conn.pragma_update(None, "user_version", 9).unwrap();
        drop(conn);
        let newer = Store::open(dir.path(), &identity(1)).err().unwrap();
        assert!(newer.contains("newer gptom-mock (schema 9"), "{newer}");
    }

    #[test]
    fn a_file_that_is_not_a_state_file_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(FILE);
        std::fs::write(
            &file,
            b"not a database, just text that is long enough to be read",
        )
        .unwrap();
        let before = std::fs::read(&file).unwrap();
        let e = Store::open(dir.path(), &identity(1)).err().unwrap();
        assert!(e.contains("not a readable gptom-mock state file"), "{e}");
        assert_eq!(std::fs::read(&file).unwrap(), before);
    }

    #[test]
    fn fingerprints_differ_by_content_and_by_split() {
        assert_eq!(fingerprint(&[b"ab"]), fingerprint(&[b"ab"]));
        assert_ne!(fingerprint(&[b"ab"]), fingerprint(&[b"a", b"b"]));
        assert_ne!(fingerprint(&[b"ab"]), fingerprint(&[b"ac"]));
    }
}
