//! [`DnsLookup`] and [`AsyncDnsLookup`]: how a check gets its answers. The thin drivers that
//! run a [`DomainCheck`](super::DomainCheck) over them are its `run` and `run_async`.
//!
//! A lookup answers one [`Query`] with an [`Answer`]; it never fails in the Rust sense, because
//! a failed lookup is itself an answer ([`Answer::Failed`]) that the check reports as unknown.
//! [`InMemoryDns`](super::InMemoryDns) implements both traits; with the `resolver` feature,
//! [`HickoryLookup`](super::HickoryLookup) implements the async one over real DNS.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;

use super::{Answer, Query};

/// A blocking DNS lookup.
pub trait DnsLookup {
    /// Answers one query.
    fn lookup(&self, query: &Query) -> Answer;
}

/// An asynchronous DNS lookup. The futures must be `Send`, so checks can run on multi-threaded
/// executors.
pub trait AsyncDnsLookup {
    /// Answers one query.
    fn lookup(&self, query: &Query) -> impl Future<Output = Answer> + Send;
}

impl<T: DnsLookup + ?Sized> DnsLookup for &T {
    fn lookup(&self, query: &Query) -> Answer {
        (**self).lookup(query)
    }
}

impl<T: AsyncDnsLookup + Sync + ?Sized> AsyncDnsLookup for &T {
    fn lookup(&self, query: &Query) -> impl Future<Output = Answer> + Send {
        (**self).lookup(query)
    }
}

/// Polls every future until all are done; results in input order.
pub(super) async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending { Poll::Pending } else { Poll::Ready(()) }
    })
    .await;
    outputs.into_iter().flatten().collect()
}
