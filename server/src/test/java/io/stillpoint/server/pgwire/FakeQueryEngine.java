package io.stillpoint.server.pgwire;

import io.stillpoint.server.exec.DataType;
import io.stillpoint.server.exec.Prepared;
import io.stillpoint.server.exec.QueryEngine;
import io.stillpoint.server.exec.Result;
import io.stillpoint.server.exec.ResultColumn;
import io.stillpoint.server.exec.Role;
import io.stillpoint.server.exec.RowCursor;
import io.stillpoint.server.exec.Session;
import io.stillpoint.server.exec.SqlError;
import io.stillpoint.server.exec.TransactionStatus;
import io.stillpoint.sql.SqlParseException;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small in-memory executor for wire tests: one table {@code t(id int8, name varchar)} with transactions
 * (inserts of a transaction become visible at commit), and a handful of statement shapes:
 * <ul>
 *   <li>{@code BEGIN}, {@code COMMIT}, {@code ROLLBACK}, {@code SET ...}, the empty statement;</li>
 *   <li>{@code SELECT <int>} and {@code SELECT $1, $2, ...} (echoes its parameters, typed as declared);</li>
 *   <li>{@code SELECT * FROM t}, {@code INSERT INTO t VALUES ($1, $2)} or with literals, {@code DELETE FROM t};</li>
 *   <li>{@code SELECT * FROM series(n)} (n int8 rows 1..n), {@code SELECT boom} (42703 at position 8),
 *       {@code SELECT crash} (an IllegalStateException), {@code SELECT * FROM typed} (one row of every type).</li>
 * </ul>
 */
final class FakeQueryEngine implements QueryEngine {
    final List<Object[]> table = new CopyOnWriteArrayList<>();
    final AtomicInteger openSessions = new AtomicInteger();
    final AtomicInteger openCursors = new AtomicInteger();
    final java.util.concurrent.atomic.AtomicLong seriesRowsProduced = new java.util.concurrent.atomic.AtomicLong();
    final List<String> executed = java.util.Collections.synchronizedList(new ArrayList<>());
    /** Counted down when a {@code SELECT * FROM slow} starts sending rows (an endless result, 1 ms per row). */
    volatile java.util.concurrent.CountDownLatch slowStarted = new java.util.concurrent.CountDownLatch(1);
    volatile Map<String, String> parameterStatus = defaultParameterStatus();

    static Map<String, String> defaultParameterStatus() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("server_version", "15.0 (Stillpoint)");
        m.put("integer_datetimes", "on");
        m.put("client_encoding", "UTF8");
        return m;
    }

    static final List<ResultColumn> T_COLUMNS = List.of(new ResultColumn("id", DataType.INT8),
            new ResultColumn("name", DataType.VARCHAR));
    static final List<ResultColumn> TYPED_COLUMNS = List.of(
            new ResultColumn("b", DataType.BOOL), new ResultColumn("i2", DataType.INT2),
            new ResultColumn("i4", DataType.INT4), new ResultColumn("i8", DataType.INT8),
            new ResultColumn("f4", DataType.FLOAT4), new ResultColumn("f8", DataType.FLOAT8),
            new ResultColumn("n", DataType.NUMERIC), new ResultColumn("t", DataType.TEXT),
            new ResultColumn("v", DataType.VARCHAR), new ResultColumn("ts", DataType.TIMESTAMP));
    static final Object[] TYPED_ROW = {true, (short) -2, 42, 1L << 40, 1.5f, 1e20, new java.math.BigDecimal("-12.3400"),
            "text ü", "varchar", 1_795_255_200_123_456L /* 2026-11-21 10:00:00.123456 */};

    private static final Pattern PARAM = Pattern.compile("\\$(\\d+)");
    private static final Pattern SELECT_INT = Pattern.compile("(?i)select\\s+(-?\\d+)");
    private static final Pattern SERIES = Pattern.compile("(?i)select \\* from series\\((\\d+)\\)");
    private static final Pattern INSERT_LITERAL = Pattern.compile("(?i)insert into t values \\((\\d+), '([^']*)'\\)");

    @Override
    public Session openSession(String user, Role role, Map<String, String> startupOptions) {
        openSessions.incrementAndGet();
        return new FakeSession();
    }

    private final class FakeSession implements Session {
        TransactionStatus status = TransactionStatus.IDLE;
        boolean implicitOpen;
        boolean closed;
        final List<Object[]> pending = new ArrayList<>();

        @Override
        public List<Prepared> prepareAll(String sql) {
            List<Prepared> out = new ArrayList<>();
            int offset = 0;
            for (String part : sql.split(";", -1)) {
                if (!part.isBlank() || out.isEmpty() && sql.isBlank()) {
                    out.add(analyse(part.strip(), List.of(), offset + (part.length() - part.stripLeading().length())));
                }
                offset += part.length() + 1;
            }
            return out;
        }

        @Override
        public Prepared prepare(String sql, List<DataType> declaredTypes) {
            return analyse(sql.strip(), declaredTypes, 0);
        }

        private Prepared analyse(String sql, List<DataType> declared, int offset) {
            String lower = sql.toLowerCase(Locale.ROOT);
            Matcher pm = PARAM.matcher(sql);
            int params = 0;
            while (pm.find()) {
                params = Math.max(params, Integer.parseInt(pm.group(1)));
            }
            List<DataType> types = new ArrayList<>();
            for (int i = 0; i < params; i++) {
                DataType d = i < declared.size() ? declared.get(i) : null;
                types.add(d == null ? DataType.UNKNOWN : d);
            }
            if (lower.startsWith("insert into t values ($1, $2)")) {
                if (types.get(0) == DataType.UNKNOWN) {
                    types.set(0, DataType.INT8);
                }
                if (types.get(1) == DataType.UNKNOWN) {
                    types.set(1, DataType.VARCHAR);
                }
            }
            List<ResultColumn> columns = null;
            if (lower.equals("select * from t")) {
                columns = T_COLUMNS;
            } else if (lower.equals("select * from typed")) {
                columns = TYPED_COLUMNS;
            } else if (lower.equals("select * from badrow")) {
                columns = List.of(new ResultColumn("i", DataType.INT4), new ResultColumn("s", DataType.TEXT));
            } else if (SERIES.matcher(sql).matches() || lower.equals("select * from slow")) {
                columns = List.of(new ResultColumn("n", DataType.INT8));
            } else if (SELECT_INT.matcher(sql).matches()) {
                columns = List.of(new ResultColumn("?column?", DataType.INT4));
            } else if (lower.startsWith("select $")) {
                columns = new ArrayList<>();
                for (int i = 0; i < params; i++) {
                    columns.add(new ResultColumn("p" + (i + 1), types.get(i)));
                }
            } else if (lower.startsWith("selec ")) {
                throw SqlParseException.syntax("syntax error [near=selec]", offset + 1);
            }
            return new Prepared(sql, types, columns, lower.equals("select boom") ? "boom@" + (offset + 8) : lower);
        }

        @Override
        public Result execute(Prepared statement, Object[] params) {
            if (closed) {
                throw new IllegalStateException("session closed");
            }
            String lower = (String) statement.statement();
            executed.add(statement.sql());
            if (status == TransactionStatus.FAILED && !lower.equals("commit") && !lower.equals("rollback")) {
                throw new SqlError("25P02", "current transaction is aborted, commands ignored until end of transaction block");
            }
            if (status == TransactionStatus.IDLE) {
                implicitOpen = true;
            }
            if (lower.isEmpty()) {
                return new Result.Empty();
            }
            if (lower.startsWith("boom@")) {
                throw new SqlError("42703", "column does not exist [column=boom]", Integer.parseInt(lower.substring(5)));
            }
            switch (lower) {
                case "begin":
                    status = TransactionStatus.IN_TRANSACTION;
                    implicitOpen = false;
                    return new Result.Command("BEGIN");
                case "commit":
                    boolean failed = status == TransactionStatus.FAILED;
                    if (!failed) {
                        table.addAll(pending);
                    }
                    pending.clear();
                    status = TransactionStatus.IDLE;
                    implicitOpen = false;
                    return new Result.Command(failed ? "ROLLBACK" : "COMMIT");
                case "rollback":
                    pending.clear();
                    status = TransactionStatus.IDLE;
                    implicitOpen = false;
                    return new Result.Command("ROLLBACK");
                case "delete from t":
                    int n = table.size();
                    table.clear();
                    return new Result.Command("DELETE " + n);
                case "select * from t": {
                    List<Object[]> rows = new ArrayList<>(table);
                    rows.addAll(pending);
                    return new Result.Rows(T_COLUMNS, cursor(rows.iterator()), "SELECT");
                }
                case "select * from typed":
                    return new Result.Rows(TYPED_COLUMNS, cursor(List.<Object[]>of(TYPED_ROW).iterator()), "SELECT");
                case "select * from slow": {
                    java.util.concurrent.CountDownLatch started = slowStarted;
                    Iterator<Object[]> endless = new Iterator<>() {
                        long next = 1;

                        @Override public boolean hasNext() { return true; }

                        @Override
                        public Object[] next() {
                            started.countDown();
                            try {
                                Thread.sleep(1);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return new Object[] {next++};
                        }
                    };
                    return new Result.Rows(statement.columns(), cursor(endless), "SELECT");
                }
                case "select * from badrow":
                    return new Result.Rows(statement.columns(), cursor(List.<Object[]>of(new Object[] {1, "ok"},
                            new Object[] {2, "still ok"}, new Object[] {"not an int", "x"}).iterator()), "SELECT");
                case "select crash":
                    throw new IllegalStateException("kaboom");
                default:
                    break;
            }
            if (lower.startsWith("set ")) {
                return new Result.Command("SET");
            }
            Matcher m = SERIES.matcher(lower);
            if (m.matches()) {
                long count = Long.parseLong(m.group(1));
                Iterator<Object[]> it = new Iterator<>() {
                    long next = 1;

                    @Override public boolean hasNext() { return next <= count; }

                    @Override
                    public Object[] next() {
                        seriesRowsProduced.incrementAndGet();
                        return new Object[] {next++};
                    }
                };
                return new Result.Rows(statement.columns(), cursor(it), "SELECT");
            }
            m = SELECT_INT.matcher(lower);
            if (m.matches()) {
                return new Result.Rows(statement.columns(),
                        cursor(List.<Object[]>of(new Object[] {Integer.parseInt(m.group(1))}).iterator()), "SELECT");
            }
            if (lower.startsWith("select $")) {
                return new Result.Rows(statement.columns(), cursor(List.<Object[]>of(params.clone()).iterator()), "SELECT");
            }
            if (lower.startsWith("insert into t values ($1, $2)")) {
                pending.add(new Object[] {params[0], params[1]});
                return new Result.Command("INSERT 0 1");
            }
            m = INSERT_LITERAL.matcher(lower);
            if (m.matches()) {
                pending.add(new Object[] {Long.parseLong(m.group(1)), m.group(2)});
                return new Result.Command("INSERT 0 1");
            }
            throw new SqlError("0A000", "statement not supported by the fake [sql=" + statement.sql() + "]");
        }

        private RowCursor cursor(Iterator<Object[]> rows) {
            openCursors.incrementAndGet();
            return new RowCursor() {
                boolean open = true;

                @Override
                public Object[] next() {
                    return rows.hasNext() ? rows.next() : null;
                }

                @Override
                public void close() {
                    if (open) {
                        open = false;
                        openCursors.decrementAndGet();
                    }
                }
            };
        }

        @Override
        public void endImplicitTransaction(boolean failed) {
            if (status != TransactionStatus.IDLE || !implicitOpen) {
                return;
            }
            if (!failed) {
                table.addAll(pending);
            }
            pending.clear();
            implicitOpen = false;
        }

        @Override
        public void markFailed() {
            if (status == TransactionStatus.IN_TRANSACTION) {
                status = TransactionStatus.FAILED;
            }
        }

        @Override
        public TransactionStatus transactionStatus() {
            return status;
        }

        @Override
        public String parameter(String name) {
            return null;
        }

        @Override
        public Map<String, String> initialParameterStatus() {
            return parameterStatus;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                pending.clear();
                openSessions.decrementAndGet();
            }
        }
    }
}
