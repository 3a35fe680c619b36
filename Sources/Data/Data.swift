// Module Data: see docs/architecture.md.
