"""Package data: the sample catalogue and the local wiki settings."""
