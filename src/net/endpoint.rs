//! Builds the iroh endpoint from the user's key and the network config.
//! Binding never waits on the internet: relays and DNS publishing work in
//! the background, and LAN or loopback peers are reachable at once.

use std::net::SocketAddr;

use iroh::address_lookup::MemoryLookup;
use iroh::endpoint::presets;
use iroh::{Endpoint, RelayMap, RelayMode, RelayUrl};

use crate::config::{AddressLookup, NetworkConfig, RelayMode as ConfiguredRelay};
use crate::identity::Identity;

#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("cannot bind {addr}: {reason}")]
    Bind { addr: SocketAddr, reason: String },
    #[error("relay URL `{0}` is not valid")]
    RelayUrl(String),
    #[error("relay_ca {path}: {reason}")]
    RelayCa { path: std::path::PathBuf, reason: String },
    #[error("address_lookup URL `{0}` is not valid")]
    LookupUrl(String),
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
    /// `None` means iroh's default roots (and `relay_ca`'s, if given).
    pub relay_tls: Option<iroh::tls::CaTlsConfig>,
    /// A PEM file of certificate authorities trusted for relays besides the
    /// public ones (a community's own relay).
    pub relay_ca: Option<std::path::PathBuf>,
    /// A pkarr relay of one's own to publish to and resolve from, instead
    /// of the public servers.
    pub pkarr: Option<String>,
}

impl NetOptions {
    pub fn from_config(config: &NetworkConfig) -> Self {
        Self {
            bind: SocketAddr::new(config.bind, config.port),
            relay: config.relay.clone(),
            lan_discovery: config.lan_discovery,
            dns_lookup: match config.address_lookup {
                AddressLookup::Default => config.relay != ConfiguredRelay::Disabled,
                AddressLookup::None | AddressLookup::Custom(_) => false,
            },
            relay_tls: None,
            relay_ca: (!config.relay_ca.is_empty()).then(|| config.relay_ca.clone().into()),
            pkarr: match &config.address_lookup {
                AddressLookup::Custom(url) => Some(url.clone()),
                _ => None,
            },
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
            relay_ca: None,
            pkarr: None,
        }
    }
}

/// Trust for relays: iroh's compiled-in public roots plus the authorities
/// in the PEM file at `path`.
pub fn relay_trust(path: &std::path::Path) -> Result<iroh::tls::CaTlsConfig, NetError> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject as _;
    let failed = |reason: String| NetError::RelayCa { path: path.to_path_buf(), reason };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| failed(e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| failed(e.to_string()))?;
    if certs.is_empty() {
        return Err(failed("no certificate in it (a PEM file with -----BEGIN CERTIFICATE-----)".into()));
    }
    Ok(iroh::tls::CaTlsConfig::embedded().with_extra_roots(certs))
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
    match (&options.relay_tls, &options.relay_ca) {
        (Some(tls), _) => builder = builder.ca_tls_config(tls.clone()),
        (None, Some(path)) => builder = builder.ca_tls_config(relay_trust(path)?),
        (None, None) => {}
    }
    if let Some(url) = &options.pkarr {
        let url: url::Url = url.parse().map_err(|_| NetError::LookupUrl(url.clone()))?;
        builder = builder
            .address_lookup(iroh::address_lookup::PkarrPublisher::builder(url.clone()))
            .address_lookup(iroh::address_lookup::PkarrResolver::builder(url));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relay_ca_file_is_read_or_refused_with_a_reason_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("ca.pem");
        let body = "MIIBszCCAVmgAwIBAgIUQ2FmZmVpbmUgaXMgbm90IGEgY2VydGlmaWNhdGUwCgYIKoZIzj0EAwIw";
        std::fs::write(&good, format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n")).unwrap();
        assert!(relay_trust(&good).is_ok());
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "no certificate here\n").unwrap();
        let refused = relay_trust(&empty).unwrap_err().to_string();
        assert!(refused.contains("empty.pem") && refused.contains("no certificate"), "{refused}");
        let missing = relay_trust(&dir.path().join("missing.pem")).unwrap_err().to_string();
        assert!(missing.contains("missing.pem"), "{missing}");
    }

    #[test]
    fn the_address_lookup_follows_the_config() {
        let parse = |text: &str| {
            crate::config::Config::parse(text, "t.toml".as_ref()).map(|c| NetOptions::from_config(&c.network))
        };
        let default = parse("").unwrap();
        assert!(default.dns_lookup && default.pkarr.is_none());
        let none = parse("[network]\naddress_lookup = \"none\"\n").unwrap();
        assert!(!none.dns_lookup && none.pkarr.is_none());
        let own = parse("[network]\naddress_lookup = \"https://pkarr.example.org\"\nrelay_ca = \"ca.pem\"\n").unwrap();
        assert_eq!((own.dns_lookup, own.pkarr.as_deref()), (false, Some("https://pkarr.example.org")));
        assert_eq!(own.relay_ca.as_deref(), Some(std::path::Path::new("ca.pem")));
        let bad = parse("[network]\naddress_lookup = \"sometimes\"\n").unwrap_err().to_string();
        assert!(bad.contains("network.address_lookup"), "{bad}");
    }
}
