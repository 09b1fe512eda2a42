//! A row's fields as text: the row's text once, with where each field ends.

/// The fields of one row: their text one after the other, checked as UTF-8 once for the
/// whole row (csv's `StringRecord` checks every field of a row with other than ASCII on its
/// own: a tenth of the reading of an export with accented text), and where each field ends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    text: String,
    /// Where each field ends in `text`; every end lies between two characters.
    ends: Vec<usize>,
}

/// A row whose bytes are not UTF-8, with the field where that shows.
#[derive(Debug)]
pub struct NotUtf8 {
    /// The 0-based field with the first byte that is not UTF-8.
    pub field: usize,
}

impl Fields {
    /// Room for a row of `bytes` bytes in `fields` fields.
    pub fn with_capacity(bytes: usize, fields: usize) -> Fields {
        Fields {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(fields),
        }
    }

    /// Takes the fields of a record csv read, in place of what this held (its room is kept).
    /// Fails, holding no fields, when the record's bytes are not UTF-8, or a field boundary
    /// splits a character (two fields that are not UTF-8 on their own but are when joined).
    pub fn fill(&mut self, rec: &csv::ByteRecord) -> Result<(), NotUtf8> {
        let filled = self.fill_checked(rec);
        if filled.is_err() {
            self.text.clear();
            self.ends.clear();
        }
        filled
    }

    fn fill_checked(&mut self, rec: &csv::ByteRecord) -> Result<(), NotUtf8> {
        self.text.clear();
        self.ends.clear();
        let bytes = rec.as_slice();
        match simdutf8::compat::from_utf8(bytes) {
            Ok(text) => self.text.push_str(text),
            Err(e) => return Err(NotUtf8::at(rec, e.valid_up_to())),
        }
        let mut end = 0;
        for field in rec {
            end += field.len();
            if !self.text.is_char_boundary(end) {
                // The field that ends inside a character.
                return Err(NotUtf8::at(rec, end - 1));
            }
            self.ends.push(end);
        }
        // The CR of a CRLF line end, which csv leaves at the end of the last field (only a
        // line feed ends a record: `text::reader_builder`). Every value is trimmed, which
        // would take it off too, but not on trimming's fast path.
        if rec.iter().next_back().is_some_and(|f| f.ends_with(b"\r")) {
            self.text.pop();
            if let Some(last) = self.ends.last_mut() {
                *last -= 1;
            }
        }
        Ok(())
    }

    /// The number of fields.
    #[inline]
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Field `i`, if the row has it.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&str> {
        (i < self.len()).then(|| self.field(i))
    }

    /// The fields in order.
    #[inline]
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.field(i))
    }

    /// Field `i < len()`. Every end lies between two characters, at or after the one before
    /// it and within the text (`fill`, `from`): slicing cannot fail, and if it ever did, a
    /// panic (reported as an internal error) is better than an empty value in its place.
    #[inline]
    fn field(&self, i: usize) -> &str {
        let start = i.checked_sub(1).map_or(0, |before| self.ends[before]);
        &self.text[start..self.ends[i]]
    }

    /// Where a row's bytes lie in memory, for a prefetch: a byte in each cache line of the
    /// first [`PREFETCHED`] bytes of its text (and its last byte, when the text is that short),
    /// and the first of its field ends. Only addresses of bytes that are there.
    pub fn addresses(&self) -> impl Iterator<Item = *const u8> + '_ {
        let text = self.text.as_bytes();
        let head = text.len().min(PREFETCHED);
        let last = text
            .len()
            .checked_sub(1)
            .filter(|_| text.len() <= PREFETCHED);
        (0..head)
            .step_by(64)
            .chain(last)
            .filter_map(|i| text.get(i).map(std::ptr::from_ref))
            .chain(self.ends.first().map(|e| std::ptr::from_ref(e).cast()))
    }

    /// The text of all fields one after the other.
    pub fn as_slice(&self) -> &str {
        &self.text
    }
}

/// How much of a row's text [`Fields::addresses`] names: a row of a usual export, not all of a
/// comment of a megabyte.
const PREFETCHED: usize = 256;

impl NotUtf8 {
    /// The field of `rec` that holds byte `at` of its text.
    fn at(rec: &csv::ByteRecord, at: usize) -> NotUtf8 {
        let mut end = 0;
        let field = rec
            .iter()
            .position(|f| {
                end += f.len();
                at < end
            })
            .unwrap_or(0);
        NotUtf8 { field }
    }
}

impl<S: AsRef<str>> From<Vec<S>> for Fields {
    fn from(fields: Vec<S>) -> Fields {
        let mut out =
            Fields::with_capacity(fields.iter().map(|f| f.as_ref().len()).sum(), fields.len());
        for f in &fields {
            out.text.push_str(f.as_ref());
            out.ends.push(out.text.len());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_of_a_record_as_csv_gives_them() {
        let rec = csv::ByteRecord::from(vec!["Café", "", "één; twee", "x"]);
        let mut f = Fields::from(vec!["oud", "langer dan de nieuwe", "a", "b", "c"]);
        f.fill(&rec).unwrap();
        assert_eq!(f.len(), 4);
        assert_eq!(f.iter().collect::<Vec<_>>(), ["Café", "", "één; twee", "x"]);
        assert_eq!((f.get(2), f.get(4)), (Some("één; twee"), None));
        assert_eq!(f.as_slice(), "Cafééén; tweex");
        assert_eq!(f, Fields::from(vec!["Café", "", "één; twee", "x"]));
        // As csv's own record of text gives them, on a record csv parsed (quotes, an empty
        // last field).
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(b';')
            .from_reader("\"a;b\";;Zuïd;\"\"\"x\"\"\";\n".as_bytes());
        let mut rec = csv::ByteRecord::new();
        assert!(reader.read_byte_record(&mut rec).unwrap());
        let text = csv::StringRecord::from_byte_record(rec.clone()).unwrap();
        f.fill(&rec).unwrap();
        assert_eq!(
            f.iter().collect::<Vec<_>>(),
            text.iter().collect::<Vec<_>>()
        );
        assert_eq!(
            f.iter().collect::<Vec<_>>(),
            ["a;b", "", "Zuïd", "\"x\"", ""]
        );
    }

    /// The CR of a CRLF line end is not part of the last value; a CR elsewhere is kept (and
    /// trimmed with its value when that is read).
    #[test]
    fn the_cr_of_a_line_end_is_left_out() {
        let mut reader = crate::source::text::reader_builder(b';').from_reader(
            "a;Café\r\nb;\r\n\r\n\"c\r\";d\r\ne\r;\"f\"\r\ng\r;\n\"h\r\";;\n".as_bytes(),
        );
        let mut rec = csv::ByteRecord::new();
        let mut f = Fields::default();
        let mut rows = Vec::new();
        while reader.read_byte_record(&mut rec).unwrap() {
            f.fill(&rec).unwrap();
            rows.push(f.iter().map(String::from).collect::<Vec<_>>());
        }
        assert_eq!(
            rows,
            [
                vec!["a", "Café"],
                vec!["b", ""],
                vec![""],
                vec!["c\r", "d"],
                vec!["e\r", "f"],
                // A CR before the last delimiter, the last field empty: kept.
                vec!["g\r", ""],
                vec!["h\r", "", ""],
            ]
        );
    }

    /// On records csv parses out of random text of delimiters, quotes, CRs, line feeds and
    /// letters, `fill` gives csv's own fields, the last without one CR at its end, and the
    /// fields make up the row's text.
    #[test]
    fn fields_of_random_records_are_csvs_own() {
        const PIECES: [&str; 6] = ["a", ";", "\"", "\r", "\n", "é"];
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % n
        };
        let (mut f, mut rec) = (Fields::default(), csv::ByteRecord::new());
        for _ in 0..20_000 {
            let text: String = (0..next(16)).map(|_| PIECES[next(PIECES.len())]).collect();
            let mut reader = crate::source::text::reader_builder(b';').from_reader(text.as_bytes());
            while reader.read_byte_record(&mut rec).unwrap() {
                f.fill(&rec).unwrap();
                let mut want: Vec<&[u8]> = rec.iter().collect();
                if let Some(last) = want.last_mut() {
                    *last = last.strip_suffix(b"\r").unwrap_or(last);
                }
                let got: Vec<&[u8]> = f.iter().map(str::as_bytes).collect();
                assert_eq!(got, want, "{text:?}");
                assert_eq!(f.iter().map(str::len).sum::<usize>(), f.as_slice().len());
            }
        }
    }

    #[test]
    fn addresses_reach_every_cache_line_of_a_usual_row() {
        let f = Fields::from(vec!["x".repeat(100), "y".repeat(50)]);
        let base = f.as_slice().as_ptr() as usize;
        let got: Vec<usize> = f.addresses().map(|p| p as usize).collect();
        let ends = f.ends.as_ptr() as usize;
        assert_eq!(got, [base, base + 64, base + 128, base + 149, ends]);
        // A long comment: its first 256 bytes.
        let long = Fields::from(vec!["z".repeat(5000)]);
        let base = long.as_slice().as_ptr() as usize;
        let got: Vec<usize> = long.addresses().map(|p| p as usize).collect();
        let ends = long.ends.as_ptr() as usize;
        assert_eq!(got, [base, base + 64, base + 128, base + 192, ends]);
        // A row without fields has no bytes to name.
        assert_eq!(Fields::default().addresses().count(), 0);
    }

    #[test]
    fn bytes_that_are_not_utf8_name_their_field() {
        // Windows-1252 "é" (0xE9) in the third field.
        let rec = csv::ByteRecord::from(vec![&b"a"[..], b"b", b"caf\xe9"]);
        assert_eq!(Fields::default().fill(&rec).unwrap_err().field, 2);
        // What failed holds no fields (not the row's text without its ends).
        let mut f = Fields::from(vec!["oud"]);
        let split = csv::ByteRecord::from(vec![&b"ok"[..], b"x\xc3", b"\xa9y"]);
        assert_eq!(f.fill(&split).unwrap_err().field, 1);
        assert_eq!(f, Fields::default());
        // "é" in UTF-8 (C3 A9) split over two fields: neither field is UTF-8, the whole is.
        let split = csv::ByteRecord::from(vec![&b"x\xc3"[..], b"\xa9y"]);
        assert_eq!(Fields::default().fill(&split).unwrap_err().field, 0);
    }
}
