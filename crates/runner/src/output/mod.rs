//! Writers: records in, files out. They know nothing of the model: every
//! value comes from a record type of `kubesim_scheduler` (its
//! [`Record::COLUMNS`] are the header), and this module only decides how a
//! [`Field`] is printed.
//!
//! - [`CsvSink`] streams `events.csv` and `metrics.csv` while a run goes;
//! - [`write_table`] writes `pods.csv`, `containers.csv`, `summary.csv`
//!   and `rollouts.csv` from the final records.
//!
//! Everything is written into the run's temporary folder, renamed into
//! place only when the run succeeded ([`folder`]).

pub mod folder;

use crate::progress::Slot;
use kubesim_core::SimTime;
use kubesim_scheduler::{
    EventRecord, EvictionRecord, Field, MetricRecord, OomRecord, Record, RecordSink,
};
use std::fmt::Write as _;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::sync::Arc;

type Csv = csv::Writer<BufWriter<File>>;

fn writer(path: &Path) -> std::io::Result<Csv> {
    Ok(csv::Writer::from_writer(BufWriter::with_capacity(
        1 << 16,
        File::create(path)?,
    )))
}

/// A number as CSV prints it: at most six decimals, no trailing zeros, no
/// `-0`. Deterministic for the same `f64`.
pub fn fmt_f64(v: f64) -> String {
    let mut s = String::new();
    push_f64(&mut s, v);
    s
}

fn push_f64(out: &mut String, v: f64) {
    let start = out.len();
    let _ = write!(out, "{v:.6}");
    if out[start..].contains('.') {
        let trimmed = out[start..]
            .trim_end_matches('0')
            .trim_end_matches('.')
            .len();
        out.truncate(start + trimmed);
    }
    if &out[start..] == "-0" {
        out.truncate(start);
        out.push('0');
    }
}

/// Prints one field into `out` (cleared first). Writing to a `String`
/// cannot fail.
pub fn format_field(field: Field<'_>, out: &mut String) {
    out.clear();
    let _ = match field {
        Field::Str(s) => {
            out.push_str(s);
            Ok(())
        }
        Field::Int(v) => write!(out, "{v}"),
        Field::UInt(v) => write!(out, "{v}"),
        Field::Float(v) => {
            push_f64(out, v);
            Ok(())
        }
        Field::Time(t) => write!(out, "{}", t.display_secs()),
        Field::OptTime(t) => t.map_or(Ok(()), |t| write!(out, "{}", t.display_secs())),
        Field::OptInt(v) => v.map_or(Ok(()), |v| write!(out, "{v}")),
        Field::Object(o) => write!(out, "{o}"),
    };
}

/// Reused buffers for one row.
#[derive(Default)]
struct RowBuf {
    cells: Vec<String>,
}

impl RowBuf {
    fn write<R: Record>(&mut self, w: &mut Csv, r: &R) -> csv::Result<()> {
        if self.cells.len() < R::COLUMNS.len() {
            self.cells.resize(R::COLUMNS.len(), String::new());
        }
        let mut i = 0;
        let cells = &mut self.cells;
        r.for_each_field(&mut |f| {
            format_field(f, &mut cells[i]);
            i += 1;
        });
        debug_assert_eq!(
            i,
            R::COLUMNS.len(),
            "record yields as many fields as columns"
        );
        w.write_record(&self.cells[..i])
    }
}

/// Streaming writer for `events.csv`, `metrics.csv`, `oom.csv` and
/// `evictions.csv`.
pub struct CsvSink {
    events: Csv,
    metrics: Csv,
    oom: Csv,
    evictions: Csv,
    row: RowBuf,
    progress: Option<Arc<Slot>>,
}

impl CsvSink {
    /// Creates `events.csv` and `metrics.csv` in `dir` with their headers.
    pub fn create(dir: &Path) -> csv::Result<Self> {
        let mut events = writer(&dir.join("events.csv"))?;
        events.write_record(EventRecord::COLUMNS)?;
        let mut metrics = writer(&dir.join("metrics.csv"))?;
        metrics.write_record(MetricRecord::COLUMNS)?;
        let mut oom = writer(&dir.join("oom.csv"))?;
        oom.write_record(OomRecord::COLUMNS)?;
        let mut evictions = writer(&dir.join("evictions.csv"))?;
        evictions.write_record(EvictionRecord::COLUMNS)?;
        Ok(CsvSink {
            events,
            metrics,
            oom,
            evictions,
            row: RowBuf::default(),
            progress: None,
        })
    }

    /// Reports the simulated time reached to `slot`.
    pub fn with_progress(mut self, slot: Arc<Slot>) -> Self {
        self.progress = Some(slot);
        self
    }

    /// Flushes both files.
    pub fn finish(mut self) -> csv::Result<()> {
        self.events.flush()?;
        self.metrics.flush()?;
        self.oom.flush()?;
        self.evictions.flush()?;
        Ok(())
    }
}

impl RecordSink for CsvSink {
    type Error = csv::Error;

    fn event(&mut self, r: &EventRecord<'_>) -> csv::Result<()> {
        self.row.write(&mut self.events, r)
    }

    fn metric(&mut self, r: &MetricRecord<'_>) -> csv::Result<()> {
        self.row.write(&mut self.metrics, r)
    }

    fn oom(&mut self, r: &OomRecord<'_>) -> csv::Result<()> {
        self.row.write(&mut self.oom, r)
    }

    fn eviction(&mut self, r: &EvictionRecord<'_>) -> csv::Result<()> {
        self.row.write(&mut self.evictions, r)
    }

    fn progress(&mut self, now: SimTime) -> csv::Result<()> {
        if let Some(s) = &self.progress {
            s.reached(now.as_nanos());
        }
        Ok(())
    }
}

/// Writes `rows` to `path` as CSV, with `R`'s columns as the header.
pub fn write_table<R: Record>(path: &Path, rows: &[R]) -> csv::Result<()> {
    let mut w = writer(path)?;
    w.write_record(R::COLUMNS)?;
    let mut row = RowBuf::default();
    for r in rows {
        row.write(&mut w, r)?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_format() {
        assert_eq!(fmt_f64(11.0), "11");
        assert_eq!(fmt_f64(2.5), "2.5");
        assert_eq!(fmt_f64(1.0 / 3.0), "0.333333");
        assert_eq!(fmt_f64(2.9999999999999996), "3");
        assert_eq!(fmt_f64(-0.0000001), "0");
        assert_eq!(fmt_f64(1e9), "1000000000");
    }

    #[test]
    fn fields_print_as_csv_cells() {
        use kubesim_core::SimTime;
        let mut s = String::new();
        format_field(Field::Time(SimTime::from_millis(12_345)), &mut s);
        assert_eq!(s, "12.345");
        format_field(Field::OptTime(None), &mut s);
        assert_eq!(s, "");
        format_field(Field::OptInt(Some(-1)), &mut s);
        assert_eq!(s, "-1");
    }
}
