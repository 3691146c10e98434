//! Console admins: who they are and what their role lets them do.

use super::{DisplayName, Email};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AdminId(pub Uuid);

impl std::fmt::Display for AdminId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// Everything, including managing admins.
    Owner,
    /// Views and edits customers, sends resets, disables; no deletion, no admins.
    Support,
    /// Reads everything, including the audit trail; changes nothing.
    Auditor,
}

impl Role {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "owner" => Some(Self::Owner),
            "support" => Some(Self::Support),
            "auditor" => Some(Self::Auditor),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Support => "support",
            Self::Auditor => "auditor",
        }
    }

    pub fn can_edit_customers(self) -> bool {
        matches!(self, Self::Owner | Self::Support)
    }

    pub fn can_delete_customers(self) -> bool {
        self == Self::Owner
    }

    pub fn can_manage_admins(self) -> bool {
        self == Self::Owner
    }
}

impl Admin {
    /// Refuses an admin who is not an owner the `task` only owners do.
    pub fn require_owner(&self, task: super::OwnerTask) -> super::Result<()> {
        if self.role.can_manage_admins() {
            Ok(())
        } else {
            Err(super::Error::Forbidden(super::Problem::OnlyOwners(task)))
        }
    }
}

#[derive(Clone, Debug)]
pub struct Admin {
    pub id: AdminId,
    pub email: Email,
    pub display_name: DisplayName,
    pub role: Role,
}
