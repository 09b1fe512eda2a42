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
    /// The purpose of processing (AVG art. 30), shown by `datasets privacy`.
    #[serde(default, alias = "purpose")]
    pub doel: Option<String>,
    /// How long records are kept: "7 jaar", "18 maanden", "90 dagen".
    #[serde(default, alias = "retention")]
    pub bewaartermijn: Option<String>,
    /// The date column the retention counts from (default: the dataset's end date).
    #[serde(default, alias = "retention_from")]
    pub bewaartermijn_vanaf: Option<String>,
}

impl Mapping {
    pub fn load(path: &Path) -> Result<Mapping> {
        crate::source::read_toml(
            path,
            "mapping file",
            "Expected tables [kolommen] (\"Header in export\" = \"canonical_column\") and \
             [waarden.<column>], and a list persoonsgegevens = [...]",
        )
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
    /// Text whose BSNs, phone numbers, e-mail addresses and IBANs are masked at ingest: every
    /// text column except the key, the municipality and the pseudonymised or employee columns.
    pub mask: bool,
    /// Whether a value that is only a number passing the eleven test is masked as a BSN (not
    /// in a column of identifiers, where one in eleven passes by chance).
    pub bsn_tokens: bool,
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
    /// Maps the export's headers onto `dataset` (`None`: a dataset of one's own), with the
    /// user's mapping, the dataset as the warehouse has it, and `--gemeente`.
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
        let rules = Rules::new(dataset, mapping, existing);
        for (i, header) in headers.iter().enumerate() {
            plan.add_header(&rules, i, header)?;
        }
        plan.add_gemeente(gemeente);
        if let Some(d) = dataset {
            plan.check_required(d, headers)?;
            plan.add_missing(d);
            plan.set_key(d);
        }
        Ok(plan)
    }

    /// Maps the export's header `i`: dropped as personal data, a canonical column, or a column
    /// kept as it is (under a free name when its name is taken).
    fn add_header(&mut self, rules: &Rules, i: usize, header: &str) -> Result<()> {
        let norm = schema::normalise(header);
        let canonical = rules.canonical_name(&norm);
        // The mapping file's list of personal columns wins over every alias.
        let listed = rules.extra_personal.contains(&norm);
        if listed || (canonical.is_none() && schema::is_personal_header(rules.dataset, header)) {
            if let Some(c) = rules.column(canonical.as_deref())
                && c.required
            {
                bail!(
                    "the mapping file lists '{header}' as personal data, but it is the \
                     required column '{}'; remove it from persoonsgegevens",
                    c.name
                );
            }
            self.dropped.push(header.to_string());
            return Ok(());
        }
        let name = canonical.clone().unwrap_or_else(|| own_name(i, header));
        if let Some(prev) = self.columns.iter().position(|c| c.name == name) {
            self.add_second(rules, i, header, name, prev);
            return Ok(());
        }
        match rules.column(canonical.as_deref()) {
            Some(col) => self
                .columns
                .push(canonical_column(i, header, col, rules.mapping)),
            None => {
                rules.check_rename_target(header, &norm, canonical.as_deref())?;
                self.push_extra(i, header, name, rules);
            }
        }
        Ok(())
    }

    /// A header that maps to the name of the earlier column `prev`: kept under a free name
    /// (`name_2`), or dropped when that column is personal data.
    fn add_second(&mut self, rules: &Rules, i: usize, header: &str, name: String, prev: usize) {
        let prev = &self.columns[prev];
        if prev.privacy != Privacy::None {
            // A second BSN or name column: never kept in clear text.
            self.warnings.push(format!(
                "columns '{}' and '{header}' both map to '{name}', which is personal \
                 data; the second is dropped",
                prev.header
            ));
            self.dropped.push(header.to_string());
            return;
        }
        let free = (2..)
            .map(|n| format!("{name}_{n}"))
            .find(|n| !self.columns.iter().any(|c| &c.name == n))
            .expect("a free name");
        self.warnings.push(format!(
            "columns '{}' and '{header}' both map to '{name}'; the first is used, the \
             second kept as '{free}' (rename one with --mapping)",
            prev.header
        ));
        self.push_extra(i, header, free, rules);
    }

    /// A column kept as it is: text, or the kind the dataset already has for it, or (in a
    /// dataset of one's own) a kind still to be inferred.
    fn push_extra(&mut self, i: usize, header: &str, name: String, rules: &Rules) {
        let known = rules
            .existing
            .and_then(|e| e.columns.iter().find(|c| c.name == name));
        self.columns.push(ColumnPlan {
            source: Some(i),
            header: header.to_string(),
            value_map: rules.mapping.waarden.get(&name).cloned(),
            kind: known.map_or(Kind::Text, |c| c.kind),
            infer: rules.dataset.is_none() && known.is_none(),
            name,
            privacy: Privacy::None,
            required: false,
            constant: None,
            mask: true,
            bsn_tokens: true,
        });
    }

    /// Every canonical column the export lacks, as an empty column: a dataset has all its
    /// columns whichever export came first (a query on `datum_afgehandeld` after a Signalen-only
    /// ingest works, and finds it empty).
    fn add_missing(&mut self, d: &Dataset) {
        for c in d.columns {
            if !self.columns.iter().any(|p| p.name == c.name) {
                self.columns.push(ColumnPlan {
                    source: None,
                    header: String::new(),
                    name: c.name.to_string(),
                    kind: c.kind,
                    privacy: c.privacy,
                    required: false,
                    infer: false,
                    value_map: None,
                    constant: None,
                    mask: false,
                    bsn_tokens: true,
                });
            }
        }
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
                mask: false,
                bsn_tokens: true,
            }),
        }
    }

    /// The key column of a canonical dataset: required and never masked; without one, a
    /// warning that rows are appended.
    fn set_key(&mut self, d: &Dataset) {
        self.key = d
            .key
            .and_then(|k| self.columns.iter().position(|c| c.name == k));
        match self.key {
            // Without a key a newer version of a row cannot be recognised: an empty key is
            // a reject, even where the column itself is optional (document_id). A key is
            // never masked: rows must keep matching their newer versions.
            Some(k) => {
                self.columns[k].required = true;
                self.columns[k].mask = false;
            }
            None => {
                if let Some(k) = d.key {
                    self.warnings.push(format!(
                        "the export has no key column ({k}): rows are appended, so loading \
                         the same period twice counts it twice; use --mode replace for a \
                         full export"
                    ));
                }
            }
        }
    }

    /// Refuses an export without every required column, naming what is missing, what is
    /// required, what the file has, and headers that look like a missing column.
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
            column_names(missing.iter().copied()),
            column_names(d.columns.iter().filter(|c| c.required)),
            headers
                .iter()
                .map(|h| format!("'{}'", shown(h)))
                .collect::<Vec<_>>()
                .join(", "),
        );
        for m in &missing {
            if let Some(h) = closest_header(m, headers) {
                msg.push_str(&format!("\n  '{}' might be '{}'", m.name, shown(h)));
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
    /// A safety net for personal data under an unexpected header ("Nummer", "Kenmerk",
    /// "Contact"): a column whose filled sample values are at least half BSNs (with or without
    /// dots and spaces), phone numbers, e-mail addresses or IBANs is dropped whole. The other
    /// columns learn whether lone numbers passing the eleven test are BSNs in them.
    pub fn drop_personal_values(&mut self, sample: &[crate::source::Record]) {
        let key_name = self.key.map(|k| self.columns[k].name.clone());
        let mut dropped: Vec<(String, &'static str)> = Vec::new();
        for c in &mut self.columns {
            let (Some(i), Privacy::None) = (c.source, c.privacy) else {
                continue;
            };
            if Some(&c.name) == key_name.as_ref() || (c.kind != Kind::Text && !c.infer) {
                continue;
            }
            let values: Vec<&str> = sample.iter().filter_map(|r| r.fields.get(i)).collect();
            let (personal, bsn_tokens) = schema::personal::judge_column(&values);
            c.bsn_tokens = bsn_tokens;
            if let Some(kind) = personal {
                dropped.push((c.header.clone(), kind));
            }
        }
        self.columns
            .retain(|c| !dropped.iter().any(|(h, _)| h == &c.header));
        self.key = key_name.and_then(|k| self.columns.iter().position(|c| c.name == k));
        for (h, kind) in dropped {
            let hint = if kind == "bsn" {
                "; map it to client_id in a mapping file to keep it as a keyed hash"
            } else {
                ""
            };
            self.warnings.push(format!(
                "column '{h}' holds personal data ({kind}) in most of its values and is \
                 dropped{hint}"
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

/// What a header is mapped by: the dataset's definition, the user's mapping file (its renames
/// and personal columns normalised once), and the dataset as the warehouse has it.
struct Rules<'a> {
    dataset: Option<&'a Dataset>,
    mapping: &'a Mapping,
    existing: Option<&'a DatasetEntry>,
    renames: HashMap<String, &'a String>,
    extra_personal: Vec<String>,
}

impl<'a> Rules<'a> {
    fn new(
        dataset: Option<&'a Dataset>,
        mapping: &'a Mapping,
        existing: Option<&'a DatasetEntry>,
    ) -> Rules<'a> {
        Rules {
            dataset,
            mapping,
            existing,
            renames: mapping
                .kolommen
                .iter()
                .map(|(k, v)| (schema::normalise(k), v))
                .collect(),
            extra_personal: mapping
                .persoonsgegevens
                .iter()
                .map(|h| schema::normalise(h))
                .collect(),
        }
    }

    /// The canonical name of a normalised header: the mapping file's rename, else the name of
    /// the dataset's column it is an alias of.
    fn canonical_name(&self, norm: &str) -> Option<String> {
        match self.renames.get(norm) {
            Some(target) => Some(target.to_string()),
            None => self
                .dataset
                .and_then(|d| match_alias(d, norm))
                .map(str::to_string),
        }
    }

    /// The dataset's column of that name, if any.
    fn column(&self, name: Option<&str>) -> Option<&'static schema::Column> {
        name.and_then(|c| self.dataset.and_then(|d| d.column(c)))
    }

    /// Refuses a mapping file that renames a header to a column the dataset does not have.
    fn check_rename_target(&self, header: &str, norm: &str, target: Option<&str>) -> Result<()> {
        if let (Some(target), Some(d)) = (target, self.dataset)
            && self.renames.contains_key(norm)
            && d.column(target).is_none()
        {
            bail!(
                "the mapping file maps '{header}' to '{target}', which is not a column \
                 of {}; its columns are: {}",
                d.name,
                column_names(d.columns.iter())
            );
        }
        Ok(())
    }
}

/// The plan of a canonical column found in the export, as header `i`.
fn canonical_column(i: usize, header: &str, col: &schema::Column, mapping: &Mapping) -> ColumnPlan {
    ColumnPlan {
        source: Some(i),
        header: header.to_string(),
        name: col.name.to_string(),
        kind: col.kind,
        privacy: col.privacy,
        required: col.required,
        infer: false,
        value_map: mapping.waarden.get(col.name).cloned(),
        constant: None,
        mask: col.privacy == Privacy::None && col.name != "gemeente",
        bsn_tokens: true,
    }
}

/// The name of a column kept as it is: its header in snake case, `kolom_3` for an empty one.
fn own_name(i: usize, header: &str) -> String {
    if header.trim().is_empty() {
        format!("kolom_{}", i + 1)
    } else {
        schema::snake_case(header)
    }
}

/// Column names as a message lists them: "a, b, c".
fn column_names<'c>(columns: impl Iterator<Item = &'c schema::Column>) -> String {
    columns.map(|c| c.name).collect::<Vec<_>>().join(", ")
}

/// The header most like a missing column's name or one of its aliases, when it is close (at
/// most 4 edits).
fn closest_header<'h>(column: &schema::Column, headers: &'h [String]) -> Option<&'h String> {
    let names = column
        .aliases
        .iter()
        .copied()
        .chain(std::iter::once(column.name));
    let (dist, h) = headers
        .iter()
        .map(|h| {
            let n = schema::normalise(h);
            let dist = names
                .clone()
                .map(|a| schema::edit_distance(&n, &schema::normalise(a)))
                .min();
            (dist.unwrap_or(usize::MAX), h)
        })
        .min()?;
    (dist <= 4).then_some(h)
}

/// A header as a message may show it: personal data in it masked.
fn shown(header: &str) -> String {
    schema::personal::mask(header, true).map_or_else(|| header.to_string(), |(m, _)| m)
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
        let names: Vec<&str> = plan
            .columns
            .iter()
            .filter(|c| c.source.is_some() || c.constant.is_some())
            .map(|c| c.name.as_str())
            .collect();
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
        let names: Vec<&str> = plan
            .columns
            .iter()
            .filter(|c| c.source.is_some() || c.constant.is_some())
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(
            names,
            ["melding_id", "datum_melding", "categorie", "gemeente"]
        );
        assert_eq!(plan.dropped, ["Notitie"]);
        assert_eq!(plan.columns[3].constant.as_deref(), Some("Zevenaar"));
    }
}
