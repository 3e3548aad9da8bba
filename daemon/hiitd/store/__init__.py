"""What is kept in the state directory: the SQLite store and the small files beside it."""
