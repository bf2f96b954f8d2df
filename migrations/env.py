"""Alembic environment: the schema in catalog.schema is the target; SQLite runs in batch mode."""

from alembic import context
from sqlalchemy import engine_from_config, event, pool

from catalog.schema import SQLModel

config = context.config
target_metadata = SQLModel.metadata


def include_object(obj, name, type_, reflected, compare_to):
    # Full-text indexes are rebuilt by every build with sqlite-utils; they are not schema.
    if type_ == "table" and name and ("_fts" in name):
        return False
    return True


def _sqlite_foreign_keys(dbapi_connection, _record):
    # OFF while migrating: batch mode copies a table to `_alembic_tmp_<name>`, drops the original and
    # renames the copy, and with enforcement ON the drop of a table other rows reference fails
    # (every downgrade of a built catalog did, leaving the copy behind). Alembic's documented
    # practice; the references are checked once at the end instead (`_check_foreign_keys`).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = OFF")
    cursor.close()


def _drop_batch_debris(connection) -> None:
    """`_alembic_tmp_*` tables are copies of an interrupted batch operation, never data of their own;
    one left behind made every later migration of that table fail."""
    names = [r[0] for r in connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '\\_alembic\\_tmp\\_%' ESCAPE '\\'")]
    for name in names:
        connection.exec_driver_sql(f'DROP TABLE "{name}"')


def _check_foreign_keys(connection) -> None:
    bad = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if bad:
        raise RuntimeError(f"the migration left foreign key violations: {bad[:5]}")


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = engine_from_config(config.get_section(config.config_ini_section, {}),
                                prefix="sqlalchemy.", poolclass=pool.NullPool)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_foreign_keys)
    with engine.connect() as connection:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
        compare_type=True,
    )
    sqlite = connection.dialect.name == "sqlite"
    with context.begin_transaction():
        if sqlite:
            _drop_batch_debris(connection)
        context.run_migrations()
        if sqlite:
            _check_foreign_keys(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
