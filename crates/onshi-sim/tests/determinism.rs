//! Same seed, same bytes: a world written twice (once on one thread, once on the default pool) is
//! identical file by file, byte by byte; another seed gives other people.

use std::collections::BTreeMap;
use std::path::Path;

use onshi_sim::{Config, generate, world};

/// Every file under `dir` (names relative to it), with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).expect("read the world's directory") {
        let e = e.expect("a directory entry");
        let name = e.file_name().to_string_lossy().into_owned();
        assert!(e.file_type().expect("file type").is_file(), "{name} is not a file (a spool directory left behind?)");
        out.insert(name, std::fs::read(e.path()).expect("read a file"));
    }
    out
}

/// The first line where two files differ, for the failure message.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let (la, lb) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    for (i, (x, y)) in la.lines().zip(lb.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n  {x}\n  {y}", i + 1);
        }
    }
    format!("lengths {} and {} bytes", a.len(), b.len())
}

/// A world of three chunks (so that the per-day spooling across chunks is exercised) and a quarter of events.
fn config(seed: u64) -> Config {
    let mut cfg = Config::new(5_000, seed);
    cfg.chunk_persons = 2_000;
    cfg.days = 120;
    cfg
}

const FILES: [&str; 9] = [
    "events.jsonl",
    "insurers.csv",
    "members.csv",
    "records.csv",
    "registry.csv",
    "registry_start.csv",
    "summary.json",
    "truth.csv",
    "visits.csv",
];

#[test]
fn the_same_seed_writes_the_same_bytes_whatever_the_threads() {
    let (a, b) = (tempfile::tempdir().expect("tmp"), tempfile::tempdir().expect("tmp"));
    let cfg = config(11);
    let sa = generate(&cfg, a.path()).expect("first world");
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a one-thread pool");
    let sb = one_thread.install(|| generate(&cfg, b.path())).expect("second world");
    assert_eq!(sa, sb);

    let (fa, fb) = (files(a.path()), files(b.path()));
    assert_eq!(fa.keys().map(String::as_str).collect::<Vec<_>>(), FILES, "the files of a world");
    for (name, bytes) in &fa {
        let other = &fb[name];
        assert!(bytes == other, "{name} differs: {}", first_difference(bytes, other));
    }
    // not trivially equal: every file has rows beyond its header
    for name in FILES {
        let lines = fa[name].iter().filter(|&&c| c == b'\n').count();
        assert!(lines > 2, "{name} has {lines} lines");
    }
    assert!(sa.persons == 5_000 && sa.events > 100 && sa.visits > 1_000, "{sa:?}");

    // the in-memory world is the same world
    let w = world(&cfg).expect("in memory");
    assert_eq!(w.summary, sa);
}

#[test]
fn another_seed_writes_other_people() {
    let (a, b) = (tempfile::tempdir().expect("tmp"), tempfile::tempdir().expect("tmp"));
    generate(&config(11), a.path()).expect("seed 11");
    generate(&config(12), b.path()).expect("seed 12");
    let (fa, fb) = (files(a.path()), files(b.path()));
    for name in ["registry_start.csv", "registry.csv", "members.csv", "records.csv", "events.jsonl", "visits.csv"] {
        assert_ne!(fa[name], fb[name], "{name} is the same for seeds 11 and 12");
        if name.ends_with(".csv") {
            // the same header: only the rows differ
            let header = |f: &[u8]| f.split(|&c| c == b'\n').next().map(<[u8]>::to_vec);
            assert_eq!(header(&fa[name]), header(&fb[name]), "{name}'s header");
        }
    }
    // not a few rows: most residents differ
    let rows = |f: &[u8]| -> std::collections::BTreeSet<Vec<u8>> {
        f.split(|&c| c == b'\n').skip(1).map(<[u8]>::to_vec).collect()
    };
    let (ra, rb) = (rows(&fa["registry_start.csv"]), rows(&fb["registry_start.csv"]));
    let shared = ra.intersection(&rb).count();
    assert!(shared < ra.len() / 100, "{shared} of {} residents are the same under two seeds", ra.len());
}
