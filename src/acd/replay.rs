//! Replay (todo).
