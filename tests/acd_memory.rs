//! Memory per waiting interaction, measured with a counting global allocator: everything the
//! queue allocates (slab, id index, per-class B-trees, class tables), divided by the number
//! of interactions, less the id itself. The budget is 96 bytes.
//!
//! Run with `--nocapture` to see the numbers.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use email_routing::acd::{AcdQueue, Requirements, Timestamp};
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

/// Arrivals every 0-9 ms with priorities 0..=20; requirements from `classes` in turn.
fn bytes_per_interaction(n: usize, classes: &[Requirements]) -> f64 {
    let mut rng = 0x9E37_79B9_7F4A_7C15_u64;
    let mut t = 1_780_000_000_000;
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    let mut queue = AcdQueue::new();
    for id in 0..n as u64 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        t += (rng % 10) as i64;
        let priority = Priority::new((rng >> 8) as i64 % 21).unwrap();
        let requirements = &classes[(rng >> 16) as usize % classes.len()];
        queue.enqueue(id, priority, requirements, Timestamp::from_unix_millis(t).unwrap()).unwrap();
    }
    let after = LIVE_BYTES.load(Ordering::Relaxed);
    let per = (after - before) as f64 / n as f64 - ID_BYTES;
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
    let one_class = [Requirements::none()];
    let many = thousand_classes();
    for n in [100_000, 700_000, 1_000_000] {
        let plain = bytes_per_interaction(n, &one_class);
        let skilled = bytes_per_interaction(n, &many);
        println!(
            "{n} waiting: {plain:.1} B/interaction (one class), {skilled:.1} B (1,000 classes)"
        );
        assert!(plain <= BUDGET, "{n} waiting, one class: {plain:.1} bytes each");
        assert!(skilled <= BUDGET, "{n} waiting, 1,000 classes: {skilled:.1} bytes each");
    }
}
