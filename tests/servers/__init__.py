"""Test-only database servers; the protocol servers shared with the demo live in
``tentaclio_fs.testing``."""
