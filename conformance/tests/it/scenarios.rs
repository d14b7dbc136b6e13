//! Every scenario file runs against a fresh embedded mock and matches its `<ID>.snap` — through the same
//! `run_embedded` and `transcript` the CLI uses, so `cargo test` and `gptom-conformance run` cannot disagree.

use std::path::Path;

use conformance::Verdict;
use conformance::scenario;

#[test]
fn every_scenario_passes_and_matches_its_snapshot() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    insta::glob!("../../../scenarios", "**/*.yaml", |path| {
        let s = scenario::load(path).unwrap_or_else(|e| panic!("{e}"));
        let result = rt.block_on(conformance::run_embedded(&s));
        assert_eq!(
            result.verdict,
            Verdict::Passed,
            "{}:\n{}",
            s.id(),
            result.transcript
        );
        let text = result.transcript;
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(path.parent().expect("a folder"));
        settings.set_prepend_module_to_snapshot(false);
        settings.remove_snapshot_suffix();
        settings.bind(|| insta::assert_snapshot!(s.id(), text));
    });
}

#[test]
fn the_committed_schema_is_the_generated_one() {
    let committed = std::fs::read_to_string(super::support::repo().join("scenarios/schema.json"))
        .expect(
            "scenarios/schema.json exists: run `gptom-conformance schema > scenarios/schema.json`",
        );
    assert!(
        committed == scenario::schema_json(),
        "scenarios/schema.json is stale: run `cargo run -p conformance -- schema > scenarios/schema.json`"
    );
}

#[test]
fn the_mock_only_tag_marks_exactly_the_scenarios_a_target_without_the_admin_api_skips() {
    let (scenarios, errors) = scenario::load_all(&[super::support::repo().join("scenarios")]);
    assert!(errors.is_empty(), "{errors:?}");
    let wrong: Vec<String> = scenarios
        .iter()
        .filter(|s| {
            let all_admin = s
                .sections()
                .iter()
                .all(|sec| sec.needs.contains(&scenario::Need::Admin));
            all_admin != s.tags.iter().any(|t| t == "mock-only")
        })
        .map(|s| s.id().to_owned())
        .collect();
    assert!(
        wrong.is_empty(),
        "tag `mock-only` where every section needs the admin API, and only there: {wrong:?}"
    );
}

#[test]
fn every_snapshot_has_its_scenario() {
    let dir = super::support::repo().join("scenarios");
    let mut orphans = Vec::new();
    visit(&dir, &mut |p| {
        if p.extension().is_some_and(|e| e == "snap") && !p.with_extension("yaml").exists() {
            orphans.push(p.display().to_string());
        }
    });
    assert!(
        orphans.is_empty(),
        "snapshots without a scenario: {orphans:?}"
    );
}

fn visit(dir: &Path, f: &mut dyn FnMut(&Path)) {
    for entry in std::fs::read_dir(dir).expect("readable").flatten() {
        let p = entry.path();
        if p.is_dir() {
            visit(&p, f);
        } else {
            f(&p);
        }
    }
}

#[test]
fn a_deeplink_still_pending_at_its_timeout_fails_with_the_polls_shown() {
    let s = scenario::load_str(
        "id: X\ntitle: t\nsteps:\n  - deeplink: {url: \"gptom://transaction/create?amount=1123&redirectUrl=myapp://gptom/transaction/create\", interval: 10, timeout: 30}\n",
        Path::new("x.yaml"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let result = rt.block_on(conformance::run_embedded(&s));
    assert_eq!(
        result.verdict,
        Verdict::Failed("step 1 deeplink: still pending after 30s (timeout 30s)".to_owned()),
        "{}",
        result.transcript
    );
    assert!(
        result
            .transcript
            .contains("polled 3 times, clock advanced 30s"),
        "{}",
        result.transcript
    );
}
