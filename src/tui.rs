//! The interactive wizard (ratatui): state, messages, update, view.
