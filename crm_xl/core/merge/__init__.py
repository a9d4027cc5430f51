"""Team workbooks made of reps' workbooks (`crm-xl merge`): where merged rows go, and 撞单 (two reps, one
customer)."""
