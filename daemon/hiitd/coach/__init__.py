"""The coach: zones, the workout model, the engine and its cues. Pure: no I/O, no clock."""
