//! `agora/portfolio/2`: a peer's public endorsements, on request. The
//! serving side asks the core (which checks who asks and how often); the
//! fetching side reads the answer one entry at a time, within a count and
//! size bound checked before anything is allocated, and verifies every
//! proof and that the peer is one of the two parties before keeping any.

use std::time::Duration;

use iroh::endpoint::Connection;
use iroh::protocol::{AcceptError, ProtocolHandler};
use jiff::Timestamp;
use tokio::sync::mpsc;

use super::ToShell;
use super::pool::Pool;
use crate::endorse::data_integrity::Cryptosuite;
use crate::endorse::{MAX_ENDORSEMENT_BYTES, Suites, VerifiedEndorsement, verify_with};
use crate::identity::PublicKey;
use crate::node::core::{MAX_PORTFOLIO_BYTES, MAX_PORTFOLIO_ENTRIES, PortfolioReply};

pub const PORTFOLIO_ALPN: &[u8] = b"agora/portfolio/2";
const FETCH_TIMEOUT: Duration = Duration::from_secs(20);
const MAX_REQUESTS_PER_CONNECTION: usize = 64;

#[derive(Debug, Clone)]
pub struct PortfolioProtocol {
    to_shell: mpsc::Sender<ToShell>,
}

impl PortfolioProtocol {
    pub(crate) fn new(to_shell: mpsc::Sender<ToShell>) -> Self {
        Self { to_shell }
    }

    async fn serve(&self, connection: &Connection) -> anyhow::Result<()> {
        let ask: super::streams::Ask = |from, _, reply| ToShell::Portfolio { from, reply };
        super::streams::serve(connection, &self.to_shell, 64, MAX_REQUESTS_PER_CONNECTION, ask).await
    }
}

impl ProtocolHandler for PortfolioProtocol {
    async fn accept(&self, connection: Connection) -> Result<(), AcceptError> {
        super::served("portfolio", connection.remote_id(), self.serve(&connection).await);
        Ok(())
    }
}

/// What a peer presented: the endorsements that verified and name it as a
/// party, and how many did not.
#[derive(Debug, Default)]
pub struct Portfolio {
    pub verified: Vec<VerifiedEndorsement>,
    pub refused: usize,
}

/// Keeps only the endorsements that verify and that `peer` is a party to.
/// agora's own reading checks the `eddsa-jcs-2022` pair, the one every
/// agora record carries; the `eddsa-rdfc-2022` pair (for wallets) is still
/// read for who signed it, and checked in full by `agora verify`.
pub fn accept_portfolio(peer: PublicKey, entries: Vec<Vec<u8>>, now: Timestamp) -> Portfolio {
    let mut portfolio = Portfolio::default();
    for bytes in entries {
        match verify_with(&bytes, now, Suites::Only(Cryptosuite::Jcs)) {
            Ok(e) if e.endorsement().teacher.key == peer || e.endorsement().learner.key == peer => {
                portfolio.verified.push(e)
            }
            _ => portfolio.refused += 1,
        }
    }
    portfolio
}

/// Reads a portfolio answer: at most [`MAX_PORTFOLIO_ENTRIES`] entries of
/// at most [`MAX_ENDORSEMENT_BYTES`] each, or the reason there is none.
pub fn read_answer(bytes: &[u8]) -> anyhow::Result<Vec<Vec<u8>>> {
    match postcard::from_bytes::<PortfolioReply>(bytes)? {
        PortfolioReply::Entries(list) => {
            let entries = crate::wire::list::decode(&list, MAX_PORTFOLIO_ENTRIES, MAX_ENDORSEMENT_BYTES)?;
            entries.map(|e| e.map(<[u8]>::to_vec).map_err(anyhow::Error::from)).collect()
        }
        PortfolioReply::Busy(reason) => anyhow::bail!("busy: {reason}"),
        PortfolioReply::Refused(reason) => anyhow::bail!("refused: {reason}"),
    }
}

pub(crate) async fn fetch(pool: &Pool, peer: PublicKey, now: Timestamp) -> anyhow::Result<Portfolio> {
    let id = iroh::EndpointId::from_bytes(peer.as_bytes())?;
    let answer = pool.request(id, PORTFOLIO_ALPN, &[], MAX_PORTFOLIO_BYTES + 64, FETCH_TIMEOUT).await?;
    // Verifying up to thousands of proofs is work for a blocking thread.
    tokio::task::spawn_blocking(move || Ok(accept_portfolio(peer, read_answer(&answer)?, now))).await?
}
