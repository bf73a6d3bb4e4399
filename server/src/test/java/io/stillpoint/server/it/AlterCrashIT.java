package io.stillpoint.server.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 at random moments while a stream of ALTER TABLE RENAME TO, ADD COLUMN, DROP COLUMN and out-of-order
 * INSERTs (each merging into an older partition) runs: after every restart the table is in the state after the
 * last acknowledged statement or after the one in flight (name, columns, row count), and its rows are in
 * designated-timestamp order.
 */
class AlterCrashIT {

    private static final int ROUNDS = 8;
    private static final int ROWS = 200;

    @TempDir
    Path tmp;

    /** The table after the first {@code n} statements of the stream: name, column names, row count. */
    private static List<Object> stateAfter(int n) {
        int renames = 0;
        int inserts = 0;
        List<String> columns = new ArrayList<>(List.of("ts", "k"));
        for (int op = 0; op < n; op++) {
            switch (op % 4) {
                case 0 -> renames++;
                case 1 -> columns.add("x" + op);
                case 2 -> inserts++;
                default -> columns.remove("x" + (op - 2));
            }
        }
        return List.of(renames % 2 == 0 ? "cells" : "cells_b", columns, (long) ROWS + inserts);
    }

    /** The statement number {@code op} of the stream. */
    private static String statement(int op) {
        String name = (String) stateAfter(op).get(0);
        return switch (op % 4) {
            case 0 -> "ALTER TABLE " + name + " RENAME TO " + (name.equals("cells") ? "cells_b" : "cells");
            case 1 -> "ALTER TABLE " + name + " ADD COLUMN x" + op + " INT";
            case 2 -> "INSERT INTO " + name + " (ts, k) VALUES ('2026-11-01 00:00:00', " + (ROWS + op) + ")";
            default -> "ALTER TABLE " + name + " DROP COLUMN x" + (op - 2);
        };
    }

    @Test
    void alterAndOutOfOrderInsertsAreOldOrNewAfterKillNine() throws Exception {
        Path root = tmp.resolve("root");
        Random random = new Random(20261122L);
        try (ServerProcess server = ServerProcess.start(root); Connection c = server.connect();
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE cells (ts TIMESTAMP, k INT) TIMESTAMP(ts) PARTITION BY HOUR");
            StringBuilder sb = new StringBuilder("INSERT INTO cells VALUES ");
            for (int k = 0; k < ROWS; k++) {
                sb.append(k == 0 ? "" : ", ").append("('2026-11-01 0").append(k % 4).append(":")
                        .append(String.format("%02d", (k / 4) % 60)).append(":30', ").append(k).append(")");
            }
            s.execute(sb.toString());
        }
        AtomicInteger acked = new AtomicInteger();
        int totalAcks = 0;
        int inFlightCommitted = 0;
        for (int round = 0; round < ROUNDS; round++) {
            ServerProcess server = ServerProcess.start(root);
            int before = acked.get();
            Thread writer = new Thread(() -> write(server, acked), "writer");
            writer.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (acked.get() == before && writer.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            Thread.sleep(random.nextInt(300));
            server.kill();
            writer.join(60_000);
            assertTrue(!writer.isAlive(), "writer did not notice the crash");
            totalAcks += acked.get() - before;

            try (ServerProcess restarted = ServerProcess.start(root)) {
                try (Connection c = restarted.connect(); Statement s = c.createStatement()) {
                List<String> names = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("SHOW TABLES")) {
                    while (rs.next()) {
                        names.add(rs.getString(1));
                    }
                }
                assertEquals(1, names.size(), "one table under one name " + names);
                String name = names.get(0);
                List<String> columns = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("SELECT * FROM " + name + " WHERE k < 0")) {
                    ResultSetMetaData md = rs.getMetaData();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        columns.add(md.getColumnName(i));
                    }
                }
                long rows = 0;
                java.sql.Timestamp previous = null;
                try (ResultSet rs = s.executeQuery("SELECT ts FROM " + name)) {
                    while (rs.next()) {
                        java.sql.Timestamp t = rs.getTimestamp(1);
                        assertTrue(previous == null || !t.before(previous), "rows out of timestamp order");
                        previous = t;
                        rows++;
                    }
                }
                List<Object> actual = List.of(name, columns, rows);
                int n = acked.get();
                String where = "[round=" + round + ", acked=" + n + ", actual=" + actual + "]";
                if (actual.equals(stateAfter(n + 1))) {
                    acked.set(n + 1); // the statement in flight committed before the kill
                    inFlightCommitted++;
                } else {
                    assertEquals(stateAfter(n), actual, "neither the acknowledged state nor the next " + where);
                }
                }
                assertEquals(0, restarted.stop(), restarted.log());
            }
        }
        System.out.println("AlterCrashIT: " + totalAcks + " statements acknowledged in " + ROUNDS + " rounds, "
                + inFlightCommitted + " unacknowledged ones found committed after the kill");
        assertTrue(totalAcks > ROUNDS, "too few statements were acknowledged: " + totalAcks);
    }

    /** The stream from the acknowledged position until the server goes away. */
    private static void write(ServerProcess server, AtomicInteger acked) {
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            while (true) {
                s.execute(statement(acked.get()));
                acked.incrementAndGet();
            }
        } catch (SQLException expected) {
            // the server was killed
        }
    }
}
