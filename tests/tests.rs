//! Integration tests: they run the `datastroom` binary on the sample exports in testdata/ and
//! on small files written per test, and check values computed by hand.

mod attack;
mod util;

mod dashboard;
mod datasets;
mod export;
mod ingest;
mod inhuur;
mod malformed;
mod peaks;
mod privacy;
mod readme;
mod remote;
mod report;
mod safety;
mod sql;
mod waitlist;
mod warehouse;
