//! `gatehouse admin create`.

use crate::directory::admins;
use crate::domain::{Email, Error, Role};
use crate::password::Password;
use crate::state::AppState;

/// `gatehouse admin create`: with a password on standard input, creates the
/// admin at once; with none (or a terminal), prints a one-time setup link.
pub async fn create(
    config: crate::config::Config,
    raw_email: &str,
    raw_role: &str,
) -> anyhow::Result<()> {
    use std::io::{IsTerminal, Read};
    let role = Role::parse(raw_role)
        .ok_or_else(|| anyhow::anyhow!("--role must be owner, support or auditor"))?;
    let email = Email::parse(raw_email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let mut password = String::new();
    if !std::io::stdin().is_terminal() {
        std::io::stdin().read_to_string(&mut password)?;
    }
    let password = password.trim_end_matches(['\r', '\n']).to_string();

    let store = super::open_store(&config).await?;
    let state = AppState::new(config, store, crate::domain::Clock::system());
    if password.is_empty() {
        let link = admins::invite_link(&state, Some(&email), role)
            .await
            .map_err(describe)?;
        println!(
            "Open this link within 24 hours to set up the {} admin {}:\n{link}",
            role.as_str(),
            email.as_str()
        );
    } else {
        let admin = admins::create(&state, email.as_str(), role, Password::new(password))
            .await
            .map_err(describe)?;
        println!(
            "Created {} admin {} ({}).",
            admin.role.as_str(),
            admin.email.as_str(),
            admin.id
        );
    }
    state.store.close().await;
    Ok(())
}

pub(super) fn describe(e: Error) -> anyhow::Error {
    match e {
        Error::Invalid(errors) => anyhow::anyhow!(
            errors
                .iter()
                .map(|(f, m)| format!("{f}: {m}"))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!(other.to_string()),
    }
}
