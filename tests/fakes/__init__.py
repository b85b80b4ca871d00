"""Local fake servers that stand in for platform APIs in tests."""
