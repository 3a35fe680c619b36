// Module HTTPServer: see docs/architecture.md.
