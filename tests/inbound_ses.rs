//! SES receipt notifications: AWS's published sample events (`tests/fixtures/ses/`, MIT, from
//! `aws_lambda_events`) read with `InboundEmail::from_ses`, the same notification in its three
//! wrappings, the SNS action's raw `content` in both encodings, and malformed input.

mod inbound_fixtures;

use email_routing::inbound::{
    DmarcPolicy, InboundEmail, InboundPolicy, ReadError, ReversePath, SourceFormat, Verdict,
    Verdicts,
};
use inbound_fixtures::*;
use serde_json::{Value, json};

const HELP: &str = "help@support.customer.com";

/// A sample event as JSON text.
fn sample(name: &str) -> String {
    String::from_utf8(fixture("ses", name)).unwrap()
}

/// The `ses` object of a Lambda event's first record: `{"receipt": ..., "mail": ...}`.
fn notification_of(event: &str) -> Value {
    let event: Value = serde_json::from_str(event).unwrap();
    event["Records"][0]["ses"].clone()
}

/// The bare notification SES publishes: `notificationType` beside `receipt` and `mail`.
fn bare(notification: &Value) -> String {
    let mut bare = notification.clone();
    bare["notificationType"] = json!("Received");
    bare.to_string()
}

/// The bare notification inside an SNS envelope, as an SNS subscription (HTTPS, SQS) gets it:
/// the notification is the `Message` string.
fn sns(notification: &Value) -> String {
    json!({
        "Type": "Notification",
        "MessageId": "0a6f2e1c-93c4-5b0e-8d1e-2f7c4b9a6e35",
        "TopicArn": "arn:aws:sns:us-east-1:012345678912:example-topic",
        "Subject": "Amazon SES Email Receipt Notification",
        "Message": bare(notification),
        "Timestamp": "2015-09-11T20:32:34.012Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:012345678912:example-topic:c7fe3a54-ab0e-4ec2-88e0-db410a0f2bee"
    })
    .to_string()
}

fn read_ses(json: &str) -> InboundEmail {
    InboundEmail::from_ses(json, at(0)).unwrap_or_else(|e| panic!("{e}: {json}"))
}

fn error_code(json: &str) -> &'static str {
    match InboundEmail::from_ses(json, at(0)) {
        Ok(email) => panic!("read as {email:?}: {json}"),
        Err(e) => e.code(),
    }
}

fn recipients(email: &InboundEmail) -> Vec<&str> {
    email.envelope().recipients().iter().map(String::as_str).collect()
}

/// Every sample says PASS to everything, `dmarcPolicy` `reject`.
const ALL_PASS: Verdicts = Verdicts {
    spam: Verdict::Pass,
    virus: Verdict::Pass,
    spf: Verdict::Pass,
    dkim: Verdict::Pass,
    dmarc: Verdict::Pass,
    dmarc_policy: Some(DmarcPolicy::Reject),
};

const AWS_MESSAGE_ID: &str = "CAEddw6POFV_On91m+ZoL_SN8B_M2goDe_Ni355owhc7QSjPQSQ@amazon.com";

#[test]
fn lambda_event_with_all_verdicts_and_headers() {
    let email = read_ses(&sample("example-ses-event.json"));
    assert_eq!(email.format(), SourceFormat::Ses);
    assert_eq!(email.read_error(), None);
    assert_eq!(recipients(&email), ["lambda@amazon.com"]);
    assert_eq!(email.envelope().mail_from(), Some(&ReversePath::Address("aws@amazon.com".into())));
    assert_eq!(email.verdicts(), &ALL_PASS);
    assert!(!email.headers_truncated());
    assert_eq!(mailboxes(email.from()), [(Some("Amazon Web Services"), "aws@amazon.com")]);
    assert_eq!(mailboxes(email.to()), [(None, "lambda@amazon.com")]);
    assert_eq!(email.subject(), Some("Test Subject"));
    assert_eq!(email.message_id().map(|id| id.as_str()), Some(AWS_MESSAGE_ID));
    // Mon, 5 Dec 2016 18:40:08 -0800
    assert_eq!(email.date().map(|d| d.unix_millis()), Some(1_480_992_008_000));
    assert_eq!(email.return_path(), Some(&ReversePath::Address("aws@amazon.com".into())));
    assert_eq!(email.media_type(), Some("multipart/alternative"));
    // Without `content` there is no body: no size, no attachments.
    assert_eq!(email.size_octets(), None);
    assert!(email.attachments().is_empty());
    assert_eq!(email.auto_generated(), None);
    assert!(email.skipped().is_empty());
    assert_eq!(email.received_at(), at(0));
}

#[test]
fn lambda_action_event_reads_the_same() {
    let event = read_ses(&sample("example-ses-event.json"));
    let lambda = read_ses(&sample("example-ses-lambda-event.json"));
    assert_eq!(lambda, event);
}

#[test]
fn a_bcc_recipient_is_only_in_the_envelope() {
    let email = read_ses(&sample("example-ses-bcc-event.json"));
    assert_eq!(recipients(&email), ["lambda@amazon.com"]);
    // The message carries a `Bcc` field, which received mail never reads as a recipient list.
    assert!(email.to().is_empty());
    assert!(email.cc().is_empty());
    assert_eq!(email.subject(), Some("Test Subject"));
    assert_eq!(email.message_id().map(|id| id.as_str()), Some(AWS_MESSAGE_ID));
    assert_eq!(email.verdicts(), &ALL_PASS);
    assert!(!email.headers_truncated());
}

#[test]
fn s3_action_event() {
    let email = read_ses(&sample("example-ses-s3-event.json"));
    assert_eq!(recipients(&email), ["recipient@example.com"]);
    let source = "0000014fbe1c09cf-7cb9f704-7531-4e53-89a1-5fa9744f5eb6-000000@amazonses.com";
    assert_eq!(email.envelope().mail_from(), Some(&ReversePath::Address(source.into())));
    assert_eq!(email.return_path(), Some(&ReversePath::Address(source.into())));
    assert_eq!(email.verdicts(), &ALL_PASS);
    assert_eq!(mailboxes(email.from()), [(None, "sender@example.com")]);
    assert_eq!(mailboxes(email.to()), [(None, "recipient@example.com")]);
    assert_eq!(email.subject(), Some("Example subject"));
    assert_eq!(
        email.message_id().map(|id| id.as_str()),
        Some("61967230-7A45-4A9D-BEC9-87CBCF2211C9@example.com")
    );
    assert_eq!(email.media_type(), Some("text/plain"));
    assert!(!email.headers_truncated());
    // The S3 action stores the message in the bucket: the notification has no `content`.
    assert_eq!(email.size_octets(), None);
}

#[test]
fn sns_action_event() {
    let email = read_ses(&sample("example-ses-sns-event.json"));
    assert_eq!(recipients(&email), ["recipient@example.com"]);
    // The sample's `source` is not its `Return-Path`: the envelope is what SES says.
    assert_eq!(
        email.envelope().mail_from(),
        Some(&ReversePath::Address("61967230-7A45-4A9D-BEC9-87CBCF2211C9@example.com".into()))
    );
    assert_eq!(
        email.return_path(),
        Some(&ReversePath::Address(
            "0000014fbe1c09cf-7cb9f704-7531-4e53-89a1-5fa9744f5eb6-000000@amazonses.com".into()
        ))
    );
    assert_eq!(email.verdicts(), &ALL_PASS);
    assert_eq!(email.subject(), Some("Example subject"));
    assert_eq!(
        email.message_id().map(|id| id.as_str()),
        Some("61967230-7A45-4A9D-BEC9-87CBCF2211C9@example.com")
    );
    assert!(!email.headers_truncated());
}

#[test]
fn headers_truncated_is_kept() {
    let mut notification = notification_of(&sample("example-ses-s3-event.json"));
    notification["mail"]["headersTruncated"] = json!(true);
    let email = read_ses(&bare(&notification));
    assert!(email.headers_truncated());
    // What headers there are still count.
    assert_eq!(email.subject(), Some("Example subject"));
}

/// The bare notification, the SNS envelope around it and the Lambda event read the same,
/// for every sample.
#[test]
fn the_three_wrappings_read_the_same() {
    for name in [
        "example-ses-event.json",
        "example-ses-lambda-event.json",
        "example-ses-bcc-event.json",
        "example-ses-s3-event.json",
        "example-ses-sns-event.json",
    ] {
        let event = sample(name);
        let notification = notification_of(&event);
        let lambda = read_ses(&event);
        assert_eq!(read_ses(&bare(&notification)), lambda, "{name}: bare");
        assert_eq!(read_ses(&sns(&notification)), lambda, "{name}: SNS");
        // Compact or pretty-printed, the text reads the same.
        let pretty = serde_json::to_string_pretty(&notification).unwrap();
        assert_eq!(read_ses(&pretty), lambda, "{name}: pretty");
    }
}

/// An SNS notification whose receipt `action` carries the raw message in `content`.
fn with_content(raw: &[u8], encoding: &str, recipient: &str) -> Value {
    let mut notification = notification_of(&sample("example-ses-sns-event.json"));
    notification["receipt"]["recipients"] = json!([recipient]);
    notification["receipt"]["action"]["encoding"] = json!(encoding);
    notification["content"] = match encoding {
        "UTF8" => json!(std::str::from_utf8(raw).unwrap()),
        _ => json!(base64(raw)),
    };
    notification
}

/// `ses` (from a notification with `content`) holds what `from_rfc5322` reads from the same
/// bytes with the same envelope, and SES's verdicts.
fn assert_reads_as_raw(ses: &InboundEmail, raw: &[u8]) {
    let direct = InboundEmail::from_rfc5322(raw, ses.envelope().clone(), at(0));
    assert_eq!(ses.format(), SourceFormat::Ses);
    assert_eq!(ses.read_error(), None);
    assert_eq!(ses.size_octets(), Some(raw.len() as u64));
    assert_eq!(ses.from(), direct.from());
    assert_eq!(ses.sender(), direct.sender());
    assert_eq!(ses.reply_to(), direct.reply_to());
    assert_eq!(ses.to(), direct.to());
    assert_eq!(ses.cc(), direct.cc());
    assert_eq!(ses.skipped(), direct.skipped());
    assert_eq!(ses.subject(), direct.subject());
    assert_eq!(ses.date(), direct.date());
    assert_eq!(ses.message_id(), direct.message_id());
    assert_eq!(ses.in_reply_to(), direct.in_reply_to());
    assert_eq!(ses.references(), direct.references());
    assert_eq!(ses.return_path(), direct.return_path());
    assert_eq!(ses.media_type(), direct.media_type());
    assert_eq!(ses.attachments(), direct.attachments());
    assert_eq!(ses.delivery_report(), direct.delivery_report());
    assert_eq!(ses.auto_generated(), direct.auto_generated());
    assert_eq!(
        ses.authentication_results("amazonses.com"),
        direct.authentication_results("amazonses.com")
    );
    assert_eq!(ses.verdicts(), &ALL_PASS);
}

#[test]
fn sns_content_in_utf8_is_the_raw_message() {
    let raw = eml("gmail-vacation.eml");
    let email = read_ses(&bare(&with_content(&raw, "UTF8", HELP)));
    assert_reads_as_raw(&email, &raw);
    // The raw message's own header, not the sample's `mail.headers`.
    assert_eq!(email.subject(), Some("Re: [Case #48240] Your return label for order 7781-2290"));
    assert_eq!(recipients(&email), [HELP]);
    assert_eq!(email.auto_generated().map(|a| a.kind().as_str()), Some("auto_reply"));
    let org = org();
    let d = dispatch_with(&org, &email, &InboundPolicy::default());
    assert_eq!(outcome(&d), ("disconnect".to_owned(), "auto_generated"));
}

#[test]
fn sns_content_in_base64_is_the_raw_message_byte_for_byte() {
    // Latin-1 bytes in a header: only base64 carries them unchanged.
    let raw = eml("hostile-headers.eml");
    assert!(std::str::from_utf8(&raw).is_err());
    let notification = with_content(&raw, "BASE64", HELP);
    let email = read_ses(&sns(&notification));
    assert_reads_as_raw(&email, &raw);
    assert_eq!(email.author().map(|a| a.as_str()), Some("jurgen@example.org"));
    // SES's own line breaks in the base64 text, and its encoding name in any case, change nothing.
    let mut wrapped = notification.clone();
    let text = base64(&raw);
    let lines: Vec<&str> =
        text.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect();
    wrapped["content"] = json!(lines.join("\r\n"));
    wrapped["receipt"]["action"]["encoding"] = json!("base64");
    assert_eq!(read_ses(&bare(&wrapped)), email);
    let org = org();
    let d = dispatch_with(&org, &email, &InboundPolicy::default());
    assert_eq!(outcome(&d), (HELP_QUEUE.to_owned(), "route"));
}

#[test]
fn sns_content_with_attachments_counts_them() {
    let raw = eml("customer-with-attachments.eml");
    for encoding in ["UTF8", "BASE64"] {
        let email = read_ses(&sns(&with_content(&raw, encoding, HELP)));
        assert_reads_as_raw(&email, &raw);
        let names: Vec<_> = email.attachments().iter().map(|a| a.name()).collect();
        assert_eq!(
            names,
            [Some("bank-statement-2025-02.pdf"), Some("Screenshot 2025-03-04 at 10.12.45.png")],
            "{encoding}"
        );
        assert_eq!(email.size_octets(), Some(51263), "{encoding}");
    }
}

/// SES's verdicts decide: the samples' all-PASS routes; each verdict changed alone decides
/// as the policy says.
#[test]
fn ses_verdicts_decide_the_dispatch() {
    let org = org();
    let policy = InboundPolicy::default();
    let to_help = |edit: &dyn Fn(&mut Value)| {
        let mut notification = notification_of(&sample("example-ses-event.json"));
        notification["receipt"]["recipients"] = json!([HELP]);
        edit(&mut notification);
        read_ses(&bare(&notification))
    };
    let run = |email: &InboundEmail| outcome(&dispatch_with(&org, email, &policy));
    assert_eq!(run(&to_help(&|_| {})), (HELP_QUEUE.to_owned(), "route"));
    let virus = to_help(&|n| n["receipt"]["virusVerdict"]["status"] = json!("FAIL"));
    assert_eq!(run(&virus), ("disconnect".to_owned(), "virus"));
    for inconclusive in ["GRAY", "PROCESSING_FAILED"] {
        let email = to_help(&|n| n["receipt"]["virusVerdict"]["status"] = json!(inconclusive));
        assert_eq!(run(&email), ("disconnect".to_owned(), "virus_scan_inconclusive"));
    }
    let spam = to_help(&|n| n["receipt"]["spamVerdict"]["status"] = json!("FAIL"));
    assert_eq!(run(&spam), ("flow spam-review".to_owned(), "spam"));
    let dmarc = to_help(&|n| n["receipt"]["dmarcVerdict"]["status"] = json!("FAIL"));
    assert_eq!(dmarc.verdicts().dmarc_policy, Some(DmarcPolicy::Reject));
    assert_eq!(run(&dmarc), ("flow spam-review".to_owned(), "dmarc_failed"));
    let monitored = to_help(&|n| {
        n["receipt"]["dmarcVerdict"]["status"] = json!("FAIL");
        n["receipt"]["dmarcPolicy"] = json!("none");
    });
    assert_eq!(run(&monitored), (HELP_QUEUE.to_owned(), "route"));
    // A status SES may add later, or none at all, is no verdict.
    let unknown = to_help(&|n| {
        n["receipt"]["spamVerdict"]["status"] = json!("SUSPICIOUS");
        n["receipt"].as_object_mut().unwrap().remove("virusVerdict");
    });
    assert_eq!(
        (unknown.verdicts().spam, unknown.verdicts().virus),
        (Verdict::Disabled, Verdict::Disabled)
    );
    assert_eq!(run(&unknown), (HELP_QUEUE.to_owned(), "route"));
}

/// SES writes `destination` (the message's recipients) and `receipt.recipients` (those this
/// rule received for); the envelope is the receipt's, and `destination` only stands in when
/// the receipt lists none.
#[test]
fn the_envelope_is_the_receipts_recipients() {
    let mut notification = notification_of(&sample("example-ses-event.json"));
    notification["mail"]["destination"] = json!(["lambda@amazon.com", "other@amazon.com"]);
    assert_eq!(recipients(&read_ses(&bare(&notification))), ["lambda@amazon.com"]);
    notification["receipt"]["recipients"] = json!([]);
    assert_eq!(
        recipients(&read_ses(&bare(&notification))),
        ["lambda@amazon.com", "other@amazon.com"]
    );
}

#[test]
fn malformed_notifications_are_ses_invalid() {
    let event = sample("example-ses-event.json");
    let notification = notification_of(&event);
    let mut no_receipt = notification.clone();
    no_receipt.as_object_mut().unwrap().remove("receipt");
    let mut bad_recipients = notification.clone();
    bad_recipients["receipt"]["recipients"] = json!("lambda@amazon.com");
    let mut bad_base64 = with_content(b"Subject: x\r\n\r\nbody\r\n", "BASE64", HELP);
    bad_base64["content"] = json!("not*base64!");
    let cases = [
        String::new(),
        " ".to_owned(),
        "{".to_owned(),
        "not json".to_owned(),
        "null".to_owned(),
        "[]".to_owned(),
        "{}".to_owned(),
        event[..event.len() / 2].to_owned(),
        format!("{event} trailing"),
        bare(&no_receipt),
        bare(&bad_recipients),
        bare(&bad_base64),
        json!({"Records": []}).to_string(),
        json!({"Records": [{"eventSource": "aws:ses"}]}).to_string(),
        json!({"Type": "Notification", "Message": "{\"receipt\": "}).to_string(),
        json!({"Type": "Notification", "Message": "plain text"}).to_string(),
    ];
    for json in &cases {
        assert_eq!(error_code(json), "inbound.ses_invalid", "{json}");
    }
    let Err(e @ ReadError::SesInvalid { .. }) = InboundEmail::from_ses("{", at(0)) else {
        panic!("read")
    };
    // The message says what to pass instead.
    assert!(e.to_string().contains("SNS envelope"), "{e}");
}

#[test]
fn base64_encoder_matches_rfc_4648_vectors() {
    for (plain, encoded) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64(plain.as_bytes()), encoded);
    }
}
