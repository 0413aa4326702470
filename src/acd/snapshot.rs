//! Snapshot and restore of an [`AcdQueue`] through serde (feature `serde`).
//!
//! The snapshot lists the waiting interactions in routing order:
//!
//! ```json
//! {"waiting": [
//!   {"id": "mail-2", "priority": 20, "enqueued_at": 1779999760000,
//!    "requirements": {"skills": ["billing"], "language": "en"}},
//!   {"id": "mail-1", "priority": 10, "enqueued_at": 1779999640000}
//! ]}
//! ```
//!
//! Restoring enqueues them in list order, so interactions that tie on routing key and
//! `enqueued_at` keep their order, and later enqueues come after all of them. Restoring
//! validates like [`AcdQueue::enqueue`]: a duplicate id, an out-of-range priority or
//! timestamp, or too many distinct skills is refused with the position and error code.

use std::fmt;
use std::hash::{BuildHasher, Hash};

use serde::de::Error as _;
use serde::ser::SerializeStruct as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{AcdQueue, Requirements};
use crate::Priority;
use crate::Timestamp;

#[derive(Serialize)]
struct EntryRef<'a, Id> {
    id: &'a Id,
    priority: Priority,
    enqueued_at: Timestamp,
    #[serde(skip_serializing_if = "is_none")]
    requirements: &'a Requirements,
}

fn is_none(requirements: &&Requirements) -> bool {
    **requirements == Requirements::none()
}

/// The waiting interactions, serialized as a sequence in routing order.
struct WaitingRef<'a, Id, S>(&'a AcdQueue<Id, S>);

impl<Id: Serialize, S> Serialize for WaitingRef<'_, Id, S> {
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        serializer.collect_seq(self.0.iter().map(|waiting| EntryRef {
            id: waiting.id(),
            priority: waiting.priority(),
            enqueued_at: waiting.enqueued_at(),
            requirements: waiting.requirements(),
        }))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Snapshot<Id> {
    waiting: Vec<SnapshotEntry<Id>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SnapshotEntry<Id> {
    id: Id,
    priority: Priority,
    enqueued_at: Timestamp,
    #[serde(default)]
    requirements: Requirements,
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<Id: Serialize, S> Serialize for AcdQueue<Id, S> {
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        let mut snapshot = serializer.serialize_struct("AcdQueue", 1)?;
        snapshot.serialize_field("waiting", &WaitingRef(self))?;
        snapshot.end()
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de, Id, S> Deserialize<'de> for AcdQueue<Id, S>
where
    Id: Deserialize<'de> + Hash + Eq + fmt::Debug,
    S: BuildHasher + Default,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let snapshot = Snapshot::<Id>::deserialize(deserializer)?;
        let mut queue = AcdQueue::with_hasher(S::default());
        // Room for what is read, without a reservation's floor: the restored queue shrinks as
        // interactions leave, like any other. (A hint: growth covers a refusal.)
        let _ = queue.make_room(snapshot.waiting.len(), false);
        for (position, entry) in snapshot.waiting.into_iter().enumerate() {
            queue
                .enqueue(entry.id, entry.priority, &entry.requirements, entry.enqueued_at)
                .map_err(|e| {
                    D::Error::custom(format_args!("waiting[{position}]: {e} ({})", e.code()))
                })?;
        }
        Ok(queue)
    }
}
