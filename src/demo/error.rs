//! Why the demo could not start.

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("persona `{slug}`: {reason}")]
    Persona { slug: String, reason: String },
    #[error("demo peer {name}: {source}")]
    Node {
        name: String,
        #[source]
        source: crate::node::NodeError,
    },
    #[error("demo peer {name}: {source}")]
    Store {
        name: String,
        #[source]
        source: crate::store::StoreError,
    },
    #[error("demo folder {path}: {source}")]
    Folder {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}
