package io.stillpoint.server.exec;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Timestamp bounds computed with interval arithmetic ({@code now() - interval '7 days'}, {@code TIMESTAMP '...'
 * + interval '...'}) prune partitions like literal bounds: the untouched partitions are not read (counted through
 * {@link ScanEfficiencyTest.CountingEngine}).
 */
class IntervalPruningTest extends ExecTestSupport {

    ScanEfficiencyTest.CountingEngine counting;
    /** The first of the ten days of data: nine days before today (UTC), so that now() falls on the last one. */
    long firstDay;

    @BeforeEach
    void data() {
        counting = new ScanEfficiencyTest.CountingEngine(engine);
        session = new SqlExecutor(counting).openSession("admin", Role.ADMIN, Map.of());
        sessions.add(session);
        run("CREATE TABLE m (ts TIMESTAMP, id LONG) TIMESTAMP(ts) PARTITION BY DAY");
        long today = Math.floorDiv(System.currentTimeMillis() * 1000, Values.MICROS_PER_DAY) * Values.MICROS_PER_DAY;
        firstDay = today - 9 * Values.MICROS_PER_DAY;
        Prepared p = session.prepare("INSERT INTO m VALUES ($1, $2)", List.of());
        for (int i = 0; i < 10 * 4; i++) { // ten days, one row every six hours
            session.execute(p, new Object[] {firstDay + i * 21_600_000_000L, (long) i});
        }
        session.endImplicitTransaction(false);
        counting.reset();
    }

    private String day(int index) {
        return Values.formatTimestamp(firstDay + index * Values.MICROS_PER_DAY).substring(0, 10);
    }

    @Test
    void constantIntervalArithmeticBoundsPrune() {
        String start = Values.formatTimestamp(firstDay + 5 * Values.MICROS_PER_DAY);
        // [day 5 + 6 h, day 5 + 1 day): rows 21, 22, 23 of day 5 only.
        assertEquals(List.of(row(21L), row(22L), row(23L)),
                rows("SELECT id FROM m WHERE ts >= TIMESTAMP '" + start + "' + interval '6 hours' "
                        + "AND ts < '" + start + "'::timestamp + interval '1 day' - interval '1 us'"));
        assertEquals(List.of(day(5)), counting.partitionsRead);
    }

    @Test
    void nowMinusAnIntervalPrunes() {
        // now() is on day 9: a bound two days back needs at most days 7 to 9, never days 0 to 6.
        List<List<Object>> recent = rows("SELECT id FROM m WHERE ts > now() - interval '2 days'");
        assertFalse(recent.isEmpty());
        for (List<Object> r : recent) {
            assertTrue((Long) r.get(0) >= 28, recent.toString());
        }
        List<String> read = new ArrayList<>(counting.partitionsRead);
        assertFalse(read.isEmpty());
        for (int d = 0; d < 7; d++) {
            assertFalse(read.contains(day(d)), "read " + day(d) + ": " + read);
        }
        counting.reset();
        // The same bound written the other way round, and through a BETWEEN.
        // Day 0's rows before now's time of day: at least the one at midnight, at most all four.
        long old = (Long) value("SELECT count(*) FROM m WHERE now() - interval '9 days' > ts"
                + " AND ts >= now() - interval '10 days'");
        assertTrue(old >= 1 && old <= 4, "rows: " + old);
        for (String p : counting.partitionsRead) {
            assertTrue(p.equals(day(0)) || p.equals(day(1)), counting.partitionsRead.toString());
        }
        assertEquals(0, counting.openSnapshots.get());
    }

    @Test
    void updateBoundedByIntervalArithmeticRewritesOnlyItsDay() {
        engine.housekeeping().pause();
        String start = Values.formatTimestamp(firstDay + 3 * Values.MICROS_PER_DAY);
        assertEquals("UPDATE 4", one("UPDATE m SET id = -id WHERE ts >= TIMESTAMP '" + start + "' "
                + "AND ts < TIMESTAMP '" + start + "' + interval '1 day'").tag());
        List<String> dirs = engine.partitionDirectories("m");
        assertEquals(10, dirs.size());
        for (String d : dirs) {
            // Only day 3 has a second version.
            assertEquals(d.startsWith(day(3)) ? day(3) + ".2" : d.substring(0, 10) + ".1", d, dirs.toString());
        }
        assertEquals(List.of(row(-12L), row(-13L), row(-14L), row(-15L)),
                rows("SELECT id FROM m WHERE id < 0 ORDER BY ts"));
    }
}
