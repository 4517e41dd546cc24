"""Gold sets, metrics, reports and regression gates for newsdesk."""
