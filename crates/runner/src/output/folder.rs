//! Output folders: never half-written, never someone else's.
//!
//! A run writes into a temporary folder beside its destination
//! (`OUT/.kubesim-tmp-<hash>-<pid>`, a name that always fits whatever the
//! scenario's name) and renames it to `OUT/<name>` only when every file is
//! complete. The last file written is a marker (`.kubesim-output`), so a
//! folder kubesim wrote can be told from anything else: an existing
//! `OUT/<name>` is replaced only if it carries the marker, and kubesim
//! refuses to touch a folder without one.
//!
//! Two kubesim processes writing the same `OUT/<name>` at once would mix
//! their files; each run therefore holds an exclusive lock
//! (`OUT/.kubesim-lock-<hash>`, an OS file lock released even when the
//! process is killed) for as long as it works on that name, and the second
//! one gives up saying so.
//!
//! Temporary folders of runs interrupted by SIGINT or SIGTERM are removed
//! by the signal handler (see [`register_interrupt_cleanup`]); those of a
//! process that was killed outright (SIGKILL) are removed by the next run
//! that writes to the same `OUT`, once their lock is free.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file that marks a folder as kubesim's output (written last).
pub const MARKER: &str = ".kubesim-output";
const TMP_PREFIX: &str = ".kubesim-tmp-";
const LOCK_PREFIX: &str = ".kubesim-lock-";

/// Why an output folder could not be used. `Refused` cases are the user's
/// to fix (exit code 2); the others are I/O failures.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    /// The destination exists and kubesim did not write it.
    #[error("{} exists and was not written by kubesim (no {MARKER} marker): kubesim never replaces it; move it away or choose another --out", .0.display())]
    NotOurs(PathBuf),
    /// `--out` names something that is not a directory.
    #[error("--out {} exists and is not a directory", .0.display())]
    OutNotDir(PathBuf),
    /// Another kubesim process is writing the same destination.
    #[error("{} is being written by another kubesim run right now; this run was skipped (run again when it has finished)", .0.display())]
    Busy(PathBuf),
    /// A file-system operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// Where.
        path: PathBuf,
        /// What.
        #[source]
        source: std::io::Error,
    },
}

impl FolderError {
    /// Whether this is bad input (exit code 2) rather than a failure.
    pub fn is_refusal(&self) -> bool {
        matches!(self, FolderError::NotOurs(_) | FolderError::OutNotDir(_))
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FolderError + '_ {
    move |source| FolderError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// 16 hex digits of FNV-1a of the scenario name: short, stable, and the
/// same in every process.
fn name_hash(name: &str) -> String {
    format!("{:016x}", kubesim_core::fnv1a_64(name.as_bytes()))
}

/// Creates `out` if needed; refuses a path that exists and is not a
/// directory.
pub fn prepare_out_dir(out: &Path) -> Result<(), FolderError> {
    if out.exists() && !out.is_dir() {
        return Err(FolderError::OutNotDir(out.to_path_buf()));
    }
    std::fs::create_dir_all(out).map_err(io(out))
}

/// Checks, before any run starts, that `OUT/<name>` is either absent or
/// kubesim's own output.
pub fn check_destination(out: &Path, name: &str) -> Result<(), FolderError> {
    let dest = out.join(name);
    match std::fs::symlink_metadata(&dest) {
        Err(_) => Ok(()),
        Ok(m) if m.is_dir() && dest.join(MARKER).is_file() => Ok(()),
        Ok(_) => Err(FolderError::NotOurs(dest)),
    }
}

/// Removes temporary folders left in `out` by kubesim processes that were
/// killed: those whose name lock nobody holds.
pub fn clean_leftovers(out: &Path) {
    let Ok(entries) = std::fs::read_dir(out) else {
        return;
    };
    for e in entries.flatten() {
        let file_name = e.file_name();
        let Some(name) = file_name.to_str() else {
            continue;
        };
        if let Some(hash) = name.strip_prefix(LOCK_PREFIX) {
            // A lock nobody holds: taking and dropping it removes the file.
            let _ = NameLock::try_acquire(out, hash);
            continue;
        }
        let Some(rest) = name.strip_prefix(TMP_PREFIX) else {
            continue;
        };
        let Some((hash, _pid)) = rest.split_once('-') else {
            continue;
        };
        if let Ok(Some(lock)) = NameLock::try_acquire(out, hash) {
            let _ = std::fs::remove_dir_all(e.path());
            drop(lock);
        }
    }
}

/// An exclusive lock on one destination name in `out`.
#[derive(Debug)]
struct NameLock {
    path: PathBuf,
    _file: File,
}

impl NameLock {
    /// Takes the lock, or `None` if another process holds it.
    fn try_acquire(out: &Path, hash: &str) -> Result<Option<NameLock>, FolderError> {
        let path = out.join(format!("{LOCK_PREFIX}{hash}"));
        loop {
            let file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(io(&path))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => return Ok(None),
                Err(TryLockError::Error(e)) => return Err(io(&path)(e)),
            }
            // The holder before us may have removed the file after we
            // opened it: then our lock is on a dead inode; try again.
            if same_file(&file, &path) {
                active_locks().push(path.clone());
                return Ok(Some(NameLock { path, _file: file }));
            }
        }
    }
}

impl Drop for NameLock {
    fn drop(&mut self) {
        // Removed while still held, so nobody can lock the old inode and
        // believe it current (see `same_file`).
        let _ = std::fs::remove_file(&self.path);
        active_locks().retain(|p| *p != self.path);
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

/// Temporary folders of runs in progress, for the interrupt handler.
static ACTIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn active() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Lock files held by runs in progress (removed on interrupt too).
static ACTIVE_LOCKS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn active_locks() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    ACTIVE_LOCKS.lock().unwrap_or_else(|e| e.into_inner())
}

/// On SIGINT or SIGTERM: remove the temporary folders of every run in
/// progress, say so, and exit with 130. Call once, early in `main`.
pub fn register_interrupt_cleanup() {
    let _ = ctrlc::set_handler(|| {
        let dirs: Vec<PathBuf> = active().clone();
        let locks: Vec<PathBuf> = active_locks().clone();
        for d in &dirs {
            // A worker may still be creating files: retry a few times.
            for _ in 0..50 {
                if std::fs::remove_dir_all(d).is_ok() || !d.exists() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
        for l in &locks {
            let _ = std::fs::remove_file(l);
        }
        crate::say(format_args!(
            "interrupted: removed {} unfinished output folder(s); nothing was written",
            dirs.len()
        ));
        std::process::exit(130);
    });
}

/// A run's output in the making: a temporary folder, committed by renaming.
#[derive(Debug)]
pub struct Staging {
    tmp: PathBuf,
    dest: PathBuf,
    lock: Option<NameLock>,
    committed: bool,
}

impl Staging {
    /// Locks `OUT/<name>` for this process and creates the temporary
    /// folder to write into.
    pub fn begin(out: &Path, name: &str) -> Result<Staging, FolderError> {
        let dest = out.join(name);
        let hash = name_hash(name);
        let lock =
            NameLock::try_acquire(out, &hash)?.ok_or_else(|| FolderError::Busy(dest.clone()))?;
        check_destination(out, name)?;
        let tmp = out.join(format!("{TMP_PREFIX}{hash}-{}", std::process::id()));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
        }
        active().push(tmp.clone());
        std::fs::create_dir(&tmp).map_err(io(&tmp))?;
        Ok(Staging {
            tmp,
            dest,
            lock: Some(lock),
            committed: false,
        })
    }

    /// The folder to write the run's files into.
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    /// Where the output will be.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Marks the output complete and moves it into place, replacing an
    /// earlier output of kubesim's (and nothing else).
    pub fn commit(mut self) -> Result<PathBuf, FolderError> {
        let marker = self.tmp.join(MARKER);
        std::fs::write(&marker, "written by kubesim; safe for kubesim to replace\n")
            .map_err(io(&marker))?;
        match std::fs::symlink_metadata(&self.dest) {
            Err(_) => {}
            Ok(m) if m.is_dir() && self.dest.join(MARKER).is_file() => {
                std::fs::remove_dir_all(&self.dest).map_err(io(&self.dest))?;
            }
            Ok(_) => return Err(FolderError::NotOurs(self.dest.clone())),
        }
        std::fs::rename(&self.tmp, &self.dest).map_err(io(&self.dest))?;
        self.committed = true;
        active().retain(|p| *p != self.tmp);
        self.lock.take();
        Ok(self.dest.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
            active().retain(|p| *p != self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_folder_it_did_not_write() {
        let out = tempfile::tempdir().unwrap();
        let theirs = out.path().join("inputs");
        std::fs::create_dir(&theirs).unwrap();
        std::fs::write(theirs.join("precious.yaml"), "x").unwrap();
        let err = Staging::begin(out.path(), "inputs").unwrap_err();
        assert!(matches!(err, FolderError::NotOurs(_)), "{err}");
        assert!(theirs.join("precious.yaml").is_file());
    }

    #[test]
    fn replaces_its_own_output_and_cleans_up() {
        let out = tempfile::tempdir().unwrap();
        for round in 0..2 {
            let s = Staging::begin(out.path(), "a").unwrap();
            std::fs::write(s.dir().join("x.csv"), format!("{round}")).unwrap();
            s.commit().unwrap();
        }
        let dest = out.path().join("a");
        assert_eq!(std::fs::read_to_string(dest.join("x.csv")).unwrap(), "1");
        assert!(dest.join(MARKER).is_file());
        let names: Vec<String> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a"], "no temporary or lock files left");
    }

    #[test]
    fn a_second_writer_of_the_same_name_is_refused() {
        let out = tempfile::tempdir().unwrap();
        let first = Staging::begin(out.path(), "a").unwrap();
        let second = Staging::begin(out.path(), "a").unwrap_err();
        assert!(matches!(second, FolderError::Busy(_)));
        drop(first);
        assert!(Staging::begin(out.path(), "a").is_ok());
    }

    #[test]
    fn dropped_staging_leaves_nothing() {
        let out = tempfile::tempdir().unwrap();
        let s = Staging::begin(out.path(), &"n".repeat(253)).unwrap();
        std::fs::write(s.dir().join("x"), "1").unwrap();
        drop(s);
        assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
    }

    #[test]
    fn leftovers_of_dead_runs_are_removed() {
        let out = tempfile::tempdir().unwrap();
        let dead = out
            .path()
            .join(format!("{TMP_PREFIX}{}-999999", name_hash("x")));
        std::fs::create_dir(&dead).unwrap();
        std::fs::write(dead.join("metrics.csv"), "partial").unwrap();
        clean_leftovers(out.path());
        assert!(!dead.exists());
    }
}
