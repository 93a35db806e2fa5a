//! The quick-add parser (being written).
