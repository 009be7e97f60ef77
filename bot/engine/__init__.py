"""Tools around the Rasa engine: training with a fingerprint cache, evaluation, benchmarks."""
