//! `cargo run --release -p onshi-sim --example generate -- PERSONS SEED OUT_DIR`: writes a world
//! (the same as `onshi sim generate --persons PERSONS --seed SEED --out OUT_DIR`).

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let persons = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let out = args.get(3).cloned().unwrap_or_else(|| "sim-out".to_owned());
    let cfg = onshi_sim::Config::new(persons, seed);
    match onshi_sim::generate(&cfg, std::path::Path::new(&out)) {
        Ok(s) => print!("{}", s.to_json()),
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            std::process::exit(1);
        }
    }
}
