package io.stillpoint.server.exec;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Random;

import static io.stillpoint.server.exec.TableModel.DAY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thousands of random INSERT / UPDATE / DELETE / DROP PARTITION statements (and rolled-back blocks) run through an
 * executor session against the plain in-memory {@link TableModel}, comparing the whole table after each commit and
 * once more after reopening the engine ({@code it.RandomizedJdbcIT} drives the same model through pgjdbc against
 * the server jar, over every statement kind). Inserts land anywhere in five days, mostly out of order (into older
 * partitions, before their last row, and unsorted within a batch), so the scan order is checked too:
 * designated-timestamp order, ties in insert order. Some UPDATEs set the designated timestamp: within the row's
 * day, into another existing day (earlier or later, often onto the timestamp of a row already there) or into a
 * day that has no partition yet; the WHERE may prune the target.
 */
class RandomizedRewriteTest extends ExecTestSupport {

    private static final long BASE = Values.parseTimestamp("2026-11-01 00:00:00");
    private static final List<String> TYPES = List.of("TIMESTAMP", "INT", "LONG", "VARCHAR");

    private static final Comparator<List<Object>> ORDER = (a, b) -> {
        for (int i = 0; i < a.size(); i++) {
            int c = Objects.compare(String.valueOf(a.get(i)), String.valueOf(b.get(i)), Comparator.naturalOrder());
            if (c != 0) {
                return c;
            }
        }
        return 0;
    };

    private static List<List<Object>> sorted(List<List<Object>> rows) {
        List<List<Object>> copy = new ArrayList<>(rows);
        copy.sort(ORDER);
        return copy;
    }

    private static String text(long micros) {
        return TableModel.literal(micros, "TIMESTAMP");
    }

    // What the moving UPDATEs did, so the test shows that it covered the cases.
    private int rowsMoved;
    private int movesIntoNewDays;
    private int movesIntoExistingDays;

    @Test
    void randomStatementsMatchTheModel() {
        run("CREATE TABLE t (ts TIMESTAMP, k INT, v LONG, s VARCHAR) TIMESTAMP(ts) PARTITION BY DAY");
        TableModel model = new TableModel(List.of(new TableModel.Column("ts", "TIMESTAMP"),
                new TableModel.Column("k", "INT"), new TableModel.Column("v", "LONG"),
                new TableModel.Column("s", "VARCHAR")));
        Random random = new Random(20261122);
        for (int op = 0; op < 3000; op++) {
            int kind = random.nextInt(12);
            String sql;
            if (kind >= 10) {
                moveUpdate(random, model);
                continue;
            }
            if (kind < 4) {
                int n = 1 + random.nextInt(3);
                List<Object[]> added = new ArrayList<>();
                StringBuilder sb = new StringBuilder("INSERT INTO t VALUES ");
                for (int i = 0; i < n; i++) {
                    long ts = BASE + random.nextInt(5) * DAY + random.nextInt(1000) * 1_000_000L;
                    Integer k = random.nextInt(8) == 0 ? null : random.nextInt(20);
                    Long v = random.nextInt(8) == 0 ? null : (long) random.nextInt(1000);
                    String s = random.nextInt(8) == 0 ? null : "s" + random.nextInt(5);
                    Object[] row = {ts, k, v, s};
                    added.add(row);
                    sb.append(i == 0 ? "(" : ", (");
                    for (int c = 0; c < row.length; c++) {
                        sb.append(c == 0 ? "" : ", ").append(TableModel.literal(row[c], TYPES.get(c)));
                    }
                    sb.append(")");
                }
                sql = sb.toString();
                if (random.nextInt(10) == 0) {
                    run("BEGIN; " + sql + "; ROLLBACK");
                    continue;
                }
                model.insert(added);
            } else if (kind < 7) {
                int k = random.nextInt(20);
                long delta = random.nextInt(100);
                boolean byDay = random.nextBoolean();
                long day = BASE + random.nextInt(5) * DAY;
                String s = "u" + random.nextInt(3);
                sql = "UPDATE t SET v = v + " + delta + ", s = '" + s + "' WHERE "
                        + (byDay ? "ts >= " + text(day) + " AND ts < " + text(day + DAY) + " AND " : "")
                        + "k <= " + k;
                long expected = model.update(r -> (!byDay || ((Long) r[0] >= day && (Long) r[0] < day + DAY))
                        && r[1] != null && (Integer) r[1] <= k, r -> {
                            r[2] = r[2] == null ? null : (Long) r[2] + delta;
                            r[3] = s;
                        }).rows();
                assertEquals("UPDATE " + expected, one(sql).tag(), sql);
                continue;
            } else if (kind < 9) {
                int choice = random.nextInt(3);
                int k = random.nextInt(20);
                long day = BASE + (random.nextInt(10) - 2) * DAY; // also the days only moves create
                if (choice == 0) {
                    sql = "DELETE FROM t WHERE k = " + k;
                } else if (choice == 1) {
                    sql = "DELETE FROM t WHERE v IS NULL OR s = 's" + (k % 5) + "'";
                } else {
                    sql = "DELETE FROM t WHERE ts >= " + text(day) + " AND ts < " + text(day + DAY / 2);
                }
                long deleted = model.delete(r -> switch (choice) {
                    case 0 -> r[1] != null && (Integer) r[1] == k;
                    case 1 -> r[2] == null || ("s" + (k % 5)).equals(r[3]);
                    default -> (Long) r[0] >= day && (Long) r[0] < day + DAY / 2;
                });
                assertEquals("DELETE " + deleted, one(sql).tag(), sql);
                continue;
            } else {
                long day = BASE + (random.nextInt(10) - 2) * DAY;
                sql = "ALTER TABLE t DROP PARTITION LIST '" + TableModel.partitionName(day) + "'";
                if (!model.hasPartition(day)) {
                    assertEquals("42704", error(sql).sqlState());
                    continue;
                }
                model.dropPartitions(List.of(day));
            }
            run(sql);
            compare(model, op, sql);
        }
        compare(model, -1, "final");
        assertTrue(rowsMoved > 500 && movesIntoNewDays > 20 && movesIntoExistingDays > 100, "moved rows="
                + rowsMoved + ", into new days=" + movesIntoNewDays + ", into existing days=" + movesIntoExistingDays);
        engine.close();
        sessions.clear();
        openEngine();
        session = open("admin", Role.ADMIN);
        compare(model, -1, "after reopen");
    }

    /**
     * {@code UPDATE t SET ts = <literal>, v = v + d WHERE ...}: the new timestamp is a random second of the days
     * -2 to +7 (beyond the five days inserts use, so new partitions appear) or that of an existing row (ties); the
     * WHERE matches by k or s, sometimes only within one day (the other days are pruned, the target too). Applies
     * it to the model (in scan order) and checks the update count, then the table.
     */
    private void moveUpdate(Random random, TableModel model) {
        long newTs = model.size() > 0 && random.nextInt(3) == 0
                ? (Long) model.rows().get(random.nextInt(model.size()))[0]
                : BASE + (random.nextInt(10) - 2) * DAY + random.nextInt(86_400) * 1_000_000L;
        long delta = random.nextInt(100);
        int k = random.nextInt(20);
        boolean byK = random.nextBoolean();
        String s = "s" + random.nextInt(5);
        boolean byDay = random.nextInt(3) == 0;
        long day = BASE + (random.nextInt(10) - 2) * DAY;
        String sql = "UPDATE t SET ts = " + text(newTs) + ", v = v + " + delta + " WHERE "
                + (byDay ? "ts >= " + text(day) + " AND ts < " + text(day + DAY) + " AND " : "")
                + (byK ? "k >= " + k : "s = '" + s + "'");
        // Rows that stay keep their day, so the target day has a partition afterwards iff it had one before.
        boolean targetExists = model.hasPartition(TableModel.dayStart(newTs));
        TableModel.Updated updated = model.update(r -> {
            long ts = (Long) r[0];
            return (!byDay || (ts >= day && ts < day + DAY))
                    && (byK ? r[1] != null && (Integer) r[1] >= k : s.equals(r[3]));
        }, r -> {
            r[0] = newTs;
            r[2] = r[2] == null ? null : (Long) r[2] + delta;
        });
        if (updated.moved() > 0) {
            rowsMoved += (int) updated.moved();
            if (targetExists) {
                movesIntoExistingDays++;
            } else {
                movesIntoNewDays++;
            }
        }
        assertEquals("UPDATE " + updated.rows(), one(sql).tag(), sql);
        compare(model, -2, sql); // op -2: a move
    }

    private void compare(TableModel model, int op, String sql) {
        List<List<Object>> expected = model.expected();
        List<List<Object>> actual = rows("SELECT ts, k, v, s FROM t");
        assertEquals(sorted(expected), sorted(actual), "op " + op + ": " + sql);
        // Scan order is designated-timestamp order, equal timestamps in the order they were inserted (the model's
        // order: out-of-order inserts merge stably, rewrites keep the order of the rows they keep).
        assertNull(TableModel.firstDifference(expected, actual), "scan order after op " + op + ": " + sql);
    }
}
