//! SQL DDL into a data model (see the crate docs).
