//! What a council report must never show: per-person sections, columns that hold people, and
//! employees' names inside values.

use super::spec::Section;
use crate::warehouse::Warehouse;
use anyhow::{Result, bail};

/// What a council report must never show: the columns that hold people (employee names,
/// pseudonyms) in any dataset of the warehouse, and the employee names themselves.
pub struct People {
    columns: std::collections::BTreeSet<String>,
    names: std::collections::BTreeSet<String>,
}

impl People {
    pub fn of(wh: &Warehouse) -> Result<People> {
        use crate::schema::Privacy;
        use polars::prelude::*;
        let mut columns = std::collections::BTreeSet::new();
        let mut names = std::collections::BTreeSet::new();
        for (dataset, entry) in &wh.catalog.datasets {
            for c in &entry.columns {
                if c.privacy == Privacy::None {
                    continue;
                }
                columns.insert(c.name.clone());
                if c.privacy == Privacy::Employee {
                    let df = wh
                        .scan(dataset)?
                        .select([col(c.name.as_str()).cast(DataType::String).unique()])
                        .collect()?;
                    names.extend(
                        df.column(&c.name)?
                            .str()?
                            .iter()
                            .flatten()
                            .filter(|v| !v.trim().is_empty())
                            .map(String::from),
                    );
                }
            }
        }
        Ok(People { columns, names })
    }

    /// Sections that list people or cases one by one, or group by a person.
    pub fn refuse_section(&self, s: &Section) -> Result<()> {
        let text = |k: &str| s.keys.get(k).and_then(|v| v.as_str());
        for (option, value) in s.keys.iter().filter(|(k, _)| k.as_str() != "type") {
            // Lists may also be written "wet,consulent", as on the command line.
            let values: Vec<&str> = match value {
                toml::Value::String(v) => v.split(',').map(str::trim).collect(),
                toml::Value::Array(a) => a
                    .iter()
                    .filter_map(|v| v.as_str())
                    .flat_map(|v| v.split(',').map(str::trim))
                    .collect(),
                _ => Vec::new(),
            };
            if let Some(v) = values.iter().find(|v| self.columns.contains(**v)) {
                bail!(
                    "{option} = \"{v}\": figures per employee (or per pseudonymised person) \
                     are for managers; a report with audience = \"raad\" cannot have them"
                );
            }
        }
        if s.keys.contains_key("allow_employee_names") || s.keys.contains_key("show_personal") {
            bail!(
                "allow_employee_names and show_personal are for managers; a report with \
                 audience = \"raad\" cannot have them"
            );
        }
        // A sql section's query is checked column by column when it runs (src/sqlguard/).
        let per_case = match (s.kind.name(), text("section")) {
            ("waitlist", Some("open")) => Some("one row per open case"),
            ("waitlist", Some("survival")) => {
                Some("each day a decision fell, with the number of cases (a Kaplan-Meier table)")
            }
            ("timeline", _) if text("dataset") == Some("inhuur_contracten") => {
                Some("one row per contract, and so per hired person")
            }
            ("inhuur", Some("findings" | "timeline")) => {
                Some("one row per contract, and so per hired person")
            }
            _ => None,
        };
        if let Some(why) = per_case {
            bail!(
                "section = \"{}\" lists {why}; a report with audience = \"raad\" shows figures \
                 over groups (for example section = \"summary\" or \"by\", or \"costs\")",
                text("section").unwrap_or_default()
            );
        }
        Ok(())
    }

    /// Whether a text holds an employee's name: the whole text, or a name of four or more
    /// characters as a word in it ("Jeugd / K. Visser", "K. VISSER").
    fn names_in(&self, text: &str) -> bool {
        let lower = text.to_lowercase();
        self.names.iter().any(|name| {
            let name = name.to_lowercase();
            if lower == name {
                return true;
            }
            name.chars().count() >= 4
                && lower.match_indices(&name).any(|(k, _)| {
                    let before = lower[..k].chars().next_back();
                    let after = lower[k + name.len()..].chars().next();
                    !before.is_some_and(char::is_alphanumeric)
                        && !after.is_some_and(char::is_alphanumeric)
                })
        })
    }

    /// A table with a person's column or an employee's name in it.
    pub fn refuse_table(&self, df: &polars::prelude::DataFrame) -> Result<()> {
        use polars::prelude::*;
        for c in df.columns() {
            if self.columns.contains(c.name().as_str()) {
                bail!(
                    "the table has the column '{}', which holds people; a report with \
                     audience = \"raad\" cannot show it",
                    c.name()
                );
            }
            if c.dtype() == &DataType::String
                && let Some(v) = c.str()?.iter().flatten().find(|v| self.names_in(v))
            {
                bail!(
                    "column '{}' holds an employee's name ('{v}'); a report with \
                     audience = \"raad\" cannot show employee names",
                    c.name()
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn employee_names_inside_values() {
        let people = People {
            columns: Default::default(),
            names: ["K. Visser".to_string(), "Ali".to_string()].into(),
        };
        assert!(people.names_in("K. Visser"));
        assert!(people.names_in("Jeugd / k. visser"));
        // Short names only as the whole value: "Ali" is no driver of "Alie" or "Kalibreren".
        assert!(people.names_in("Ali"));
        assert!(!people.names_in("Jeugd / Ali"));
        assert!(!people.names_in("Visserijweg"));
        assert!(!people.names_in("K. Visserman"));
    }
}
