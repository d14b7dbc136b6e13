//! Device-channel checks, judged from the mock's iOS (`/ios/deeplink`) and app2app (`/app2app/*`) bridge
//! entries: IOS-REDIRECT-PATH, IOS-FIELD-NAMES, IOS-AMOUNT-MINOR-UNITS (reference.md §5),
//! A2A-REGISTER-BEFORE-REQUEST, A2A-STATE-POLL-RATE, A2A-INQUIRE-AFTER-COMPLETED (reference.md §4.2–4.6).
//!
//! The deep link's URL is re-read here rather than trusting only the mock's `warnings`: a deep link that was
//! still running (`202 {"pending"}`) carries its warnings on the later `GET /ios/deeplink/{id}` instead. The
//! mock's warnings still count as evidence (they know every URI's parameter list).
//!
//! The checks are in `ios.rs` and `app2app.rs`; their tests, which drive both through [`super::judge`], here.

pub(crate) mod app2app;
pub(crate) mod ios;

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::super::CheckVerdict;
    use super::super::fixture::J;

    fn deeplink(j: &mut J, at: f64, url: &str, result: Value, warnings: &[&str]) {
        let e = j.push(
            at,
            "POST",
            "/ios/deeplink",
            json!({"url": url}),
            200,
            json!({"redirect": "myapp://", "result": result, "warnings": warnings}),
        );
        e.channel = "ios".into();
        e.headers.clear();
        e.warnings = warnings.iter().map(|w| (*w).to_owned()).collect();
    }

    fn a2a(j: &mut J, at: f64, method: &str, path: &str, body: Value, response: Value) {
        let e = j.push(at, method, path, body, 200, response);
        e.channel = "app2app".into();
        e.headers.clear();
    }

    fn register(j: &mut J, at: f64, id: &str) {
        a2a(
            j,
            at,
            "POST",
            "/app2app/register",
            json!({}),
            json!({"resultCode": 0, "transactionId": id, "clientID": "c", "responseMessage": "OK", "error": null}),
        );
    }

    fn request(j: &mut J, at: f64, id: &str, response: Value) {
        a2a(
            j,
            at,
            "POST",
            "/app2app/transaction",
            json!({"transactionID": id, "transactionType": 1, "amount": 1111}),
            response,
        );
    }

    fn state(j: &mut J, at: f64, id: &str, state: i64) {
        a2a(
            j,
            at,
            "GET",
            &format!("/app2app/state/{id}"),
            Value::Null,
            json!({"resultCode": 0, "transactionId": id, "state": state, "isRepeatable": state == 3}),
        );
    }

    fn inquire(j: &mut J, at: f64, id: &str) {
        a2a(
            j,
            at,
            "GET",
            &format!("/app2app/inquire/{id}"),
            Value::Null,
            json!({"result": 0, "trasanctionID": id}),
        );
    }

    const GOOD_CREATE: &str = "gptom://transaction/create?amount=1111&requestID=r1&redirectUrl=myapp%3A%2F%2Fgptom%2Ftransaction%2Fcreate";

    #[test]
    fn ios_redirect_path_needs_the_operation_path() {
        let mut good = J::new();
        deeplink(
            &mut good,
            0.0,
            GOOD_CREATE,
            json!({"status": "COMPLETED"}),
            &[],
        );
        deeplink(
            &mut good,
            5.0,
            "gptom://status?redirectUrl=myapp://appStatus",
            json!({}),
            &[],
        );
        assert_eq!(good.verdict("IOS-REDIRECT-PATH"), CheckVerdict::Pass);

        let mut bad = J::new();
        deeplink(
            &mut bad,
            0.0,
            "gptom://transaction/create?amount=1111&redirectUrl=myapp://done",
            json!({"status": "COMPLETED"}),
            &[
                "redirectUrl \"myapp://done\" does not contain the operation path: the iOS SDK cannot tell which result it is",
            ],
        );
        let r = bad.result("IOS-REDIRECT-PATH");
        assert_eq!(r.verdict, CheckVerdict::Fail);
        assert_eq!(r.evidence[0].seqs, [1]);
        assert!(
            r.summary.contains("\"transaction/create\""),
            "{}",
            r.summary
        );
        assert!(r.fix.is_some());
        assert_eq!(
            J::new().verdict("IOS-REDIRECT-PATH"),
            CheckVerdict::NotApplicable
        );
    }

    #[test]
    fn ios_field_names_catch_request_id_and_receipt_types() {
        let mut good = J::new();
        deeplink(
            &mut good,
            0.0,
            &format!("{GOOD_CREATE}&preferableReceiptType=QR"),
            json!({"status": "COMPLETED"}),
            &[],
        );
        assert_eq!(good.verdict("IOS-FIELD-NAMES"), CheckVerdict::Pass);

        let mut bad = J::new();
        deeplink(
            &mut bad,
            0.0,
            "gptom://transaction/create?amount=1111&requestId=r1&preferableReceiptType=qr&redirectUrl=myapp://gptom/transaction/create",
            json!({"status": "COMPLETED"}),
            &[],
        );
        deeplink(
            &mut bad,
            9.0,
            "gptom://transaction/create?amount=1111&preferableReceiptType=PHONE&redirectUrl=myapp://gptom/transaction/create",
            json!({"status": "COMPLETED"}),
            &[],
        );
        let r = bad.result("IOS-FIELD-NAMES");
        assert_eq!(r.verdict, CheckVerdict::Fail);
        assert!(
            r.summary.contains("\"requestId\" instead of \"requestID\""),
            "{}",
            r.summary
        );
        assert!(
            r.summary.contains("\"qr\" (the SDK knows QR)"),
            "{}",
            r.summary
        );
        assert!(
            r.evidence[1].note.contains("the SDK knows SMS"),
            "{:?}",
            r.evidence
        );

        let mut unknown = J::new();
        deeplink(
            &mut unknown,
            0.0,
            &format!("{GOOD_CREATE}&foo=1"),
            json!({"status": "COMPLETED"}),
            &["unknown parameter \"foo\" is ignored by GP tom"],
        );
        assert_eq!(unknown.verdict("IOS-FIELD-NAMES"), CheckVerdict::Warn);
    }

    #[test]
    fn ios_amounts_are_minor_units() {
        let mut good = J::new();
        deeplink(
            &mut good,
            0.0,
            GOOD_CREATE,
            json!({"status": "COMPLETED"}),
            &[],
        );
        assert_eq!(good.verdict("IOS-AMOUNT-MINOR-UNITS"), CheckVerdict::Pass);

        let mut bad = J::new();
        deeplink(
            &mut bad,
            0.0,
            "gptom://transaction/create?amount=11.11&redirectUrl=myapp://gptom/transaction/create",
            json!({"status": "ERROR", "error": "invalidAmount"}),
            &[],
        );
        let r = bad.result("IOS-AMOUNT-MINOR-UNITS");
        assert_eq!(r.verdict, CheckVerdict::Fail);
        assert!(
            r.summary.contains("amount=11.11 is a decimal amount (GP tom answered invalidAmount); in minor units it is 1111"),
            "{}",
            r.summary
        );
    }

    #[test]
    fn a2a_ids_are_registered_and_not_reused_unless_repeatable() {
        let done = json!({"result": 0, "transactionID": "id-1", "externalTransactionID": "x-1", "error": null});
        let mut good = J::new();
        register(&mut good, 0.0, "id-1");
        request(&mut good, 1.0, "id-1", json!({"pending": "id-1"}));
        state(&mut good, 2.0, "id-1", 3);
        request(&mut good, 3.0, "id-1", done.clone()); // INIT_ERROR is repeatable
        register(&mut good, 10.0, "id-2");
        request(&mut good, 11.0, "id-2", done.clone());
        assert_eq!(
            good.verdict("A2A-REGISTER-BEFORE-REQUEST"),
            CheckVerdict::Pass
        );

        let mut bad = J::new();
        register(&mut bad, 0.0, "id-1");
        request(&mut bad, 1.0, "id-1", done.clone());
        state(&mut bad, 2.0, "id-1", 6);
        request(
            &mut bad,
            10.0,
            "id-1",
            json!({"result": -2, "responseMessage": "transactionID already used; register a new one"}),
        );
        request(&mut bad, 20.0, "never", json!({"result": -2}));
        let r = bad.result("A2A-REGISTER-BEFORE-REQUEST");
        assert_eq!(r.verdict, CheckVerdict::Fail);
        assert!(
            r.summary
                .contains("#4 reuses transactionID id-1 (already sent at #2)"),
            "{}",
            r.summary
        );
        assert_eq!(r.evidence[0].seqs, [2, 4]);
        assert!(
            r.evidence[1].note.contains("never registered"),
            "{:?}",
            r.evidence
        );
    }

    #[test]
    fn a2a_state_requests_are_at_least_500_ms_apart() {
        let mut good = J::new();
        register(&mut good, 0.0, "id-1");
        request(&mut good, 0.1, "id-1", json!({"pending": "id-1"}));
        for i in 0..6 {
            state(
                &mut good,
                0.5 + f64::from(i) * 0.5,
                "id-1",
                if i < 5 { 5 } else { 6 },
            );
        }
        assert_eq!(good.verdict("A2A-STATE-POLL-RATE"), CheckVerdict::Pass);

        let mut bad = J::new();
        register(&mut bad, 0.0, "id-1");
        request(&mut bad, 0.1, "id-1", json!({"pending": "id-1"}));
        for i in 0..6 {
            state(
                &mut bad,
                0.5 + f64::from(i) * 0.1,
                "id-1",
                if i < 5 { 5 } else { 6 },
            );
        }
        let r = bad.result("A2A-STATE-POLL-RATE");
        assert_eq!(r.verdict, CheckVerdict::Fail);
        assert!(
            r.summary
                .contains("0.1 s apart (#3 → #4): faster than the documented 500 ms"),
            "{}",
            r.summary
        );

        let mut jitter = J::new();
        state(&mut jitter, 0.0, "id-1", 5);
        state(&mut jitter, 0.45, "id-1", 6);
        assert_eq!(jitter.verdict("A2A-STATE-POLL-RATE"), CheckVerdict::Warn);
    }

    #[test]
    fn a2a_inquire_waits_for_state_6() {
        let mut good = J::new();
        register(&mut good, 0.0, "id-1");
        request(&mut good, 0.1, "id-1", json!({"pending": "id-1"}));
        state(&mut good, 1.0, "id-1", 5);
        state(&mut good, 1.5, "id-1", 6);
        inquire(&mut good, 2.0, "id-1");
        inquire(&mut good, 3.0, "some-older-transaction"); // not started here: not judged
        assert_eq!(
            good.verdict("A2A-INQUIRE-AFTER-COMPLETED"),
            CheckVerdict::Pass
        );

        let mut bad = J::new();
        register(&mut bad, 0.0, "id-1");
        request(&mut bad, 0.1, "id-1", json!({"pending": "id-1"}));
        state(&mut bad, 1.0, "id-1", 5);
        inquire(&mut bad, 1.5, "id-1");
        let r = bad.result("A2A-INQUIRE-AFTER-COMPLETED");
        assert_eq!(r.verdict, CheckVerdict::Fail);
        assert!(
            r.summary.contains("answered state 5, not 6"),
            "{}",
            r.summary
        );
        assert_eq!(r.evidence[0].seqs, [3, 4]);
    }
}
