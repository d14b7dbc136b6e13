//! A scenario's sections, run in order: a section the target cannot do is skipped with the reason (and so is a
//! step whose variable a skipped section would have set); the first failing step ends the scenario.

use super::{RunOptions, new_step, run_step};
use crate::result::{StepResult, Verdict};
use crate::scenario::{Need, Scenario, SectionRange, Step};
use crate::step::ctx::Ctx;
use crate::target::Target;

/// Runs the sections: the step results, the verdict so far, and why each skipped section was skipped.
pub(super) async fn run(
    ctx: &mut Ctx<'_>,
    s: &Scenario,
    opts: &RunOptions,
) -> (Vec<StepResult>, Verdict, Vec<String>) {
    let mut steps: Vec<StepResult> = Vec::new();
    let mut verdict = Verdict::Passed;
    let mut skipped: Vec<String> = Vec::new(); // why each skipped section was skipped
    'sections: for sec in s.sections() {
        if let Some(why) = cannot_run(s, &sec, ctx.target, opts) {
            skip_rest(s, &sec, sec.steps.start, Some(&why), &mut steps);
            skipped.push(format!("{}: {why}", section_label(s, &sec)));
            continue;
        }
        for i in sec.steps.clone() {
            let step = &s.steps[i].value;
            ctx.at = (i + 1, step.kind());
            ctx.retry_stale = !step.expect().is_some_and(|e| e.transport_error);
            if !skipped.is_empty()
                && let Some(var) = step
                    .used_vars()
                    .into_iter()
                    .find(|v| !ctx.vars.contains_key(*v))
            {
                let why = format!(
                    "step {} uses {{{{{var}}}}}, which a skipped section sets",
                    i + 1
                );
                skip_rest(s, &sec, i, Some(&why), &mut steps);
                skipped.push(format!("{}: {why}", section_label(s, &sec)));
                continue 'sections;
            }
            let r = run_step(ctx, s, step, i, opts).await;
            let stop = match &r.verdict {
                Verdict::Failed(why) => {
                    verdict = Verdict::Failed(format!("step {} {}: {why}", r.index, r.kind));
                    true
                }
                Verdict::Errored(why) => {
                    verdict = Verdict::Errored(format!("step {} {}: {why}", r.index, r.kind));
                    true
                }
                Verdict::Skipped(why) => {
                    let why = format!("step {} {} was skipped: {why}", r.index, r.kind);
                    steps.push(r);
                    skip_rest(s, &sec, i + 1, None, &mut steps);
                    skipped.push(format!("{}: {why}", section_label(s, &sec)));
                    continue 'sections;
                }
                Verdict::Passed | Verdict::Partial(_) => false,
            };
            steps.push(r);
            if stop {
                break 'sections;
            }
        }
    }
    (steps, verdict, skipped)
}

/// A section's name for reasons: its marker's name, or `steps 1–4` for the steps before the first marker.
fn section_label(s: &Scenario, sec: &SectionRange) -> String {
    match &sec.name {
        Some(n) => format!("section {n:?}"),
        None if sec.steps.len() == s.steps.len() => "the scenario".to_owned(),
        None => format!("steps {}–{}", sec.steps.start + 1, sec.steps.end),
    }
}

/// Why `sec` cannot run on `target`, if it cannot: what it needs and the target lacks (unless an operator
/// can do its admin steps by hand), or a wait longer than `--max-wait` in real time.
fn cannot_run(
    s: &Scenario,
    sec: &SectionRange,
    target: &Target,
    opts: &RunOptions,
) -> Option<String> {
    let steps: Vec<(usize, &Step)> = sec
        .steps
        .clone()
        .map(|i| (i + 1, &s.steps[i].value))
        .collect();
    let listed = |need: Need| -> String {
        let names: Vec<String> = steps
            .iter()
            .filter(|(_, st)| st.needs() == Some(need))
            .map(|(n, st)| format!("{n} {}", st.kind()))
            .collect();
        if names.is_empty() {
            String::new()
        } else {
            format!(" (step {})", names.join(", "))
        }
    };
    let what = |target: &Target| match target {
        Target::Remote {
            kind: crate::target::RemoteKind::MockWithoutAdmin,
            ..
        } => "the target's admin API needs --admin-token",
        _ => "the target is not a gptom-mock",
    };
    if sec.needs.contains(&Need::Mock) && !target.is_mock() {
        return Some(format!(
            "needs {}{}; {}",
            Need::Mock.describe(),
            listed(Need::Mock),
            what(target)
        ));
    }
    if sec.needs.contains(&Need::Admin) && !target.has_admin() {
        let declared = matches!(&s.steps[sec.steps.start].value, Step::Section(m) if m.needs().contains(&Need::Admin));
        let by_hand = opts.operator.is_some()
            && !declared
            && steps
                .iter()
                .filter(|(_, st)| st.is_mock_only())
                .all(|(_, st)| st.unit().prompt(&opts.credentials.tid).is_some());
        if !by_hand {
            return Some(format!(
                "needs {}{}; {}",
                Need::Admin.describe(),
                listed(Need::Admin),
                what(target)
            ));
        }
    }
    if !target.manual_clock()
        && let Some((n, st)) = steps
            .iter()
            .filter(|(_, st)| st.longest_wait() > opts.max_wait)
            .max_by(|a, b| a.1.longest_wait().total_cmp(&b.1.longest_wait()))
    {
        return Some(format!(
            "step {n} {} may wait {} s on the target's real clock, more than --max-wait {} s",
            st.kind(),
            st.longest_wait(),
            opts.max_wait
        ));
    }
    None
}

/// Marks the steps of `sec` from index `from` on as skipped: the first with `why` when given, the others
/// pointing at the step whose skip took them along (`with step N`, N 1-based).
fn skip_rest(
    s: &Scenario,
    sec: &SectionRange,
    from: usize,
    why: Option<&str>,
    out: &mut Vec<StepResult>,
) {
    let anchor = if why.is_some() { from + 1 } else { from };
    for i in from..sec.steps.end {
        let mut r = new_step(i, &s.steps[i].value);
        r.verdict = Verdict::Skipped(match why {
            Some(why) if i == from => why.to_owned(),
            _ => format!("with step {anchor}"),
        });
        out.push(r);
    }
}
