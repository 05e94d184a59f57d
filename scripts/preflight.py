"""Before `make test`: are PostgreSQL and Redis reachable? Say how to start them instead of a traceback."""

from __future__ import annotations

import os
import sys

HOW_TO = """
Start them with Docker:       POSTGRES_PASSWORD=tandem docker compose up -d db redis
  and then run:               DATABASE_URL=postgres://tandem:tandem@127.0.0.1:5432/tandem make test
or, on a Debian machine:      pg_ctlcluster 15 main start && redis-server --daemonize yes
or point the tests elsewhere: DATABASE_URL=postgres://... REDIS_URL=redis://... make test
"""


def main() -> int:
    problems = []
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    try:
        import psycopg

        url = database_url.replace("postgres://", "postgresql://", 1)
        try:
            psycopg.connect(url, connect_timeout=3).close()
        except psycopg.OperationalError:
            # The database itself need not exist: the tests create `test_<name>` through the
            # server's `postgres` database, as Django does.
            psycopg.connect(url, dbname="postgres", connect_timeout=3).close()
    except Exception as error:  # noqa: BLE001 - reported, not raised
        problems.append(f"PostgreSQL is not reachable at {database_url} ({type(error).__name__}).")
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except Exception as error:  # noqa: BLE001
        problems.append(f"Redis is not reachable at {redis_url} ({type(error).__name__}).")
    if problems:
        print("The tests need PostgreSQL and Redis.", file=sys.stderr)
        for problem in problems:
            print("  - " + problem, file=sys.stderr)
        print(HOW_TO, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
