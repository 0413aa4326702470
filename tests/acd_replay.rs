//! The replay log format end to end, through the same `replay::run` the `acd_replay` example
//! calls.

use email_routing::acd::replay::{self, Event, RunError, parse_line};

fn replay(log: &str) -> Result<(String, String), Box<RunError>> {
    let (mut out, mut warnings) = (Vec::new(), Vec::new());
    replay::run(log.as_bytes(), &mut out, &mut warnings)?;
    Ok((String::from_utf8(out).unwrap(), String::from_utf8(warnings).unwrap()))
}

fn line_error(log: &str) -> (usize, &'static str, String) {
    match replay(log).map_err(|e| *e) {
        Err(RunError::Line { line, error }) => (line, error.code(), error.to_string()),
        other => panic!("expected a line error, got {other:?}"),
    }
}

#[test]
fn a_day_in_miniature() {
    let log = "\
# Priority 20 after 4 minutes beats priority 10 after 6 minutes.
1780000000000 enqueue id=old-p10 priority=10
1780000120000 enqueue id=new-p20 priority=20

1780000360000 next
1780000360000 next
1780000360000 next

# Skills and language.
1780000400000 enqueue id=fr-billing priority=0 skills=billing,refunds language=FR
1780000400001 enqueue id=plain priority=0
1780000500000 next skills=billing languages=fr
1780000500000 next skills=billing,refunds languages=en,fr
1780000500000 next skills=billing,refunds languages=en,fr

# Reprioritize keeps the wait; remove of a gone id only warns.
1780000600000 enqueue id=x priority=0
1780000600001 enqueue id=y priority=0
1780000600002 reprioritize id=y priority=1
1780000600003 remove id=x
1780000600004 remove id=x
1780000600005 reprioritize id=old-p10 priority=3
1780000700000 next
1780000700000 next
";
    let (out, warnings) = replay(log).unwrap();
    assert_eq!(
        out,
        "\
1780000360000 new-p20
1780000360000 old-p10
1780000360000 -
1780000500000 plain
1780000500000 fr-billing
1780000500000 -
1780000700000 y
1780000700000 -
"
    );
    assert_eq!(warnings.lines().count(), 2);
    assert!(warnings.contains("line 21: warning: remove id=x: not waiting"), "{warnings}");
    assert!(warnings.contains("line 22: warning: reprioritize id=old-p10"), "{warnings}");
}

#[test]
fn malformed_lines_name_their_number_and_problem() {
    let cases = [
        ("1 enqueue id=a", "replay.missing_field", "priority"),
        ("x enqueue id=a priority=1", "replay.time_invalid", "\"x\""),
        ("-1 next", "replay.time_invalid", "-1"),
        ("1", "replay.missing_event", "enqueue, next"),
        ("1 dequeue id=a", "replay.unknown_event", "dequeue"),
        ("1 next skills", "replay.malformed_field", "name=value"),
        ("1 next id=a", "replay.unknown_field", "skills, languages"),
        ("1 remove id=a id=b", "replay.duplicate_field", "id"),
        ("1 enqueue id=a priority=99999999", "replay.value_invalid", "priority"),
        ("1 enqueue id= priority=1", "replay.value_invalid", "id"),
        ("1 enqueue id=a priority=1 skills=a,,b", "replay.value_invalid", "skills"),
        ("1 next languages=", "replay.value_invalid", "languages"),
    ];
    for (line, code, mentions) in cases {
        let (number, got, message) = line_error(&format!("# header\n\n{line}\n1 next\n"));
        assert_eq!((number, got), (3, code), "{line}: {message}");
        assert!(message.contains(mentions), "{line}: {message}");
    }
}

#[test]
fn a_duplicate_enqueue_is_an_error_with_its_line() {
    let (line, code, _) = line_error("1 enqueue id=a priority=1\n2 enqueue id=a priority=1\n");
    assert_eq!((line, code), (2, "acd.duplicate_id"));
}

#[test]
fn parse_line_gives_events() {
    let e = parse_line("  5 enqueue priority=-3 id=q skills=b,a language=pt-BR ").unwrap().unwrap();
    assert_eq!(e.at.unix_millis(), 5);
    let Event::Enqueue { id, priority, requirements } = e.event else { panic!("{e:?}") };
    assert_eq!((id.as_str(), priority.get()), ("q", -3));
    assert_eq!(requirements.skills().len(), 2);
    assert_eq!(requirements.language().unwrap().as_str(), "pt-br");
    assert_eq!(parse_line("").unwrap(), None);
    assert_eq!(parse_line("#1 next").unwrap(), None);
}

#[test]
fn the_replay_keeps_the_final_queue() {
    let (mut out, mut warnings) = (Vec::new(), Vec::new());
    let log = "1 enqueue id=a priority=1\n2 enqueue id=b priority=5\n3 next\n";
    let replay = replay::run(log.as_bytes(), &mut out, &mut warnings).unwrap();
    let left: Vec<&String> = replay.queue().iter().map(|w| w.id()).collect();
    assert_eq!(left, ["a"]);
}

#[test]
fn stages_and_agent_ids() {
    let log = "\
# Replies for their last agent (60 s), then for billing in English (30 s), then for anyone
# who speaks English.
1780000000000 enqueue id=r1 priority=0 skills=billing language=en preferred=60000:ana ring1=30000:Billing
1780000000000 enqueue id=r2 priority=0 skills=billing language=en preferred=60000:ana ring1=30000:Billing
1780000000001 enqueue id=new priority=0 skills=billing
# Before 60 s only ana may take a reply, whatever her skills.
1780000059999 next skills=BILLING languages=en
1780000059999 next agent=bo
1780000059999 next agent=ana
# At exactly 60 s the preferred stage has ended: billing and English are needed.
1780000060000 next agent=ana
1780000060000 next languages=en
1780000089999 next languages=en-GB
# At exactly 90 s the first ring has ended and removed billing.
1780000090000 next languages=en-GB
";
    let (out, warnings) = replay(log).unwrap();
    assert_eq!(
        out,
        "\
1780000059999 new
1780000059999 -
1780000059999 r1
1780000060000 -
1780000060000 -
1780000089999 -
1780000090000 r2
"
    );
    assert_eq!(warnings, "");
}

#[test]
fn malformed_stage_fields() {
    let cases = [
        ("1 enqueue id=a priority=1 preferred=x:ana", "replay.duration_invalid", "preferred"),
        (
            "1 enqueue id=a priority=1 preferred=60000",
            "acd.preferred_agent_count_out_of_range",
            "1 to 16",
        ),
        ("1 enqueue id=a priority=1 preferred=0:ana", "acd.stage_duration_out_of_range", "0 ms"),
        ("1 enqueue id=a priority=1 ring2=10", "replay.missing_field", "ring1"),
        ("1 enqueue id=a priority=1 ring1=10:vip", "acd.ring_skill_not_required", "vip"),
        ("1 enqueue id=a priority=1 ring1=10:", "replay.value_invalid", "ring1"),
        ("1 enqueue id=a priority=1 ring1=10:,a", "replay.value_invalid", "ring1"),
        ("1 enqueue id=a priority=1 ring6=10", "replay.unknown_field", "ring5"),
        ("1 next agent=", "replay.value_invalid", "agent"),
    ];
    for (line, code, mentions) in cases {
        let (number, got, message) = line_error(&format!("{line}\n"));
        assert_eq!((number, got), (1, code), "{line}: {message}");
        assert!(message.contains(mentions), "{line}: {message}");
    }
}
