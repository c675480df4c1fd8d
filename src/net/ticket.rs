//! Contact tickets: how to reach a peer (endpoint id and addresses) and
//! which communities to join through it, as one line of text.

use iroh::EndpointAddr;
use serde::{Deserialize, Serialize};

const PREFIX: &str = "agora1";
const MAX_TICKET_CHARS: usize = 2048;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub addr: EndpointAddr,
    pub communities: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TicketError {
    #[error("not an agora ticket (it should start with `{PREFIX}`)")]
    Prefix,
    #[error("ticket is damaged (copy it again, whole)")]
    Damaged,
}

impl std::fmt::Display for Ticket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let bytes = postcard::to_stdvec(self).map_err(|_| std::fmt::Error)?;
        write!(f, "{PREFIX}{}", bs58::encode(bytes).into_string())
    }
}

impl std::str::FromStr for Ticket {
    type Err = TicketError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.len() > MAX_TICKET_CHARS {
            return Err(TicketError::Damaged);
        }
        let body = text.strip_prefix(PREFIX).ok_or(TicketError::Prefix)?;
        let bytes = bs58::decode(body).into_vec().map_err(|_| TicketError::Damaged)?;
        match postcard::take_from_bytes::<Ticket>(&bytes) {
            Ok((ticket, [])) if ticket.communities.len() <= 16 => Ok(ticket),
            _ => Err(TicketError::Damaged),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_damage() {
        let id = iroh::SecretKey::from_bytes(&[3; 32]).public();
        let addr = EndpointAddr::new(id).with_ip_addr("127.0.0.1:4433".parse().unwrap());
        let ticket = Ticket { addr, communities: vec!["agora".into()] };
        let text = ticket.to_string();
        assert_eq!(text.parse::<Ticket>().unwrap(), ticket);
        assert_eq!("hello".parse::<Ticket>(), Err(TicketError::Prefix));
        let mut damaged = text.clone();
        damaged.truncate(text.len() - 3);
        assert_eq!(damaged.parse::<Ticket>(), Err(TicketError::Damaged));
    }
}
