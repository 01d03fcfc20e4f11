//! `onshi-load`: drives a running `onshi serve` over keep-alive HTTP/1.1 and reports throughput and latency.
//!
//! Examples (see docs/benchmarks.md):
//!   onshi-load enrol --addr 127.0.0.1:8080 --token $ADMIN --count 1000000 --connections 64
//!   onshi-load check --addr 127.0.0.1:8080 --token $CLINIC --members 1000000 --seconds 30 --connections 64

use std::time::Duration;

use clap::{Parser, Subcommand};
use onshi_bench::Load;

/// Load generator for onshi benchmarks.
#[derive(Parser)]
#[command(version, about, verbatim_doc_comment)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Enrol synthetic members 0..count through POST /insurer/v1/members.
    Enrol {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        #[arg(long, env = "ONSHI_TOKEN")]
        token: String,
        #[arg(long, default_value = "06139992")]
        insurer: String,
        #[arg(long)]
        count: u64,
        #[arg(long, default_value_t = 64)]
        connections: usize,
    },
    /// Check random synthetic members 0..members through POST /clinic/v1/eligibility for a duration.
    Check {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        #[arg(long, env = "ONSHI_TOKEN")]
        token: String,
        #[arg(long, default_value = "06139992")]
        insurer: String,
        #[arg(long)]
        members: u64,
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        #[arg(long, default_value_t = 64)]
        connections: usize,
    },
}

/// A cheap deterministic scramble so that checks hit members all over the index.
fn scramble(i: u64, n: u64) -> u64 {
    i.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17) % n.max(1)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().cmd {
        Cmd::Enrol { addr, token, insurer, count, connections } => {
            let load = Load {
                addr: &addr,
                token: &token,
                path: "/insurer/v1/members",
                connections,
                count,
                duration: Duration::MAX,
                ok: 201,
            };
            let r = onshi_bench::run(load, move |i| onshi_bench::enrol_body(&insurer, i)).await?;
            r.print("enrol");
        }
        Cmd::Check { addr, token, insurer, members, seconds, connections } => {
            let load = Load {
                addr: &addr,
                token: &token,
                path: "/clinic/v1/eligibility",
                connections,
                count: u64::MAX,
                duration: Duration::from_secs(seconds),
                ok: 200,
            };
            let r = onshi_bench::run(load, move |i| onshi_bench::check_body(&insurer, scramble(i, members))).await?;
            r.print("check");
        }
    }
    Ok(())
}
