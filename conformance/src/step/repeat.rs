//! The one poll loop's bookkeeping, shared by every step that asks again — `poll_task` until a status, a
//! device call while it answers `202 pending`, and a step's `poll:` until its checks hold: how often, for how
//! long, how many tries so far, and the transcript's `polled N times, clock advanced Xs`.

use super::ctx::Ctx;
use crate::result::Verdict;

/// Tries every `every` seconds for at most `within` seconds.
pub(crate) struct Repeat {
    every: f64,
    within: f64,
    waited: f64,
    tries: u32,
    advance: bool,
}

impl Repeat {
    /// `advance`: the target's clock is moved by the runner (a manual clock), not waited out.
    pub(crate) fn new(every: f64, within: f64, advance: bool) -> Self {
        Self {
            every,
            within,
            waited: 0.0,
            tries: 0,
            advance,
        }
    }

    /// Counts one try.
    pub(crate) fn tried(&mut self) {
        self.tries += 1;
    }

    /// Whether one more interval still fits in the bound.
    pub(crate) fn can_wait(&self) -> bool {
        self.waited + self.every <= self.within + 1e-9
    }

    /// Seconds let pass so far.
    pub(crate) fn waited(&self) -> f64 {
        self.waited
    }

    /// Lets one interval pass (moving a manual clock, waiting otherwise).
    pub(crate) async fn wait(&mut self, ctx: &Ctx<'_>) -> Result<(), Verdict> {
        ctx.wait(self.every, self.waited, self.within).await?;
        self.waited += self.every;
        Ok(())
    }

    /// `polled once, clock advanced 0s` / `polled 3 times, waited 20s`.
    pub(crate) fn describe(&self) -> String {
        let how = if self.advance {
            "clock advanced"
        } else {
            "waited"
        };
        let times = if self.tries == 1 {
            "once".to_owned()
        } else {
            format!("{} times", self.tries)
        };
        format!("polled {times}, {how} {}s", self.waited)
    }
}

#[cfg(test)]
mod tests {
    use super::Repeat;

    #[test]
    fn bounds_and_descriptions() {
        let mut r = Repeat::new(2.0, 5.0, true);
        r.tried();
        assert_eq!(r.describe(), "polled once, clock advanced 0s");
        assert!(r.can_wait());
        r.waited = 4.0;
        assert!(!r.can_wait(), "4 + 2 > 5");
        r.tried();
        r.tried();
        let r2 = Repeat {
            advance: false,
            ..r
        };
        assert_eq!(r2.describe(), "polled 3 times, waited 4s");
    }
}
