//! Resolution: what tags point at, across the whole blueprint set and the target
//! release's built-in objects.

pub mod expression;
pub mod facts;
pub mod index;
pub mod local;
pub mod order;
pub mod pyre_syntax;
pub mod pyregex;
pub mod references;
pub mod typecheck;
pub mod validate;
pub mod yields;

pub use facts::{BlueprintFacts, EntryFacts, FindQuery, LiteralKey, MetaApply, Ref, Val};
pub use index::{AssumedObject, Index, ObjId, Resolution};
pub use yields::{Yield, yields};
