"""The audit log: who did what to data that matters (logins, users and roles, downloads of
microdata and votes, approvals of weighting runs, opening and closing surveys, purges,
tokens). Admins read it filtered, on a page and as CSV. It holds no IP addresses."""
