// Module Daemon: see docs/architecture.md.
