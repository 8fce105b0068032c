"""The small core every command shares: spec, versions, target, results, redaction, bounded HTTP, errors."""
