package io.stillpoint.server.exec;

import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.table.TableEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Drives executor sessions directly, without a network, against a real {@link TableEngine} in a temporary
 * directory. {@link #run} behaves like a simple-protocol Query message (all statements, then the implicit
 * transaction ends, rolled back if one failed); {@link #prepared} like Parse/Bind/Execute without the Sync.
 */
abstract class ExecTestSupport {

    @TempDir
    Path root;

    TableEngine engine;
    SqlExecutor executor;
    Session session;
    final List<Session> sessions = new ArrayList<>();

    /** The materialised outcome of one statement. */
    record Outcome(String tag, List<ResultColumn> columns, List<List<Object>> rows) {
        List<Object> row(int i) {
            return rows.get(i);
        }

        Object value() {
            assertEquals(1, rows.size(), "expected one row: " + rows);
            assertEquals(1, rows.get(0).size(), "expected one column: " + rows);
            return rows.get(0).get(0);
        }
    }

    @BeforeEach
    void openEngine() {
        engine = TableEngine.open(EngineConfig.of(root));
        executor = new SqlExecutor(engine);
        session = open("admin", Role.ADMIN);
    }

    @AfterEach
    void closeEngine() {
        for (Session s : sessions) {
            s.close();
        }
        engine.close();
    }

    Session open(String user, Role role) {
        return open(user, role, Map.of("user", user, "database", "bench", "application_name", "tests"));
    }

    Session open(String user, Role role, Map<String, String> options) {
        Session s = executor.openSession(user, role, options);
        sessions.add(s);
        return s;
    }

    static Outcome drain(Result r) {
        if (r instanceof Result.Rows rows) {
            List<List<Object>> out = new ArrayList<>();
            try (RowCursor c = rows.cursor()) {
                Object[] row;
                while ((row = c.next()) != null) {
                    assertEquals(rows.columns().size(), row.length, "row width");
                    out.add(Arrays.asList(row));
                }
            }
            String tag = rows.tagVerb().equals("SELECT") ? "SELECT " + out.size() : rows.tagVerb();
            return new Outcome(tag, rows.columns(), out);
        }
        if (r instanceof Result.Command c) {
            return new Outcome(c.tag(), null, List.of());
        }
        return new Outcome("", null, List.of());
    }

    /** Runs a text as one simple Query message. */
    static List<Outcome> run(Session s, String sql) {
        List<Outcome> out = new ArrayList<>();
        try {
            for (Prepared p : s.prepareAll(sql)) {
                out.add(drain(s.execute(p, new Object[0])));
            }
        } catch (SqlError e) {
            s.endImplicitTransaction(true);
            throw e;
        }
        s.endImplicitTransaction(false);
        return out;
    }

    List<Outcome> run(String sql) {
        return run(session, sql);
    }

    /** The single outcome of a single-statement text. */
    Outcome one(String sql) {
        List<Outcome> all = run(sql);
        assertEquals(1, all.size());
        return all.get(0);
    }

    List<List<Object>> rows(String sql) {
        return one(sql).rows();
    }

    Object value(String sql) {
        return one(sql).value();
    }

    SqlError error(String sql) {
        return assertThrows(SqlError.class, () -> run(sql));
    }

    static SqlError error(Session s, String sql) {
        return assertThrows(SqlError.class, () -> run(s, sql));
    }

    void assertError(String state, String message, String sql) {
        SqlError e = error(sql);
        assertEquals(state, e.sqlState(), e.getMessage());
        if (message != null) {
            assertEquals(message, e.getMessage());
        }
    }

    /** Parse + Bind + Execute of one statement (no Sync). */
    static Outcome prepared(Session s, String sql, List<DataType> declared, Object... params) {
        Prepared p = s.prepare(sql, declared);
        return drain(s.execute(p, params));
    }

    static List<Object> row(Object... values) {
        return Arrays.asList(values);
    }

    static long ts(String text) {
        return Values.parseTimestamp(text);
    }
}
