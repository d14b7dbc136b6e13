//! One self-contained HTML page: inline CSS, inline SVG, no scripts, nothing fetched. For a client judgement:
//! the table of checks (verdict, evidence, what to fix) and per task a timeline of the POS's requests against
//! the statuses it was told. For a scenario run: the certification items, then the scenarios with their reasons
//! and transcripts.

use std::fmt::Write as _;

use crate::certify::judge::{CheckVerdict, Judgement, Timeline};
use crate::result::{ScenarioResult, Totals, exit_code, items};

const CSS: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px auto;max-width:1200px;color:#1f2937;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#6b7280;margin-bottom:16px}
.notice{background:#fef3c7;color:#92400e;border:1px solid #f59e0b;border-radius:6px;padding:8px 12px;margin:8px 0}
.totals span{display:inline-block;margin-right:14px;font-weight:600}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid #e5e7eb}
th{background:#f9fafb;font-size:12px;text-transform:uppercase;letter-spacing:.03em;color:#4b5563}
td.id{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:nowrap}
.v{display:inline-block;min-width:44px;text-align:center;border-radius:4px;padding:1px 6px;font-weight:600;font-size:12px}
.pass,.passed{background:#dcfce7;color:#166534}.warn,.skipped{background:#fef3c7;color:#92400e}
.partial{background:#e0f2fe;color:#075985}
.fail,.failed,.errored{background:#fee2e2;color:#991b1b}.na{background:#f3f4f6;color:#6b7280}
ul.ev{margin:0;padding-left:18px}ul.ev li{margin:1px 0}
.seq{font-family:ui-monospace,Menlo,Consolas,monospace;color:#374151}
.fix{color:#7c2d12}.sum{color:#374151;white-space:pre-wrap;overflow-wrap:anywhere}
table.scenarios{table-layout:fixed}col.c-id{width:40%}col.c-v{width:9em}col.c-time{width:7em}
td.id small{white-space:normal;font-family:system-ui,sans-serif}
tr.scenario td{border-bottom:none}tr.detail td{padding-top:0}
.task{margin:14px 0 22px}.task h3{font-size:14px;margin:0 0 4px;font-weight:600}
.task h3 code{font-weight:400}
.legend span{display:inline-block;margin-right:12px;font-size:12px}
.legend i{display:inline-block;width:11px;height:11px;border-radius:2px;vertical-align:-1px;margin-right:4px}
svg{width:100%;height:auto;background:#fff;border:1px solid #e5e7eb;border-radius:4px}
pre{background:#f9fafb;padding:8px;overflow:auto;font-size:12px;max-height:480px;white-space:pre-wrap;overflow-wrap:anywhere}
";

/// Status band colours.
const STATUS_COLORS: &[(&str, &str)] = &[
    ("CREATED", "#e2e8f0"),
    ("STARTED", "#bfdbfe"),
    ("INIT_OK", "#a5f3fc"),
    ("IN_PROGRESS", "#fde68a"),
    ("COMPLETED", "#86efac"),
    ("CANCELLED", "#d1d5db"),
    ("ERROR", "#fca5a5"),
    ("INIT_ERROR", "#fca5a5"),
];

fn status_color(s: &str) -> &'static str {
    STATUS_COLORS
        .iter()
        .find(|(k, _)| *k == s)
        .map_or("#f3f4f6", |(_, c)| c)
}

fn http_color(status: u16) -> &'static str {
    match status {
        0 => "#111827",
        200..=299 => "#16a34a",
        401 => "#7c3aed",
        400..=499 => "#f59e0b",
        _ => "#dc2626",
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        esc(title)
    )
}

fn verdict_class(v: CheckVerdict) -> &'static str {
    match v {
        CheckVerdict::Pass => "pass",
        CheckVerdict::Warn => "warn",
        CheckVerdict::Fail => "fail",
        CheckVerdict::NotApplicable => "na",
    }
}

/// The HTML report of a client judgement.
fn render_judgement(j: &Judgement) -> String {
    render_judgement_with(j, None)
}

/// The HTML report of a certification walk-through: the certification-items table, then the judgement.
fn render_walk(w: &crate::certify::outcome::Walk) -> String {
    render_judgement_with(&w.judgement, Some(w))
}

fn items_table(w: &crate::certify::outcome::Walk) -> String {
    use crate::certify::outcome::ItemVerdict;
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<h2>Certification items (list {})</h2>\n<table class=\"items\">\n<thead><tr><th>Item</th><th>Verdict</th><th>Evidence</th><th>Checks</th></tr></thead>\n<tbody>",
        esc(w.list.tag())
    );
    for i in &w.items {
        let cls = match i.verdict {
            ItemVerdict::Pass => "pass",
            ItemVerdict::Warn | ItemVerdict::Skipped => "warn",
            ItemVerdict::Fail => "fail",
        };
        let seqs = super::seq_list(&i.evidence);
        let checks: Vec<String> = i
            .checks
            .iter()
            .map(|c| {
                format!(
                    "<a href=\"#{id}\"><span class=\"v {cls}\">{v}</span> {id}</a>",
                    id = esc(c.id),
                    cls = verdict_class(c.verdict),
                    v = c.verdict.label()
                )
            })
            .collect();
        let _ = writeln!(
            b,
            "<tr class=\"item\"><td class=\"id\">{label}<br><small>{title}</small></td><td><span class=\"v {cls}\">{v}</span></td><td><div class=\"sum\">{sum}</div><span class=\"seq\">{seqs}</span></td><td>{checks}</td></tr>",
            label = esc(&i.label),
            title = esc(i.title),
            v = i.verdict.label(),
            sum = esc(&i.summary),
            seqs = esc(&seqs),
            checks = checks.join("<br>")
        );
    }
    b.push_str("</tbody>\n</table>\n");
    b
}

fn render_judgement_with(j: &Judgement, walk: Option<&crate::certify::outcome::Walk>) -> String {
    let title = "GP tom client certification report";
    let mut b = String::new();
    let _ = writeln!(b, "<h1>{title}</h1>");
    let _ = writeln!(
        b,
        "<div class=\"meta\">{} journal entries, mock time {} → {} · verdict: <b>{}</b></div>",
        j.entries,
        esc(j.from.as_deref().unwrap_or("-")),
        esc(j.to.as_deref().unwrap_or("-")),
        if walk.map_or(j.exit_code(), crate::certify::outcome::Walk::exit_code) == 0 {
            "no check failed"
        } else {
            "not ready for certification"
        }
    );
    let _ = writeln!(
        b,
        "<div class=\"totals\"><span class=\"v pass\">{} pass</span><span class=\"v warn\">{} warn</span><span class=\"v fail\">{} fail</span><span class=\"v na\">{} n/a</span></div>",
        j.count(CheckVerdict::Pass),
        j.count(CheckVerdict::Warn),
        j.count(CheckVerdict::Fail),
        j.count(CheckVerdict::NotApplicable)
    );
    for w in &j.warnings {
        let _ = writeln!(b, "<div class=\"notice\"><b>warning:</b> {}</div>", esc(w));
    }
    if let Some(w) = walk {
        b.push_str(&items_table(w));
    }
    b.push_str("<h2>Checks</h2>\n<table class=\"checks\">\n<thead><tr><th>Check</th><th>Verdict</th><th>Evidence</th><th>What to fix</th></tr></thead>\n<tbody>\n");
    for c in &j.checks {
        let _ = write!(
            b,
            "<tr class=\"check\" id=\"{id}\"><td class=\"id\">{id}<br><small>{title}</small></td><td><span class=\"v {cls}\">{v}</span></td><td><div class=\"sum\">{sum}</div>",
            id = esc(c.id),
            title = esc(c.title),
            cls = verdict_class(c.verdict),
            v = c.verdict.label(),
            sum = esc(&c.summary)
        );
        if !c.evidence.is_empty() && c.verdict != CheckVerdict::Pass {
            b.push_str("<ul class=\"ev\">");
            for e in &c.evidence {
                let seqs = super::seq_list(&e.seqs);
                // the summary already says it: list the requests only
                let note = if e.note == c.summary { "" } else { &e.note };
                let _ = write!(
                    b,
                    "<li>requests <span class=\"seq\">{}</span> {}</li>",
                    esc(&seqs),
                    esc(note)
                );
            }
            b.push_str("</ul>");
        }
        let _ = writeln!(
            b,
            "</td><td class=\"fix\">{}</td></tr>",
            esc(c.fix.unwrap_or(""))
        );
    }
    b.push_str("</tbody>\n</table>\n");
    let _ = writeln!(b, "<h2>Tasks ({})</h2>", j.tasks.len());
    b.push_str("<div class=\"legend\">");
    for (s, c) in STATUS_COLORS.iter().filter(|(s, _)| *s != "INIT_ERROR") {
        let _ = write!(b, "<span><i style=\"background:{c}\"></i>{s}</span>");
    }
    for (label, status) in [
        ("2xx", 200),
        ("401", 401),
        ("4xx", 404),
        ("5xx", 502),
        ("dropped", 0),
    ] {
        let _ = write!(
            b,
            "<span><i style=\"background:{};border-radius:6px\"></i>{label}</span>",
            http_color(status)
        );
    }
    b.push_str("<span>■ POST ● GET</span></div>\n");
    for t in &j.tasks {
        let _ = writeln!(
            b,
            "<div class=\"task\"><h3><code>{}</code> · {} · TID {} · created {} · last told {}</h3>",
            esc(&t.task_id),
            esc(&t.label),
            esc(t.tid.as_deref().unwrap_or("?")),
            esc(&t.created),
            esc(t.last_status.as_deref().unwrap_or("-"))
        );
        b.push_str(&timeline_svg(t));
        b.push_str("</div>\n");
    }
    page(title, &b)
}

/// A "nice" tick step in seconds for a span.
fn tick_step(span: f64) -> f64 {
    [
        0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
    ]
    .into_iter()
    .find(|s| span / s <= 12.0)
    .unwrap_or(7200.0)
}

/// The SVG timeline of one task: status bands (as told to the client), request markers, a seconds axis.
pub fn timeline_svg(t: &Timeline) -> String {
    const W: f64 = 1000.0;
    const LEFT: f64 = 20.0;
    const RIGHT: f64 = 20.0;
    const H: f64 = 92.0;
    let span = t.span_s.max(0.001);
    let x = |s: f64| LEFT + (s / span).clamp(0.0, 1.0) * (W - LEFT - RIGHT);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"timeline of task {}\">\n",
        esc(&t.task_id)
    );
    for band in &t.bands {
        let (x0, x1) = (x(band.from_s), x(band.to_s));
        let _ = writeln!(
            svg,
            "<rect x=\"{x0:.1}\" y=\"34\" width=\"{:.1}\" height=\"22\" fill=\"{}\"><title>{} from +{:.1} s to +{:.1} s</title></rect>",
            (x1 - x0).max(0.5),
            status_color(&band.status),
            esc(&band.status),
            band.from_s,
            band.to_s
        );
        if x1 - x0 > 8.0 * band.status.len() as f64 {
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"49\" font-size=\"11\" fill=\"#1f2937\">{}</text>",
                x0 + 4.0,
                esc(&band.status)
            );
        }
    }
    let axis_y = 66.0;
    let _ = writeln!(
        svg,
        "<line x1=\"{LEFT}\" y1=\"{axis_y}\" x2=\"{}\" y2=\"{axis_y}\" stroke=\"#9ca3af\"/>",
        W - RIGHT
    );
    let step = tick_step(span);
    let mut s = 0.0;
    while s <= span + 1e-9 {
        let px = x(s);
        let label = if step < 1.0 {
            format!("+{s:.1}s")
        } else {
            format!("+{s:.0}s")
        };
        let _ = writeln!(
            svg,
            "<line x1=\"{px:.1}\" y1=\"{axis_y}\" x2=\"{px:.1}\" y2=\"{}\" stroke=\"#9ca3af\"/><text x=\"{px:.1}\" y=\"{}\" font-size=\"10\" fill=\"#6b7280\" text-anchor=\"middle\">{label}</text>",
            axis_y + 4.0,
            axis_y + 16.0
        );
        s += step;
    }
    for m in &t.requests {
        let px = x(m.at_s);
        let color = http_color(m.status);
        let tip = format!(
            "#{} {} {} → {} at +{:.2} s",
            m.seq,
            m.method,
            m.path,
            if m.status == 0 {
                "dropped".to_owned()
            } else {
                m.status.to_string()
            },
            m.at_s
        );
        let _ = writeln!(
            svg,
            "<line x1=\"{px:.1}\" y1=\"22\" x2=\"{px:.1}\" y2=\"56\" stroke=\"{color}\" stroke-opacity=\"0.35\"/>"
        );
        if m.method == "POST" {
            let _ = writeln!(
                svg,
                "<rect x=\"{:.1}\" y=\"12\" width=\"10\" height=\"10\" fill=\"{color}\"><title>{}</title></rect>",
                px - 5.0,
                esc(&tip)
            );
        } else {
            let _ = writeln!(
                svg,
                "<circle cx=\"{px:.1}\" cy=\"17\" r=\"5\" fill=\"{color}\"><title>{}</title></circle>",
                esc(&tip)
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// The HTML report of a scenario run: totals, the certification items, then one row per scenario with its
/// reason and transcript on a full-width row below it (long messages wrap instead of widening a column).
fn render_scenarios(results: &[ScenarioResult]) -> String {
    let title = "GP tom conformance report";
    let t = Totals::of(results);
    let mut b = String::new();
    let _ = writeln!(b, "<h1>{title}</h1>");
    let _ = writeln!(
        b,
        "<div class=\"meta\">{} scenarios · exit code {}</div>",
        results.len(),
        exit_code(results)
    );
    let _ = writeln!(
        b,
        "<div class=\"totals\"><span class=\"v passed\">{} passed</span><span class=\"v partial\">{} partial</span><span class=\"v failed\">{} failed</span><span class=\"v errored\">{} errored</span><span class=\"v skipped\">{} skipped</span></div>",
        t.passed, t.partial, t.failed, t.errored, t.skipped
    );
    let rows = items(results);
    if !rows.is_empty() {
        b.push_str("<h2>Certification items</h2>\n<table class=\"items\">\n<thead><tr><th>Item</th><th>Verdict</th><th>Scenarios</th></tr></thead>\n<tbody>\n");
        for row in &rows {
            let class = match row.label() {
                "pass" => "pass",
                "fail" => "fail",
                _ => "skipped",
            };
            let _ = writeln!(
                b,
                "<tr><td class=\"id\">{}</td><td><span class=\"v {class}\">{}</span></td><td>{}</td></tr>",
                esc(&row.item),
                row.label(),
                esc(&row.scenarios.join(" "))
            );
        }
        b.push_str("</tbody>\n</table>\n");
    }
    b.push_str("<h2>Scenarios</h2>\n<table class=\"scenarios\">\n<colgroup><col class=\"c-id\"><col class=\"c-v\"><col class=\"c-items\"><col class=\"c-time\"></colgroup>\n<thead><tr><th>Scenario</th><th>Verdict</th><th>Items</th><th>Time</th></tr></thead>\n<tbody>\n");
    for r in results {
        let items: Vec<&str> = r.cert_items().collect();
        let _ = writeln!(
            b,
            "<tr class=\"scenario\"><td class=\"id\">{}<br><small>{}</small></td><td><span class=\"v {}\">{}</span></td><td>{}</td><td>{} ms</td></tr>",
            esc(&r.id),
            esc(&r.title),
            r.verdict.label(),
            r.verdict.label(),
            esc(&items.join(" ")),
            r.duration_ms
        );
        let reason = r.verdict.reason();
        if reason.is_none() && r.transcript.is_empty() {
            continue;
        }
        b.push_str("<tr class=\"detail\"><td colspan=\"4\">");
        if let Some(reason) = reason {
            let _ = write!(b, "<div class=\"sum\">{}</div>", esc(reason));
        }
        if !r.transcript.is_empty() {
            let open = if r.verdict.is_ok() { "" } else { " open" };
            let _ = write!(
                b,
                "<details{open}><summary>transcript</summary><pre>{}</pre></details>",
                esc(&r.transcript)
            );
        }
        b.push_str("</td></tr>\n");
    }
    b.push_str("</tbody>\n</table>\n");
    page(title, &b)
}

/// The report of `outcome`.
pub fn render(outcome: super::Outcome<'_>) -> String {
    match outcome {
        super::Outcome::Scenarios(results) => render_scenarios(results),
        super::Outcome::Judgement(j) => render_judgement(j),
        super::Outcome::Walk(w) => render_walk(w),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certify::judge::{Band, Marker};

    #[test]
    fn escaping_and_a_timeline_with_bands_and_markers() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let t = Timeline {
            task_id: "T1".into(),
            tid: Some("999888".into()),
            label: "SALE CARD 1111".into(),
            created: "2026-01-01T00:00:00.000Z".into(),
            last_status: Some("COMPLETED".into()),
            span_s: 6.0,
            bands: vec![
                Band {
                    status: "CREATED".into(),
                    from_s: 0.0,
                    to_s: 5.0,
                },
                Band {
                    status: "COMPLETED".into(),
                    from_s: 5.0,
                    to_s: 6.0,
                },
            ],
            requests: vec![
                Marker {
                    seq: 2,
                    at_s: 0.0,
                    method: "POST".into(),
                    path: "/v1/tasks/TRANSACTION".into(),
                    status: 200,
                },
                Marker {
                    seq: 3,
                    at_s: 5.0,
                    method: "GET".into(),
                    path: "/v1/tasks/T1".into(),
                    status: 200,
                },
            ],
        };
        let svg = timeline_svg(&t);
        assert_eq!(svg.matches("<rect").count(), 3, "{svg}"); // 2 bands + 1 POST
        assert_eq!(svg.matches("<circle").count(), 1);
        assert!(svg.contains("#3 GET /v1/tasks/T1 → 200 at +5.00 s"));
    }
}
