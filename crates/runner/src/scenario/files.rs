//! Reading scenario and manifest files, defensively.
//!
//! Only regular files are read (a FIFO would block for ever, a device
//! such as `/dev/zero` never ends), and at most [`MAX_FILE_BYTES`] of
//! them; the check is made on the file's metadata before it is opened,
//! and the read itself stops one byte past the limit in case the file
//! grows meanwhile. A `manifests:` directory stands for its `*.yaml` and
//! `*.yml` files in name order.

use super::error::{file_error, ScenarioError};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest file kubesim reads: 512 MiB. A bigger scenario can be
/// split over several files under `manifests:`.
pub const MAX_FILE_BYTES: u64 = 512 << 20;

/// Reads `path` as UTF-8 text, refusing anything but a regular file of at
/// most [`MAX_FILE_BYTES`].
pub fn read_text(path: &Path) -> Result<String, ScenarioError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| file_error(path, format!("cannot read file: {}", io_reason(&e))))?;
    check_regular(path, &meta)?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big(path, meta.len()));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| file_error(path, format!("cannot read file: {}", io_reason(&e))))?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| file_error(path, format!("cannot read file: {}", io_reason(&e))))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(path, bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        file_error(
            path,
            format!(
                "not a UTF-8 text file (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

fn too_big(path: &Path, len: u64) -> ScenarioError {
    file_error(
        path,
        format!(
            "file is {len} bytes, more than kubesim reads from one file ({MAX_FILE_BYTES} bytes, 512 MiB)"
        ),
    )
    .with_help("split the objects over several files listed under `manifests:`")
}

fn check_regular(path: &Path, meta: &std::fs::Metadata) -> Result<(), ScenarioError> {
    let ft = meta.file_type();
    if ft.is_file() {
        return Ok(());
    }
    let what = if ft.is_dir() {
        "a directory"
    } else {
        special_kind(&ft)
    };
    Err(file_error(
        path,
        format!("not a regular file ({what}): kubesim reads scenarios and manifests from regular files only"),
    ))
}

#[cfg(unix)]
fn special_kind(ft: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_char_device() {
        "a character device"
    } else if ft.is_block_device() {
        "a block device"
    } else if ft.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "not a file"
}

/// The OS's reason without Rust's " (os error 2)" suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_lowercase(),
        None => s,
    }
}

/// What a `manifests:` entry names: the file itself, or a directory's
/// `*.yaml` and `*.yml` files sorted by name.
pub fn manifest_files(path: &Path) -> Result<Vec<PathBuf>, ScenarioError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| file_error(path, format!("cannot read: {}", io_reason(&e))))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path)
        .map_err(|e| file_error(path, format!("cannot read directory: {}", io_reason(&e))))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|f| {
            matches!(f.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
                && std::fs::metadata(f).is_ok_and(|m| m.is_file())
        })
        .collect();
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_and_missing_files_are_refused_without_position() {
        let e = read_text(Path::new("/nonexistent/x.yaml")).unwrap_err();
        assert_eq!(e.line, 0);
        assert!(
            e.message.starts_with("cannot read file: no such file"),
            "{}",
            e.message
        );
        let e = read_text(Path::new("/")).unwrap_err();
        assert!(e.message.contains("a directory"), "{}", e.message);
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_refused() {
        let e = read_text(Path::new("/dev/zero")).unwrap_err();
        assert!(e.message.contains("a character device"), "{}", e.message);
    }
}
