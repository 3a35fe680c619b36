// Module NN: see docs/architecture.md.
