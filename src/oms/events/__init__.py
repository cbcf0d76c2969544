"""The event seam: the catalogue of events, who receives them, recording and publishing."""
