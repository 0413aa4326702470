//! DNS records and verification (in progress).
