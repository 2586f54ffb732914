"""ccgmodels: scenario models for NHS health-system finance planning."""

__version__ = "0.1.0"
