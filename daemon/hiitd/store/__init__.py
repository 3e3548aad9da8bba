"""Recording: the session record builder, SQLite store, recorder and outbox."""
