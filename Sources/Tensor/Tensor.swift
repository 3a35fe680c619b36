// Module Tensor: see docs/architecture.md.
