// Module Store: see docs/architecture.md.
