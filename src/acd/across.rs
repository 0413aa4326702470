//! One agent, several queues: the best interaction the agent may take across the queues it
//! serves, without copying interactions between them.

use super::queue::Choice;
use super::{AcdQueue, Agent, Interaction, Waiting};
use crate::Timestamp;

/// Takes, for an agent who serves several queues, the best interaction it may take at `now`
/// across `queues`: the highest score (the highest routing key), then the earlier
/// `enqueued_at`, then the queue that comes first in `queues`, an order the host chooses and
/// keeps stable. Returns the index of the queue it came from, or `None` when no queue has one
/// for the agent (an agent in no queue, `&mut []`, gets nothing).
///
/// Within each queue the choice is that of [`AcdQueue::next_for`], stage changes due by `now`
/// included. Cost: one peek per queue, then the take; nothing is copied between queues.
///
/// ```
/// use email_routing::Timestamp;
/// use email_routing::{Priority, Skill};
/// use email_routing::acd::{self, AcdQueue, Agent, Requirements};
///
/// let at = |ms| Timestamp::from_unix_millis(ms).unwrap();
/// let mut billing: AcdQueue<&str> = AcdQueue::new();
/// let mut sales: AcdQueue<&str> = AcdQueue::new();
/// billing.enqueue("invoice", Priority::new(0).unwrap(), &Requirements::none(), at(1_000))?;
/// sales.enqueue("quote", Priority::new(5).unwrap(), &Requirements::none(), at(2_000))?;
///
/// let agent = Agent::unskilled();
/// let now = at(60_000);
/// // 5 points of priority beat one second more of waiting.
/// let (from, taken) = acd::next_across(&mut [&mut billing, &mut sales], &agent, now).unwrap();
/// assert_eq!((from, *taken.id()), (1, "quote"));
/// let (from, taken) = acd::next_across(&mut [&mut billing, &mut sales], &agent, now).unwrap();
/// assert_eq!((from, *taken.id()), (0, "invoice"));
/// let mut serves_none: Vec<&mut AcdQueue<&str>> = Vec::new();
/// assert!(acd::next_across(&mut serves_none, &agent, now).is_none());
/// # Ok::<(), email_routing::acd::AcdError>(())
/// ```
pub fn next_across<Id, S>(
    queues: &mut [&mut AcdQueue<Id, S>],
    agent: &Agent,
    now: Timestamp,
) -> Option<(usize, Interaction<Id>)> {
    let (at, choice) = choose_across(queues, agent, now)?;
    let taken = queues.get_mut(at)?.take(choice)?;
    Some((at, taken))
}

/// The interaction [`next_across`] would take, and the index of its queue, left in place.
/// Stage changes due by `now` apply first in every queue, which is why it takes the queues
/// as `&mut`.
pub fn peek_across<'q, Id, S>(
    queues: &'q mut [&mut AcdQueue<Id, S>],
    agent: &Agent,
    now: Timestamp,
) -> Option<(usize, Waiting<'q, Id>)> {
    let (at, choice) = choose_across(queues, agent, now)?;
    let queues: &'q [&mut AcdQueue<Id, S>] = queues;
    let queue: &'q AcdQueue<Id, S> = queues.get(at)?;
    Some((at, queue.view_choice(choice)?))
}

/// The queue and place of the best interaction for `agent` across `queues`.
fn choose_across<Id, S>(
    queues: &mut [&mut AcdQueue<Id, S>],
    agent: &Agent,
    now: Timestamp,
) -> Option<(usize, Choice)> {
    let mut best: Option<(usize, Choice)> = None;
    for (at, queue) in queues.iter_mut().enumerate() {
        let Some(choice) = queue.choose(agent, now) else { continue };
        let rank = |c: &Choice| (std::cmp::Reverse(c.order.routing_key()), c.order.enqueued_at());
        // Strictly better only: on a full tie the earlier queue keeps it.
        if best.as_ref().is_none_or(|(_, b)| rank(&choice) < rank(b)) {
            best = Some((at, choice));
        }
    }
    best
}
