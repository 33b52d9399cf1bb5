"""Rule-based entity extraction: measures by regex, catalogue words by gazetteer."""
