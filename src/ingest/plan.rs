//! Mapping an export's headers onto a dataset: which header is which canonical column, which
//! columns are personal data (dropped or pseudonymised), which are kept as extra text.

use crate::schema::{self, Dataset, Kind, Privacy};
use crate::warehouse::DatasetEntry;
use anyhow::{Result, bail};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// A user mapping file (`--mapping FILE.toml`): extra column renames, value maps, and extra
/// columns to treat as personal data.
///
/// ```toml
/// [kolommen]
/// "Melder nr" = "melding_id"
/// [waarden.status]
/// "1" = "open"
/// "9" = "afgehandeld"
/// persoonsgegevens = ["Opmerking"]   # must come before the tables in real TOML
/// ```
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    #[serde(default, alias = "columns")]
    pub kolommen: HashMap<String, String>,
    #[serde(default, alias = "values")]
    pub waarden: HashMap<String, HashMap<String, String>>,
    #[serde(default, alias = "personal")]
    pub persoonsgegevens: Vec<String>,
}

impl Mapping {
    pub fn load(path: &Path) -> Result<Mapping> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the mapping file {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "the mapping file {} is not valid: {e}\nExpected tables [kolommen] \
                 (\"Header in export\" = \"canonical_column\") and [waarden.<column>], and a \
                 list persoonsgegevens = [...]",
                path.display()
            )
        })
    }
}

/// What happens to one column of the export.
#[derive(Debug, Clone)]
pub struct ColumnPlan {
    /// Index of the field in the export row; `None` for a constant (`--gemeente`).
    pub source: Option<usize>,
    pub header: String,
    pub name: String,
    pub kind: Kind,
    pub privacy: Privacy,
    pub required: bool,
    /// Kind still to be inferred from the data (datasets that are not canonical).
    pub infer: bool,
    pub value_map: Option<HashMap<String, String>>,
    pub constant: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub columns: Vec<ColumnPlan>,
    /// Headers dropped as personal data.
    pub dropped: Vec<String>,
    /// Index into `columns` of the key column.
    pub key: Option<usize>,
    pub warnings: Vec<String>,
}

impl Plan {
    pub fn build(
        dataset: Option<&Dataset>,
        headers: &[String],
        mapping: &Mapping,
        existing: Option<&DatasetEntry>,
        gemeente: Option<&str>,
    ) -> Result<Plan> {
        let mut plan = Plan {
            columns: Vec::new(),
            dropped: Vec::new(),
            key: None,
            warnings: Vec::new(),
        };
        let renames: HashMap<String, &String> = mapping
            .kolommen
            .iter()
            .map(|(k, v)| (schema::normalise(k), v))
            .collect();
        let extra_personal: Vec<String> = mapping
            .persoonsgegevens
            .iter()
            .map(|h| schema::normalise(h))
            .collect();
        for (i, header) in headers.iter().enumerate() {
            let norm = schema::normalise(header);
            let canonical = match renames.get(&norm) {
                Some(target) => Some(target.to_string()),
                None => dataset
                    .and_then(|d| match_alias(d, &norm))
                    .map(str::to_string),
            };
            // The mapping file's list of personal columns wins over every alias.
            let listed = extra_personal.contains(&norm);
            if listed || (canonical.is_none() && schema::is_personal_header(dataset, header)) {
                if let Some(c) = canonical
                    .as_deref()
                    .and_then(|c| dataset.and_then(|d| d.column(c)))
                    && c.required
                {
                    bail!(
                        "the mapping file lists '{header}' as personal data, but it is the \
                         required column '{}'; remove it from persoonsgegevens",
                        c.name
                    );
                }
                plan.dropped.push(header.clone());
                continue;
            }
            let name = canonical.clone().unwrap_or_else(|| {
                if header.trim().is_empty() {
                    format!("kolom_{}", i + 1)
                } else {
                    schema::snake_case(header)
                }
            });
            if let Some(prev) = plan.columns.iter().find(|c| c.name == name) {
                if prev.privacy != Privacy::None {
                    // A second BSN or name column: never kept in clear text.
                    plan.warnings.push(format!(
                        "columns '{}' and '{header}' both map to '{name}', which is personal \
                         data; the second is dropped",
                        prev.header
                    ));
                    plan.dropped.push(header.clone());
                    continue;
                }
                let free = (2..)
                    .map(|n| format!("{name}_{n}"))
                    .find(|n| !plan.columns.iter().any(|c| &c.name == n))
                    .expect("a free name");
                plan.warnings.push(format!(
                    "columns '{}' and '{header}' both map to '{name}'; the first is used, the \
                     second kept as '{free}' (rename one with --mapping)",
                    prev.header
                ));
                plan.push_extra(i, header, free, existing, dataset.is_none(), mapping);
                continue;
            }
            match canonical
                .as_deref()
                .and_then(|c| dataset.and_then(|d| d.column(c)))
            {
                Some(col) => plan.columns.push(ColumnPlan {
                    source: Some(i),
                    header: header.clone(),
                    name: col.name.to_string(),
                    kind: col.kind,
                    privacy: col.privacy,
                    required: col.required,
                    infer: false,
                    value_map: mapping.waarden.get(col.name).cloned(),
                    constant: None,
                }),
                None => {
                    if let (Some(target), Some(d)) = (&canonical, dataset)
                        && renames.contains_key(&norm)
                        && d.column(target).is_none()
                    {
                        bail!(
                            "the mapping file maps '{header}' to '{target}', which is not a column \
                             of {}; its columns are: {}",
                            d.name,
                            d.columns
                                .iter()
                                .map(|c| c.name)
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                    }
                    plan.push_extra(i, header, name, existing, dataset.is_none(), mapping);
                }
            }
        }
        plan.add_gemeente(gemeente);
        if let Some(d) = dataset {
            plan.check_required(d, headers)?;
            plan.key = d
                .key
                .and_then(|k| plan.columns.iter().position(|c| c.name == k));
            match plan.key {
                // Without a key a newer version of a row cannot be recognised: an empty key is
                // a reject, even where the column itself is optional (document_id).
                Some(k) => plan.columns[k].required = true,
                None => {
                    if let Some(k) = d.key {
                        plan.warnings.push(format!(
                            "the export has no key column ({k}): rows are appended, so loading \
                             the same period twice counts it twice; use --mode replace for a \
                             full export"
                        ));
                    }
                }
            }
        }
        Ok(plan)
    }

    fn push_extra(
        &mut self,
        i: usize,
        header: &str,
        name: String,
        existing: Option<&DatasetEntry>,
        infer: bool,
        mapping: &Mapping,
    ) {
        let known = existing.and_then(|e| e.columns.iter().find(|c| c.name == name));
        self.columns.push(ColumnPlan {
            source: Some(i),
            header: header.to_string(),
            value_map: mapping.waarden.get(&name).cloned(),
            kind: known.map_or(Kind::Text, |c| c.kind),
            infer: infer && known.is_none(),
            name,
            privacy: Privacy::None,
            required: false,
            constant: None,
        });
    }

    /// `--gemeente NAME`: a constant column when the export has none, else fills empty cells.
    fn add_gemeente(&mut self, gemeente: Option<&str>) {
        let Some(g) = gemeente else { return };
        match self.columns.iter_mut().find(|c| c.name == "gemeente") {
            Some(c) => {
                c.constant = Some(g.to_string());
                // A municipality is a name, whatever the column looked like.
                c.kind = Kind::Text;
                c.infer = false;
                self.warnings.push(format!(
                    "the export has a gemeente column ('{}'); --gemeente {g} fills only its empty cells",
                    c.header
                ));
            }
            None => self.columns.push(ColumnPlan {
                source: None,
                header: "--gemeente".to_string(),
                name: "gemeente".to_string(),
                kind: Kind::Text,
                privacy: Privacy::None,
                required: false,
                infer: false,
                value_map: None,
                constant: Some(g.to_string()),
            }),
        }
    }

    fn check_required(&self, d: &Dataset, headers: &[String]) -> Result<()> {
        let missing: Vec<&schema::Column> = d
            .columns
            .iter()
            .filter(|c| c.required && !self.columns.iter().any(|p| p.name == c.name))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let mut msg = format!(
            "the export does not have every required column of '{}'.\n  missing: {}\n  required: {}\n  \
             found in the file: {}",
            d.name,
            missing
                .iter()
                .map(|c| c.name)
                .collect::<Vec<_>>()
                .join(", "),
            d.columns
                .iter()
                .filter(|c| c.required)
                .map(|c| c.name)
                .collect::<Vec<_>>()
                .join(", "),
            headers
                .iter()
                .map(|h| format!("'{h}'"))
                .collect::<Vec<_>>()
                .join(", "),
        );
        for m in &missing {
            let names = m.aliases.iter().copied().chain(std::iter::once(m.name));
            let best = headers
                .iter()
                .map(|h| {
                    let n = schema::normalise(h);
                    let dist = names
                        .clone()
                        .map(|a| schema::edit_distance(&n, &schema::normalise(a)))
                        .min();
                    (dist.unwrap_or(usize::MAX), h)
                })
                .min();
            if let Some((dist, h)) = best
                && dist <= 4
            {
                msg.push_str(&format!("\n  '{}' might be '{h}'", m.name));
            }
        }
        msg.push_str(&format!(
            "\nName the columns in a mapping file: [kolommen] \"<header in the export>\" = \"{}\", \
             and pass it with --mapping",
            missing[0].name
        ));
        bail!(msg)
    }
}

impl Plan {
    /// A safety net for BSNs under an unexpected header ("Nummer", "Kenmerk"): an extra column
    /// whose filled sample values are mostly (80%) valid BSNs is dropped as personal data.
    pub fn drop_bsn_like(&mut self, sample: &[crate::source::Record]) {
        let key_name = self.key.map(|k| self.columns[k].name.clone());
        let bsn_like = |c: &ColumnPlan| {
            let (Some(i), Privacy::None) = (c.source, c.privacy) else {
                return false;
            };
            if c.kind != Kind::Text && !c.infer {
                return false;
            }
            let filled: Vec<&str> = sample
                .iter()
                .filter_map(|r| r.fields.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .collect();
            let bsn = filled
                .iter()
                .filter(|v| crate::warehouse::pseudo::is_bsn(v))
                .count();
            !filled.is_empty() && bsn * 5 >= filled.len() * 4
        };
        let dropped: Vec<String> = self
            .columns
            .iter()
            .filter(|c| Some(&c.name) != key_name.as_ref() && bsn_like(c))
            .map(|c| c.header.clone())
            .collect();
        self.columns
            .retain(|c| !dropped.contains(&c.header) || Some(&c.name) == key_name.as_ref());
        self.key = key_name.and_then(|k| self.columns.iter().position(|c| c.name == k));
        for h in dropped {
            self.warnings.push(format!(
                "column '{h}' holds BSNs (they pass the eleven test) and is dropped; map it to \
                 client_id in a mapping file to keep it as a keyed hash"
            ));
            self.dropped.push(h);
        }
    }
}

impl Plan {
    /// Without a key, columns that would be pseudonymised are dropped instead (ad-hoc reads).
    pub fn drop_pseudonymised(&mut self) {
        let key_name = self.key.map(|k| self.columns[k].name.clone());
        let (gone, kept): (Vec<ColumnPlan>, Vec<ColumnPlan>) = std::mem::take(&mut self.columns)
            .into_iter()
            .partition(|c| c.privacy == Privacy::Pseudonymised);
        self.columns = kept;
        self.key = key_name.and_then(|k| self.columns.iter().position(|c| c.name == k));
        self.dropped.extend(gone.into_iter().map(|c| c.header));
    }
}

fn match_alias(d: &Dataset, norm: &str) -> Option<&'static str> {
    d.columns
        .iter()
        .find(|c| {
            schema::normalise(c.name) == norm
                || c.aliases.iter().any(|a| schema::normalise(a) == norm)
        })
        .map(|c| c.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn aliases_personal_and_extra_columns() {
        let d = schema::dataset("zaken_sociaal").unwrap();
        let headers = h(&[
            "Zaaknummer",
            "BSN",
            "Naam client",
            "Regeling",
            "Adres",
            "Opmerking",
            "Behandelaar",
        ]);
        let plan = Plan::build(Some(d), &headers, &Mapping::default(), None, None).unwrap();
        let names: Vec<&str> = plan.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["zaak_id", "client_id", "wet", "opmerking", "consulent"]
        );
        assert_eq!(plan.dropped, ["Naam client", "Adres"]);
        assert_eq!(plan.columns[1].privacy, Privacy::Pseudonymised);
        assert_eq!(plan.columns[4].privacy, Privacy::Employee);
        assert_eq!(plan.key, Some(0));
    }

    #[test]
    fn missing_required_columns_are_named_with_hints() {
        let d = schema::dataset("meldingen").unwrap();
        let headers = h(&["Meldingnummer", "Datum meldng", "Omschrijving"]);
        let err = Plan::build(Some(d), &headers, &Mapping::default(), None, None).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("missing: datum_melding, categorie"), "{msg}");
        assert!(
            msg.contains("'datum_melding' might be 'Datum meldng'"),
            "{msg}"
        );
        assert!(msg.contains("--mapping"), "{msg}");
    }

    #[test]
    fn mapping_file_renames_and_gemeente_constant() {
        let d = schema::dataset("meldingen").unwrap();
        let mapping: Mapping = toml::from_str(
            "persoonsgegevens = [\"Notitie\"]\n[kolommen]\n\"Nr\" = \"melding_id\"\n\"Wanneer\" = \"datum_melding\"\n\"Soort\" = \"categorie\"\n",
        )
        .unwrap();
        let headers = h(&["Nr", "Wanneer", "Soort", "Notitie"]);
        let plan = Plan::build(Some(d), &headers, &mapping, None, Some("Zevenaar")).unwrap();
        let names: Vec<&str> = plan.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["melding_id", "datum_melding", "categorie", "gemeente"]
        );
        assert_eq!(plan.dropped, ["Notitie"]);
        assert_eq!(plan.columns[3].constant.as_deref(), Some("Zevenaar"));
    }
}
