//! The ACD queue (in progress).
