//! One module per subcommand.

pub mod decode;
pub mod produce;
pub mod registry;
pub mod tail;
