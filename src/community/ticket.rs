//! A community ticket: a community's id and a member to fetch its charter
//! from, as one line of text (`agorac1…`), also drawn as a QR code. For an
//! invite-only community it can carry a maintainer's invitation of the
//! one person it is made for.
//! Joining with it asks that member for the charter; the charter is then
//! judged like any other (its id must match, its versions chain).

use serde::{Deserialize, Serialize};

use super::CommunityId;
use crate::net::Ticket;

const PREFIX: &str = "agorac1";
const MAX_TICKET_CHARS: usize = 2048;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunityTicket {
    pub community: CommunityId,
    /// A member who holds the charter (and how to reach them).
    pub member: Ticket,
    /// A maintainer's signed invitation of the person the ticket is for.
    pub invitation: Option<Vec<u8>>,
}

/// The first form, without an invitation: still read.
#[derive(Deserialize)]
struct FirstForm {
    community: CommunityId,
    member: Ticket,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CommunityTicketError {
    #[error("not a community ticket (it should start with `{PREFIX}`)")]
    Prefix,
    #[error("community ticket is damaged (copy it again, whole)")]
    Damaged,
}

impl std::fmt::Display for CommunityTicket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let bytes = postcard::to_stdvec(self).map_err(|_| std::fmt::Error)?;
        write!(f, "{PREFIX}{}", bs58::encode(bytes).into_string())
    }
}

impl std::str::FromStr for CommunityTicket {
    type Err = CommunityTicketError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.len() > MAX_TICKET_CHARS {
            return Err(CommunityTicketError::Damaged);
        }
        let body = text.strip_prefix(PREFIX).ok_or(CommunityTicketError::Prefix)?;
        let bytes = bs58::decode(body).into_vec().map_err(|_| CommunityTicketError::Damaged)?;
        let ticket = match postcard::take_from_bytes::<CommunityTicket>(&bytes) {
            Ok((ticket, [])) => ticket,
            _ => match postcard::take_from_bytes::<FirstForm>(&bytes) {
                Ok((first, [])) => {
                    CommunityTicket { community: first.community, member: first.member, invitation: None }
                }
                _ => return Err(CommunityTicketError::Damaged),
            },
        };
        if ticket.member.communities.len() > 16
            || ticket.invitation.as_ref().is_some_and(|i| i.len() > crate::market::MAX_INVITATION_BYTES)
        {
            return Err(CommunityTicketError::Damaged);
        }
        Ok(ticket)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_damage() {
        let id = iroh::SecretKey::from_bytes(&[3; 32]).public();
        let member = Ticket {
            addr: iroh::EndpointAddr::new(id).with_ip_addr("127.0.0.1:4433".parse().unwrap()),
            communities: vec!["agora".into()],
        };
        let ticket = CommunityTicket { community: CommunityId([9; 32]), member: member.clone(), invitation: None };
        let text = ticket.to_string();
        assert!(text.starts_with("agorac1"));
        assert_eq!(text.parse::<CommunityTicket>().unwrap(), ticket);
        let invited = CommunityTicket { invitation: Some(vec![7; 180]), ..ticket.clone() };
        assert_eq!(invited.to_string().parse::<CommunityTicket>().unwrap(), invited);
        // The first form (no invitation field) still reads.
        let first = postcard::to_stdvec(&(CommunityId([9; 32]), member)).unwrap();
        let first = format!("{PREFIX}{}", bs58::encode(first).into_string());
        assert_eq!(first.parse::<CommunityTicket>().unwrap(), ticket);
        assert_eq!("agora1abc".parse::<CommunityTicket>(), Err(CommunityTicketError::Prefix));
        let mut damaged = text.clone();
        damaged.truncate(text.len() - 3);
        assert_eq!(damaged.parse::<CommunityTicket>(), Err(CommunityTicketError::Damaged));
        assert_eq!(
            format!("{PREFIX}{}", "1".repeat(3000)).parse::<CommunityTicket>(),
            Err(CommunityTicketError::Damaged)
        );
    }
}
