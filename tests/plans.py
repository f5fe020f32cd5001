"""Query plans of the SQL the app sends, on either database."""


def explain(connection, statement: str, parameters) -> str:
    """The plan as text. On PostgreSQL sequential scans are switched off for the
    transaction: tiny test tables are cheaper to scan whole, and the question is
    whether an index *can* serve the query."""
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return "\n".join(row[-1] for row in rows)
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
    return "\n".join(row[0] for row in rows)
