//! One file per resource.

pub(crate) mod artifacts;
pub(crate) mod drift;
pub(crate) mod events;
pub(crate) mod execute;
pub(crate) mod feed;
pub(crate) mod import;
pub(crate) mod mcp;
pub(crate) mod plan;
pub(crate) mod projects;
pub(crate) mod renders;
pub(crate) mod root;
pub(crate) mod runs;
