//! Token checks: CLIENT-TOKEN-BASIC, CLIENT-TOKEN-REUSE, CLIENT-REFRESH-ON-401.

use serde_json::Value;

use super::{Entry, Finding, Outcome, plural, secs};

/// A token is "near expiry" when at most this share of its lifetime is left.
const NEAR_EXPIRY: f64 = 0.2;
/// Calls per grant at or below which renewing is "a token per call" (fail) rather than "per few calls" (warn).
const PER_CALL: f64 = 1.5;

/// CLIENT-TOKEN-BASIC: Basic client, form body, `tid` on terminal password grants.
pub(crate) fn token_basic(entries: &[Entry]) -> Outcome {
    let mut out = Vec::new();
    for e in entries.iter().filter(|e| e.is_token()) {
        let auth = e.header("authorization").unwrap_or("");
        let ctype = e.header("content-type").unwrap_or("");
        let grant = e.form_field("grant_type").unwrap_or_default();
        let master = e.status == 200 && e.response_body.get("tid") == Some(&Value::Null);
        let problem = if !auth.to_ascii_lowercase().starts_with("basic") {
            Some(if auth.is_empty() {
                "no `Authorization: Basic` client header".to_owned()
            } else {
                format!("client sent as `{auth}`, not HTTP Basic")
            })
        } else if e.status == 401
            && e.response_body.get("error").and_then(Value::as_str) == Some("invalid_client")
        {
            Some("Basic client rejected (not the published atom:ashfuf4e5fa)".to_owned())
        } else if !ctype.starts_with("application/x-www-form-urlencoded") {
            Some(format!(
                "body sent as `{}`, not a form",
                if ctype.is_empty() {
                    "no content type"
                } else {
                    ctype
                }
            ))
        } else if grant == "password" && e.form_field("tid").is_none_or(|t| t.is_empty()) && !master
        {
            Some("password grant without `tid` (a terminal login needs it)".to_owned())
        } else {
            None
        };
        out.push(match problem {
            Some(p) => Finding::fail(vec![e.seq], format!("{}: {p}", e.label())),
            None => Finding::pass(vec![e.seq], format!("{} ({grant} grant)", e.label())),
        });
    }
    if out.is_empty() {
        return Outcome::NotApplicable("no token requests in the journal");
    }
    Outcome::Judged(out)
}

/// Whether the journal records which token each /v1 call carried (`tokenJti`, newer mocks).
fn exact(entries: &[Entry]) -> bool {
    entries.iter().any(|e| e.is_v1() && e.token_jti.is_some())
}

/// The successful grant that issued the access token `jti`.
fn issued_by<'a>(entries: &'a [Entry], jti: &str) -> Option<&'a Entry> {
    entries
        .iter()
        .find(|g| g.issued_jti().as_deref() == Some(jti))
}

/// CLIENT-TOKEN-REUSE: a new grant only near expiry or after a 401. With `tokenJti` the calls made with each
/// token and the 401s it got are known exactly; without it, the calls between two grants are assumed to use
/// the first one.
pub(crate) fn token_reuse(entries: &[Entry]) -> Outcome {
    let grants: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.is_token() && e.status == 200)
        .collect();
    let calls = entries.iter().filter(|e| e.is_v1()).count();
    if grants.is_empty() || calls == 0 {
        return Outcome::NotApplicable("no successful token grant followed by /v1 calls");
    }
    let exact = exact(entries);
    let mut premature: Vec<Finding> = Vec::new();
    for w in grants.windows(2) {
        let (prev, next) = (w[0], w[1]);
        let lifetime_ms = prev
            .response_body
            .get("expires_in")
            .and_then(Value::as_i64)
            .unwrap_or(3600)
            * 1000;
        let jti = prev.issued_jti().filter(|_| exact);
        let used: Vec<&Entry> = match &jti {
            // every call that carried this token, up to the next grant
            Some(j) => entries
                .iter()
                .filter(|e| {
                    e.seq > prev.seq
                        && e.seq < next.seq
                        && e.is_v1()
                        && e.token_jti.as_deref() == Some(j)
                })
                .collect(),
            None => entries
                .iter()
                .filter(|e| e.seq > prev.seq && e.seq < next.seq && e.is_v1())
                .collect(),
        };
        let after_401 = used.iter().any(|e| e.status == 401);
        let left = lifetime_ms - (next.ms - prev.ms);
        if after_401 || (left as f64) <= lifetime_ms as f64 * NEAR_EXPIRY {
            continue;
        }
        let with = if jti.is_some() {
            "with it"
        } else {
            "in between"
        };
        premature.push(Finding::warn(
            vec![prev.seq, next.seq],
            format!(
                "new token #{} only {} after #{} ({} {with}), {} of its lifetime left",
                next.seq,
                secs(prev.ms, next.ms),
                prev.seq,
                plural(used.len(), "/v1 call", "/v1 calls"),
                secs(0, left)
            ),
        ));
    }
    let per_grant = calls as f64 / grants.len() as f64;
    if premature.is_empty() {
        return Outcome::Judged(vec![Finding::pass(
            grants.iter().map(|g| g.seq).collect(),
            format!(
                "{} for {}: renewed only near expiry or after a 401",
                plural(grants.len(), "grant", "grants"),
                plural(calls, "/v1 call", "/v1 calls")
            ),
        )]);
    }
    let per_call = if exact {
        // each token carried by at most one call, several times over
        let max_uses = grants
            .iter()
            .filter_map(|g| g.issued_jti())
            .map(|j| {
                entries
                    .iter()
                    .filter(|e| e.is_v1() && e.token_jti.as_deref() == Some(j.as_str()))
                    .count()
            })
            .max()
            .unwrap_or(0);
        max_uses <= 1 && grants.len() > 2
    } else {
        per_grant <= PER_CALL
    };
    if per_call {
        let seqs = grants.iter().map(|g| g.seq).collect();
        return Outcome::Judged(vec![Finding::fail(
            seqs,
            format!(
                "a token per call: {} for {}",
                plural(grants.len(), "grant", "grants"),
                plural(calls, "/v1 call", "/v1 calls")
            ),
        )]);
    }
    Outcome::Judged(premature)
}

/// CLIENT-REFRESH-ON-401: a 401 on /v1 is followed by a refresh grant and a retry with the new token. With
/// `tokenJti` "the same token was retried" and "which grant the retry's token came from" are exact.
pub(crate) fn refresh_on_401(entries: &[Entry]) -> Outcome {
    let mut out = Vec::new();
    let mut judged_until = 0u64;
    for (i, e) in entries.iter().enumerate() {
        if !(e.is_v1() && e.status == 401) || e.seq <= judged_until {
            continue;
        }
        let rest = &entries[i + 1..];
        let next_call = rest.iter().position(Entry::is_v1);
        let next = next_call.map(|n| &rest[n]);
        let jti = e.token_jti.as_deref();
        if let (Some(j), Some(n)) = (jti, next)
            && n.token_jti.as_deref() == Some(j)
        {
            // exact: the next call carried the very token that was just refused
            let chain: Vec<u64> = rest
                .iter()
                .filter(|x| x.is_v1() && x.status == 401 && x.token_jti.as_deref() == Some(j))
                .map(|x| x.seq)
                .collect();
            judged_until = chain.last().copied().unwrap_or(e.seq);
            let mut seqs = vec![e.seq, n.seq];
            seqs.extend(&chain);
            out.push(Finding::fail(
                seqs,
                format!(
                    "{}: next call #{} carried the same token (jti {j}){}",
                    e.label(),
                    n.seq,
                    if chain.len() > 1 {
                        format!(", {} more 401s with it", chain.len())
                    } else {
                        String::new()
                    }
                ),
            ));
            continue;
        }
        let tokens: Vec<&Entry> = rest[..next_call.unwrap_or(rest.len())]
            .iter()
            .filter(|x| x.is_token())
            .collect();
        let grant = |kind: &str| {
            tokens
                .iter()
                .copied()
                .find(|t| t.status == 200 && t.form_field("grant_type").as_deref() == Some(kind))
        };
        let mut refreshed = grant("refresh_token");
        let mut relogged = grant("password");
        // exact: the grant that issued the next call's token, wherever it is in the journal
        let source = next
            .filter(|_| jti.is_some())
            .and_then(|n| n.token_jti.as_deref())
            .and_then(|j| issued_by(entries, j));
        if let Some(g) = source {
            match g.form_field("grant_type").as_deref() {
                Some("refresh_token") => (refreshed, relogged) = (Some(g), None),
                Some("password") if refreshed.is_none() => relogged = Some(g),
                _ => {}
            }
        }
        let same = |x: &&Entry| {
            x.is_v1()
                && x.method == e.method
                && x.path == e.path
                && x.request_body == e.request_body
                && (jti.is_none() || x.token_jti.as_deref() != jti)
        };
        let finding = match (next, refreshed, relogged) {
            (_, Some(r), _) => match rest.iter().find(same) {
                Some(retry) => Finding::pass(
                    vec![e.seq, r.seq, retry.seq],
                    format!(
                        "{}: refreshed (#{}), retried (#{})",
                        e.label(),
                        r.seq,
                        retry.seq
                    ),
                ),
                None => Finding::fail(
                    vec![e.seq, r.seq],
                    format!(
                        "{}: refreshed (#{}) but never retried the call",
                        e.label(),
                        r.seq
                    ),
                ),
            },
            (None, None, None) => Finding::fail(
                vec![e.seq],
                format!(
                    "{}: no new token obtained and no further call (gave up silently)",
                    e.label()
                ),
            ),
            (Some(n), None, None) if jti.is_some() && n.token_jti.is_some() => Finding::pass(
                vec![e.seq, n.seq],
                format!(
                    "{}: next call #{} carried another token (obtained outside this journal)",
                    e.label(),
                    n.seq
                ),
            ),
            (Some(n), None, None) => {
                // heuristic (no tokenJti): the chain of calls made with the same token
                let chain: Vec<u64> = rest
                    .iter()
                    .take_while(|x| !x.is_token())
                    .filter(|x| x.is_v1() && x.status == 401)
                    .map(|x| x.seq)
                    .collect();
                judged_until = chain.last().copied().unwrap_or(e.seq);
                let mut seqs = vec![e.seq, n.seq];
                seqs.extend(&chain);
                Finding::fail(
                    seqs,
                    format!(
                        "{}: next call #{} without a new token (same token retried{})",
                        e.label(),
                        n.seq,
                        if chain.len() > 1 {
                            format!(", {} more 401s", chain.len())
                        } else {
                            String::new()
                        }
                    ),
                )
            }
            (_, None, Some(p)) => Finding::warn(
                vec![e.seq, p.seq],
                format!(
                    "{}: logged in again with the password (#{}) instead of the refresh grant",
                    e.label(),
                    p.seq
                ),
            ),
        };
        out.push(finding);
    }
    if out.is_empty() {
        return Outcome::NotApplicable("no 401 answers to /v1 calls in the journal");
    }
    Outcome::Judged(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::CheckVerdict::{Fail, NotApplicable, Pass, Warn};
    use super::super::fixture::J;

    #[test]
    fn token_basic_passes_a_form_with_tid_and_fails_json_or_missing_tid() {
        let mut j = J::new();
        j.token(0.0);
        assert_eq!(j.verdict("CLIENT-TOKEN-BASIC"), Pass);
        let mut bad = J::new();
        bad.push(
            0.0,
            "POST",
            "/cloud/oauth/token",
            json!("grant_type=password&username=u&password=[redacted]"),
            400,
            json!({"error": "invalid_grant"}),
        );
        assert_eq!(bad.verdict("CLIENT-TOKEN-BASIC"), Fail);
        let mut json_body = J::new();
        json_body
            .push(
                0.0,
                "POST",
                "/cloud/oauth/token",
                json!({"grant_type": "password"}),
                400,
                json!({}),
            )
            .headers
            .insert("content-type".into(), "application/json".into());
        let r = json_body.result("CLIENT-TOKEN-BASIC");
        assert_eq!(r.verdict, Fail);
        assert!(r.summary.contains("not a form"), "{}", r.summary);
        let mut no_basic = J::new();
        no_basic.token(0.0).push(
            1.0,
            "POST",
            "/cloud/oauth/token",
            json!("grant_type=password&tid=1"),
            401,
            json!({"error": "invalid_client"}),
        );
        assert_eq!(no_basic.verdict("CLIENT-TOKEN-BASIC"), Fail);
        assert_eq!(J::new().verdict("CLIENT-TOKEN-BASIC"), NotApplicable);
    }

    #[test]
    fn token_reuse_passes_one_token_warns_early_renewals_fails_a_token_per_call() {
        let mut good = J::new();
        good.token(0.0);
        for i in 0..5 {
            good.create(
                1.0 + f64::from(i),
                J::sale_body(1111),
                &format!("T00000000{i}"),
                "CREATED",
            );
        }
        good.token(3000.0)
            .create(3001.0, J::sale_body(1111), "T000000009", "CREATED");
        assert_eq!(good.verdict("CLIENT-TOKEN-REUSE"), Pass);

        let mut per_call = J::new();
        for i in 0..4 {
            let t = f64::from(i) * 10.0;
            per_call.token(t).create(
                t + 1.0,
                J::sale_body(1111),
                &format!("T00000000{i}"),
                "CREATED",
            );
        }
        assert_eq!(per_call.verdict("CLIENT-TOKEN-REUSE"), Fail);

        let mut few = J::new();
        for i in 0..3 {
            let t = f64::from(i) * 100.0;
            few.token(t);
            for k in 0..4 {
                few.poll(t + 1.0 + f64::from(k), "T000000001", "CREATED", None);
            }
        }
        assert_eq!(few.verdict("CLIENT-TOKEN-REUSE"), Warn);
    }

    #[test]
    fn refresh_on_401_passes_refresh_and_retry_fails_same_token_and_silence_warns_password() {
        let body = J::sale_body(1111);
        let mut good = J::new();
        good.token(0.0);
        good.create_err(3700.0, body.clone(), 401, "invalid_token");
        good.refresh(3700.5)
            .create(3701.0, body.clone(), "T000000001", "CREATED");
        assert_eq!(good.verdict("CLIENT-REFRESH-ON-401"), Pass);

        let mut same = J::new();
        same.token(0.0);
        same.create_err(3700.0, body.clone(), 401, "invalid_token");
        same.create_err(3701.0, body.clone(), 401, "invalid_token");
        same.create_err(3702.0, body.clone(), 401, "invalid_token");
        let r = same.result("CLIENT-REFRESH-ON-401");
        assert_eq!(r.verdict, Fail);
        assert!(r.summary.contains("without a new token"), "{}", r.summary);
        assert_eq!(
            r.evidence.len(),
            1,
            "one chain, one finding: {:?}",
            r.evidence
        );

        let mut silent = J::new();
        silent
            .token(0.0)
            .create_err(3700.0, body.clone(), 401, "invalid_token");
        assert_eq!(silent.verdict("CLIENT-REFRESH-ON-401"), Fail);

        let mut password = J::new();
        password
            .token(0.0)
            .create_err(3700.0, body.clone(), 401, "invalid_token");
        password
            .token(3701.0)
            .create(3702.0, body, "T000000001", "CREATED");
        assert_eq!(password.verdict("CLIENT-REFRESH-ON-401"), Warn);
        assert_eq!(J::new().verdict("CLIENT-REFRESH-ON-401"), NotApplicable);
    }

    #[test]
    fn token_jti_makes_same_token_retries_exact_even_with_a_grant_in_between() {
        let body = J::sale_body(1111);
        // refreshed, but the retry still carried the refused token: the heuristic would pass this
        let mut ignored = J::new();
        ignored.token(0.0);
        ignored.create_err(3700.0, body.clone(), 401, "invalid_token");
        ignored
            .refresh(3700.5)
            .create_err(3701.0, body.clone(), 401, "invalid_token");
        ignored.with_jtis(&[(4, "jti-1")]);
        let r = ignored.result("CLIENT-REFRESH-ON-401");
        assert_eq!(r.verdict, Fail, "{}", r.summary);
        assert!(
            r.summary.contains("same token (jti jti-1)"),
            "{}",
            r.summary
        );
        assert_eq!(
            r.evidence.len(),
            1,
            "the retry is part of the chain: {:?}",
            r.evidence
        );

        // refreshed and retried with the new token: exact pass, naming the refresh grant
        let mut good = J::new();
        good.token(0.0);
        good.create_err(3700.0, body.clone(), 401, "invalid_token");
        good.refresh(3700.5)
            .create(3701.0, body.clone(), "T000000001", "CREATED");
        good.with_jtis(&[]);
        let r = good.result("CLIENT-REFRESH-ON-401");
        assert_eq!(r.verdict, Pass, "{}", r.summary);
        assert_eq!(r.evidence[0].seqs, vec![2, 3, 4]);

        // the refresh came before the 401 (another thread): the retry's token names its grant
        let mut early = J::new();
        early.token(0.0).refresh(3500.0);
        early.create_err(3700.0, body.clone(), 401, "invalid_token");
        early.create(3701.0, body.clone(), "T000000001", "CREATED");
        early.with_jtis(&[(3, "jti-1")]);
        let r = early.result("CLIENT-REFRESH-ON-401");
        assert_eq!(r.verdict, Pass, "{}", r.summary);

        // three 401s with one token: one finding for the chain
        let mut same = J::new();
        same.token(0.0);
        for t in [3700.0, 3701.0, 3702.0] {
            same.create_err(t, body.clone(), 401, "invalid_token");
        }
        same.with_jtis(&[]);
        let r = same.result("CLIENT-REFRESH-ON-401");
        assert_eq!((r.verdict, r.evidence.len()), (Fail, 1), "{:?}", r.evidence);
    }

    #[test]
    fn token_jti_counts_only_401s_on_the_renewed_token() {
        let body = J::sale_body(1111);
        let mut j = J::new();
        j.token(0.0)
            .create(1.0, body.clone(), "T000000001", "CREATED");
        j.create_err(2.0, body.clone(), 401, "invalid_token"); // a foreign token
        j.token(3.0)
            .create(4.0, body.clone(), "T000000002", "CREATED");
        assert_eq!(
            j.verdict("CLIENT-TOKEN-REUSE"),
            Pass,
            "heuristic: any 401 excuses"
        );
        j.with_jtis(&[(3, "foreign")]);
        let r = j.result("CLIENT-TOKEN-REUSE");
        assert_eq!(r.verdict, Warn, "{}", r.summary);
        assert!(r.summary.contains("1 /v1 call with it"), "{}", r.summary);

        let mut per_call = J::new();
        for i in 0..4 {
            let t = f64::from(i) * 10.0;
            per_call.token(t).create(
                t + 1.0,
                J::sale_body(1111),
                &format!("T00000000{i}"),
                "CREATED",
            );
        }
        per_call.with_jtis(&[]);
        assert_eq!(per_call.verdict("CLIENT-TOKEN-REUSE"), Fail);
    }
}
