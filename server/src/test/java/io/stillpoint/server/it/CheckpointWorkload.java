package io.stillpoint.server.it;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The writers of the checkpoint copy tests. Each writer owns its tables and runs numbered operations 1, 2, 3, ...
 * from its own connection, each operation exactly one commit; it logs the number it is sending and the last one
 * acknowledged. Its {@link #model} says the exact contents of its tables after the first k operations, so a
 * restored copy can be matched to the one k it holds, and that k checked against the moment of CHECKPOINT CREATE.
 */
abstract class CheckpointWorkload implements Runnable {

    static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    static final LocalDateTime BASE = LocalDateTime.parse("2026-01-01T00:00:00");

    final String name;
    private final ServerProcess server;
    /** The number of the operation being sent (0 before the first). */
    final AtomicLong sending = new AtomicLong();
    /** The number of the last operation whose commit was acknowledged. */
    final AtomicLong acked = new AtomicLong();
    private final long maxOps;
    private volatile boolean stop;
    volatile Throwable failure;

    CheckpointWorkload(String name, ServerProcess server, long maxOps) {
        this.name = name;
        this.server = server;
        this.maxOps = maxOps;
    }

    /** Creates the writer's tables in their state before operation 1 (the model's k = 0). */
    abstract void setup(Connection c) throws SQLException;

    /** Runs operation n, one commit. */
    abstract void op(Statement s, long n) throws SQLException;

    /** Every table of this writer after the first k operations, with its rows as {@link #select} shows them. */
    abstract Map<String, List<String>> model(long k);

    /** Whether a table name is one of this writer's. */
    abstract boolean owns(String table);

    /** The query whose sorted rows are compared with the model. */
    abstract String select(String table);

    /** Whether the writer ran all its operations and stopped on its own. */
    boolean finished() {
        return acked.get() >= maxOps;
    }

    void stop() {
        stop = true;
    }

    @Override
    public void run() {
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            for (long n = 1; n <= maxOps && !stop; n++) {
                sending.set(n);
                op(s, n);
                acked.set(n);
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** The state of this writer's tables in a database. */
    Map<String, List<String>> state(Connection c) throws SQLException {
        Map<String, List<String>> state = new TreeMap<>();
        for (String table : CheckpointTools.tables(c)) {
            if (owns(table)) {
                state.put(table, CheckpointTools.rows(c, select(table)));
            }
        }
        return state;
    }

    static String ts(LocalDateTime t) {
        return "'" + TS.format(t) + "'";
    }

    static List<String> sorted(List<String> rows) {
        List<String> copy = new ArrayList<>(rows);
        copy.sort(null);
        return copy;
    }

    /** Each operation inserts one row into each of three hourly partitions (seq, part, note): seq 1..k survive. */
    static final class Inserts extends CheckpointWorkload {
        Inserts(String name, ServerProcess server) {
            super(name, server, Long.MAX_VALUE);
        }

        @Override
        void setup(Connection c) throws SQLException {
            CheckpointTools.exec(c, "CREATE TABLE " + name + " (ts TIMESTAMP, seq LONG, part INT, note VARCHAR)"
                    + " TIMESTAMP(ts) PARTITION BY HOUR");
        }

        @Override
        void op(Statement s, long n) throws SQLException {
            StringBuilder sql = new StringBuilder("INSERT INTO " + name + " VALUES ");
            for (int part = 0; part < 3; part++) {
                sql.append(part == 0 ? "" : ", ").append("(").append(ts(BASE.plusHours(part).plusNanos(n * 1000)))
                        .append(", ").append(n).append(", ").append(part)
                        .append(", '").append(name).append(" seq ").append(n).append("')");
            }
            s.executeUpdate(sql.toString());
        }

        @Override
        Map<String, List<String>> model(long k) {
            List<String> rows = new ArrayList<>();
            for (long n = 1; n <= k; n++) {
                for (int part = 0; part < 3; part++) {
                    rows.add(n + "|" + part + "|" + name + " seq " + n);
                }
            }
            return Map.of(name, sorted(rows));
        }

        @Override
        boolean owns(String table) {
            return table.equals(name);
        }

        @Override
        String select(String table) {
            return "SELECT seq, part, note FROM " + table;
        }
    }

    /**
     * Operation 2m-1 commits seq m to pair_a, operation 2m commits seq m to pair_b: a cut that is not global would
     * show B ahead of A, or A more than one ahead of B.
     */
    static final class Pair extends CheckpointWorkload {
        Pair(ServerProcess server) {
            super("pair", server, Long.MAX_VALUE);
        }

        @Override
        void setup(Connection c) throws SQLException {
            for (String t : List.of("pair_a", "pair_b")) {
                CheckpointTools.exec(c, "CREATE TABLE " + t + " (ts TIMESTAMP, seq LONG)"
                        + " TIMESTAMP(ts) PARTITION BY DAY");
            }
        }

        @Override
        void op(Statement s, long n) throws SQLException {
            long seq = (n + 1) / 2;
            String table = n % 2 == 1 ? "pair_a" : "pair_b";
            s.executeUpdate("INSERT INTO " + table + " VALUES (" + ts(BASE.plusSeconds(seq)) + ", " + seq + ")");
        }

        @Override
        Map<String, List<String>> model(long k) {
            List<String> a = new ArrayList<>();
            List<String> b = new ArrayList<>();
            for (long seq = 1; seq <= (k + 1) / 2; seq++) {
                a.add(String.valueOf(seq));
            }
            for (long seq = 1; seq <= k / 2; seq++) {
                b.add(String.valueOf(seq));
            }
            return Map.of("pair_a", sorted(a), "pair_b", sorted(b));
        }

        @Override
        boolean owns(String table) {
            return table.equals("pair_a") || table.equals("pair_b");
        }

        @Override
        String select(String table) {
            return "SELECT seq FROM " + table;
        }
    }

    /** 300 rows over three day partitions; operation n sets gen = n on all of them in one commit. */
    static final class Updates extends CheckpointWorkload {
        private static final int ROWS = 300;

        Updates(ServerProcess server) {
            super("upd", server, Long.MAX_VALUE);
        }

        @Override
        void setup(Connection c) throws SQLException {
            CheckpointTools.exec(c, "CREATE TABLE upd (ts TIMESTAMP, id INT, gen LONG) TIMESTAMP(ts) PARTITION BY DAY");
            StringBuilder sql = new StringBuilder("INSERT INTO upd VALUES ");
            for (int id = 0; id < ROWS; id++) {
                sql.append(id == 0 ? "" : ", ").append("(").append(ts(BASE.plusDays(id % 3).plusMinutes(id)))
                        .append(", ").append(id).append(", 0)");
            }
            CheckpointTools.exec(c, sql.toString());
        }

        @Override
        void op(Statement s, long n) throws SQLException {
            s.executeUpdate("UPDATE upd SET gen = " + n);
        }

        @Override
        Map<String, List<String>> model(long k) {
            List<String> rows = new ArrayList<>();
            for (int id = 0; id < ROWS; id++) {
                rows.add(id + "|" + k);
            }
            return Map.of("upd", sorted(rows));
        }

        @Override
        boolean owns(String table) {
            return table.equals("upd");
        }

        @Override
        String select(String table) {
            return "SELECT id, gen FROM upd";
        }
    }

    /** Rows id 1..N, 60 per hourly partition; operation n deletes id n (rewriting its partition). */
    static final class Deletes extends CheckpointWorkload {
        private static final int ROWS = 6000;

        Deletes(ServerProcess server) {
            super("del", server, ROWS);
        }

        private static LocalDateTime at(long id) {
            return BASE.plusMinutes(id);
        }

        @Override
        void setup(Connection c) throws SQLException {
            CheckpointTools.exec(c, "CREATE TABLE del (ts TIMESTAMP, id INT) TIMESTAMP(ts) PARTITION BY HOUR");
            for (int from = 1; from <= ROWS; from += 1000) {
                StringBuilder sql = new StringBuilder("INSERT INTO del VALUES ");
                for (int id = from; id < from + 1000 && id <= ROWS; id++) {
                    sql.append(id == from ? "" : ", ").append("(").append(ts(at(id))).append(", ").append(id)
                            .append(")");
                }
                CheckpointTools.exec(c, sql.toString());
            }
        }

        @Override
        void op(Statement s, long n) throws SQLException {
            int deleted = s.executeUpdate("DELETE FROM del WHERE ts = " + ts(at(n)) + " AND id = " + n);
            if (deleted != 1) {
                throw new IllegalStateException("delete removed " + deleted + " rows [id=" + n + "]");
            }
        }

        @Override
        Map<String, List<String>> model(long k) {
            List<String> rows = new ArrayList<>();
            for (long id = k + 1; id <= ROWS; id++) {
                rows.add(String.valueOf(id));
            }
            return Map.of("del", sorted(rows));
        }

        @Override
        boolean owns(String table) {
            return table.equals("del");
        }

        @Override
        String select(String table) {
            return "SELECT id FROM del";
        }
    }

    /**
     * Day partitions: day 0 exists before operation 1; operation 2m-1 inserts a row into day m, operation 2m drops
     * the partition of day m-1 (ALTER TABLE DROP PARTITION LIST).
     */
    static final class DropPartitions extends CheckpointWorkload {
        private static final LocalDate DAY0 = LocalDate.parse("2020-01-01");

        DropPartitions(ServerProcess server) {
            super("dp", server, Long.MAX_VALUE);
        }

        private static String insert(long day) {
            return "INSERT INTO dp VALUES ('" + DAY0.plusDays(day) + " 12:00:00', " + day + ")";
        }

        @Override
        void setup(Connection c) throws SQLException {
            CheckpointTools.exec(c, "CREATE TABLE dp (ts TIMESTAMP, day LONG) TIMESTAMP(ts) PARTITION BY DAY");
            CheckpointTools.exec(c, insert(0));
        }

        @Override
        void op(Statement s, long n) throws SQLException {
            long m = (n + 1) / 2;
            if (n % 2 == 1) {
                s.executeUpdate(insert(m));
            } else {
                s.execute("ALTER TABLE dp DROP PARTITION LIST '" + DAY0.plusDays(m - 1) + "'");
            }
        }

        @Override
        Map<String, List<String>> model(long k) {
            long m = (k + 1) / 2;
            List<String> rows = new ArrayList<>();
            if (k % 2 == 1 || k == 0) {
                rows.add(String.valueOf(k == 0 ? 0 : m - 1));
            }
            if (k > 0) {
                rows.add(String.valueOf(m));
            }
            return Map.of("dp", sorted(rows));
        }

        @Override
        boolean owns(String table) {
            return table.equals("dp");
        }

        @Override
        String select(String table) {
            return "SELECT day FROM dp";
        }
    }

    /**
     * Tables come and go: churn_0 (one row) exists before operation 1; operation 3m-2 creates churn_m, 3m-1 inserts
     * seq m into it, 3m drops churn_(m-1).
     */
    static final class TableChurn extends CheckpointWorkload {
        TableChurn(ServerProcess server) {
            super("churn", server, Long.MAX_VALUE);
        }

        @Override
        void setup(Connection c) throws SQLException {
            CheckpointTools.exec(c, create(0));
            CheckpointTools.exec(c, insert(0));
        }

        private static String create(long m) {
            return "CREATE TABLE churn_" + m + " (ts TIMESTAMP, seq LONG) TIMESTAMP(ts) PARTITION BY DAY";
        }

        private static String insert(long m) {
            return "INSERT INTO churn_" + m + " VALUES (" + ts(BASE.plusSeconds(m)) + ", " + m + ")";
        }

        @Override
        void op(Statement s, long n) throws SQLException {
            long m = (n + 2) / 3;
            switch ((int) (n % 3)) {
                case 1 -> s.execute(create(m));
                case 2 -> s.executeUpdate(insert(m));
                default -> s.execute("DROP TABLE churn_" + (m - 1));
            }
        }

        @Override
        Map<String, List<String>> model(long k) {
            Map<String, List<String>> tables = new TreeMap<>();
            tables.put("churn_0", List.of("0"));
            for (long n = 1; n <= k; n++) {
                long m = (n + 2) / 3;
                switch ((int) (n % 3)) {
                    case 1 -> tables.put("churn_" + m, List.of());
                    case 2 -> tables.put("churn_" + m, List.of(String.valueOf(m)));
                    default -> tables.remove("churn_" + (m - 1));
                }
            }
            return tables;
        }

        @Override
        boolean owns(String table) {
            return table.startsWith("churn_");
        }

        @Override
        String select(String table) {
            return "SELECT seq FROM " + table;
        }
    }
}
