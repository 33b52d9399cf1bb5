"""Scale-out: the servers of the production profile (PostgreSQL, Redis, nginx) and what
lets several gateway processes act as one (Redis messaging, a shared queue lock, shared
presence, turn leases)."""
