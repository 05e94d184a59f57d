"""The tandem-pairing domain (peer + professional in a team)."""
