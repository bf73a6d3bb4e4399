package io.stillpoint.server.exec;

import io.stillpoint.storage.Engine;
import io.stillpoint.storage.ForwardingEngine;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.TableSnapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * The tables a cached plan was made from, each with the {@link TableSchema} instance it had then, so that a
 * server-side prepared statement can tell at execution, in O(1) per table, whether a table changed since it was
 * planned (RENAME, ADD/DROP COLUMN, SET TTL, drop and re-create): the storage replaces a table's schema object on
 * every such change and keeps it otherwise, so an identity comparison suffices. Names that did not exist at
 * planning time (a system function found by its bare name) are recorded too, and count as changed once a table of
 * that name appears.
 *
 * <p>Recorded by planning against {@link #recorder}, an {@link Engine} that passes everything through and notes
 * the lookups; the planners need no change to take part.
 */
final class PlanDependencies {

    /** A plan that depends on no table (SELECT 1, SHOW, catalogs, ...). */
    static final PlanDependencies NONE = new PlanDependencies(new String[0], new TableSchema[0]);

    private final String[] tables;
    /** Per table the schema instance seen when planning, null when the table did not exist. */
    private final TableSchema[] schemas;

    private PlanDependencies(String[] tables, TableSchema[] schemas) {
        this.tables = tables;
        this.schemas = schemas;
    }

    /** Whether every table is still the one, with the schema, the plan was made from. */
    boolean current(Engine engine) {
        for (int i = 0; i < tables.length; i++) {
            TableSchema then = schemas[i];
            if (then == null) {
                if (engine.tableExists(tables[i])) {
                    return false;
                }
                continue;
            }
            TableSchema now;
            try {
                now = engine.schema(tables[i]);
            } catch (StorageException e) {
                return false; // dropped (or unreadable): planning again reports it properly
            }
            if (now != then) {
                return false;
            }
        }
        return true;
    }

    /** The first table that is not as the plan saw it, for error messages; null if all are. */
    String changedTable(Engine engine) {
        for (int i = 0; i < tables.length; i++) {
            PlanDependencies one = new PlanDependencies(new String[] {tables[i]}, new TableSchema[] {schemas[i]});
            if (!one.current(engine)) {
                return tables[i];
            }
        }
        return null;
    }

    /** An engine to plan against: every table lookup is recorded until {@link Recorder#finish()}. */
    static Recorder recorder(Engine engine) {
        return new Recorder(engine);
    }

    /** Passes every call to the engine; notes {@code schema(name)} and absent {@code tableExists(name)} results. */
    static final class Recorder extends ForwardingEngine {
        private final List<String> tables = new ArrayList<>();
        private final List<TableSchema> schemas = new ArrayList<>();
        private boolean finished;

        private Recorder(Engine engine) {
            super(engine);
        }

        /** Stops recording and returns what was recorded. */
        PlanDependencies finish() {
            finished = true;
            return tables.isEmpty() ? NONE
                    : new PlanDependencies(tables.toArray(new String[0]), schemas.toArray(new TableSchema[0]));
        }

        private void note(String table, TableSchema schema) {
            if (finished || tables.contains(table)) {
                return;
            }
            tables.add(table);
            schemas.add(schema);
        }

        @Override
        public TableSchema schema(String name) {
            TableSchema schema = delegate().schema(name);
            note(name, schema);
            return schema;
        }

        @Override
        public boolean tableExists(String name) {
            boolean exists = delegate().tableExists(name);
            if (!exists) {
                note(name, null);
            }
            return exists;
        }

        @Override
        public TableSnapshot snapshot(String table) {
            TableSnapshot snapshot = delegate().snapshot(table);
            note(table, snapshot.schema());
            return snapshot;
        }

        @Override
        public void close() {
            throw new UnsupportedOperationException("a planning view does not close the engine");
        }
    }
}
