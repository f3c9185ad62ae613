"""Priority 1: link partner agency records into people, and match them to social care records."""
