//! The tasks the POS created, as the journal shows them: what the client was told when, which requests
//! touched each task, and a timeline per task for the HTML report.

use serde::Serialize;
use serde_json::Value;

use super::Entry;

use crate::contract::status::is_final;

/// One task created by the POS.
#[derive(Debug, Clone)]
pub struct Task {
    /// Its id.
    pub id: String,
    /// Index of the creating entry.
    pub created: usize,
    /// `TRANSACTION` or `BATCH`.
    pub class: String,
    /// TID of the create body.
    pub tid: Option<String>,
    /// Statuses the client was told: (entry index, status).
    pub told: Vec<(usize, String)>,
    /// Indexes of `GET /v1/tasks/{id}` entries.
    pub polls: Vec<usize>,
    /// `contextId` once the client was told it.
    pub context_id: Option<String>,
    /// Task-level error `type` (`TIMEOUT`, …) once told.
    pub error_type: Option<String>,
}

impl Task {
    /// The first entry index at which the client was told a final status, and that status.
    pub fn final_told(&self) -> Option<(usize, &str)> {
        self.told
            .iter()
            .find(|(_, s)| is_final(s))
            .map(|(i, s)| (*i, s.as_str()))
    }

    /// The first entry index at which the client was told `status`.
    pub fn first_told(&self, status: &str) -> Option<usize> {
        self.told.iter().find(|(_, s)| s == status).map(|(i, _)| *i)
    }
}

/// Every task of the journal.
#[derive(Debug, Default)]
pub struct Model {
    /// In creation order.
    pub tasks: Vec<Task>,
}

impl Model {
    /// Reads the tasks out of the journal.
    pub fn build(entries: &[Entry]) -> Self {
        let mut m = Model::default();
        for (i, e) in entries.iter().enumerate() {
            if !e.is_v1() {
                continue;
            }
            let Some(id) = e.task_id.clone() else {
                continue;
            };
            if e.is_create() && e.status == 200 && m.find(&id).is_none() {
                m.tasks.push(Task {
                    id: id.clone(),
                    created: i,
                    class: e.path.trim_start_matches("/v1/tasks/").to_owned(),
                    tid: e.body_str("Tid").map(str::to_owned).or(e.tid.clone()),
                    told: Vec::new(),
                    polls: Vec::new(),
                    context_id: None,
                    error_type: None,
                });
            }
            let Some(t) = m.find_mut(&id) else {
                continue;
            };
            if e.is_poll() {
                t.polls.push(i);
            }
            if let Some(s) = &e.task_status {
                t.told.push((i, s.clone()));
            }
            if let Some(c) = e.response_body.get("contextId").and_then(Value::as_str) {
                t.context_id = Some(c.to_owned());
            }
            if let (Some("ERROR" | "INIT_ERROR"), Some(k)) =
                (e.task_status.as_deref(), e.error_type())
            {
                t.error_type = Some(k.to_owned());
            }
        }
        m
    }

    /// The task with this id.
    pub fn find(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }

    fn find_mut(&mut self, id: &str) -> Option<&mut Task> {
        self.tasks.iter_mut().find(|t| t.id == id)
    }

    /// The task whose `contextId` is `id`.
    pub fn by_context(&self, id: &str) -> Option<&Task> {
        self.tasks
            .iter()
            .find(|t| t.context_id.as_deref() == Some(id))
    }

    /// One timeline per task.
    pub fn timelines(&self, entries: &[Entry]) -> Vec<Timeline> {
        self.tasks.iter().map(|t| timeline(t, entries)).collect()
    }
}

/// A span of time during which the client was told one status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    /// The status.
    pub status: String,
    /// Seconds after the task's creation.
    pub from_s: f64,
    /// Seconds after the task's creation (the end of the picture for the last band).
    pub to_s: f64,
}

/// One request of the POS on a task's timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Marker {
    /// Journal seq.
    pub seq: u64,
    /// Seconds after the task's creation.
    pub at_s: f64,
    /// HTTP method.
    pub method: String,
    /// Path.
    pub path: String,
    /// HTTP status (0 = dropped).
    pub status: u16,
}

/// A task's requests against its status over time (mock clock).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    /// Task id.
    pub task_id: String,
    /// TID.
    pub tid: Option<String>,
    /// What the task was: `SALE CARD 1111`, `BATCH`.
    pub label: String,
    /// Creation time (RFC 3339, mock clock).
    pub created: String,
    /// The last status the client was told.
    pub last_status: Option<String>,
    /// Length of the picture in seconds.
    pub span_s: f64,
    /// Status bands as told to the client.
    pub bands: Vec<Band>,
    /// The POS's requests about this task.
    pub requests: Vec<Marker>,
}

fn rel(from: i64, to: i64) -> f64 {
    (to - from) as f64 / 1000.0
}

fn timeline(t: &Task, entries: &[Entry]) -> Timeline {
    let create = &entries[t.created];
    let start = create.ms;
    let mut idx: Vec<usize> = vec![t.created];
    idx.extend(&t.polls);
    if let Some(c) = &t.context_id {
        idx.extend(
            entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.transaction_fetch() == Some(c.as_str()))
                .map(|(i, _)| i),
        );
    }
    idx.sort_unstable();
    idx.dedup();
    let last_ms = idx
        .iter()
        .map(|&i| entries[i].ms)
        .max()
        .unwrap_or(start)
        .max(start);
    let span = (rel(start, last_ms) * 1.05).max(1.0);
    let mut bands: Vec<Band> = Vec::new();
    for (i, status) in &t.told {
        let at = rel(start, entries[*i].ms).max(0.0);
        match bands.last_mut() {
            Some(b) if &b.status == status => {}
            Some(b) => {
                b.to_s = at;
                bands.push(Band {
                    status: status.clone(),
                    from_s: at,
                    to_s: span,
                });
            }
            None => bands.push(Band {
                status: status.clone(),
                from_s: at,
                to_s: span,
            }),
        }
    }
    let body = &create.request_body;
    let label = match t.class.as_str() {
        "TRANSACTION" => format!(
            "{} {} {}",
            body.get("transactionOperation")
                .and_then(Value::as_str)
                .unwrap_or("?"),
            body.get("transactionType")
                .and_then(Value::as_str)
                .unwrap_or("?"),
            body.get("amount")
                .map_or_else(|| "?".to_owned(), Value::to_string)
        ),
        other => other.to_owned(),
    };
    Timeline {
        task_id: t.id.clone(),
        tid: t.tid.clone(),
        label,
        created: create.time.clone(),
        last_status: t.told.last().map(|(_, s)| s.clone()),
        span_s: span,
        bands,
        requests: idx
            .iter()
            .map(|&i| {
                let e = &entries[i];
                Marker {
                    seq: e.seq,
                    at_s: rel(start, e.ms),
                    method: e.method.clone(),
                    path: e.path.clone(),
                    status: e.status,
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::J;
    use super::*;

    #[test]
    fn a_timeline_has_one_band_per_status_run_and_every_request() {
        let mut j = J::new();
        j.token(0.0)
            .create(0.0, J::sale_body(1111), "T000000001", "CREATED");
        let end = j.poll_to_completed(1.0, 1.0, "T000000001", "c-1");
        j.txn(end + 1.0, "c-1", 200);
        let journal = j.journal();
        let m = Model::build(&journal.entries);
        let tl = m.timelines(&journal.entries);
        assert_eq!(tl.len(), 1);
        let statuses: Vec<&str> = tl[0].bands.iter().map(|b| b.status.as_str()).collect();
        assert_eq!(statuses, ["CREATED", "STARTED", "IN_PROGRESS", "COMPLETED"]);
        assert_eq!(tl[0].requests.len(), 1 + 6 + 1);
        assert_eq!(tl[0].label, "SALE CARD 1111");
        assert_eq!(tl[0].last_status.as_deref(), Some("COMPLETED"));
        assert!(tl[0].bands.windows(2).all(|w| w[0].to_s == w[1].from_s));
    }
}
