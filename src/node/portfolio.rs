//! `agora/portfolio/1`: a peer's public endorsements, on request. The
//! requester verifies every proof and that the peer is one of the two
//! parties before keeping or showing any of it.

use std::sync::Arc;
use std::time::Duration;

use iroh::endpoint::Connection;
use iroh::protocol::{AcceptError, ProtocolHandler};
use iroh::{Endpoint, EndpointId};
use jiff::Timestamp;

use crate::endorse::data_integrity::Cryptosuite;
use crate::endorse::{Suites, VerifiedEndorsement, verify_with};
use crate::identity::PublicKey;
use crate::store::Store;

pub const PORTFOLIO_ALPN: &[u8] = b"agora/portfolio/1";
const MAX_PORTFOLIO_BYTES: usize = 16 << 20;
const MAX_ENTRIES: usize = 10_000;
const FETCH_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, Clone)]
pub struct PortfolioProtocol {
    store: Arc<Store>,
}

impl PortfolioProtocol {
    pub fn new(store: Arc<Store>) -> Self {
        Self { store }
    }

    async fn serve(&self, connection: &Connection) -> anyhow::Result<()> {
        let (mut send, mut recv) = connection.accept_bi().await?;
        recv.read_to_end(64).await?;
        let mut entries = self.store.public_endorsements()?;
        entries.truncate(MAX_ENTRIES);
        send.write_all(&postcard::to_stdvec(&entries)?).await?;
        send.finish()?;
        connection.closed().await;
        Ok(())
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

pub async fn fetch(endpoint: &Endpoint, peer: EndpointId, now: Timestamp) -> anyhow::Result<Portfolio> {
    let work = async {
        let connection = endpoint.connect(peer, PORTFOLIO_ALPN).await?;
        let (mut send, mut recv) = connection.open_bi().await?;
        send.finish()?;
        let bytes = recv.read_to_end(MAX_PORTFOLIO_BYTES).await?;
        connection.close(0u32.into(), b"done");
        let entries: Vec<Vec<u8>> = postcard::from_bytes(&bytes)?;
        anyhow::ensure!(entries.len() <= MAX_ENTRIES, "portfolio has too many entries");
        Ok::<_, anyhow::Error>(accept_portfolio(PublicKey::from(*peer.as_bytes()), entries, now))
    };
    tokio::time::timeout(FETCH_TIMEOUT, work).await.map_err(|_| anyhow::anyhow!("portfolio fetch timed out"))?
}
