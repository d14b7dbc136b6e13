//! The scenario's own flow: `section` (steps that run together or not at all; the type lives with the
//! scenario, which groups by it) and `advance_clock` (let time pass).

use schemars::JsonSchema;
use serde::Deserialize;

use super::ctx::{Ctx, StepOutcome};
use super::{Kind, Run, Uses};
use crate::result::StepResult;
use crate::scenario::{Need, Section};

/// `advance_clock`: `POST /__admin/clock/advance`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvanceClock {
    /// Seconds, may be fractional.
    pub seconds: f64,
}

impl Kind for Section {
    /// Declared needs belong to the section, not to its marker (see `Scenario::sections`).
    fn needs(&self) -> Option<Need> {
        None
    }
    fn uses<'a>(&'a self, _uses: &mut Uses<'a>) {}
    fn name(&self) -> Option<&str> {
        Some(Section::name(self))
    }
    fn check(&self) -> Result<(), String> {
        if Section::name(self).trim().is_empty() {
            return Err("give the section a name: it is what a skip reason names".to_owned());
        }
        Ok(())
    }
}

/// A marker: nothing to send.
impl Run for Section {
    async fn run(&self, _ctx: &mut Ctx<'_>, _r: &mut StepResult) -> StepOutcome {
        Ok(())
    }
}

/// Time passes by itself on a real gateway (the runner waits): nothing for a person to do, no prompt.
impl Kind for AdvanceClock {
    fn needs(&self) -> Option<Need> {
        None
    }
    fn uses<'a>(&'a self, _uses: &mut Uses<'a>) {}
    fn longest_wait(&self) -> f64 {
        self.seconds
    }
    fn check(&self) -> Result<(), String> {
        if !(self.seconds >= 0.0 && self.seconds.is_finite()) {
            return Err("seconds must be a number ≥ 0".to_owned());
        }
        Ok(())
    }
}

impl Run for AdvanceClock {
    async fn run(&self, ctx: &mut Ctx<'_>, r: &mut StepResult) -> StepOutcome {
        match ctx.pass_time(self.seconds, self.seconds).await? {
            Some(now) => r.notes.push(format!("clock +{}s -> {now}", self.seconds)),
            None => r.notes.push(format!("waited {}s", self.seconds)),
        }
        Ok(())
    }
}
