"""tentaclio_fs: open URLs without secrets; credentials are injected from where they are kept."""
