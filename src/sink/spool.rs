//! The on-disk spool behind the webhook sink: every batch is written here (temp file, fsync,
//! rename, fsync of the directory) before it is sent, and deleted only after a 2xx. A process
//! killed mid-delivery finds its batches here on the next run: duplicates are possible
//! (at-least-once), losses are not.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// One spooled batch.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The `webhook-id` (idempotency key), stable across retries and restarts.
    pub id: String,
    pub path: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Spool {
    dir: PathBuf,
}

const EXT: &str = "batch";

impl Spool {
    pub fn open(dir: &Path) -> std::io::Result<Spool> {
        fs::create_dir_all(dir.join("rejected"))?;
        Ok(Spool { dir: dir.to_owned() })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stores a batch durably. Names sort in creation order: `{ms}-{id}.batch`.
    pub fn put(&self, id: &str, body: &[u8]) -> std::io::Result<Entry> {
        let ms = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
        let path = self.dir.join(format!("{ms:013}-{id}.{EXT}"));
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        tmp.write_all(body)?;
        tmp.as_file().sync_all()?;
        tmp.persist(&path).map_err(|e| e.error)?;
        // The rename is durable only once the directory entry is.
        fs::File::open(&self.dir)?.sync_all()?;
        Ok(Entry { id: id.to_owned(), path })
    }

    /// Batches waiting for delivery, oldest first.
    pub fn pending(&self) -> std::io::Result<Vec<Entry>> {
        let mut out = Vec::new();
        for e in fs::read_dir(&self.dir)? {
            let path = e?.path();
            if path.extension().and_then(|x| x.to_str()) != Some(EXT) {
                continue;
            }
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else { continue };
            let Some((_, id)) = stem.split_once('-') else { continue };
            out.push(Entry { id: id.to_owned(), path: path.clone() });
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    pub fn read(&self, e: &Entry) -> std::io::Result<Vec<u8>> {
        fs::read(&e.path)
    }

    /// Delivered: forget it.
    pub fn remove(&self, e: &Entry) -> std::io::Result<()> {
        fs::remove_file(&e.path)
    }

    /// Refused by the receiver for good (a 4xx): kept aside for a person, never resent.
    pub fn reject(&self, e: &Entry) -> std::io::Result<PathBuf> {
        let to = self.dir.join("rejected").join(e.path.file_name().unwrap_or_default());
        fs::rename(&e.path, &to)?;
        Ok(to)
    }

    /// Applies the caps: batches older than `max_age`, then the oldest beyond `max_bytes`, are
    /// dropped. Returns what was dropped, for a clear warning.
    pub fn enforce_caps(&self, max_bytes: u64, max_age: Duration) -> std::io::Result<Vec<String>> {
        let now = SystemTime::now();
        let mut dropped = Vec::new();
        let mut kept = Vec::new();
        for e in self.pending()? {
            let meta = fs::metadata(&e.path)?;
            let age = meta.modified().ok().and_then(|m| now.duration_since(m).ok()).unwrap_or_default();
            if age > max_age {
                fs::remove_file(&e.path)?;
                dropped.push(format!("{} (older than {}h)", e.id, max_age.as_secs() / 3600));
            } else {
                kept.push((e, meta.len()));
            }
        }
        let mut total: u64 = kept.iter().map(|(_, n)| n).sum();
        for (e, n) in kept {
            if total <= max_bytes {
                break;
            }
            fs::remove_file(&e.path)?;
            total -= n;
            dropped.push(format!("{} (spool over {max_bytes} bytes)", e.id));
        }
        Ok(dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_pending_remove_and_caps() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = Spool::open(dir.path()).expect("open");
        let a = s.put("msg_a", b"{\"a\":1}").expect("put");
        std::thread::sleep(Duration::from_millis(2));
        let b = s.put("msg_b", b"{\"b\":2}").expect("put");
        let p = s.pending().expect("pending");
        assert_eq!(p.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["msg_a", "msg_b"]);
        assert_eq!(s.read(&a).expect("read"), b"{\"a\":1}");
        s.remove(&a).expect("remove");
        s.reject(&b).expect("reject");
        assert!(s.pending().expect("pending").is_empty());
        s.put("msg_c", &[0u8; 100]).expect("put");
        s.put("msg_d", &[0u8; 100]).expect("put");
        let dropped = s.enforce_caps(150, Duration::from_secs(3600)).expect("caps");
        assert_eq!(dropped.len(), 1);
        assert!(dropped[0].starts_with("msg_c"));
    }
}
