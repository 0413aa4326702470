//! Memory per waiting interaction, measured with a counting global allocator: everything the
//! queue allocates (slab, id index, per-class heaps, class tables), divided by the number
//! of interactions, less the id itself. The budget is 96 bytes.
//!
//! Measured after filling the queue, and after remove-heavy sequences that leave stale
//! entries in the class heaps. Run with `--nocapture` to see the numbers.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use email_routing::Timestamp;
use email_routing::acd::{AcdQueue, Requirements};
use email_routing::{Language, Priority, Skill};

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

const BUDGET: f64 = 96.0;
const ID_BYTES: f64 = std::mem::size_of::<u64>() as f64;

use email_routing::testing::Xorshift;

/// What happens after the queue is filled, before memory is measured again.
#[derive(Debug, Clone, Copy)]
enum After {
    /// Nothing.
    Fill,
    /// `n` times: a random waiting interaction leaves and a new one arrives, so `n` stay
    /// waiting and the class heaps collect stale entries.
    Churn,
    /// `n` times: a random waiting interaction's priority changes.
    Reprioritize,
    /// Half of the interactions, at random, leave.
    RemoveHalf,
}

/// Arrivals every 0-9 ms with priorities 0..=20; requirements from `classes` at random. Then
/// `after`. Returns bytes per waiting interaction, less the id.
fn bytes_per_interaction(n: usize, classes: &[Requirements], after: After) -> f64 {
    let mut rng = Xorshift::new(0x9E37_79B9_7F4A_7C15);
    let mut t = 1_780_000_000_000;
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    let mut queue = AcdQueue::new();
    let mut waiting: Vec<u64> = Vec::new();
    let mut enqueue = |queue: &mut AcdQueue<u64>, id: u64, rng: &mut Xorshift| {
        let r = rng.next_u64();
        t += (r % 10) as i64;
        let priority = Priority::new((r >> 8) as i64 % 21).unwrap();
        let requirements = &classes[(r >> 16) as usize % classes.len()];
        queue.enqueue(id, priority, requirements, Timestamp::from_unix_millis(t).unwrap()).unwrap();
    };
    for id in 0..n as u64 {
        enqueue(&mut queue, id, &mut rng);
    }
    // The bookkeeping of this test, not counted.
    let bookkeeping_before = LIVE_BYTES.load(Ordering::Relaxed);
    if !matches!(after, After::Fill) {
        waiting = (0..n as u64).collect();
    }
    let bookkeeping = LIVE_BYTES.load(Ordering::Relaxed) - bookkeeping_before;
    match after {
        After::Fill => {}
        After::Churn => {
            for next_id in n as u64..2 * n as u64 {
                let at = rng.next_u64() as usize % waiting.len();
                assert!(queue.remove(&waiting[at]).is_some());
                waiting[at] = next_id;
                enqueue(&mut queue, next_id, &mut rng);
            }
        }
        After::Reprioritize => {
            for _ in 0..n {
                let r = rng.next_u64();
                let id = waiting[r as usize % waiting.len()];
                assert!(
                    queue
                        .reprioritize(&id, Priority::new((r >> 40) as i64 % 21).unwrap())
                        .is_some()
                );
            }
        }
        After::RemoveHalf => {
            for _ in 0..n / 2 {
                let at = rng.next_u64() as usize % waiting.len();
                assert!(queue.remove(&waiting.swap_remove(at)).is_some());
            }
        }
    }
    let after_bytes = LIVE_BYTES.load(Ordering::Relaxed) - bookkeeping;
    let per = (after_bytes - before) as f64 / queue.len() as f64 - ID_BYTES;
    drop(queue);
    per
}

fn thousand_classes() -> Vec<Requirements> {
    let skill = |i: usize| Skill::new(&format!("skill-{i}")).unwrap();
    let languages: Vec<Language> =
        ["en", "es", "fr", "de", "it", "nl", "ja", "pt"].map(|l| Language::new(l).unwrap()).into();
    (0..1000)
        .map(|i| {
            let r =
                Requirements::none().with_skill(skill(i % 64)).with_skill(skill(i / 64 * 3 % 64));
            if i % 2 == 0 { r.with_language(languages[i / 2 % 8].clone()) } else { r }
        })
        .collect()
}

#[test]
fn memory_per_waiting_interaction_is_within_budget() {
    // A reservation for nothing allocates nothing.
    let mut empty: AcdQueue<u64> = AcdQueue::new();
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    empty.try_reserve(0).unwrap();
    assert_eq!(LIVE_BYTES.load(Ordering::Relaxed) - before, 0);
    drop(empty);

    let one_class = [Requirements::none()];
    let many = thousand_classes();
    for n in [100_000, 700_000, 1_000_000] {
        for after in [After::Fill, After::Churn, After::Reprioritize] {
            if n == 700_000 && !matches!(after, After::Fill) {
                continue; // keeps the test quick in debug builds
            }
            let plain = bytes_per_interaction(n, &one_class, after);
            let skilled = bytes_per_interaction(n, &many, after);
            println!(
                "{n} waiting, {after:?}: {plain:.1} B/interaction (one class), {skilled:.1} B \
                 (1,000 classes)"
            );
            assert!(plain <= BUDGET, "{n} waiting, {after:?}, one class: {plain:.1} bytes each");
            assert!(
                skilled <= BUDGET,
                "{n} waiting, {after:?}, 1,000 classes: {skilled:.1} bytes each"
            );
        }
    }
    // After half of the interactions leave, the slab keeps its capacity (its free slots are
    // reused by later arrivals), and so may the id index and the class heaps, so memory per
    // remaining interaction is above the budget until the queue fills again: only reported.
    // (One test, not two: the counting allocator sees every thread.)
    let n = 1_000_000;
    let plain = bytes_per_interaction(n, &one_class, After::RemoveHalf);
    let skilled = bytes_per_interaction(n, &many, After::RemoveHalf);
    println!(
        "{n} waiting, then half leave: {plain:.1} B/remaining interaction (one class), \
         {skilled:.1} B (1,000 classes)"
    );
}
