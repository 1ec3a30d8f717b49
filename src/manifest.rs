//! The sample manifest (docs/method.md#manifest): everything needed to re-derive a sample, as JSON.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Manifest {
    pub(crate) tool: String,
    pub(crate) version: String,
    /// The commit the program was built from, where known, so that the same
    /// program can be built again to re-derive the sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) commit: Option<String>,
    pub(crate) method: String,
    pub(crate) seed: u64,
    /// Whether the seed was chosen at random (no `--seed` given).
    pub(crate) seed_chosen_at_random: bool,
    pub(crate) month: String,
    pub(crate) as_of: String,
    pub(crate) settings: SamplingUsed,
    pub(crate) inputs: Vec<InputFile>,
    pub(crate) frames: Vec<FrameResult>,
}

/// The settings that decide the draw, as they were used.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct SamplingUsed {
    pub(crate) exclude_audited_within_months: u32,
    pub(crate) frames: Vec<FrameSpec>,
    pub(crate) extract_layout: String,
    pub(crate) extract_columns: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct FrameSpec {
    pub(crate) name: String,
    #[serde(rename = "where")]
    pub(crate) filter: String,
    pub(crate) size: u32,
    pub(crate) stratify: Option<String>,
    pub(crate) per_stratum: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct InputFile {
    /// `extract` or `history`.
    pub(crate) role: String,
    pub(crate) path: String,
    /// SHA-256 of the file's bytes (absent for standard input).
    pub(crate) sha256: Option<String>,
    pub(crate) rows: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct FrameResult {
    pub(crate) name: String,
    pub(crate) eligible: u64,
    pub(crate) excluded_by_history: u64,
    pub(crate) excluded_no_team: u64,
    pub(crate) taken_by_earlier_frames: u64,
    pub(crate) drawn: u64,
    pub(crate) shortfall: u64,
    pub(crate) strata: Vec<StratumResult>,
    /// Drawn case ids in rank order.
    pub(crate) cases: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct StratumResult {
    pub(crate) value: String,
    pub(crate) eligible: u64,
    pub(crate) quota: u64,
    pub(crate) drawn: u64,
}

impl Manifest {
    /// The differences between the manifest and a re-derived one, in plain words.
    pub(crate) fn differences(&self, again: &Manifest) -> Vec<String> {
        let mut out = Vec::new();
        for (a, b) in self.inputs.iter().zip(&again.inputs) {
            if a.sha256.is_some() && a.sha256 != b.sha256 {
                out.push(format!(
                    "input {} ({}): its SHA-256 is {} now, {} when the sample was drawn: the file has changed",
                    b.path,
                    a.role,
                    b.sha256.as_deref().unwrap_or("unknown"),
                    a.sha256.as_deref().unwrap_or("unknown")
                ));
            }
            if a.rows != b.rows {
                out.push(format!(
                    "input {} ({}): {} rows now, {} then",
                    b.path, a.role, b.rows, a.rows
                ));
            }
        }
        for (a, b) in self.frames.iter().zip(&again.frames) {
            let counts = |f: &FrameResult| {
                (
                    f.eligible,
                    f.excluded_by_history,
                    f.excluded_no_team,
                    f.drawn,
                    f.shortfall,
                )
            };
            if counts(a) != counts(b) {
                out.push(format!(
                    "frame {}: eligible/excluded/drawn {} / {} / {} now, {} / {} / {} in the manifest",
                    a.name,
                    b.eligible,
                    b.excluded_by_history,
                    b.drawn,
                    a.eligible,
                    a.excluded_by_history,
                    a.drawn
                ));
            }
            if a.cases != b.cases {
                let gone: Vec<&str> = a
                    .cases
                    .iter()
                    .filter(|c| !b.cases.contains(c))
                    .map(String::as_str)
                    .collect();
                let new: Vec<&str> = b
                    .cases
                    .iter()
                    .filter(|c| !a.cases.contains(c))
                    .map(String::as_str)
                    .collect();
                if gone.is_empty() && new.is_empty() {
                    out.push(format!("frame {}: the same cases in a different order", a.name));
                } else {
                    out.push(format!(
                        "frame {}: cases differ (in the manifest only: {}; re-derived only: {})",
                        a.name,
                        list_or_none(&gone),
                        list_or_none(&new)
                    ));
                }
            }
        }
        if self.frames.len() != again.frames.len() {
            out.push(format!(
                "{} frames in the manifest, {} re-derived",
                self.frames.len(),
                again.frames.len()
            ));
        }
        out
    }
}

fn list_or_none(ids: &[&str]) -> String {
    if ids.is_empty() {
        "none".to_string()
    } else {
        ids.join(", ")
    }
}

impl Manifest {
    /// The settings the sample was drawn with, as the manifest records them
    /// (the frames, the history window, the extract's layout and columns), the
    /// rest as the defaults.
    pub(crate) fn settings(&self) -> anyhow::Result<crate::config::Settings> {
        use crate::config::{ExtractLayout, Frame, Settings};
        use toml::Spanned;
        let mut settings = Settings::default();
        settings.sampling.exclude_audited_within_months = self.settings.exclude_audited_within_months;
        settings.sampling.frames = self
            .settings
            .frames
            .iter()
            .map(|f| Frame {
                name: f.name.clone(),
                filter: Spanned::new(0..0, f.filter.clone()),
                size: f.size,
                stratify: f.stratify.clone(),
                per_stratum: f.per_stratum,
            })
            .collect();
        settings.extract.layout = match self.settings.extract_layout.as_str() {
            "auto" => ExtractLayout::Auto,
            "standard" => ExtractLayout::Standard,
            "annex-a" => ExtractLayout::AnnexA,
            other => anyhow::bail!("the manifest names an unknown extract layout \"{other}\""),
        };
        settings.extract.columns = self
            .settings
            .extract_columns
            .iter()
            .map(|(k, v)| (k.clone(), Spanned::new(0..0, v.clone())))
            .collect();
        Ok(settings)
    }
}
