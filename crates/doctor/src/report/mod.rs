//! Rendering a [`Report`](crate::Report): JSON (the stable, scriptable shape), human (sections per
//! finding, SQL with carets, optional colour) and Markdown (for tickets and pull requests).

mod human;
mod json;
mod markdown;

pub use human::human;
pub use json::json;
pub use markdown::markdown;
