//! A whole conversation, end to end: a customer writes, an agent answers with a reply the crate
//! renders, a simulated mail client answers that reply (keeping or dropping In-Reply-To or
//! References, adding prefixes in several languages, sometimes forwarding instead, sometimes
//! after the window), and threading decides every step as a naive model says.

use std::collections::{HashMap, HashSet};

use email_routing::config::{AddressRoute, OrgEmailConfig, RoutingTarget};
use email_routing::conversation::{self, InMemoryConversations, ThreadingPolicy};
use email_routing::inbound::{Envelope, InboundEmail};
use email_routing::outbound::{self, OutboundDraft, RenderOptions, RepliedMessage};
use email_routing::*;
use proptest::prelude::*;

const T0: i64 = 1_780_000_000_000;
const WINDOW_MS: i64 = 10 * 60_000;

fn at(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(T0 + ms).unwrap()
}

fn org() -> OrgEmailConfig {
    let root: DomainName = "mail.example.net".parse().unwrap();
    let mut org = OrgEmailConfig::new(root.clone());
    org.add_domain(Domain::hosted("acme", &root).unwrap()).unwrap();
    org.add_route(AddressRoute::new(
        "help@acme.mail.example.net".parse().unwrap(),
        DisplayName::new("Help").unwrap(),
        RoutingTarget::OutboundOnly,
    ))
    .unwrap();
    org
}

/// What the simulated client does with the agent's last reply.
#[derive(Debug, Clone)]
struct Answer {
    /// Milliseconds after the agent's reply.
    delay: i64,
    /// The subject prefix the client writes (a forward's starts a new conversation).
    prefix: &'static str,
    keep_in_reply_to: bool,
    /// 0: no References; 1: only the agent's reply; 2: the whole chain.
    references: u8,
    /// The customer answers an older message of the thread instead of the last.
    answer_older: bool,
}

fn answer() -> impl Strategy<Value = Answer> {
    (
        prop_oneof![8 => 0i64..WINDOW_MS - 1, 1 => WINDOW_MS..2 * WINDOW_MS, 1 => Just(WINDOW_MS - 1), 1 => Just(WINDOW_MS)],
        prop::sample::select(vec![
            "Re: ", "RE: ", "AW: ", "SV: ", "Antw: ", "回复：", "Re: Re: ", "[EXT] Re: ", "", "Fwd: ",
            "WG: ",
        ]),
        any::<bool>(),
        0u8..3,
        prop::bool::weighted(0.2),
    )
        .prop_map(|(delay, prefix, keep_in_reply_to, references, answer_older)| Answer {
            delay,
            prefix,
            keep_in_reply_to,
            references,
            answer_older,
        })
}

/// The naive model: every id ever recorded, with its conversation, and each conversation's
/// last activity; it rescans everything for every decision.
#[derive(Default)]
struct Model {
    conversation_of: HashMap<String, usize>,
    last_activity: HashMap<usize, i64>,
}

impl Model {
    /// What threading must say for a message naming `in_reply_to` and `references`.
    fn expected(
        &self,
        forward: bool,
        in_reply_to: &[String],
        references: &[String],
        now: i64,
    ) -> Option<usize> {
        if forward {
            return None;
        }
        let candidates = in_reply_to.iter().chain(references.iter().rev());
        candidates
            .filter_map(|id| self.conversation_of.get(id))
            .find(|c| now - self.last_activity[c] < WINDOW_MS)
            .copied()
    }

    fn record(&mut self, id: &str, conversation: usize, now: i64) {
        self.conversation_of.insert(id.to_owned(), conversation);
        let last = self.last_activity.entry(conversation).or_insert(now);
        *last = (*last).max(now);
    }
}

fn customer_message(
    n: usize,
    subject: &str,
    in_reply_to: &[String],
    references: &[String],
    now: i64,
) -> InboundEmail {
    let mut raw = format!(
        "From: Jane <jane@example.org>\r\nTo: help@acme.mail.example.net\r\nSubject: {subject}\r\nMessage-ID: <customer-{n}@example.org>\r\n"
    );
    if !in_reply_to.is_empty() {
        raw.push_str(&format!("In-Reply-To: <{}>\r\n", in_reply_to.join("> <")));
    }
    if !references.is_empty() {
        let folded: Vec<String> = references.iter().map(|r| format!("<{r}>")).collect();
        raw.push_str(&format!("References: {}\r\n", folded.join("\r\n ")));
    }
    raw.push_str("\r\nHello\r\n");
    InboundEmail::from_rfc5322(raw.as_bytes(), Envelope::new(), at(now))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn a_conversation_threads_as_the_model_says(answers in prop::collection::vec(answer(), 1..12)) {
        let org = org();
        let verified: HashSet<DomainName> = HashSet::new();
        let policy = ThreadingPolicy::new(WINDOW_MS).unwrap();
        let agent = AgentId::new("jane-agent").unwrap();
        let mut store = InMemoryConversations::new(10_000);
        let mut model = Model::default();
        let mut next_conversation = 0usize;
        let mut now = 0i64;

        // The first message starts conversation 0.
        let mut email = customer_message(0, "Invoice 4711", &[], &[], now);
        let threading = conversation::thread(&store, &email, &policy, at(now));
        prop_assert!(threading.continued().is_none(), "the first message starts a conversation");
        let mut current = ConversationId::new("c-0").unwrap();
        let mut current_index = 0usize;
        conversation::record_received(&mut store, &email, &threading, current.clone(), at(now));
        model.record("customer-0@example.org", 0, now);
        let mut sent: Vec<(String, Vec<String>)> = Vec::new();

        for (step, answer) in answers.iter().enumerate() {
            // The agent answers the customer's last message with a rendered reply.
            now += 1_000;
            let draft = OutboundDraft::new("help@acme.mail.example.net".parse().unwrap())
                .with_to("jane@example.org")
                .with_subject(format!("Re: {}", email.subject().unwrap_or_default()))
                .with_text("Answer.")
                .replying_to(RepliedMessage::from_email(&email));
            let envelope = outbound::compose(&org, &draft, &verified).unwrap();
            let rendered = envelope.render(&RenderOptions::new(at(now), &format!("agent-{step}"))).unwrap();
            conversation::record_sent(&mut store, rendered.message_id().clone(), &current, &agent, "Invoice 4711", at(now));
            model.record(rendered.message_id().as_str(), current_index, now);
            // What the customer's client sees of it.
            let ours = InboundEmail::from_rfc5322(rendered.as_bytes(), Envelope::new(), at(now));
            let our_refs: Vec<String> = ours.references().iter().map(|r| r.as_str().to_owned()).collect();
            let our_id = ours.message_id().unwrap().as_str().to_owned();
            let parent = email.message_id().map(|id| id.as_str().to_owned());
            prop_assert_eq!(our_refs.last(), parent.as_ref());
            sent.push((our_id.clone(), our_refs.clone()));

            // The customer's client answers it (or an older one of ours).
            now += answer.delay;
            let (answered, answered_refs) = if answer.answer_older { sent[0].clone() } else { (our_id, our_refs) };
            let in_reply_to = if answer.keep_in_reply_to { vec![answered.clone()] } else { vec![] };
            let references: Vec<String> = match answer.references {
                0 => vec![],
                1 => vec![answered.clone()],
                _ => answered_refs.iter().cloned().chain([answered.clone()]).collect(),
            };
            let n = step + 1;
            email = customer_message(n, &format!("{}Invoice 4711", answer.prefix), &in_reply_to, &references, now);
            let forward = answer.prefix.starts_with("Fwd") || answer.prefix.starts_with("WG");
            let expected = model.expected(forward, &in_reply_to, &references, now);
            let threading = conversation::thread(&store, &email, &policy, at(now));
            match (expected, threading.continued()) {
                (Some(c), Some(state)) => {
                    prop_assert_eq!(state.id().as_str(), format!("c-{c}"), "step {}: {:?}", step, answer);
                    prop_assert_eq!(state.last_agent(), Some(&agent));
                }
                (None, None) => {
                    next_conversation += 1;
                    current_index = next_conversation;
                }
                (expected, got) => {
                    prop_assert!(false, "step {}: {:?}: model says {:?}, threading says {:?}", step, answer, expected, got.map(|s| s.id().clone()));
                }
            }
            if let Some(c) = expected {
                current_index = c;
            }
            current = ConversationId::new(&format!("c-{current_index}")).unwrap();
            conversation::record_received(&mut store, &email, &threading, current.clone(), at(now));
            model.record(&format!("customer-{n}@example.org"), current_index, now);
            if expected.is_none() {
                sent.clear();
            }
        }
    }
}
