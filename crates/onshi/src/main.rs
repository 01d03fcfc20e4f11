//! `onshi`: the command-line front. Wiring only: every rule lives in the library crates.

mod card;
mod demo;
mod reconcile;
mod serve;
mod sim;

use clap::{Parser, Subcommand};

/// onshi — online health-insurance eligibility verification (オンライン資格確認), provably correct.
#[derive(Parser)]
#[command(name = "onshi", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Serve(serve::ServeArgs),
    Card(card::CardArgs),
    Reconcile(reconcile::ReconcileArgs),
    Sim(sim::SimArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Card(args) => card::run(args),
        Command::Reconcile(args) => reconcile::run(args),
        Command::Sim(args) => sim::run(args),
    }
}
