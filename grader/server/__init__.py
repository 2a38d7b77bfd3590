"""The course server: `dlx serve`, its database, job ledger, grading workers and HTTP API."""
