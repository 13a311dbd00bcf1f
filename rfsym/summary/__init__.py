"""Per-layer receptive-field summaries (``rfsym.summary``); filled in by later commits."""
