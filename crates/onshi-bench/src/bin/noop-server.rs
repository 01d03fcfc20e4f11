//! The do-nothing baseline of the counter benchmark (`bench/counter-ratio.sh`, docs/benchmarks.md): an axum
//! server on the same runtime settings as `onshi serve` that answers `POST /clinic/v1/eligibility` by parsing
//! the JSON body and returning a fixed answer of the same shape and about the same size — no store, no access
//! log, no authorisation. onshi's throughput is reported as a share of this server's, measured in the same run.
//!
//!   noop-server --addr 127.0.0.1:8081

use axum::Json;
use axum::http::StatusCode;
use axum::routing::{get, post};
use clap::Parser;
use serde_json::{Value, json};

#[derive(Parser)]
#[command(about = "A do-nothing HTTP server: the baseline of the counter benchmark.")]
struct Args {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8081")]
    addr: String,
}

async fn eligibility(Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
    let number = body.get("number").cloned().unwrap_or(Value::Null);
    (
        StatusCode::OK,
        Json(json!({
            "result": "valid",
            "service_date": "2025-05-01",
            "coverage": {
                "insurer_number": "06139992", "symbol": "1", "number": number, "branch": "00",
                "relationship": "insured", "name": "山田 太郎", "name_display": "山田 太郎", "name_kana": "ヤマダ タロウ",
                "birth_date": "1980-04-15", "sex": "male", "acquired_on": "2024-04-01", "lost_on": null,
                "copay_ratio": 30, "copay_reason": "age_70_under", "income_bracket": null
            },
            "notices": []
        })),
    )
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let app = axum::Router::new()
        .route("/clinic/v1/eligibility", post(eligibility))
        .route("/healthz", get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind(&args.addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
