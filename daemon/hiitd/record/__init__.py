"""A recorded session as values: the record, its builder from engine events, its point columns."""
