//! An OpenAPI 3.0/3.1 document into an API artifact (see the crate docs).
