"""The gateway: the front door buyers (and later agents) talk to."""
