// Module HTTP1: see docs/architecture.md.
