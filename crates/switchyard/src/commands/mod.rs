//! One module per subcommand.

pub mod capture;
pub mod config;
pub mod decode;
pub mod doctor;
pub mod explain;
pub mod export;
pub mod produce;
pub mod registry;
pub mod run;
pub mod tail;
