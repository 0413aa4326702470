//! Memory of `InMemoryConversations` holding a million message ids, measured with a counting
//! global allocator: everything the store allocates (the ids, the id index, the conversations
//! and their index, their ids, subjects and agents), divided by the ids remembered, less the
//! text of the ids themselves.
//!
//! The budgets (see `InMemoryConversations`' docs): 80 bytes per id when conversations hold
//! 4 ids (a customer's message, the agent's reply, the answer, the next reply), 200 bytes when
//! every id is a conversation of its own (measured: 74 and 185). Measured when full, and again after as many records
//! again past capacity (the oldest forgotten first), which must not grow it. Run with
//! `--nocapture` to see the numbers.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use email_routing::conversation::{ConversationStore, InMemoryConversations, NormalizedSubject};
use email_routing::{AgentId, ConversationId, MessageId, Timestamp};

/// Counts the bytes currently allocated by this test binary.
struct Counting;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged and only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_add(new_size as isize - layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MILLION: usize = 1_000_000;
/// Bytes per remembered id beyond its text, conversations of 4 ids.
const BUDGET_FOUR_PER_CONVERSATION: f64 = 80.0;
/// Bytes per remembered id beyond its text, one id per conversation.
const BUDGET_ONE_PER_CONVERSATION: f64 = 200.0;

/// Message id `n`: always 48 octets, like `<CAH7x2Pk0z3Vb9NqT5wYd4Lm@mail.gmail.com>`.
fn message_id(n: usize) -> MessageId {
    MessageId::new(&format!(
        "{n:022x}.{:08x}@mail.example.org",
        n.wrapping_mul(2_654_435_761) as u32
    ))
    .unwrap()
}
const ID_OCTETS: f64 = 48.0;

/// Records `total` ids, `per_conversation` to a conversation (alternating the customer's and
/// agent `agent-N`'s), one a second, and returns the bytes the store holds per remembered
/// id less the ids' text, when full (after `capacity` records) and at the end.
fn bytes_per_id(capacity: usize, total: usize, per_conversation: usize) -> (f64, f64) {
    assert_eq!(message_id(12345).as_str().len() as f64, ID_OCTETS);
    let subjects = [
        "Invoice INV-2025-0117 charged twice",
        "Contract renewal 2025 - updated terms",
        "Your return label for order 7781-2290",
        "Replacement part shipped",
    ]
    .map(NormalizedSubject::new);
    let agents: Vec<AgentId> =
        (0..50).map(|i| AgentId::new(&format!("agent-{i}")).unwrap()).collect();
    let t0 = 1_780_000_000_000;
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    let mut store = InMemoryConversations::new(capacity);
    let mut full = 0.0;
    for n in 0..total {
        let c = n / per_conversation;
        let conversation = ConversationId::new(&format!("conv-2026-{c:08}")).unwrap();
        let agent = (n % 2 == 1).then(|| &agents[c % agents.len()]);
        let at = Timestamp::from_unix_millis(t0 + n as i64 * 1000).unwrap();
        store.record(message_id(n), &conversation, at, agent, &subjects[c % subjects.len()]);
        if n + 1 == capacity {
            full = per_id(before, store.len());
        }
    }
    assert_eq!(store.len(), capacity.min(total));
    assert!(store.conversation_count() <= capacity.div_ceil(per_conversation) + 1);
    let end = per_id(before, store.len());
    drop(store);
    (full, end)
}

fn per_id(before: isize, ids: usize) -> f64 {
    (LIVE_BYTES.load(Ordering::Relaxed) - before) as f64 / ids as f64 - ID_OCTETS
}

#[test]
fn memory_per_remembered_id_is_within_budget_and_bounded_past_capacity() {
    // An empty store allocates nothing, whatever its capacity.
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    let empty = InMemoryConversations::new(MILLION);
    assert_eq!(LIVE_BYTES.load(Ordering::Relaxed) - before, 0);
    drop(empty);

    // (One test, not several: the counting allocator sees every thread.)
    // Past capacity: as many again for the realistic shape, a quarter for the other (the
    // test runs unoptimized; both exercise forgetting the oldest ids and their conversations).
    for (per_conversation, budget, more) in
        [(4, BUDGET_FOUR_PER_CONVERSATION, MILLION), (1, BUDGET_ONE_PER_CONVERSATION, MILLION / 4)]
    {
        let (full, past) = bytes_per_id(MILLION, MILLION + more, per_conversation);
        println!(
            "1M ids, {per_conversation} per conversation: {full:.1} B/id when full, \
             {past:.1} B/id after {more} more (ids' own {ID_OCTETS} octets excluded)"
        );
        assert!(full <= budget, "{per_conversation} per conversation: {full:.1} B/id when full");
        assert!(
            past <= budget,
            "{per_conversation} per conversation: {past:.1} B/id past capacity"
        );
        // Forgetting the oldest as new ids arrive does not grow the store.
        assert!(past <= full * 1.05, "{full:.1} B/id grew to {past:.1} past capacity");
    }
}
