//! `onshi credentials`: the administrator's credentials over HTTP — issue a token (optionally expiring),
//! list them with their status, revoke one. Talks to a running server with the admin token, so that the
//! server's in-memory table and its store change together (a revoked token is refused at once).

use clap::{Args, Subcommand};
use serde_json::json;

use crate::card::{Client, ServerArgs};

/// Credentials (admin): issue, list and revoke the tokens of registry, insurer and clinic systems.
///
/// A revoked or expired token is refused with 401 `credential_revoked` / `credential_expired`. The server must
/// be running; the token is the administrator's (ONSHI_ADMIN_TOKEN of `onshi serve`).
///
/// Examples:
///   onshi credentials issue --token $ADMIN --role clinic --subject 1311234567 --valid-days 365
///   onshi credentials list --token $ADMIN
///   onshi credentials revoke --token $ADMIN --id C3F2A9B01C44D5E6F
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct CredentialsArgs {
    #[command(subcommand)]
    command: CredentialsCommand,
}

#[derive(Subcommand)]
enum CredentialsCommand {
    Issue(IssueArgs),
    List(ListArgs),
    Revoke(RevokeArgs),
}

/// Issue a token for a role and subject; it is printed once (keep it secret), with its id.
///
/// Example:
///   onshi credentials issue --token $ADMIN --role insurer --subject 06139992 --expires-at 2027-03-31T15:00:00Z
#[derive(Args)]
#[command(verbatim_doc_comment)]
struct IssueArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// registry, insurer or clinic.
    #[arg(long)]
    role: String,
    /// The insurer number (insurer), the 10-digit institution code (clinic) or an id (registry).
    #[arg(long)]
    subject: String,
    /// How many days the token is accepted (1–3650).
    #[arg(long, value_name = "DAYS", conflicts_with = "expires_at")]
    valid_days: Option<u32>,
    /// From when the token is refused (RFC 3339).
    #[arg(long, value_name = "INSTANT")]
    expires_at: Option<String>,
}

/// List every credential: id, role, subject, status (active, expired, revoked) and dates; never a token.
#[derive(Args)]
struct ListArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// Print the server's JSON answer instead of the table.
    #[arg(long)]
    json: bool,
}

/// Revoke a credential by its id (from `list`): its token is refused from now on. Never undone.
#[derive(Args)]
struct RevokeArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// The credential's id: C and 16 hex digits.
    #[arg(long)]
    id: String,
}

pub fn run(args: CredentialsArgs) -> anyhow::Result<()> {
    match args.command {
        CredentialsCommand::Issue(a) => {
            let mut body = json!({"role": a.role, "subject": a.subject});
            if let Some(d) = a.valid_days {
                body["valid_days"] = json!(d);
            }
            if let Some(t) = a.expires_at {
                body["expires_at"] = json!(t);
            }
            let v = Client::new(&a.server).post("/admin/v1/credentials", &body)?;
            println!("{}", v["token"].as_str().unwrap_or_default());
            eprintln!(
                "credential {} ({} {}), expires {}; the token above is shown only once",
                v["id"].as_str().unwrap_or("?"),
                v["role"].as_str().unwrap_or("?"),
                v["subject"].as_str().unwrap_or("?"),
                v["expires_at"].as_str().unwrap_or("never")
            );
        }
        CredentialsCommand::List(a) => {
            let v = Client::new(&a.server).get("/admin/v1/credentials")?;
            if a.json {
                println!("{}", serde_json::to_string_pretty(&v)?);
                return Ok(());
            }
            println!(
                "{:<18} {:<9} {:<12} {:<8} {:<21} {:<21} revoked",
                "id", "role", "subject", "status", "issued", "expires"
            );
            for c in v["credentials"].as_array().into_iter().flatten() {
                let s = |k: &str| c[k].as_str().unwrap_or("-").to_owned();
                println!(
                    "{:<18} {:<9} {:<12} {:<8} {:<21} {:<21} {}",
                    s("id"),
                    s("role"),
                    s("subject"),
                    s("status"),
                    s("created_at"),
                    s("expires_at"),
                    s("revoked_at")
                );
            }
        }
        CredentialsCommand::Revoke(a) => {
            let id = a.id.trim();
            let v = Client::new(&a.server).post(&format!("/admin/v1/credentials/{id}/revoke"), &json!({}))?;
            println!(
                "credential {} ({} {}): {} at {}",
                v["id"].as_str().unwrap_or(id),
                v["role"].as_str().unwrap_or("?"),
                v["subject"].as_str().unwrap_or("?"),
                v["status"].as_str().unwrap_or("?"),
                v["revoked_at"].as_str().unwrap_or("?")
            );
        }
    }
    Ok(())
}
