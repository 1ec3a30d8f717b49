//! Dip samples: K cases per worker or team, by the same keyed hash as the
//! month's sample, as a fold over the extract's cases.

use super::{FramePlan, Offer, Sampler};
use crate::extract::{Case, CaseRow, Fold, Std};
use crate::filter::RowFilter;
use crate::keys::Keyer;

/// What a dip sample keeps of a case: team, worker, service, status.
pub(crate) type DipFields = [String; 4];

/// The cases of one group each, K with the smallest keys.
pub(crate) struct Dip {
    /// Only cases matching this.
    pub(crate) filter: Option<RowFilter<'static, CaseRow>>,
    /// Grouped by this field (worker or team).
    pub(crate) group: Std,
    pub(crate) keyer: Keyer,
    /// K cases a group.
    pub(crate) per_group: u32,
}

/// The cases offered so far, and how many matching cases had no group.
pub(crate) struct DipPart {
    pub(crate) sampler: Sampler<DipFields>,
    pub(crate) ungrouped: u64,
}

impl Fold for Dip {
    type Part = DipPart;
    const IN_ORDER: bool = false;

    fn part(&self) -> DipPart {
        let plan = FramePlan {
            name: "dip".into(),
            size: 0,
            stratified: true,
            per_stratum: Some(self.per_group),
        };
        DipPart {
            sampler: Sampler::new(vec![plan]),
            ungrouped: 0,
        }
    }

    fn take(&self, part: &mut DipPart, case: Case<'_>) {
        if !self.filter.as_ref().is_none_or(|f| f.matches(case.row)) {
            return;
        }
        let Some(group) = case.get(self.group) else {
            part.ungrouped += 1;
            return;
        };
        part.sampler.offer(Offer {
            key: self.keyer.key(case.case_id()),
            case_id: case.case_id().to_string(),
            frames: vec![Some(group.to_string())],
            payload: fields(&case),
        });
    }

    fn merge(&self, into: &mut DipPart, part: DipPart) {
        into.sampler.merge(part.sampler);
        into.ungrouped += part.ungrouped;
    }

    fn fields(&self, schema: &crate::extract::Schema) -> Vec<usize> {
        let mut fields =
            schema.std_fields(&[Std::Team, Std::Worker, Std::Service, Std::Status, Std::EndDate]);
        fields.extend(self.filter.iter().flat_map(|f| f.fields().iter().copied()));
        fields
    }
}

fn fields(case: &Case<'_>) -> DipFields {
    let text = |s: Std| case.get(s).unwrap_or("").to_string();
    [
        text(Std::Team),
        text(Std::Worker),
        text(Std::Service),
        case.status().to_string(),
    ]
}
