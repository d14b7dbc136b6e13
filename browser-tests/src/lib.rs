//! Browser tests of the mock's web console; everything is in `tests/`.
