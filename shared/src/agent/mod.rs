//! One agent's work: the JSON the supervisor and an agent speak
//! ([`protocol`]), the prompt a stage sends ([`prompt`]), when to call the
//! model again ([`retry`]) and the generation loop that ties them together
//! behind a transport and a clock port ([`generate`]).

pub mod generate;
pub mod prompt;
pub mod protocol;
pub mod retry;
