#!/usr/bin/python3
"""Times SQLAlchemy's automap on a database, counting the SQL it sends, for reflect_bench.sh.

    sqlalchemy_automap.py mysql+mysqldb://user:pass@host:port/db [runs]
    sqlalchemy_automap.py 'mysql+mysqldb://user:pass@localhost/db?unix_socket=/path/mysqld.sock'

reflect_bench.sh builds this URL from tabula's (socket and options included).

Prints: tables=<n> seconds=<best of runs> queries=<statements in one run>
"""
import sys
import time

from sqlalchemy import create_engine, event
from sqlalchemy.ext.automap import automap_base
from sqlalchemy.schema import MetaData


def main():
    url = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    engine = create_engine(url)
    queries = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany):
        queries[0] += 1

    best = None
    tables = 0
    for _ in range(runs):
        queries[0] = 0
        started = time.perf_counter()
        base = automap_base(metadata=MetaData())
        base.prepare(autoload_with=engine)
        elapsed = time.perf_counter() - started
        tables = len(base.metadata.tables)
        best = elapsed if best is None else min(best, elapsed)
    print(f"tables={tables} seconds={best:.4f} queries={queries[0]}")


if __name__ == "__main__":
    main()
