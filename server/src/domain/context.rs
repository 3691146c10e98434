//! Who is acting and from where: one value made by the HTTP extractor (or
//! the command line, or a background job) and handed down to the capability
//! and its audit record, instead of an address and an actor passed apart.

use super::{Actor, Admin, CustomerId, Error, OwnerTask, Problem, Result};
use uuid::Uuid;

/// Who is behind a request.
#[derive(Clone, Debug)]
pub enum Caller {
    /// Not signed in.
    Visitor,
    Customer(CustomerId),
    /// A console admin, as loaded for this request (so a role changed a
    /// moment ago already applies).
    Admin(Admin),
    /// The operator at the command line, or a background job.
    System,
}

#[derive(Clone, Debug)]
pub struct RequestContext {
    pub caller: Caller,
    /// The peer address (absent when not served over TCP, or for the system).
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Ties the audit record to the request's log lines.
    pub request_id: Uuid,
    /// The language of the page that asked (a tag the pages speak), so a
    /// mail it sends reads like it; none for the system.
    pub lang: Option<&'static str>,
}

/// Longer user agents are cut: they are for people to read, and a client
/// may send anything.
const USER_AGENT_MAX: usize = 512;

impl RequestContext {
    pub fn new(
        caller: Caller,
        ip: Option<String>,
        user_agent: Option<&str>,
        request_id: Uuid,
    ) -> Self {
        let user_agent = user_agent.map(|ua| ua.chars().take(USER_AGENT_MAX).collect());
        Self {
            caller,
            ip,
            user_agent,
            request_id,
            lang: None,
        }
    }

    /// The operator or a background job: no address, a fresh request id.
    pub fn system() -> Self {
        Self::new(Caller::System, None, None, Uuid::now_v7())
    }

    /// The same request, acted on behalf of `caller` (a visitor signing in
    /// to, or signing up for, an account).
    pub fn acting_as(&self, caller: Caller) -> Self {
        Self {
            caller,
            ..self.clone()
        }
    }

    /// Who the audit trail names; nobody for a visitor.
    pub fn actor(&self) -> Option<Actor> {
        match &self.caller {
            Caller::Visitor => None,
            Caller::Customer(id) => Some(Actor::Customer(*id)),
            Caller::Admin(admin) => Some(Actor::Admin(admin.id)),
            Caller::System => Some(Actor::System),
        }
    }

    /// The acting admin; anyone else is refused.
    pub fn admin(&self) -> Result<&Admin> {
        match &self.caller {
            Caller::Admin(admin) => Ok(admin),
            _ => Err(Error::Forbidden(Problem::OnlyAdmins)),
        }
    }

    /// Refuses anyone but an owner (or the operator at the command line)
    /// the `task` only owners do.
    pub fn require_owner(&self, task: OwnerTask) -> Result<()> {
        match &self.caller {
            Caller::System => Ok(()),
            Caller::Admin(admin) => admin.require_owner(task),
            _ => Err(Error::Forbidden(Problem::OnlyAdmins)),
        }
    }

    pub fn ip(&self) -> Option<&str> {
        self.ip.as_deref()
    }

    pub fn user_agent(&self) -> Option<&str> {
        self.user_agent.as_deref()
    }
}
