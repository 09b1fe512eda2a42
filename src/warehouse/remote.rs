//! A warehouse in object storage: `--warehouse s3://bucket/path` (Amazon S3 or a store that
//! speaks it), `az://container/path` or `abfss://container@account.dfs.core.windows.net/path`
//! (Azure Blob Storage, ADLS Gen2, OneLake), with credentials from the usual environment
//! variables (`AWS_*`, `AZURE_*`; docs/platform.md).
//!
//! delta-rs reads and commits the tables in the storage itself (its commits are conditional
//! writes: of two writers of one version, one fails and changes nothing). polars reads and
//! writes local files, so the run works in a local working folder that stands for the
//! warehouse: the Parquet files it writes are uploaded just before the commit that adds them,
//! the files it reads are downloaded the first time they are read, and the folder is removed
//! when the run ends. Data files are never changed once written, so a downloaded file is the
//! file in the storage.

use anyhow::{Context, Result, bail};
use deltalake_core::DeltaResult;
use deltalake_core::logstore::{
    LogStore, LogStoreFactory, ObjectStoreFactory, ObjectStoreRef, StorageConfig, default_logstore,
    logstore_factories, object_store_factories,
};
use futures::{StreamExt, TryStreamExt};
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, UpdateVersion};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use url::Url;

/// The address schemes of object storage (`file://` reaches a folder the way object storage
/// is reached: what the tests use).
const SCHEMES: &[&str] = &["s3", "s3a", "az", "azure", "abfs", "abfss", "file"];

/// Files at the top of the warehouse that a run reads: the marker, the audit log and the
/// catalog of a format-1 warehouse (refused, with the advice to migrate).
const TOP_FILES: &[&str] = &[
    super::MARKER_FILE,
    super::AUDIT_FILE,
    super::catalog::FILE_NAME,
];

/// How many files go up or down at once.
const PARALLEL: usize = 4;

struct Remote {
    /// The warehouse's address, ending in `/`.
    url: Url,
    /// The store at the root of the bucket or container.
    store: Arc<dyn ObjectStore>,
    /// The warehouse's place in the store.
    prefix: Key,
    /// The local working folder that stands for the warehouse.
    work: PathBuf,
    /// This run's tag in the names of the files it writes (`-` and eight hex digits).
    tag: String,
    /// Files of the working folder known to be in the storage (downloaded, or uploaded by
    /// this run): not uploaded again.
    stored: Mutex<HashSet<PathBuf>>,
    /// The version of the audit log read at the start: the log is replaced only if no other
    /// run changed it since.
    audit: Mutex<Option<UpdateVersion>>,
}

static REMOTE: OnceLock<Remote> = OnceLock::new();

/// Whether `--warehouse` is an object-storage address rather than a folder.
pub fn is_address(text: &str) -> bool {
    text.split_once("://")
        .is_some_and(|(scheme, _)| SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()))
}

/// Keeps the working folder of an object-storage warehouse; removes it when dropped.
pub struct Attached {
    _work: tempfile::TempDir,
}

/// Connects to the warehouse at `address` and makes the local working folder that the run
/// uses as the warehouse (returned). One warehouse per run.
pub fn attach(address: &str) -> Result<(PathBuf, Attached)> {
    let mut url = Url::parse(address)
        .with_context(|| format!("'{address}' is not an object-storage address"))?;
    if url.scheme() == "file"
        && url
            .host_str()
            .is_some_and(|h| !h.is_empty() && h != "localhost")
    {
        bail!("'{address}': a file:// address has no server name; write file:///path/to/folder");
    }
    if !url.path().ends_with('/') {
        url.set_path(&format!("{}/", url.path()));
    }
    let (store, prefix) = connect(&url).with_context(|| {
        format!(
            "cannot reach the warehouse {address}; check the address and the credentials in \
             the environment (docs/platform.md)"
        )
    })?;
    if url.scheme() != "file" {
        register(url.scheme(), store.clone())?;
    }
    let work = tempfile::Builder::new()
        .prefix("datastroom-warehouse-")
        .tempdir()
        .context("cannot make a working folder for the warehouse in object storage")?;
    let remote = Remote {
        url,
        store,
        prefix,
        work: std::path::absolute(work.path())?,
        tag: run_tag(),
        stored: Mutex::new(HashSet::new()),
        audit: Mutex::new(None),
    };
    remote
        .fetch_top()
        .with_context(|| format!("reading the warehouse {address}"))?;
    let path = remote.work.clone();
    if REMOTE.set(remote).is_err() {
        bail!("one object-storage warehouse per run");
    }
    Ok((path, Attached { _work: work }))
}

/// Writers of object storage share no lock, so two runs may take the same ingest number:
/// the files each writes carry a tag of its own (`part-000012-0000-3f9a61c2.parquet`), and an
/// upload never replaces an object ([`upload`]). Empty for a warehouse on disk, whose lock
/// gives every run its own number.
pub fn file_tag() -> &'static str {
    REMOTE.get().map_or("", |r| r.tag.as_str())
}

/// Eight hex digits from the process id and the clock, through the standard library's
/// randomly keyed hasher.
fn run_tag() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    format!("-{:08x}", h.finish() as u32)
}

/// The store of a bucket or container, from the address and the environment, and the
/// warehouse's place in it.
fn connect(url: &Url) -> Result<(Arc<dyn ObjectStore>, Key)> {
    use object_store::aws::AmazonS3Builder;
    use object_store::azure::MicrosoftAzureBuilder;
    let prefix = Key::from_url_path(url.path())?;
    let store: Arc<dyn ObjectStore> = match url.scheme() {
        "s3" | "s3a" => Arc::new(AmazonS3Builder::from_env().with_url(url.as_str()).build()?),
        "file" => Arc::new(object_store::local::LocalFileSystem::new()),
        _ => Arc::new(
            MicrosoftAzureBuilder::from_env()
                .with_url(url.as_str())
                .build()?,
        ),
    };
    Ok((store, prefix))
}

/// delta-rs' own crates for S3 and Azure bring a second stack of clients (and, for S3, a
/// DynamoDB lock); the store built here serves its tables instead, with delta-rs' default log
/// store, whose commits are conditional writes (`If-None-Match`).
struct Factory(Arc<dyn ObjectStore>);

impl ObjectStoreFactory for Factory {
    fn parse_url_opts(&self, url: &Url, _: &StorageConfig) -> DeltaResult<(ObjectStoreRef, Key)> {
        Ok((self.0.clone(), Key::from_url_path(url.path())?))
    }
}

impl LogStoreFactory for Factory {
    fn with_options(
        &self,
        prefixed: ObjectStoreRef,
        root: ObjectStoreRef,
        location: &Url,
        options: &StorageConfig,
    ) -> DeltaResult<Arc<dyn LogStore>> {
        Ok(default_logstore(prefixed, root, location, options))
    }
}

fn register(scheme: &str, store: Arc<dyn ObjectStore>) -> Result<()> {
    let key = Url::parse(&format!("{scheme}://"))?;
    let factory = Arc::new(Factory(store));
    object_store_factories().insert(key.clone(), factory.clone());
    logstore_factories().insert(key, factory);
    Ok(())
}

impl Remote {
    /// The path of a file or folder of the working folder, relative to the warehouse.
    fn relative(&self, path: &Path) -> Option<Vec<String>> {
        let abs = std::path::absolute(path).ok()?;
        let rel = abs.strip_prefix(&self.work).ok()?;
        Some(
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect(),
        )
    }

    fn is_stored(&self, path: &Path) -> bool {
        let stored = self.stored.lock().unwrap_or_else(|e| e.into_inner());
        stored.contains(path)
    }

    fn remember(&self, path: &Path, stored: bool) {
        let mut set = self.stored.lock().unwrap_or_else(|e| e.into_inner());
        if stored {
            set.insert(path.to_path_buf());
        } else {
            set.remove(path);
        }
    }

    fn key(&self, rel: &[String]) -> Key {
        self.prefix
            .parts()
            .chain(rel.iter().map(|p| p.as_str().into()))
            .collect()
    }

    fn fetch_top(&self) -> Result<()> {
        for name in TOP_FILES {
            let key = self.key(&[(*name).to_string()]);
            match block_on(self.store.get(&key))? {
                Ok(got) => {
                    let version = UpdateVersion {
                        e_tag: got.meta.e_tag.clone(),
                        version: got.meta.version.clone(),
                    };
                    let bytes = block_on(got.bytes())??;
                    std::fs::write(self.work.join(name), &bytes)?;
                    if *name == super::AUDIT_FILE {
                        *self.audit.lock().unwrap_or_else(|e| e.into_inner()) = Some(version);
                    }
                }
                Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

/// The remote warehouse and the path of `path` in it, if `path` is in its working folder.
fn remote_of(path: &Path) -> Option<(&'static Remote, Vec<String>)> {
    let remote = REMOTE.get()?;
    Some((remote, remote.relative(path)?))
}

fn block_on<F: std::future::Future>(future: F) -> Result<F::Output> {
    super::delta::block_on(future)
}

/// How a path of the working folder is shown: as its address in the storage.
pub fn display(path: &Path) -> String {
    match remote_of(path) {
        Some((r, rel)) => format!("{}{}", r.url, rel.join("/")),
        None => path.display().to_string(),
    }
}

/// The address delta-rs takes for a table folder in object storage.
pub fn table_url(dir: &Path) -> Option<Result<Url>> {
    let (remote, rel) = remote_of(dir)?;
    Some(
        remote
            .url
            .join(&format!("{}/", rel.join("/")))
            .map_err(Into::into),
    )
}

/// The folders directly under `dir` in the storage (`None`: `dir` is a local folder).
pub fn folders(dir: &Path) -> Option<Result<Vec<PathBuf>>> {
    let (remote, rel) = remote_of(dir)?;
    let key = remote.key(&rel);
    Some(
        block_on(remote.store.list_with_delimiter(Some(&key))).and_then(|listed| {
            Ok(listed?
                .common_prefixes
                .iter()
                .filter_map(|p| p.filename().map(|n| dir.join(n)))
                .collect())
        }),
    )
}

/// Whether `dir` has a file in the storage under `sub` (`None`: `dir` is a local folder).
pub fn has_files(dir: &Path, sub: &str) -> Option<Result<bool>> {
    let (remote, mut rel) = remote_of(dir)?;
    rel.push(sub.to_string());
    let key = remote.key(&rel);
    Some(
        block_on(async {
            let first = remote.store.list(Some(&key)).next().await;
            Ok(first.transpose()?.is_some())
        })
        .and_then(|r| r),
    )
}

/// The text of a file in the storage (`None`: the file is local).
pub fn read_string(path: &Path) -> Option<Result<String>> {
    let (remote, rel) = remote_of(path)?;
    let key = remote.key(&rel);
    Some(
        block_on(async {
            let bytes = remote.store.get(&key).await?.bytes().await?;
            Ok(String::from_utf8_lossy(&bytes).into_owned())
        })
        .and_then(|r| r),
    )
}

/// Downloads those of `paths` that are in the storage but not yet in the working folder.
pub fn fetch(paths: &[PathBuf]) -> Result<()> {
    let wanted: Vec<_> = paths
        .iter()
        .filter(|p| !p.exists())
        .filter_map(|p| remote_of(p).map(|(r, rel)| (r, r.key(&rel), p)))
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    block_on(
        futures::stream::iter(wanted)
            .map(|(remote, key, path)| async move {
                // Not there: the reader says the file is missing.
                if download(remote, &key, path)
                    .await
                    .with_context(|| format!("downloading {}", display(path)))?
                {
                    remote.remember(path, true);
                }
                anyhow::Ok(())
            })
            .buffer_unordered(PARALLEL)
            .try_collect::<Vec<()>>(),
    )??;
    Ok(())
}

/// Uploads files that this run wrote in the working folder to the storage, and returns
/// those this call uploaded (nothing for a local warehouse). Files already in the storage
/// (downloaded, or uploaded before) are left out. An object of the same name is never
/// replaced: that is an error, and the files this call did upload are removed again.
pub fn upload(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let work: Vec<_> = paths
        .iter()
        .filter_map(|p| remote_of(p).map(|(r, rel)| (r, r.key(&rel), p)))
        .filter(|(r, _, p)| !r.is_stored(p))
        .collect();
    let results = block_on(
        futures::stream::iter(work)
            .map(|(remote, key, path)| async move {
                let put = async {
                    put_file(remote, &key, path)
                        .await
                        .with_context(|| format!("uploading {}", display(path)))?;
                    remote.remember(path, true);
                    Ok::<_, anyhow::Error>(())
                };
                (path.clone(), put.await)
            })
            .buffer_unordered(PARALLEL)
            .collect::<Vec<_>>(),
    )?;
    let (done, failed): (Vec<_>, Vec<_>) = results.into_iter().partition(|(_, r)| r.is_ok());
    let done: Vec<PathBuf> = done.into_iter().map(|(p, _)| p).collect();
    if let Some((_, Err(e))) = failed.into_iter().next() {
        let _ = delete(&done);
        return Err(e);
    }
    Ok(done)
}

/// Files up to 64 MB go up in one request, which never replaces an object; larger ones (a
/// dataset with a bewaartermijn is one file) in parts of [`PART`], streamed from disk. Their
/// names carry the run's tag, so no other run writes that name. The environment variable
/// `DATASTROOM_UPLOAD_PART` lowers the 64 MB, for tests.
fn one_request() -> u64 {
    std::env::var("DATASTROOM_UPLOAD_PART")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64 << 20)
}

const PART: usize = 16 << 20;

async fn put_file(remote: &Remote, key: &Key, path: &Path) -> Result<()> {
    use std::io::Read;
    let size = std::fs::metadata(path)?.len();
    if size <= one_request() {
        let bytes = std::fs::read(path)?;
        let opts = PutOptions::from(PutMode::Create);
        remote
            .store
            .put_opts(key, PutPayload::from(bytes), opts)
            .await?;
        return Ok(());
    }
    let upload = remote.store.put_multipart(key).await?;
    let mut parts = object_store::WriteMultipart::new_with_chunk_size(upload, PART);
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; PART];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        if let Err(e) = parts.wait_for_capacity(2).await {
            let _ = parts.abort().await;
            return Err(e.into());
        }
        parts.write(&buf[..n]);
    }
    parts.finish().await?;
    Ok(())
}

/// Streams an object into a file (through a temporary name, so that a half-written file is
/// never taken for the object); false when the storage has no such object.
async fn download(remote: &Remote, key: &Key, path: &Path) -> Result<bool> {
    use std::io::Write;
    let got = match remote.store.get(key).await {
        Ok(got) => got,
        Err(object_store::Error::NotFound { .. }) => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = crate::fsio::tmp_path(path);
    let mut file = std::fs::File::create(&tmp)?;
    let mut stream = got.into_stream();
    while let Some(chunk) = stream.next().await {
        file.write_all(&chunk?)?;
    }
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)?;
    Ok(true)
}

/// Uploads a file unless the storage has one of that name already (the marker, which
/// another run may have written first).
pub fn upload_if_absent(path: &Path) -> Result<()> {
    let Some((remote, rel)) = remote_of(path) else {
        return Ok(());
    };
    let bytes = std::fs::read(path)?;
    let key = remote.key(&rel);
    let put = remote
        .store
        .put_opts(&key, PutPayload::from(bytes), PutMode::Create.into());
    match block_on(put)? {
        Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => Ok(()),
        Err(e) => Err(e).with_context(|| format!("uploading {}", display(path))),
    }
}

/// Whether `path` is in a warehouse in object storage.
pub fn is_remote(path: &Path) -> bool {
    remote_of(path).is_some()
}

/// Removes files from the storage (uploaded for a commit that did not land).
pub fn delete(paths: &[PathBuf]) -> Result<()> {
    for path in paths {
        if let Some((remote, rel)) = remote_of(path) {
            match block_on(remote.store.delete(&remote.key(&rel)))? {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => remote.remember(path, false),
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}

/// Replaces the audit log in the storage with the working folder's, which has the lines of
/// the storage's log when the run started and this run's below them. Fails, and so shows
/// nothing personal, when another run changed the log since.
pub fn publish_audit(path: &Path) -> Result<()> {
    let Some((remote, rel)) = remote_of(path) else {
        return Ok(());
    };
    let key = remote.key(&rel);
    let bytes = std::fs::read(path)?;
    let mut known = remote.audit.lock().unwrap_or_else(|e| e.into_inner());
    let mode = match known.clone() {
        Some(v) => PutMode::Update(v),
        None => PutMode::Create,
    };
    let payload = PutPayload::from(bytes);
    let put = remote.store.put_opts(&key, payload.clone(), mode.into());
    let done = match block_on(put)? {
        // A folder reached as object storage (file://) cannot replace conditionally: there
        // the log is replaced as it is.
        Err(object_store::Error::NotImplemented { .. }) => {
            block_on(remote.store.put(&key, payload))?
        }
        other => other,
    };
    let done = done.with_context(|| {
        format!(
            "the audit log {} was changed by another run, or cannot be written; run the \
             command again",
            display(path)
        )
    })?;
    *known = Some(UpdateVersion {
        e_tag: done.e_tag,
        version: done.version,
    });
    Ok(())
}
