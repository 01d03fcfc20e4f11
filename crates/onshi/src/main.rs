//! `onshi`: the command-line front. Wiring only: every rule lives in the library crates.

mod card;
mod credentials;
mod demo;
mod doc;
mod reconcile;
mod serve;
mod sim;

use clap::{Parser, Subcommand};

/// mimalloc's thread-local caches instead of glibc's malloc, which was about a tenth of the server's time per
/// eligibility check (`perf`, docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Examples for `onshi --help`: one line per command, each a complete call.
const EXAMPLES: &str = "\
Examples:
  onshi serve --demo
  ONSHI_ADMIN_TOKEN=$(openssl rand -hex 32) onshi serve --data ./onshi-data --addr 127.0.0.1:8080
  onshi card read --server http://127.0.0.1:8080 --token $CLINIC --card taro.card.json
  onshi credentials revoke --token $ADMIN --id C3F2A9B01C44D5E6F
  onshi doc verify --keys keys.json --revocations revoked.cose --file scan.png
  onshi reconcile --registry registry.csv --records records.csv --out out.csv
  onshi sim generate --persons 100000 --seed 1 --out /tmp/world

`onshi <command> --help` explains each command with more examples.";

/// onshi — online health-insurance eligibility verification (オンライン資格確認), provably correct.
#[derive(Parser)]
#[command(name = "onshi", version, about, long_about = None, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Serve(serve::ServeArgs),
    Card(card::CardArgs),
    Credentials(credentials::CredentialsArgs),
    Doc(doc::DocArgs),
    Reconcile(reconcile::ReconcileArgs),
    Sim(sim::SimArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Card(args) => card::run(args),
        Command::Credentials(args) => credentials::run(args),
        Command::Doc(args) => doc::run(args),
        Command::Reconcile(args) => reconcile::run(args),
        Command::Sim(args) => sim::run(args),
    }
}
