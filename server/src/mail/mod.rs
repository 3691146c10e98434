//! Outgoing mail through a durable outbox.
//!
//! A request writes its message to the `mail_outbox` table and returns; a
//! worker on each instance leases due messages and delivers them over SMTP
//! (lettre), retrying with back-off. Nothing is lost when the SMTP server is
//! down or the process restarts, and no response time depends on the mail
//! server, which would otherwise tell an attacker whether an account exists.
//! With no SMTP server configured, the worker "delivers" to the console and
//! keeps the message in the table: the development outbox.

use crate::config::Config;
use crate::domain::{Change, Clock};
use crate::store::{Limit, OutboxMail, Store};
use app::Lang;
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

/// A message ready to be queued.
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// The language a mail to a customer speaks: the one they chose (`saved`),
/// else that of the page that asked for it (`page`), else English.
pub fn language(saved: Option<&str>, page: Option<&str>) -> Lang {
    saved.or(page).and_then(Lang::from_tag).unwrap_or_default()
}

#[derive(Clone)]
pub struct Mailer {
    store: Store,
    clock: Clock,
    wake: Arc<Notify>,
    /// Messages waiting in the outbox when the worker last looked.
    waiting: Arc<AtomicI64>,
    /// Mails one address may be sent per hour.
    per_hour: i64,
}

impl Mailer {
    pub fn new(store: Store, clock: Clock, per_hour: i64) -> Self {
        Self {
            store,
            clock,
            wake: Arc::new(Notify::new()),
            waiting: Arc::default(),
            per_hour,
        }
    }

    /// Queues a mail, unless its address had the hour's share already: a
    /// visitor repeating sign-ups, resets or failed sign-ins cannot turn
    /// Gatehouse into a mail bomb. Counted on the throttle's counters, so
    /// the cap holds across instances.
    pub async fn enqueue(&self, mail: Mail) -> anyhow::Result<()> {
        let key = format!("mail:{}", mail.to.to_lowercase());
        let limit = Limit {
            max: self.per_hour,
            window: 3600,
        };
        let now = self.clock.now();
        if !self
            .store
            .reserve_attempt(&key, None, limit, now)
            .await?
            .granted
        {
            tracing::warn!(subject = %mail.subject, "mail not queued: the address had its hourly share");
            return Ok(());
        }
        self.store
            .enqueue_mail(&mail.to, &mail.subject, &mail.body, self.clock.now())
            .await?;
        self.wake();
        // Any instance's worker may deliver it; each wakes when told. A
        // lost notice costs a delay (the workers look once a minute), not
        // the mail.
        if let Err(e) = self.store.announce(&Change::Mail.to_payload()).await {
            tracing::warn!(error = %e, "other instances not told of queued mail");
        }
        Ok(())
    }

    /// Wakes this instance's worker: mail was queued here or elsewhere.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Messages waiting in the outbox when the worker last looked.
    pub fn waiting(&self) -> i64 {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Delivers queued mail until the process ends.
    pub async fn run_worker(self, config: Arc<Config>) {
        let delivery = match &config.smtp_url {
            Some(url) => match AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str()) {
                Ok(builder) => {
                    Delivery::Smtp(builder.timeout(Some(Duration::from_secs(20))).build())
                }
                Err(e) => {
                    tracing::error!(error = %e, "GATEHOUSE_SMTP_URL cannot be used; mail stays queued");
                    return;
                }
            },
            None => {
                tracing::warn!(
                    "no GATEHOUSE_SMTP_URL: mail goes to the development outbox and this console"
                );
                Delivery::Console
            }
        };
        loop {
            match self.deliver_due(&delivery, &config.mail_from).await {
                Ok(0) => {
                    // Nothing due: sleep until the next message is (a retry's
                    // back-off), mail is queued anywhere, or a minute passes
                    // in case a notice was lost. No write on a clock.
                    let wait = self.next_look().await;
                    let _ = tokio::time::timeout(wait, self.wake.notified()).await;
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %e, "mail outbox unavailable");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
        }
    }

    /// How long the worker may sleep: until the next message is due, at
    /// least a second (a message leased elsewhere comes back due) and at
    /// most a minute.
    async fn next_look(&self) -> Duration {
        const LONGEST: i64 = 60;
        let seconds = match self.store.mail_waiting().await {
            Ok((count, next)) => {
                self.waiting.store(count, Ordering::Relaxed);
                next.map_or(LONGEST, |at| at - self.clock.now())
            }
            Err(_) => 5,
        };
        Duration::from_secs(seconds.clamp(1, LONGEST) as u64)
    }

    async fn deliver_due(&self, delivery: &Delivery, from: &Mailbox) -> anyhow::Result<usize> {
        let now = self.clock.now();
        let batch = self.store.lease_due_mail(now, now + 120, 20).await?;
        for mail in &batch {
            match delivery.send(from, mail).await {
                Ok(()) => {
                    tracing::info!(mail_id = %mail.id, subject = %mail.subject, "mail delivered");
                    self.store
                        .mark_mail_sent(mail.id, self.clock.now(), delivery.keeps_body())
                        .await?;
                }
                Err(e) => {
                    // Back off: 30 s, 1 min, 2 min, ... capped at an hour.
                    let delay = (30i64 << (mail.attempts.clamp(1, 8) - 1)).min(3600);
                    tracing::warn!(mail_id = %mail.id, attempts = mail.attempts, error = %e, "mail delivery failed; will retry");
                    self.store
                        .mark_mail_failed(mail.id, &e.to_string(), self.clock.now() + delay)
                        .await?;
                }
            }
        }
        Ok(batch.len())
    }
}

enum Delivery {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Console,
}

impl Delivery {
    fn keeps_body(&self) -> bool {
        matches!(self, Delivery::Console)
    }

    async fn send(&self, from: &Mailbox, mail: &OutboxMail) -> anyhow::Result<()> {
        match self {
            Delivery::Smtp(transport) => {
                let message = Message::builder()
                    .from(from.clone())
                    .to(mail.recipient.parse()?)
                    .subject(mail.subject.clone())
                    .header(ContentType::TEXT_PLAIN)
                    .body(mail.body.clone())?;
                transport.send(message).await?;
            }
            Delivery::Console => {
                // Development only: the link is the point of the message.
                tracing::info!(to = %mail.recipient, subject = %mail.subject, "development outbox:\n{}", mail.body);
            }
        }
        Ok(())
    }
}

/// A mail's text without the invisible marks that keep a link whole inside
/// right-to-left page text: in a plain-text mail each link stands on its own
/// line, and a mail program could take the marks into the link.
fn plain(text: String) -> String {
    text.replace(['\u{2068}', '\u{2069}'], "")
}

/// No name in mails a link goes with: until the address is verified,
/// whoever signed up may not own it, and must not be able to put words
/// into a stranger's mailbox.
pub fn verification_mail(lang: Lang, to: &str, link: &str) -> Mail {
    Mail {
        to: to.into(),
        subject: lang.t("mail-verify-subject"),
        body: plain(lang.tf("mail-verify-body", &[("link", link.into())])),
    }
}

pub fn already_registered_mail(lang: Lang, to: &str, sign_in: &str, reset: &str) -> Mail {
    Mail {
        to: to.into(),
        subject: lang.t("mail-registered-subject"),
        body: plain(lang.tf(
            "mail-registered-body",
            &[("sign_in", sign_in.into()), ("reset", reset.into())],
        )),
    }
}

/// Sent when sign-ins from one address are blocked after repeated wrong
/// passwords. No name: nothing the customer (or whoever signed up with this
/// address) chose is echoed to it.
pub fn blocked_mail(lang: Lang, to: &str, source: &str, unblock: &str) -> Mail {
    Mail {
        to: to.into(),
        subject: lang.t("mail-blocked-subject"),
        body: plain(lang.tf(
            "mail-blocked-body",
            &[("source", source.into()), ("link", unblock.into())],
        )),
    }
}

/// To the address a customer asked to move their account to. No name, as
/// with verification: the asker may not own this mailbox.
pub fn email_change_mail(lang: Lang, to: &str, link: &str) -> Mail {
    Mail {
        to: to.into(),
        subject: lang.t("mail-email-change-subject"),
        body: plain(lang.tf("mail-email-change-body", &[("link", link.into())])),
    }
}

/// To the address a customer used to have.
pub fn email_changed_mail(lang: Lang, old: &str) -> Mail {
    Mail {
        to: old.into(),
        subject: lang.t("mail-email-changed-subject"),
        body: lang.t("mail-email-changed-body"),
    }
}

/// Sent to an admin when sign-ins to their console account from one address
/// are blocked.
pub fn admin_blocked_mail(to: &str, source: &str) -> Mail {
    Mail {
        to: to.into(),
        subject: "Sign-ins to your console account were blocked".into(),
        body: format!(
            "Hello,\n\nSomeone entered a wrong password for your Gatehouse console account several times from \
             the address {source}, so sign-ins from that address are blocked for a while. Your password has not \
             been changed.\n\nIf this was you, ask an owner to lift the block on the Admins page of the console. \
             If it was not, tell an owner at once.\n"
        ),
    }
}

pub fn reset_mail(lang: Lang, to: &str, link: &str) -> Mail {
    Mail {
        to: to.into(),
        subject: lang.t("mail-reset-subject"),
        body: plain(lang.tf("mail-reset-body", &[("link", link.into())])),
    }
}

pub fn admin_invite_mail(to: &str, invited_by: &str, role: &str, link: &str) -> Mail {
    Mail {
        to: to.into(),
        subject: "You are invited to the Gatehouse console".into(),
        body: format!(
            "Hello,\n\n{invited_by} invited you to the Gatehouse console as {role}.\n\
             To set up your admin account, open this link:\n\n{link}\n\n\
             The link works once and expires in 24 hours. If you did not expect this, ignore this message.\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_keeps_paragraphs_and_puts_the_link_alone_on_its_line() {
        let link = "https://id.example.com/verify-email?token=abc";
        for lang in Lang::ALL {
            for mail in [
                verification_mail(lang, "a@example.com", link),
                reset_mail(lang, "a@example.com", link),
                email_change_mail(lang, "a@example.com", link),
                blocked_mail(lang, "a@example.com", "203.0.113.9", link),
            ] {
                assert!(!mail.subject.is_empty());
                assert!(
                    mail.body.lines().any(|line| line == link),
                    "{lang:?}: {}",
                    mail.body
                );
                assert!(mail.body.contains("\n\n"), "{lang:?}: paragraphs kept");
            }
        }
        assert_ne!(
            verification_mail(Lang::De, "a@example.com", link).body,
            verification_mail(Lang::En, "a@example.com", link).body
        );
        assert_eq!(language(Some("ar"), Some("de")), Lang::Ar);
        assert_eq!(language(None, Some("de")), Lang::De);
        assert_eq!(language(Some("xx"), None), Lang::En);
    }
}
