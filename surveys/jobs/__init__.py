"""Background jobs: long work (reports, letter batches, large exports) with progress.

With `REDIS_URL` set, jobs are queued in Redis and run by `delaktig worker` (RQ); without
it (the SQLite development default) they run inline, in the request that submits them.
"""
