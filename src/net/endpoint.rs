//! Builds the iroh endpoint from the user's key and the network config.
//! Binding never waits on the internet: relays and DNS publishing work in
//! the background, and LAN or loopback peers are reachable at once.

use std::net::SocketAddr;

use iroh::address_lookup::MemoryLookup;
use iroh::endpoint::presets;
use iroh::{Endpoint, RelayMap, RelayMode, RelayUrl};

use crate::config::{NetworkConfig, RelayMode as ConfiguredRelay};
use crate::identity::Identity;

#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("cannot bind {addr}: {reason}")]
    Bind { addr: SocketAddr, reason: String },
    #[error("relay URL `{0}` is not valid")]
    RelayUrl(String),
}

/// How to bind and find peers.
#[derive(Clone, Debug)]
pub struct NetOptions {
    pub bind: SocketAddr,
    pub relay: ConfiguredRelay,
    /// mDNS on the local network.
    pub lan_discovery: bool,
    /// Publish and resolve addresses through DNS/pkarr (internet use).
    pub dns_lookup: bool,
    /// Which certificates to trust for relays (a test relay's own, say);
    /// `None` means iroh's default roots.
    pub relay_tls: Option<iroh::tls::CaTlsConfig>,
}

impl NetOptions {
    pub fn from_config(config: &NetworkConfig) -> Self {
        Self {
            bind: SocketAddr::new(config.bind, config.port),
            relay: config.relay.clone(),
            lan_discovery: config.lan_discovery,
            dns_lookup: config.relay != ConfiguredRelay::Disabled,
            relay_tls: None,
        }
    }

    /// Loopback only: no relays, no DNS, no mDNS. For tests and the demo.
    pub fn loopback() -> Self {
        Self {
            bind: "127.0.0.1:0".parse().expect("valid address"),
            relay: ConfiguredRelay::Disabled,
            lan_discovery: false,
            dns_lookup: false,
            relay_tls: None,
        }
    }
}

/// Binds an endpoint whose id is `identity`'s public key. The returned
/// [`MemoryLookup`] takes addresses learned from tickets and peers.
pub async fn bind(identity: &Identity, options: &NetOptions) -> Result<(Endpoint, MemoryLookup), NetError> {
    // A chosen port on every interface: IPv4 and, where the machine has
    // it, IPv6 on the same port.
    let v4_everywhere = options.bind.ip() == std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);
    if v4_everywhere && options.bind.port() != 0 {
        let v6 = SocketAddr::new(std::net::Ipv6Addr::UNSPECIFIED.into(), options.bind.port());
        if let Ok(bound) = bind_with(identity, options, Some(v6)).await {
            return Ok(bound);
        }
    }
    bind_with(identity, options, None).await
}

async fn bind_with(
    identity: &Identity,
    options: &NetOptions,
    also: Option<SocketAddr>,
) -> Result<(Endpoint, MemoryLookup), NetError> {
    let memory = MemoryLookup::new();
    let mut builder =
        if options.dns_lookup { Endpoint::builder(presets::N0) } else { Endpoint::builder(presets::Minimal) };
    builder = builder.secret_key(identity.iroh_secret_key()).address_lookup(memory.clone());
    builder = builder.relay_mode(match &options.relay {
        ConfiguredRelay::Default => RelayMode::Default,
        ConfiguredRelay::Disabled => RelayMode::Disabled,
        ConfiguredRelay::Custom(url) => {
            let url: RelayUrl = url.parse().map_err(|_| NetError::RelayUrl(url.clone()))?;
            RelayMode::Custom(RelayMap::from(url))
        }
    });
    if let Some(tls) = options.relay_tls.clone() {
        builder = builder.ca_tls_config(tls);
    }
    if options.lan_discovery {
        builder = builder.address_lookup(iroh_mdns_address_lookup::MdnsAddressLookup::builder());
    }
    let bind_error = |reason: String| NetError::Bind { addr: options.bind, reason };
    // The default binds every interface on both IPv4 and IPv6; anything
    // narrower replaces it.
    let everywhere = options.bind.ip().is_unspecified() && options.bind.port() == 0;
    if !everywhere {
        builder = builder.clear_ip_transports().bind_addr(options.bind).map_err(|e| bind_error(e.to_string()))?;
        if let Some(also) = also {
            builder = builder.bind_addr(also).map_err(|e| bind_error(e.to_string()))?;
        }
    }
    let endpoint = builder.bind().await.map_err(|e| bind_error(e.to_string()))?;
    Ok((endpoint, memory))
}
