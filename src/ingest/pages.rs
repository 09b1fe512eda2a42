//! The staging Parquet files, written through polars' Parquet crate with the encodings chosen
//! here. polars' own writer asks, for every text and fractional-number column of every batch,
//! whether a dictionary pays: it estimates the number of distinct values (a HyperLogLog over
//! every value) and then builds the dictionary with a general hash map, which for fractional
//! numbers it cannot (it writes them plain). Here a text column is asked once, at the file's
//! first batch of more than 128 rows: a column of mostly distinct values (a key, a free-text
//! description) is written plain from then on, without either step, and a column of few
//! values gets its dictionary from [`text_dictionary`], which looks short values up by their
//! view; fractional numbers are written plain straight away. The files are the Parquet that
//! polars writes (the same schema, dictionaries, statistics, compression and pages), byte for
//! byte as long as every batch of a text column falls on the side of polars' rule (at most
//! three of four values distinct) that the first batch fell on: a test compares the two, and
//! the benchmark exports came out the same. Fewer instructions per ingest:
//! docs/performance.md, "Night of 2026-12-04".

use anyhow::Result;
use polars::polars_compute::cardinality::estimate_cardinality;
use polars::prelude::*;
use polars_arrow::array::{
    Array, DictionaryArray, MutableBinaryViewArray, PrimitiveArray, Utf8ViewArray, View,
};
use polars_arrow::datatypes::{ArrowDataType, IntegerType, PhysicalType};
use polars_arrow::types::PrimitiveType as Number;
use polars_parquet::read::ParquetError;
use polars_parquet::write::{
    CompressionOptions, Compressor, DynIter, DynStreamingIterator, Encoding,
    FallibleStreamingIterator, FileWriter, ParquetType, StatisticsOptions, Version, WriteOptions,
    array_to_columns, get_dtype_encoding,
};
use std::collections::HashMap;
use std::io::Write;

/// polars' rule: a dictionary pays when at most three of four values are distinct.
const MOSTLY_DISTINCT: f64 = 0.75;

/// Batches of at most this many rows get a dictionary whatever their values (polars' rule too):
/// too few to tell a key from a category by.
const FEW_ROWS: usize = 128;

/// How a column's pages are encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Choice {
    /// As polars chooses: whole numbers, dates and booleans (a dictionary over the range of the
    /// values, found without hashing, when it pays).
    Polars,
    /// Text not yet seen in a batch of more than [`FEW_ROWS`] rows: the next such batch decides.
    Undecided,
    /// Text with a dictionary per batch (unless a batch is mostly distinct, which then goes
    /// plain, as polars would write it).
    Dictionary,
    /// Text whose first batch was mostly distinct values, and fractional numbers, which
    /// polars cannot make a dictionary of: written plain.
    Plain,
}

/// A Parquet file written a batch (a row group) at a time.
pub(super) struct PagesWriter<W: Write> {
    writer: FileWriter<W>,
    /// The Parquet type of each column, in order.
    fields: Vec<ParquetType>,
    choices: Vec<Choice>,
    options: WriteOptions,
}

impl<W: Write> PagesWriter<W> {
    pub(super) fn new(out: W, schema: &Schema, compression: CompressionOptions) -> Result<Self> {
        let arrow = schema.to_arrow(CompatLevel::newest());
        let choices = arrow
            .iter_values()
            .map(|f| match f.dtype.to_physical_type() {
                PhysicalType::Utf8View => Choice::Undecided,
                PhysicalType::Primitive(Number::Float64 | Number::Float32) => Choice::Plain,
                _ => Choice::Polars,
            })
            .collect();
        let options = WriteOptions {
            statistics: StatisticsOptions::default(),
            version: Version::V1,
            compression,
            data_page_size: None,
        };
        let writer = FileWriter::try_new(out, arrow, options)?;
        Ok(PagesWriter {
            fields: writer.parquet_schema().fields().to_vec(),
            writer,
            choices,
            options,
        })
    }

    /// Writes the frame's rows, a row group per chunk.
    pub(super) fn write(&mut self, df: &DataFrame) -> Result<()> {
        for batch in df.iter_chunks(CompatLevel::newest(), false) {
            let rows = batch.len();
            if rows == 0 {
                continue;
            }
            let mut columns = Vec::with_capacity(self.fields.len());
            for ((array, field), choice) in batch
                .columns()
                .iter()
                .zip(&self.fields)
                .zip(&mut self.choices)
            {
                let (array, encoding) = array_and_encoding(array.as_ref(), choice);
                for pages in
                    array_to_columns(array.as_ref(), field.clone(), self.options, &encoding)?
                {
                    let pages = pages.map(|page| {
                        page.map_err(|e| ParquetError::FeatureNotSupported(e.to_string()))
                    });
                    let compressed =
                        Compressor::new_from_vec(pages, self.options.compression, Vec::new());
                    columns.push(Ok(DynStreamingIterator::new(
                        compressed.map_err(PolarsError::from),
                    )));
                }
            }
            self.writer
                .write(rows as u64, DynIter::new(columns.into_iter()))?;
        }
        Ok(())
    }

    /// Writes the footer (with the Arrow schema, as polars does).
    pub(super) fn finish(&mut self) -> Result<u64> {
        Ok(self.writer.end(None)?)
    }
}

/// The array to write and its encoding, deciding a text column at its first batch of more than
/// [`FEW_ROWS`] rows as polars decides every batch (an estimate of its distinct values).
fn array_and_encoding(array: &dyn Array, choice: &mut Choice) -> (Box<dyn Array>, Vec<Encoding>) {
    let polars = || (array.to_boxed(), get_dtype_encoding(array.dtype()));
    let plain = || (array.to_boxed(), vec![Encoding::Plain]);
    let mostly_distinct = |distinct: usize| {
        array.len() > FEW_ROWS && distinct as f64 / array.len() as f64 > MOSTLY_DISTINCT
    };
    if *choice == Choice::Undecided && array.len() > FEW_ROWS {
        *choice = match mostly_distinct(estimate_cardinality(array)) {
            true => Choice::Plain,
            false => Choice::Dictionary,
        };
    }
    match *choice {
        Choice::Polars => polars(),
        Choice::Plain => plain(),
        // Undecided: a batch of few rows, which gets a dictionary as it would from polars.
        Choice::Dictionary | Choice::Undecided => {
            let text = array.as_any().downcast_ref::<Utf8ViewArray>();
            let Some(dictionary) = text.and_then(text_dictionary) else {
                *choice = Choice::Polars;
                return polars();
            };
            match mostly_distinct(dictionary.values().len()) {
                true => plain(),
                false => (dictionary.boxed(), vec![Encoding::RleDictionary]),
            }
        }
    }
}

/// A text column as a dictionary, values in the order they first come, as polars' cast makes
/// it (whose general hashing of every value was 5% of an ingest's instructions): a value of at
/// most 12 bytes is held whole in its 16-byte view (length, bytes, zeros), so the view itself
/// is the key; a longer one is looked up by its text. When every value is missing (a column
/// the export does not have, which polars' cast took 1.4% of a narrow ingest's instructions
/// over), no values and every key missing, as the cast gives too.
fn text_dictionary(array: &Utf8ViewArray) -> Option<DictionaryArray<u32>> {
    let dtype = ArrowDataType::Dictionary(
        IntegerType::UInt32,
        Box::new(ArrowDataType::Utf8View),
        false,
    );
    if array.null_count() == array.len() {
        let keys = PrimitiveArray::new_null(ArrowDataType::UInt32, array.len());
        let values = Utf8ViewArray::new_empty(ArrowDataType::Utf8View);
        return DictionaryArray::try_new(dtype, keys, values.boxed()).ok();
    }
    let state = foldhash::fast::RandomState::default();
    let mut short: HashMap<u128, u32, _> = HashMap::with_hasher(state.clone());
    let mut long: HashMap<&str, u32, _> = HashMap::with_hasher(state);
    let mut values = MutableBinaryViewArray::<str>::new();
    let mut codes = Vec::with_capacity(array.len());
    let code_of = |value: &str, values: &mut MutableBinaryViewArray<str>| {
        let code = u32::try_from(values.len()).ok()?;
        values.push_value(value);
        Some(code)
    };
    for (i, view) in array.views().iter().enumerate() {
        let code = if !array.is_valid(i) {
            0
        } else if view.length <= View::MAX_INLINE_SIZE {
            match short.get(&view.as_u128()) {
                Some(&code) => code,
                None => {
                    let code = code_of(array.value(i), &mut values)?;
                    short.insert(view.as_u128(), code);
                    code
                }
            }
        } else {
            let value = array.value(i);
            match long.get(value) {
                Some(&code) => code,
                None => {
                    let code = code_of(value, &mut values)?;
                    long.insert(value, code);
                    code
                }
            }
        };
        codes.push(code);
    }
    let keys = PrimitiveArray::new(
        ArrowDataType::UInt32,
        codes.into(),
        // No bitmap when nothing is missing, as from polars' cast (the levels are written
        // differently with one).
        array.validity().filter(|_| array.null_count() > 0).cloned(),
    );
    let values: Utf8ViewArray = values.into();
    DictionaryArray::try_new(dtype, keys, values.boxed()).ok()
}

#[cfg(test)]
mod tests {
    use super::PagesWriter;
    use polars::prelude::*;
    use polars_arrow::array::{Array, Utf8ViewArray};
    use std::io::Cursor;

    /// `rows` rows from `from` on: a key of its own per row, a category of five, a coordinate
    /// per row, a whole number, a date; `cat_distinct` makes the category distinct per row and
    /// `note_same` gives every row the same note (otherwise one per row); a text column the export
    /// did not have (all missing), an amount of three values, and a yes/no with missing ones.
    fn batch(from: i32, rows: i32, cat_distinct: bool, note_same: bool) -> DataFrame {
        let range = from..from + rows;
        let key: Vec<String> = range.clone().map(|i| format!("M-{i:08}")).collect();
        let cat: Vec<String> = range
            .clone()
            .map(|i| match cat_distinct {
                true => format!("Categorie {i}"),
                false => ["Café-overlast", "Groen", "Wegen", "Riolering", "Één"][(i % 5) as usize]
                    .to_string(),
            })
            .collect();
        let note: Vec<Option<String>> = range
            .clone()
            .map(|i| match (note_same, i % 7) {
                (_, 0) => None,
                (true, _) => Some("zie bijlage".to_string()),
                (false, _) => Some(format!("losse tegel bij nummer {i}")),
            })
            .collect();
        let x: Vec<f64> = range
            .clone()
            .map(|i| 200_000.0 + f64::from(i) / 8.0)
            .collect();
        let n: Vec<i64> = range.clone().map(i64::from).collect();
        let d: Vec<i32> = range.clone().map(|i| 19_000 + i % 400).collect();
        let leeg = vec![None::<String>; rows as usize];
        let bedrag: Vec<f64> = range.clone().map(|i| f64::from(i % 3) * 12.5).collect();
        let open: Vec<Option<bool>> = range.map(|i| (i % 5 != 0).then_some(i % 2 == 0)).collect();
        df!("key" => key, "cat" => cat, "note" => note, "x" => x, "n" => n, "d" => d,
            "leeg" => leeg, "bedrag" => bedrag, "open" => open)
        .unwrap()
        .lazy()
        .with_column(col("d").cast(DataType::Date))
        .collect()
        .unwrap()
    }

    /// Whether each column of each row group has a dictionary page.
    fn dictionaries(bytes: &[u8]) -> Vec<Vec<bool>> {
        let meta = polars_parquet::read::read_metadata(&mut Cursor::new(bytes)).unwrap();
        meta.row_groups
            .iter()
            .map(|rg| {
                rg.parquet_columns()
                    .iter()
                    .map(|c| c.dictionary_page_offset().is_some())
                    .collect()
            })
            .collect()
    }

    /// The dictionary's values, and the text of each key (missing where the key is).
    fn decoded(array: &Utf8ViewArray) -> (Vec<String>, Vec<Option<String>>) {
        let dictionary = super::text_dictionary(array).unwrap();
        let values = dictionary.values().as_any().downcast_ref::<Utf8ViewArray>();
        let distinct: Vec<String> = values.unwrap().values_iter().map(String::from).collect();
        let back = dictionary
            .keys()
            .iter()
            .map(|k| k.map(|k| distinct[*k as usize].clone()))
            .collect();
        (distinct, back)
    }

    /// Every value comes back from the dictionary, which holds each distinct value once in the
    /// order it first came: short values (in their view), long ones, the empty text, missing
    /// values, and a value of exactly 12 and 13 bytes (the edge of a view).
    #[test]
    fn the_dictionary_gives_every_value_back() {
        let texts = [
            Some("Groen"),
            Some("Café-overlast en meer"),
            None,
            Some(""),
            Some("Groen"),
            Some("twaalf bytes"),
            Some("dertien bytes"),
            Some("Café-overlast en meer"),
            None,
            Some("twaalf bytes"),
            Some(""),
            Some("dertien bytes"),
        ];
        let array = Utf8ViewArray::from_slice(texts);
        let owned: Vec<Option<String>> = texts.iter().map(|t| t.map(String::from)).collect();
        let (distinct, back) = decoded(&array);
        let first = [
            "Groen",
            "Café-overlast en meer",
            "",
            "twaalf bytes",
            "dertien bytes",
        ];
        assert_eq!(
            (distinct, back),
            (first.map(String::from).to_vec(), owned.clone())
        );
        // A slice (views and missing values counted from its start).
        let (distinct, back) = decoded(&array.clone().sliced(2, 6));
        let first = [
            "",
            "Groen",
            "twaalf bytes",
            "dertien bytes",
            "Café-overlast en meer",
        ];
        assert_eq!(
            (distinct, back),
            (first.map(String::from).to_vec(), owned[2..8].to_vec())
        );
        let missing = super::text_dictionary(&Utf8ViewArray::from_slice([None::<&str>; 3]));
        let missing = missing.unwrap();
        assert_eq!(
            (missing.len(), missing.null_count(), missing.values().len()),
            (3, 3, 0)
        );
    }

    /// Written as polars' own writer writes them, byte for byte: frames of the shapes of an
    /// export (a key, categories, free text with missing values, coordinates, amounts, numbers,
    /// dates, yes/no, a column the export did not have). The first frame has too few rows to
    /// decide by, the second is a slice (as a file's share of a batch is), the third is two
    /// chunks (two row groups).
    #[test]
    fn the_file_is_the_one_polars_writes() {
        let mut two = batch(1_700, 400, false, false);
        two.vstack_mut(&batch(2_100, 300, false, false)).unwrap();
        let batches = [
            batch(0, 100, false, false),
            batch(100, 2_000, false, false).slice(300, 1_000),
            two,
        ];
        let schema = batches[0].schema().clone();
        let mut ours = Vec::new();
        let mut w =
            PagesWriter::new(&mut ours, &schema, crate::warehouse::compression().into()).unwrap();
        let mut theirs = Vec::new();
        let mut p = ParquetWriter::new(&mut theirs)
            .with_compression(crate::warehouse::compression())
            .batched(&schema)
            .unwrap();
        for b in &batches {
            w.write(b).unwrap();
            p.write_batch(b).unwrap();
        }
        w.finish().unwrap();
        p.finish().unwrap();
        // key, cat, note, x, n, d, leeg, bedrag, open: the first batch's 100 keys and notes
        // too few to tell, the rest plain.
        let decided = vec![false, true, false, false, true, true, true, false, false];
        let mut first = decided.clone();
        (first[0], first[2]) = (true, true);
        assert_eq!(
            dictionaries(&ours),
            [vec![first], vec![decided; 3]].concat()
        );
        assert!(
            ours == theirs,
            "{} bytes against {}",
            ours.len(),
            theirs.len()
        );
    }

    /// The rows read back are the rows written; a column mostly distinct in the file's first
    /// batch (key, note, coordinate) is written plain from then on, the category with a
    /// dictionary unless a batch's categories are mostly distinct; whole numbers and dates as
    /// polars chooses (here a dictionary over their range, which it finds without hashing).
    #[test]
    fn rows_come_back_and_the_first_batch_chooses_the_encoding() {
        let batches = [
            batch(0, 1_000, false, false),
            batch(1_000, 1_000, true, true),
            batch(2_000, 50, false, true),
        ];
        let mut out = Vec::new();
        let mut w = PagesWriter::new(
            &mut out,
            batches[0].schema(),
            crate::warehouse::compression().into(),
        )
        .unwrap();
        for b in &batches {
            w.write(b).unwrap();
        }
        w.finish().unwrap();
        let back = ParquetReader::new(Cursor::new(&out)).finish().unwrap();
        let mut all = batches[0].clone();
        all.vstack_mut(&batches[1]).unwrap();
        all.vstack_mut(&batches[2]).unwrap();
        assert!(back.equals_missing(&all), "{back}\n{all}");
        // key, cat, note, x, n, d, leeg, bedrag, open
        assert_eq!(
            dictionaries(&out),
            vec![
                vec![false, true, false, false, true, true, true, false, false],
                vec![false, false, false, false, true, true, true, false, false],
                vec![false, true, false, false, true, true, true, false, false],
            ]
        );
    }
}
