//! TEMPORARY STUB
pub(crate) struct DemoFiles {
    pub(crate) config_toml: String,
    pub(crate) extract_csv: String,
    pub(crate) auditors_csv: String,
    pub(crate) history_csv: String,
}
pub(crate) fn generate(_seed: u64, _as_of: chrono::NaiveDate) -> DemoFiles {
    DemoFiles {
        config_toml: String::new(),
        extract_csv: "case_id,team\nA1,T\n".into(),
        auditors_csv: "auditor_id,name,team\n".into(),
        history_csv: "month,case_id,team,auditor_id,frame\n".into(),
    }
}
