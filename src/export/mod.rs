//! Export files: the row types, the CSV and JSON writers and the formula
//! guard. The use case that fills them is `app::export`.
//!
//! Each file is written to `<name>.<ext>.partial` and renamed into place
//! only when complete, so an interrupted export never leaves a truncated
//! file that looks finished.

pub mod formula;
pub mod rows;

use rows::ExportRow;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RFC 4180 CSV, UTF-8, a header row, `\n` line ends.
    Csv,
    /// One JSON array per file, one object per line.
    Json,
}

impl Format {
    pub fn parse(raw: &str) -> Option<Format> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }

    /// Where the file for rows of type `R` goes in `dir`.
    pub fn path_for<R: ExportRow>(self, dir: &Path) -> PathBuf {
        dir.join(format!("{}.{}", R::FILE, self.extension()))
    }
}

/// A failure writing an export file.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {source}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

enum Sink {
    Csv(Box<csv::Writer<BufWriter<File>>>),
    Json { out: BufWriter<File>, first: bool },
}

/// Writes the rows of one file, one at a time, in constant memory.
pub struct FileWriter<R> {
    sink: Sink,
    partial: PathBuf,
    path: PathBuf,
    rows: u64,
    row: PhantomData<fn(R)>,
}

fn csv_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl<R: ExportRow> FileWriter<R> {
    /// Starts the file for `R` in `dir` (header or opening bracket written).
    pub fn create(dir: &Path, format: Format) -> Result<Self, WriteError> {
        let path = format.path_for::<R>(dir);
        let partial = path.with_extension(format!("{}.partial", format.extension()));
        let fail = |source| WriteError {
            path: partial.clone(),
            source,
        };
        let out = BufWriter::with_capacity(64 * 1024, File::create(&partial).map_err(fail)?);
        let sink = match format {
            Format::Csv => {
                let mut w = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(out);
                w.write_record(R::COLUMNS).map_err(|e| fail(csv_error(e)))?;
                Sink::Csv(Box::new(w))
            }
            Format::Json => {
                let mut out = out;
                out.write_all(b"[").map_err(fail)?;
                Sink::Json { out, first: true }
            }
        };
        Ok(Self {
            sink,
            partial,
            path,
            rows: 0,
            row: PhantomData,
        })
    }

    pub fn write(&mut self, mut row: R) -> Result<(), WriteError> {
        let result = match &mut self.sink {
            Sink::Csv(w) => {
                row.guard_formulas();
                w.serialize(&row).map_err(csv_error)
            }
            Sink::Json { out, first } => {
                let sep: &[u8] = if *first { b"\n" } else { b",\n" };
                *first = false;
                out.write_all(sep)
                    .and_then(|()| serde_json::to_writer(&mut *out, &row).map_err(io::Error::from))
            }
        };
        result.map_err(|source| WriteError {
            path: self.partial.clone(),
            source,
        })?;
        self.rows += 1;
        Ok(())
    }

    /// Completes the file, moves it into place and returns its path and
    /// number of rows.
    pub fn finish(self) -> Result<(PathBuf, u64), WriteError> {
        let fail = |source| WriteError {
            path: self.partial.clone(),
            source,
        };
        let out = match self.sink {
            Sink::Csv(w) => w.into_inner().map_err(|e| fail(e.into_error()))?,
            Sink::Json { mut out, .. } => {
                out.write_all(b"\n]\n").map_err(fail)?;
                out
            }
        };
        let file = out.into_inner().map_err(|e| fail(e.into_error()))?;
        file.sync_all().map_err(fail)?;
        drop(file);
        std::fs::rename(&self.partial, &self.path).map_err(|source| WriteError {
            path: self.path.clone(),
            source,
        })?;
        Ok((self.path, self.rows))
    }
}
