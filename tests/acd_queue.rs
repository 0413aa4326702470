//! The ACD queue's rules, each at its boundary.

use email_routing::Timestamp;
use email_routing::acd::{
    AcdQueue, Agent, MAX_DISTINCT_LANGUAGES, MAX_DISTINCT_SKILLS, ROUTING_KEY_MAX, ROUTING_KEY_MIN,
    Requirements, routing_key,
};
use email_routing::{Language, Priority, Skill};

const NOW: i64 = 1_780_000_000_000;

fn p(v: i64) -> Priority {
    Priority::new(v).unwrap()
}
fn t(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(ms).unwrap()
}
fn skill(s: &str) -> Skill {
    Skill::new(s).unwrap()
}
fn lang(s: &str) -> Language {
    Language::new(s).unwrap()
}
fn none() -> Requirements {
    Requirements::none()
}
fn ids<S>(queue: &AcdQueue<&'static str, S>) -> Vec<&'static str> {
    queue.iter().map(|w| *w.id()).collect()
}
fn take_all(queue: &mut AcdQueue<&'static str>, agent: &Agent) -> Vec<&'static str> {
    std::iter::from_fn(|| queue.next_for(agent, t(NOW)).map(|i| i.into_id())).collect()
}

#[test]
fn design_example_priority_20_after_4_minutes_beats_10_after_6() {
    let mut queue = AcdQueue::new();
    queue.enqueue("p10", p(10), &none(), t(NOW - 6 * 60_000)).unwrap();
    queue.enqueue("p20", p(20), &none(), t(NOW - 4 * 60_000)).unwrap();
    assert_eq!(queue.score(&"p20", t(NOW)).unwrap().milli_points(), 24_000);
    assert_eq!(queue.score(&"p10", t(NOW)).unwrap().milli_points(), 16_000);
    assert_eq!(take_all(&mut queue, &Agent::unskilled()), ["p20", "p10"]);
}

#[test]
fn score_has_millisecond_resolution_not_whole_minutes() {
    let mut queue = AcdQueue::new();
    // 59.999 s more waiting is worth just under one point: no rounding to whole minutes.
    queue.enqueue("older", p(0), &none(), t(NOW - 59_999)).unwrap();
    queue.enqueue("one-point", p(1), &none(), t(NOW)).unwrap();
    assert_eq!(queue.score(&"older", t(NOW)).unwrap().as_millis(), 59_999);
    assert_eq!(queue.score(&"one-point", t(NOW)).unwrap().as_millis(), 60_000);
    assert_eq!(ids(&queue), ["one-point", "older"]);
    // The order never changes as time passes.
    let later = t(NOW + 3_600_000);
    assert!(queue.score(&"one-point", later).unwrap() > queue.score(&"older", later).unwrap());
    assert!(queue.score(&"nobody", later).is_none());
}

#[test]
fn ties_go_to_earlier_enqueued_at_then_earlier_enqueue() {
    let mut queue = AcdQueue::new();
    // Same key: priority 11 one minute later equals priority 10 now.
    queue.enqueue("later-p11", p(11), &none(), t(NOW + 60_000)).unwrap();
    queue.enqueue("now-p10-first", p(10), &none(), t(NOW)).unwrap();
    queue.enqueue("now-p10-second", p(10), &none(), t(NOW)).unwrap();
    assert_eq!(routing_key(p(11), t(NOW + 60_000)), routing_key(p(10), t(NOW)));
    assert_eq!(ids(&queue), ["now-p10-first", "now-p10-second", "later-p11"]);
    assert_eq!(
        take_all(&mut queue, &Agent::unskilled()),
        ["now-p10-first", "now-p10-second", "later-p11"]
    );
}

#[test]
fn extreme_priorities_and_timestamps_do_not_overflow() {
    let mut queue = AcdQueue::new();
    queue.enqueue("max-now", p(25_000_000), &none(), t(NOW)).unwrap();
    queue.enqueue("min-now", p(-25_000_000), &none(), t(NOW)).unwrap();
    queue.enqueue("max-epoch", p(25_000_000), &none(), t(0)).unwrap();
    queue.enqueue("min-end", p(-25_000_000), &none(), t(Timestamp::MAX_MILLIS)).unwrap();
    queue.enqueue("zero-now", p(0), &none(), t(NOW)).unwrap();
    assert_eq!(ids(&queue), ["max-epoch", "max-now", "zero-now", "min-now", "min-end"]);
    assert_eq!(queue.get(&"max-epoch").unwrap().routing_key(), ROUTING_KEY_MAX);
    assert_eq!(queue.get(&"min-end").unwrap().routing_key(), ROUTING_KEY_MIN);
    assert_eq!(
        queue.score(&"min-end", t(0)).unwrap().as_millis(),
        -25_000_000 * 60_000 - Timestamp::MAX_MILLIS
    );
    assert_eq!(
        queue.score(&"max-epoch", t(Timestamp::MAX_MILLIS)).unwrap().as_millis(),
        25_000_000 * 60_000 + Timestamp::MAX_MILLIS
    );
    // Exact as f64 (a Redis sorted-set score).
    for key in [ROUTING_KEY_MIN, ROUTING_KEY_MAX] {
        assert_eq!(key as f64 as i64, key);
    }
    let err = Timestamp::from_unix_millis(Timestamp::MAX_MILLIS + 1).unwrap_err();
    assert_eq!(err.code(), "timestamp.out_of_range");
    assert!(err.to_string().contains("253402300799999"));
    assert!(Timestamp::from_unix_millis(i64::MIN).is_err());
}

#[test]
fn an_agent_without_a_required_skill_or_language_gets_nothing() {
    let mut queue = AcdQueue::new();
    let billing_en = Requirements::none().with_skill(skill("billing")).with_language(lang("en"));
    queue.enqueue("b-en", p(5), &billing_en, t(NOW)).unwrap();
    queue
        .enqueue("vip", p(9), &Requirements::new([skill("vip"), skill("billing")], None), t(NOW))
        .unwrap();

    assert!(queue.next_for(&Agent::unskilled(), t(NOW)).is_none());
    assert!(queue.next_for(&Agent::unskilled().with_skill(skill("billing")), t(NOW)).is_none());
    assert!(queue.next_for(&Agent::unskilled().with_language(lang("EN")), t(NOW)).is_none());
    let billing_es = Agent::new([skill("billing")], [lang("es")]);
    assert!(queue.peek_for(&billing_es, t(NOW)).is_none());
    // Unknown skills of the agent are ignored.
    let agent = Agent::new([skill("billing"), skill("never-required")], [lang("en"), lang("es")]);
    assert_eq!(queue.next_for(&agent, t(NOW)).unwrap().into_id(), "b-en");
    assert!(queue.next_for(&agent, t(NOW)).is_none());
    let vip = Agent::new([skill("vip"), skill("billing")], []);
    assert_eq!(queue.peek_for(&vip, t(NOW)).unwrap().requirements().skills().len(), 2);
    assert_eq!(queue.next_for(&vip, t(NOW)).unwrap().into_id(), "vip");
    assert!(queue.is_empty());
    assert_eq!(queue.class_count(), 0);
}

#[test]
fn agent_gets_the_best_interaction_it_qualifies_for_across_classes() {
    let mut queue = AcdQueue::new();
    let tech = Requirements::none().with_skill(skill("tech"));
    let sales = Requirements::none().with_skill(skill("sales"));
    queue.enqueue("sales-high", p(50), &sales, t(NOW)).unwrap();
    queue.enqueue("tech-old", p(1), &tech, t(NOW - 120_000)).unwrap();
    queue.enqueue("any-mid", p(2), &none(), t(NOW)).unwrap();
    assert_eq!(queue.class_count(), 3);
    let tech_agent = Agent::unskilled().with_skill(skill("tech"));
    assert_eq!(take_all(&mut queue, &tech_agent), ["tech-old", "any-mid"]);
    assert_eq!(ids(&queue), ["sales-high"]);
}

#[test]
fn reprioritize_applies_at_once_and_keeps_the_wait() {
    let mut queue = AcdQueue::new();
    queue.enqueue("a", p(0), &none(), t(NOW - 600_000)).unwrap();
    queue.enqueue("b", p(0), &none(), t(NOW - 60_000)).unwrap();
    assert_eq!(ids(&queue), ["a", "b"]);
    assert_eq!(queue.reprioritize(&"b", p(10)), Some(p(0)));
    assert_eq!(ids(&queue), ["b", "a"]);
    let b = queue.get(&"b").unwrap();
    assert_eq!(b.enqueued_at(), t(NOW - 60_000));
    assert_eq!(b.score(t(NOW)).milli_points(), 11_000);
    assert_eq!(queue.reprioritize(&"b", p(10)), Some(p(10)));
    assert_eq!(queue.reprioritize(&"missing", p(1)), None);
    // Back to equal priority: "a" waited longer.
    queue.reprioritize(&"b", p(0));
    assert_eq!(take_all(&mut queue, &Agent::unskilled()), ["a", "b"]);
}

#[test]
fn remove_returns_the_entry_once() {
    let mut queue = AcdQueue::new();
    let vip = Requirements::none().with_skill(skill("vip"));
    queue.enqueue("a", p(3), &vip, t(NOW)).unwrap();
    queue.enqueue("b", p(1), &none(), t(NOW)).unwrap();
    let removed = queue.remove(&"a").unwrap();
    assert_eq!((*removed.id(), removed.priority(), removed.enqueued_at()), ("a", p(3), t(NOW)));
    assert!(queue.remove(&"a").is_none());
    assert!(!queue.contains(&"a"));
    assert_eq!(queue.len(), 1);
    assert_eq!(queue.class_count(), 1);
    // The id may wait again once gone.
    queue.enqueue("a", p(0), &none(), t(NOW)).unwrap();
    assert_eq!(ids(&queue), ["b", "a"]);
}

#[test]
fn string_ids_are_removed_by_str() {
    let mut queue: AcdQueue<String> = AcdQueue::new();
    queue.enqueue("mail-1".to_owned(), p(0), &none(), t(NOW)).unwrap();
    assert!(queue.contains("mail-1"));
    assert_eq!(queue.remove("mail-1").unwrap().into_id(), "mail-1");
}

#[test]
fn a_duplicate_id_is_refused_and_changes_nothing() {
    let mut queue = AcdQueue::new();
    queue.enqueue("a", p(1), &none(), t(NOW)).unwrap();
    let err = queue.enqueue("a", p(9), &none(), t(NOW)).unwrap_err();
    assert_eq!(err.code(), "acd.duplicate_id");
    assert!(err.to_string().contains("\"a\""), "{err}");
    assert_eq!(queue.len(), 1);
    assert_eq!(queue.get(&"a").unwrap().priority(), p(1));
}

#[test]
fn distinct_skills_in_use_are_limited_and_freed_when_no_longer_required() {
    let mut queue: AcdQueue<usize> = AcdQueue::new();
    let skills: Vec<Skill> = (0..=MAX_DISTINCT_SKILLS).map(|i| skill(&format!("s{i}"))).collect();
    for (i, s) in skills[..MAX_DISTINCT_SKILLS].iter().enumerate() {
        queue.enqueue(i, p(0), &Requirements::none().with_skill(s.clone()), t(NOW)).unwrap();
    }
    let extra = Requirements::none().with_skill(skills[MAX_DISTINCT_SKILLS].clone());
    let err = queue.enqueue(999, p(0), &extra, t(NOW)).unwrap_err();
    assert_eq!(err.code(), "acd.too_many_skills");
    assert!(err.to_string().contains("128"), "{err}");
    assert_eq!(queue.len(), MAX_DISTINCT_SKILLS);
    // A known skill still works; once one skill is no longer required, a new one fits.
    queue.enqueue(500, p(0), &Requirements::none().with_skill(skills[0].clone()), t(NOW)).unwrap();
    queue.remove(&7).unwrap();
    queue.enqueue(999, p(0), &extra, t(NOW)).unwrap();
    let agent = Agent::unskilled().with_skill(skills[MAX_DISTINCT_SKILLS].clone());
    assert_eq!(queue.next_for(&agent, t(NOW)).unwrap().into_id(), 999);
    assert!(queue.next_for(&Agent::unskilled().with_skill(skills[7].clone()), t(NOW)).is_none());
}

#[test]
fn distinct_languages_in_use_are_limited() {
    let mut queue: AcdQueue<usize> = AcdQueue::new();
    for i in 0..MAX_DISTINCT_LANGUAGES {
        let r = Requirements::none().with_language(lang(&format!("x-{i}")));
        queue.enqueue(i, p(0), &r, t(NOW)).unwrap();
    }
    let r = Requirements::none().with_language(lang("x-new"));
    assert_eq!(queue.enqueue(9999, p(0), &r, t(NOW)).unwrap_err().code(), "acd.too_many_languages");
}

#[test]
fn iter_is_in_routing_order_across_classes() {
    let mut queue = AcdQueue::new();
    let a = Requirements::none().with_skill(skill("a"));
    let b = Requirements::none().with_language(lang("fr"));
    queue.enqueue("3", p(1), &a, t(NOW)).unwrap();
    queue.enqueue("1", p(3), &b, t(NOW)).unwrap();
    queue.enqueue("2", p(2), &none(), t(NOW)).unwrap();
    queue.enqueue("4", p(0), &b, t(NOW)).unwrap();
    assert_eq!(queue.iter().len(), 4);
    assert_eq!(ids(&queue), ["1", "2", "3", "4"]);
    assert_eq!((&queue).into_iter().count(), 4);
    assert!(format!("{queue:?}").contains("len: 4"));
    queue.clear();
    assert!(queue.is_empty() && queue.iter().next().is_none());
}

#[cfg(feature = "serde")]
mod snapshot {
    use super::*;

    #[test]
    fn a_restored_queue_gives_memory_back_as_it_empties() {
        let mut queue: AcdQueue<u32> = AcdQueue::new();
        for id in 0..10_000 {
            queue.enqueue(id, p(0), &none(), t(1_780_000_000_000)).unwrap();
        }
        let json = serde_json::to_string(&queue).unwrap();
        let mut restored: AcdQueue<u32> = serde_json::from_str(&json).unwrap();
        let full = restored.capacity();
        assert!(full >= 10_000);
        for id in 10..10_000 {
            assert!(restored.remove(&id).is_some());
        }
        assert!(restored.capacity() < full / 8, "{} of {full}", restored.capacity());
    }

    /// Runs the same operations on a queue that goes through a snapshot half-way and on one
    /// that does not; both must hand out the same interactions.
    #[test]
    fn snapshot_mid_sequence_then_continue_matches_an_unsnapshotted_queue() {
        let billing = Requirements::none().with_skill(skill("billing")).with_language(lang("en"));
        let mut plain: AcdQueue<String> = AcdQueue::new();
        let fill = |queue: &mut AcdQueue<String>, from: usize| {
            for i in from..from + 30 {
                let requirements = if i % 3 == 0 { billing.clone() } else { none() };
                // Many ties: same priority and time, told apart by enqueue order.
                let at = t(NOW + (i as i64 % 4) * 60_000);
                queue.enqueue(format!("m{i}"), p(i as i64 % 2), &requirements, at).unwrap();
            }
        };
        fill(&mut plain, 0);
        plain.reprioritize("m4", p(7));
        plain.remove("m5");

        let json = serde_json::to_string(&plain).unwrap();
        let mut restored: AcdQueue<String> = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&restored).unwrap(), json);

        for queue in [&mut plain, &mut restored] {
            fill(queue, 30);
            queue.reprioritize("m40", p(-1));
        }
        let generalist = Agent::unskilled();
        let billing_agent = Agent::new([skill("billing")], [lang("en")]);
        loop {
            for agent in [&generalist, &billing_agent, &billing_agent] {
                let a = plain.next_for(agent, t(NOW)).map(|i| (i.into_id(), 0));
                let b = restored.next_for(agent, t(NOW)).map(|i| (i.into_id(), 0));
                assert_eq!(a, b);
            }
            if plain.is_empty() {
                break;
            }
        }
        assert!(restored.is_empty());
    }

    #[test]
    fn snapshot_format() {
        let mut queue: AcdQueue<String> = AcdQueue::new();
        let r = Requirements::none().with_skill(skill("billing")).with_language(lang("EN"));
        queue.enqueue("b".into(), p(20), &r, t(1_000)).unwrap();
        queue.enqueue("a".into(), p(10), &none(), t(2_000)).unwrap();
        assert_eq!(
            serde_json::to_value(&queue).unwrap(),
            serde_json::json!({"waiting": [
                {"id": "b", "priority": 20, "enqueued_at": 1000,
                 "requirements": {"skills": ["billing"], "language": "en"}},
                {"id": "a", "priority": 10, "enqueued_at": 2000},
            ]})
        );
    }

    #[test]
    fn restore_validates() {
        let restore =
            |json: &str| serde_json::from_str::<AcdQueue<String>>(json).unwrap_err().to_string();
        let dup = r#"{"waiting":[{"id":"a","priority":1,"enqueued_at":5},{"id":"a","priority":2,"enqueued_at":6}]}"#;
        let err = restore(dup);
        assert!(err.contains("waiting[1]") && err.contains("acd.duplicate_id"), "{err}");
        assert!(
            restore(r#"{"waiting":[{"id":"a","priority":25000001,"enqueued_at":5}]}"#)
                .contains("priority")
        );
        assert!(
            restore(r#"{"waiting":[{"id":"a","priority":1,"enqueued_at":-5}]}"#)
                .contains("timestamp")
        );
        assert!(
            restore(r#"{"waiting":[{"id":"a","priority":1,"enqueued_at":5,"extra":1}]}"#)
                .contains("extra")
        );
        assert!(restore(r#"{"waiting":[{"id":"a","priority":1,"enqueued_at":5,"requirements":{"skills":[" "]}}]}"#).contains("empty"));
        assert!(restore(r#"{}"#).contains("waiting"));
        let ok: AcdQueue<String> = serde_json::from_str(r#"{"waiting":[]}"#).unwrap();
        assert!(ok.is_empty());
    }
}

mod capacity {
    use super::*;
    use email_routing::acd::{AcdError, MAX_WAITING};

    #[test]
    fn with_capacity_holds_that_many_without_growing() {
        let mut queue: AcdQueue<u32> = AcdQueue::with_capacity(1_000);
        let room = queue.capacity();
        assert!(room >= 1_000, "{room}");
        for id in 0..1_000 {
            queue.enqueue(id, p(1), &none(), t(1_780_000_000_000 + i64::from(id))).unwrap();
        }
        assert_eq!(queue.capacity(), room);
    }

    #[test]
    fn a_reservation_outlasts_departures_until_clear() {
        let mut queue: AcdQueue<u32> = AcdQueue::new();
        queue.try_reserve(5_000).unwrap();
        let room = queue.capacity();
        for id in 0..100 {
            queue.enqueue(id, p(0), &none(), t(1_780_000_000_000)).unwrap();
        }
        for id in 0..100 {
            assert!(queue.remove(&id).is_some());
        }
        assert_eq!(queue.capacity(), room);
        queue.clear();
        assert_eq!(queue.capacity(), 0);
    }

    /// A reservation takes zeroed memory, as growth does, instead of filling it: memory the
    /// queue has not used yet is not resident.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_reservation_does_not_fill_its_memory_up_front() {
        fn resident_bytes() -> u64 {
            let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
            let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
            pages * 4096
        }
        let before = resident_bytes();
        // An id index of 2^23 buckets (64 MiB) and a slab of 128 MiB.
        let queue: AcdQueue<u64> = AcdQueue::with_capacity(4_000_000);
        assert!(queue.capacity() >= 4_000_000);
        let grown = resident_bytes().saturating_sub(before);
        assert!(grown < 32 << 20, "{grown} bytes resident after reserving");
    }

    #[test]
    fn a_reservation_counts_the_waiting_interactions() {
        let mut queue: AcdQueue<u32> = AcdQueue::new();
        for id in 0..10 {
            queue.enqueue(id, p(0), &none(), t(1_780_000_000_000)).unwrap();
        }
        queue.try_reserve(100).unwrap();
        assert!(queue.capacity() >= 110);
    }

    #[test]
    fn a_reservation_past_the_limit_is_refused_and_changes_nothing() {
        let mut queue: AcdQueue<u32> = AcdQueue::new();
        queue.enqueue(1, p(0), &none(), t(1_780_000_000_000)).unwrap();
        let room = queue.capacity();
        // At the limit exactly the check passes (and the allocation may then fail), one past
        // it is refused before any allocation.
        let err = queue.try_reserve(MAX_WAITING).unwrap_err();
        assert_eq!(
            err,
            AcdError::CapacityTooLarge { requested: MAX_WAITING + 1, limit: MAX_WAITING }
        );
        assert_eq!(err.code(), "acd.capacity_too_large");
        assert!(err.to_string().contains(&MAX_WAITING.to_string()), "{err}");
        let err = queue.try_reserve(usize::MAX).unwrap_err();
        assert_eq!(err, AcdError::CapacityTooLarge { requested: usize::MAX, limit: MAX_WAITING });
        assert_eq!((queue.len(), queue.capacity()), (1, room));
    }

    #[test]
    fn a_reservation_the_allocator_cannot_meet_is_refused_and_changes_nothing() {
        // Ids of 8 GiB each: the store for 2^30 of them overflows the address space, so the
        // request fails without allocating anything.
        type HugeId = [u8; 1 << 33];
        let mut queue: AcdQueue<HugeId> = AcdQueue::new();
        let err = queue.try_reserve(1 << 30).unwrap_err();
        assert_eq!(err, AcdError::OutOfMemory { requested: 1 << 30 });
        assert_eq!(err.code(), "acd.out_of_memory");
        assert_eq!((queue.len(), queue.capacity()), (0, 0));
    }

    #[test]
    fn an_impossible_capacity_hint_is_ignored() {
        let mut queue: AcdQueue<u32> = AcdQueue::with_capacity(usize::MAX);
        assert_eq!(queue.capacity(), 0);
        queue.enqueue(1, p(0), &none(), t(1_780_000_000_000)).unwrap();
        assert_eq!(ids_u32(&queue), [1]);
    }

    fn ids_u32(queue: &AcdQueue<u32>) -> Vec<u32> {
        queue.iter().map(|w| *w.id()).collect()
    }
}

mod stages {
    use super::*;
    use email_routing::AgentId;
    use email_routing::acd::{self, StageError};
    use std::time::Duration;

    const MINUTE: i64 = 60_000;

    fn id(s: &str) -> AgentId {
        AgentId::new(s).unwrap()
    }
    fn ana() -> Agent {
        Agent::unskilled().with_id(id("ana"))
    }
    /// Billing in English, for ana first for a minute.
    fn reply() -> Requirements {
        Requirements::none()
            .with_skill(skill("billing"))
            .with_language(lang("en"))
            .with_preferred_agents([id("ana")], Duration::from_secs(60))
            .unwrap()
    }

    #[test]
    fn matching_ignores_skill_case_and_filters_languages() {
        let mut queue = AcdQueue::new();
        let r = Requirements::none().with_skill(skill("Billing")).with_language(lang("en"));
        queue.enqueue("a", p(0), &r, t(NOW)).unwrap();
        queue
            .enqueue("b", p(0), &Requirements::none().with_language(lang("en-US")), t(NOW))
            .unwrap();
        // `en` alone does not meet `en-US`; `en-GB` meets `en` but not `en-US`.
        let en = Agent::new([skill("billing")], [lang("en")]);
        assert_eq!(take_all(&mut queue, &en), ["a"]);
        let gb = Agent::new([], [lang("en-GB")]);
        assert!(queue.peek_for(&gb, t(NOW)).is_none());
        let us = Agent::new([], [lang("EN-us")]);
        assert_eq!(take_all(&mut queue, &us), ["b"]);
    }

    #[test]
    fn a_preferred_stage_ending_exactly_now_has_ended() {
        let mut queue = AcdQueue::new();
        queue.enqueue("reply", p(0), &reply(), t(NOW)).unwrap();
        let billing = Agent::new([skill("billing")], [lang("en-US")]);
        assert!(queue.next_for(&billing, t(NOW + MINUTE - 1)).is_none());
        assert_eq!(queue.get(&"reply").unwrap().stage(), 0);
        let taken = queue.next_for(&billing, t(NOW + MINUTE)).unwrap();
        assert_eq!((*taken.id(), taken.stage()), ("reply", 1));
    }

    #[test]
    fn a_preferred_agent_takes_it_whatever_its_skills_and_others_wait() {
        let mut queue = AcdQueue::new();
        queue.enqueue("reply", p(0), &reply(), t(NOW)).unwrap();
        queue.enqueue("plain", p(0), &none(), t(NOW + 1)).unwrap();
        let bo = Agent::new([skill("billing")], [lang("en")]).with_id(id("bo"));
        // bo gets the later plain interaction: the reply waits for ana.
        assert_eq!(queue.next_for(&bo, t(NOW + 10)).unwrap().into_id(), "plain");
        assert!(queue.next_for(&bo, t(NOW + 10)).is_none());
        let taken = queue.next_for(&ana(), t(NOW + 20)).unwrap();
        assert_eq!((*taken.id(), taken.stage()), ("reply", 0));
        assert!(queue.is_empty());
        assert_eq!(queue.class_count(), 0);
    }

    #[test]
    fn a_preferred_agent_who_never_comes_lets_it_fall_back_in_order() {
        let mut queue = AcdQueue::new();
        // The reply waited longest, so after the fallback it comes first, by its score.
        queue.enqueue("reply", p(0), &reply(), t(NOW)).unwrap();
        let billing_en =
            Requirements::none().with_skill(skill("billing")).with_language(lang("en"));
        queue.enqueue("newer", p(0), &billing_en, t(NOW + 1_000)).unwrap();
        let agent = Agent::new([skill("billing")], [lang("en")]);
        let now = t(NOW + 2 * MINUTE);
        assert_eq!(queue.score(&"reply", now).unwrap().milli_points(), 2_000);
        let taken: Vec<_> =
            std::iter::from_fn(|| queue.next_for(&agent, now).map(|i| i.into_id())).collect();
        assert_eq!(taken, ["reply", "newer"]);
        // ana comes too late: nothing is left for her.
        assert!(queue.next_for(&ana(), now).is_none());
    }

    #[test]
    fn rings_remove_skills_and_a_ring_without_skills_is_for_anyone_with_the_language() {
        let r = Requirements::none()
            .with_skill(skill("billing"))
            .with_skill(skill("vip"))
            .with_language(lang("fr"))
            .with_ring(Duration::from_secs(30), [skill("vip")])
            .unwrap()
            .with_ring(Duration::from_secs(60), [skill("billing")])
            .unwrap();
        let mut queue = AcdQueue::new();
        queue.enqueue("mail", p(0), &r, t(NOW)).unwrap();
        let billing_fr = Agent::new([skill("billing")], [lang("fr-CA")]);
        let french = Agent::new([], [lang("fr")]);
        let english = Agent::new([skill("billing"), skill("vip")], [lang("en")]);
        assert!(queue.peek_for(&billing_fr, t(NOW + 29_999)).is_none());
        assert_eq!(queue.peek_for(&billing_fr, t(NOW + 30_000)).unwrap().stage(), 1);
        assert!(queue.peek_for(&french, t(NOW + 89_999)).is_none());
        assert!(queue.peek_for(&english, t(NOW + 90_000)).is_none());
        let taken = queue.next_for(&french, t(NOW + 90_000)).unwrap();
        assert_eq!((*taken.id(), taken.stage()), ("mail", 2));
        // Without a language, the last ring is for anyone.
        let r = Requirements::none()
            .with_skill(skill("vip"))
            .with_ring(Duration::from_millis(1), [skill("vip")])
            .unwrap();
        queue.enqueue("any", p(0), &r, t(NOW)).unwrap();
        assert_eq!(queue.next_for(&Agent::unskilled(), t(NOW + 1)).unwrap().into_id(), "any");
    }

    #[test]
    fn stages_never_change_the_score_or_the_order() {
        let mut queue = AcdQueue::new();
        queue.enqueue("staged", p(5), &reply(), t(NOW)).unwrap();
        queue.enqueue("plain", p(5), &none(), t(NOW)).unwrap();
        let before: Vec<_> =
            queue.iter().map(|w| (*w.id(), w.score(t(NOW + 5 * MINUTE)))).collect();
        // Apply the stage change, then compare.
        let billing = Agent::new([skill("billing")], [lang("en")]);
        assert_eq!(queue.peek_for(&billing, t(NOW + MINUTE)).unwrap().id(), &"staged");
        let after: Vec<_> = queue.iter().map(|w| (*w.id(), w.score(t(NOW + 5 * MINUTE)))).collect();
        assert_eq!(before, after);
        assert_eq!(queue.get(&"staged").unwrap().stage(), 1);
        assert_eq!(queue.get(&"staged").unwrap().requirements(), &reply());
    }

    #[test]
    fn remove_and_reprioritize_work_in_every_stage() {
        let mut queue = AcdQueue::new();
        let r = reply().with_ring(Duration::from_secs(60), [skill("billing")]).unwrap();
        for (i, id) in ["a", "b", "c", "d"].into_iter().enumerate() {
            queue.enqueue(id, p(0), &r, t(NOW + i as i64)).unwrap();
        }
        // In the preferred stage.
        assert_eq!(queue.reprioritize(&"b", p(9)), Some(p(0)));
        assert_eq!(queue.remove(&"c").map(|i| i.stage()), Some(0));
        assert_eq!(queue.peek_for(&ana(), t(NOW + 10)).unwrap().id(), &"b");
        // In the first ring, then the last.
        let billing = Agent::new([skill("billing")], [lang("en")]);
        assert_eq!(queue.reprioritize(&"d", p(20)), Some(p(0)));
        assert_eq!(queue.next_for(&billing, t(NOW + MINUTE + 3)).unwrap().into_id(), "d");
        assert_eq!(queue.remove(&"a").map(|i| i.stage()), Some(1));
        let english = Agent::new([], [lang("en")]);
        // b was enqueued 1 ms after NOW: its first ring ends 1 ms later than a's would.
        assert!(queue.peek_for(&english, t(NOW + 2 * MINUTE)).is_none());
        let taken = queue.next_for(&english, t(NOW + 2 * MINUTE + 1)).unwrap();
        assert_eq!((*taken.id(), taken.stage(), taken.priority()), ("b", 2, p(9)));
        assert!(queue.is_empty());
    }

    #[test]
    fn time_never_goes_back_for_the_queue() {
        let mut queue = AcdQueue::new();
        queue.enqueue("reply", p(0), &reply(), t(NOW)).unwrap();
        let billing = Agent::new([skill("billing")], [lang("en")]);
        assert!(queue.peek_for(&billing, t(NOW + MINUTE)).is_some());
        // An earlier time counts as the latest one seen: the fallback is not undone.
        assert!(queue.peek_for(&ana(), t(NOW)).is_none());
        assert!(queue.next_for(&billing, t(NOW)).is_some());
    }

    #[test]
    fn an_agent_gets_the_best_across_its_queues_and_nothing_from_none() {
        let mut email: AcdQueue<&str> = AcdQueue::new();
        let mut chat: AcdQueue<&str> = AcdQueue::new();
        let mut social: AcdQueue<&str> = AcdQueue::new();
        // Same key: priority 1 a minute later equals priority 0 now; earlier enqueued_at wins.
        email.enqueue("e-later", p(1), &none(), t(NOW + MINUTE)).unwrap();
        chat.enqueue("c-now", p(0), &none(), t(NOW)).unwrap();
        // A full tie: the queue first in the host's order wins.
        social.enqueue("s-tie", p(0), &none(), t(NOW)).unwrap();
        email.enqueue("e-preferred", p(50), &reply(), t(NOW)).unwrap();
        let agent = Agent::unskilled();
        let now = t(NOW + 2 * MINUTE);
        let mut serves_none: Vec<&mut AcdQueue<&str>> = Vec::new();
        assert!(acd::next_across(&mut serves_none, &agent, now).is_none());
        {
            let mut order = [&mut social, &mut chat, &mut email];
            let peeked = acd::peek_across(&mut order, &agent, now);
            assert_eq!(peeked.map(|(at, w)| (at, *w.id())), Some((0, "s-tie")));
        }
        let mut order = [&mut chat, &mut social, &mut email];
        let mut taken = Vec::new();
        while let Some((at, i)) = acd::next_across(&mut order, &agent, now) {
            taken.push((at, i.into_id()));
        }
        // The preferred interaction waits for ana, whose minute is up only for billing agents.
        assert_eq!(taken, [(0, "c-now"), (1, "s-tie"), (2, "e-later")]);
        let billing = Agent::new([skill("billing")], [lang("en")]);
        let got = acd::next_across(&mut [&mut chat, &mut email], &billing, now);
        assert_eq!(got.map(|(at, i)| (at, i.into_id())), Some((1, "e-preferred")));
    }

    #[test]
    fn stage_errors_have_codes() {
        let err =
            Requirements::none().with_preferred_agents([], Duration::from_secs(1)).unwrap_err();
        assert_eq!(err, StageError::PreferredAgentCount { count: 0, limit: 16 });
        assert!(err.to_string().contains("1 to 16"), "{err}");
    }

    #[cfg(feature = "serde")]
    #[test]
    fn snapshots_keep_stages() {
        let mut queue: AcdQueue<String> = AcdQueue::new();
        let r = Requirements::none()
            .with_skill(skill("billing"))
            .with_skill(skill("vip"))
            .with_preferred_agents([id("ana"), id("bo")], Duration::from_secs(60))
            .unwrap()
            .with_ring(Duration::from_secs(30), [skill("VIP")])
            .unwrap();
        queue.enqueue("m".into(), p(3), &r, t(1_000)).unwrap();
        let json = serde_json::to_value(&queue).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"waiting": [
                {"id": "m", "priority": 3, "enqueued_at": 1000,
                 "requirements": {"skills": ["billing", "vip"],
                                  "preferred": {"agents": ["ana", "bo"], "wait_ms": 60000},
                                  "rings": [{"stay_ms": 30000, "remove": ["vip"]}]}},
            ]})
        );
        let mut restored: AcdQueue<String> = serde_json::from_value(json).unwrap();
        assert_eq!(restored.get("m").unwrap().requirements(), &r);
        // The restored queue works out the stage from enqueued_at, as the original does.
        let billing = Agent::new([skill("billing")], []);
        for q in [&mut queue, &mut restored] {
            assert!(q.peek_for(&billing, t(1_000 + 60_000)).is_none());
            assert_eq!(q.next_for(&billing, t(1_000 + 90_000)).map(|i| i.stage()), Some(2));
        }
        let bad = r#"{"waiting":[{"id":"a","priority":1,"enqueued_at":5,"requirements":{"rings":[{"stay_ms":0}]}}]}"#;
        let err = serde_json::from_str::<AcdQueue<String>>(bad).unwrap_err().to_string();
        assert!(err.contains("0 ms"), "{err}");
        let unknown =
            r#"{"waiting":[{"id":"a","priority":1,"enqueued_at":5,"requirements":{"ring":[]}}]}"#;
        assert!(serde_json::from_str::<AcdQueue<String>>(unknown).is_err());
    }
}
