//! A private PostgreSQL cluster for one test binary: `initdb` into a temporary folder, a free
//! port on 127.0.0.1, its unix socket in the same folder, stopped (`pg_ctl stop`) and removed
//! when the test process exits. Each relay the tests start gets a database of its own, so tests
//! stay independent while sharing the one cluster's start-up cost.
//!
//! PostgreSQL refuses to run as root; as root (a container, CI) the cluster runs as the
//! `postgres` system user that Debian's package creates, via `runuser`, in a folder it owns.
//! The binaries are found in `TANDEM_PG_BIN`, else in Debian's newest
//! `/usr/lib/postgresql/<version>/bin`, else on PATH (`scripts/install-tools.sh --test`
//! installs them).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

/// The one cluster of this test binary, started on first use.
pub fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        let cluster = Cluster::start();
        CLUSTER_ROOT.get_or_init(|| (cluster.root.clone(), cluster.bin.clone(), cluster.as_user));
        // SAFETY: `stop_at_exit` is an `extern "C"` function without arguments, as `atexit`
        // takes; it only runs commands and removes a folder.
        unsafe { libc::atexit(stop_at_exit) };
        cluster
    })
}

/// What `stop_at_exit` needs, apart from the cluster (statics are not dropped at exit).
static CLUSTER_ROOT: OnceLock<(PathBuf, PathBuf, bool)> = OnceLock::new();

extern "C" fn stop_at_exit() {
    if let Some((root, bin, as_user)) = CLUSTER_ROOT.get() {
        let mut stop = pg_command(bin, "pg_ctl", *as_user);
        stop.arg("-D")
            .arg(root.join("data"))
            .args(["-m", "immediate", "-w", "stop"]);
        let _ = stop.output();
        let _ = std::fs::remove_dir_all(root);
    }
}

pub struct Cluster {
    root: PathBuf,
    bin: PathBuf,
    /// Whether commands run as the `postgres` user (the tests run as root).
    as_user: bool,
    pub port: u16,
    /// The database made for each relay data folder, so a relay restarted on the same folder
    /// finds what it stored.
    databases: Mutex<HashMap<PathBuf, String>>,
}

impl Cluster {
    fn start() -> Self {
        let bin = bin_dir();
        let as_user = is_root();
        let root = tempfile::Builder::new()
            .prefix("tandem-pg-")
            .tempdir()
            .expect("a temporary folder for the cluster")
            .keep();
        std::fs::create_dir_all(root.join("socket")).expect("the socket folder");
        if as_user {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&root));
        }
        let mut initdb = pg_command(&bin, "initdb", as_user);
        initdb.arg("-D").arg(root.join("data")).args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ]);
        run(&mut initdb);
        let port = free_port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300",
            root.join("socket").display()
        );
        let mut start = pg_command(&bin, "pg_ctl", as_user);
        start
            .arg("-D")
            .arg(root.join("data"))
            .arg("-l")
            .arg(root.join("log"))
            .args(["-w", "-o", &options, "start"]);
        run(&mut start);
        Cluster {
            root,
            bin,
            as_user,
            port,
            databases: Mutex::new(HashMap::new()),
        }
    }

    /// The URL of the database for relays on `data_dir`, created on first use.
    pub fn database_for(&self, data_dir: &Path) -> String {
        let mut databases = self.databases.lock().unwrap_or_else(|e| e.into_inner());
        let count = databases.len();
        let name = databases
            .entry(data_dir.to_owned())
            .or_insert_with(|| {
                let name = format!("relay_{count}");
                self.psql("postgres", &format!("CREATE DATABASE {name}"));
                name
            })
            .clone();
        self.url(&name)
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Runs `sql` in `database` with psql and returns what it printed (unaligned, tuples only).
    pub fn psql(&self, database: &str, sql: &str) -> Vec<u8> {
        let mut psql = pg_command(&self.bin, "psql", false);
        psql.args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
        ])
        .args([
            "-p",
            &self.port.to_string(),
            "-U",
            "postgres",
            "-d",
            database,
        ])
        .args(["-c", sql]);
        run(&mut psql).stdout
    }

    /// Every byte the relay's database holds, table by table, as binary COPY writes it: what a
    /// test searches for content that must, or must no longer, be stored.
    pub fn contents(&self, url: &str) -> Vec<u8> {
        let database = url.rsplit('/').next().expect("a database in the URL");
        let tables = self.psql(
            database,
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
        );
        let mut all = Vec::new();
        for table in String::from_utf8_lossy(&tables).lines() {
            all.extend(self.psql(database, &format!("COPY {table} TO STDOUT (FORMAT binary)")));
        }
        all
    }
}

/// Whether the relay tests run on PostgreSQL (`TANDEM_TEST_STORE=postgres`) instead of SQLite.
pub fn selected() -> bool {
    std::env::var("TANDEM_TEST_STORE").is_ok_and(|v| v == "postgres")
}

fn is_root() -> bool {
    let out = run(Command::new("id").arg("-u"));
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TANDEM_PG_BIN") {
        return dir.into();
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, bin)) => bin,
        // On PATH: an empty folder joins to the bare name.
        None => PathBuf::new(),
    }
}

/// `name` from the PostgreSQL binaries, run as the `postgres` user when `as_user`.
fn pg_command(bin: &Path, name: &str, as_user: bool) -> Command {
    let program = bin.join(name);
    if as_user {
        let mut cmd = Command::new("runuser");
        // Somewhere the postgres user may be: the tests' own folder may be closed to it.
        cmd.args(["-u", "postgres", "--"])
            .arg(program)
            .current_dir("/");
        cmd
    } else {
        Command::new(program)
    }
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?} ({e}); is PostgreSQL installed?"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}
