"""Core statements run straight on the driver's cursor, for the few every kiosk request makes.

Issue 28: SQLAlchemy's execution machinery (execution context, compiled-cache lookup, result
object) cost ~35 us of CPU per statement against the driver's ~5 us, and a signed kiosk request
makes three or four statements. A `Prepared` statement is compiled once per dialect, and its
parameters and result columns go through the column types' own processors
(`TypeEngine.bind_processor` / `result_processor`), so values are exactly what `execute` gives.
It runs in the SQLAlchemy connection's transaction (begun here when none is), so the caller's
commit or rollback covers it; a driver error is raised as SQLAlchemy's (`DBAPIError.instance`),
and a lost connection is invalidated as SQLAlchemy does it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any] | None


class _Compiled:
    def __init__(self, statement: Any, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.positional = bool(compiled.positional)
        names = list(compiled.positiontup or ()) if self.positional else list(compiled.binds)
        self.binds: list[tuple[str, Processor]] = [
            (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in names
        ]
        # The statement's own literal values (`id == 1`, a LIMIT), as `execute` binds them.
        self.defaults = {
            name: compiled.binds[name].effective_value
            for name in names
            if not compiled.binds[name].required
        }
        self.results: list[Processor] = [
            column[3].dialect_impl(dialect).result_processor(dialect, None)
            for column in compiled._result_columns
        ]

    def parameters(self, values: Mapping[str, Any]) -> Any:
        given = {**self.defaults, **values} if self.defaults else values
        processed = [
            (name, given[name] if process is None else process(given[name]))
            for name, process in self.binds
        ]
        if self.positional:
            return tuple(value for _, value in processed)
        return dict(processed)

    def row(self, raw: Any) -> tuple[Any, ...] | None:
        if raw is None:
            return None
        return tuple(
            value if process is None else process(value)
            for value, process in zip(raw, self.results, strict=True)
        )


class Prepared:
    """One Core statement with named bind parameters, compiled once per dialect."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _Compiled(self.statement, dialect)
        return compiled

    def first(self, connection: Connection, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row (processed as `execute` would), or None."""
        compiled = self._for(connection.dialect)
        if not connection.in_transaction():
            connection.begin()  # the caller's commit or rollback ends it, as after `execute`
        parameters = compiled.parameters(values)
        raw = connection.connection.dbapi_connection
        if raw is None:  # a connection invalidated earlier: SQLAlchemy reconnects on execute
            row = connection.execute(self.statement, dict(values)).first()
            return None if row is None else tuple(row)
        cursor = raw.cursor()
        try:
            cursor.execute(compiled.sql, parameters)
            return compiled.row(cursor.fetchone())
        except connection.dialect.loaded_dbapi.Error as error:
            disconnected = connection.dialect.is_disconnect(error, raw, cursor)
            if disconnected:
                connection.invalidate(error)
            raise DBAPIError.instance(
                compiled.sql,
                parameters,
                error,
                connection.dialect.loaded_dbapi.Error,
                connection_invalidated=disconnected,
                dialect=connection.dialect,
            ) from error
        finally:
            cursor.close()
