//! The certification list (reference.md §7): its versions, its items in walk order with what the operator
//! does and what ends the wait ([`Goal`]), and the `--only` selection. Pure data.

use serde::Serialize;

/// Which version of GP tom's certification list (reference.md §7).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ListVersion {
    /// Version A (8 scenarios).
    V1,
    /// Version B (12 scenarios; 9–12 are app2app).
    V2,
    /// Version C (20 scenarios; DCC items 10–11), the newest.
    #[default]
    V3,
}

impl ListVersion {
    /// `v1`, `v2`, `v3` (also `a`, `b`, `c`).
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "v1" | "a" => Ok(Self::V1),
            "v2" | "b" => Ok(Self::V2),
            "v3" | "c" => Ok(Self::V3),
            _ => Err(format!(
                "{s:?}: expected v1, v2 or v3 (versions A, B, C of the list)"
            )),
        }
    }

    /// The tag prefix of the scenarios (`cert-a`).
    pub fn tag(self) -> &'static str {
        match self {
            Self::V1 => "cert-a",
            Self::V2 => "cert-b",
            Self::V3 => "cert-c",
        }
    }

    fn index(self) -> usize {
        match self {
            Self::V1 => 0,
            Self::V2 => 1,
            Self::V3 => 2,
        }
    }
}

/// What ends the wait for an item (and is its own evidence).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Goal {
    /// A TRANSACTION task with this `transactionOperation` (SALE, REFUND) created and polled to `status`; if
    /// COMPLETED, its transaction fetched with the task's contextId.
    Txn(&'static str, &'static str),
    /// A VOID with cancelMode LAST_TRANSACTION and one with OLDER_TRANSACTION, both polled to a final status.
    Voids,
    /// A BATCH task polled to a final status.
    Batch,
    /// The transaction detail of a COMPLETED task fetched after COMPLETED with its contextId; when the POS prints
    /// its own receipt (`printByPaymentApp: false`), the detail it read must hold the receipt fields.
    Receipt,
    /// A DCC sale completed and fetched, then a VOID of it completed and its detail (with the DCC data) fetched.
    DccVoid,
    /// Not possible over the Cloud API: skipped at once with this reason.
    Unsupported(&'static str),
}

/// Why the app2app items are skipped by the Cloud walk-through.
const APP2APP_ONLY: &str = "app2app only: the walk-through drives the Cloud API. Point the Android POS at the mock's app2app bridge (/app2app/*) and judge the session with certify-client --judge (checks A2A-*)";

/// One certification item.
#[derive(Debug)]
pub struct Item {
    /// Stable key (`--only` takes it or the item's number).
    pub key: &'static str,
    /// The item's number in list versions A, B, C (`None`: not on that list).
    pub numbers: [Option<u32>; 3],
    /// Title.
    pub title: &'static str,
    /// What the operator does in the POS (empty for items the Cloud API cannot do).
    pub instruction: &'static str,
    /// The outcome armed with `PUT /__admin/terminals/{tid}/next-outcome`.
    pub outcome: Option<&'static str>,
    pub(super) goal: Goal,
}

/// The items, in walk order (numbers as in reference.md §7). Items the Cloud API cannot do are skipped with
/// the reason.
pub const ITEMS: &[Item] = &[
    Item {
        key: "presence",
        numbers: [Some(1), Some(1), Some(1)],
        title: "Presence check of GP tom (optional)",
        instruction: "",
        outcome: None,
        goal: Goal::Unsupported(
            "the Cloud API cannot see whether GP tom is installed: this is a device-channel item (iOS `gptom://status`, Android getGPTomInfo or a package query)",
        ),
    },
    Item {
        key: "sale",
        numbers: [Some(2), Some(2), Some(2)],
        title: "Successful sale",
        instruction: "Make a card sale of 11.11 CZK — the mock will approve it. Let the POS finish it (poll to COMPLETED, fetch the transaction).",
        outcome: Some("approve"),
        goal: Goal::Txn("SALE", "COMPLETED"),
    },
    Item {
        key: "refund",
        numbers: [None, None, Some(3)],
        title: "Successful refund (optional)",
        instruction: "Make a card refund (transactionOperation REFUND) of 11.11 CZK — the mock will approve it. Let the POS finish it (poll to COMPLETED, fetch the transaction).",
        outcome: Some("approve"),
        goal: Goal::Txn("REFUND", "COMPLETED"),
    },
    Item {
        key: "declined",
        numbers: [Some(3), Some(3), Some(4)],
        title: "Declined sale",
        instruction: "Make a card sale of 11.22 CZK — the mock will decline it. The POS should show the rejection.",
        outcome: Some("decline"),
        goal: Goal::Txn("SALE", "COMPLETED"),
    },
    Item {
        key: "timeout",
        numbers: [Some(4), Some(4), Some(5)],
        title: "Timeout sale",
        instruction: "Make a card sale of 11.23 CZK — the device will not answer; the task ends ERROR TIMEOUT after the device timeout (about 60 s). The POS should inform the user and not retry on its own.",
        outcome: Some("timeout"),
        goal: Goal::Txn("SALE", "ERROR"),
    },
    Item {
        key: "exception",
        numbers: [Some(5), Some(5), Some(6)],
        title: "Exception during card payment",
        instruction: "Make a card sale of 11.24 CZK — the mock will end it with an exception (ERROR). The POS should report it.",
        outcome: Some("exception"),
        goal: Goal::Txn("SALE", "ERROR"),
    },
    Item {
        key: "void",
        numbers: [Some(6), Some(6), Some(7)],
        title: "Void of the last and of an older payment",
        instruction: "Void the last payment (cancelMode LAST_TRANSACTION), then void an older approved payment by its transaction id (OLDER_TRANSACTION).",
        outcome: None,
        goal: Goal::Voids,
    },
    Item {
        key: "batch",
        numbers: [Some(7), Some(7), Some(8)],
        title: "Close batch",
        instruction: "Close the batch (day close) from the POS.",
        outcome: None,
        goal: Goal::Batch,
    },
    Item {
        key: "receipt",
        numbers: [Some(8), Some(8), Some(9)],
        title: "Receipt data",
        instruction: "Make a card sale of 11.11 CZK and print (or show) its receipt: after COMPLETED the POS must read the transaction detail (GET /v1/transactions/{contextId}); if it prints its own receipt (printByPaymentApp: false), the receipt fields come from that detail.",
        outcome: Some("approve"),
        goal: Goal::Receipt,
    },
    Item {
        key: "a2a-register",
        numbers: [None, Some(9), Some(17)],
        title: "Transaction registration (app2app)",
        instruction: "",
        outcome: None,
        goal: Goal::Unsupported(APP2APP_ONLY),
    },
    Item {
        key: "a2a-request",
        numbers: [None, Some(10), Some(18)],
        title: "Request for payment (app2app)",
        instruction: "",
        outcome: None,
        goal: Goal::Unsupported(APP2APP_ONLY),
    },
    Item {
        key: "a2a-state",
        numbers: [None, Some(11), Some(19)],
        title: "Getting the transaction status (app2app)",
        instruction: "",
        outcome: None,
        goal: Goal::Unsupported(APP2APP_ONLY),
    },
    Item {
        key: "a2a-detail",
        numbers: [None, Some(12), Some(20)],
        title: "Getting details about the transaction (app2app)",
        instruction: "",
        outcome: None,
        goal: Goal::Unsupported(APP2APP_ONLY),
    },
    Item {
        key: "dcc-3-decimals",
        numbers: [None, None, Some(10)],
        title: "DCC data – sale (transactionAmount with 3 decimals)",
        instruction: "Make a card sale of 99.91 CZK — the mock answers with DCC data (3 decimal digits). Print the receipt with the DCC data.",
        outcome: Some("dcc-3-decimals"),
        goal: Goal::Txn("SALE", "COMPLETED"),
    },
    Item {
        key: "dcc-no-decimals",
        numbers: [None, None, Some(11)],
        title: "DCC data – sale (transactionAmount without a decimal point)",
        instruction: "Make a card sale of 99.92 CZK — the mock answers with DCC data (no decimal point). Print the receipt with the DCC data.",
        outcome: Some("dcc-no-decimals"),
        goal: Goal::Txn("SALE", "COMPLETED"),
    },
    Item {
        key: "dcc-void-3-decimals",
        numbers: [None, None, Some(15)],
        title: "DCC data – cancellation (DCC sale with 3 decimals)",
        instruction: "Make a card sale of 99.91 CZK — the mock answers with DCC data (3 decimal digits) — then void it (LAST_TRANSACTION) and print the void's receipt with the DCC data from its transaction detail.",
        outcome: Some("dcc-3-decimals"),
        goal: Goal::DccVoid,
    },
    Item {
        key: "dcc-void-no-decimals",
        numbers: [None, None, Some(16)],
        title: "DCC data – cancellation (DCC sale without a decimal point)",
        instruction: "Make a card sale of 99.92 CZK — the mock answers with DCC data (no decimal point) — then void it (LAST_TRANSACTION) and print the void's receipt with the DCC data from its transaction detail.",
        outcome: Some("dcc-no-decimals"),
        goal: Goal::DccVoid,
    },
];

impl Item {
    /// Why the Cloud walk-through cannot do this item (it is skipped with this reason), if so.
    pub fn unsupported(&self) -> Option<&'static str> {
        match self.goal {
            Goal::Unsupported(why) => Some(why),
            _ => None,
        }
    }

    /// The item's number on `list`.
    pub fn number(&self, list: ListVersion) -> Option<u32> {
        self.numbers[list.index()]
    }

    /// `cert-c:4`.
    pub fn label(&self, list: ListVersion) -> String {
        match self.number(list) {
            Some(n) => format!("{}:{n}", list.tag()),
            None => list.tag().to_owned(),
        }
    }
}

/// The items of `list`, narrowed by `--only` (keys or numbers; empty = all). Unknown names are an error.
pub fn select(list: ListVersion, only: &[String]) -> Result<Vec<&'static Item>, String> {
    let mut on_list: Vec<&Item> = ITEMS.iter().filter(|i| i.number(list).is_some()).collect();
    on_list.sort_by_key(|i| i.number(list));
    if only.is_empty() {
        return Ok(on_list);
    }
    for want in only {
        let known = on_list.iter().any(|i| {
            i.key.eq_ignore_ascii_case(want)
                || i.number(list).is_some_and(|n| n.to_string() == *want)
        });
        if !known {
            let names: Vec<String> = on_list
                .iter()
                .map(|i| format!("{} ({})", i.key, i.number(list).unwrap_or(0)))
                .collect();
            return Err(format!(
                "--only {want:?}: not an item of list {}; expected one of: {}",
                list.tag(),
                names.join(", ")
            ));
        }
    }
    Ok(on_list
        .into_iter()
        .filter(|i| {
            only.iter().any(|w| {
                i.key.eq_ignore_ascii_case(w) || i.number(list).is_some_and(|n| n.to_string() == *w)
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_only_select_items_by_key_or_number() {
        assert_eq!(select(ListVersion::V1, &[]).expect("all").len(), 8);
        assert_eq!(select(ListVersion::V2, &[]).expect("all").len(), 12);
        let v3 = select(ListVersion::V3, &[]).expect("all");
        let numbers: Vec<u32> = v3
            .iter()
            .filter_map(|i| i.number(ListVersion::V3))
            .collect();
        assert_eq!(
            numbers,
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15, 16, 17, 18, 19, 20],
            "walked in list order; 12–14 are cut off in the published list"
        );
        let picked = select(ListVersion::V3, &["4".into(), "batch".into()]).expect("known");
        let keys: Vec<&str> = picked.iter().map(|i| i.key).collect();
        assert_eq!(keys, ["declined", "batch"]);
        assert_eq!(v3[3].label(ListVersion::V3), "cert-c:4");
        let err = select(ListVersion::V1, &["dcc-3-decimals".into()]).unwrap_err();
        assert!(err.contains("not an item of list cert-a"), "{err}");
        assert!(ListVersion::parse("v4").is_err());
        assert!(v3[0].unsupported().is_some() && v3[16].unsupported().is_some());
        assert!(
            v3.iter()
                .filter(|i| i.unsupported().is_none())
                .all(|i| !i.instruction.is_empty())
        );
    }
}
