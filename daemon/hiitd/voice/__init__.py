"""Spoken cues: speech engines, the one-voice schedule, and where the sound goes."""
