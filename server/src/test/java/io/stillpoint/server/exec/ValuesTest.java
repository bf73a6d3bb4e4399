package io.stillpoint.server.exec;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Text input and output of values: timestamps in their ISO forms, integers, booleans, doubles. */
class ValuesTest {

    private static final long DAY = 86_400_000_000L;

    @Test
    void timestampForms() {
        long midnight = Values.parseTimestamp("2026-11-21");
        assertEquals(20_778L * DAY, midnight);
        assertEquals(midnight + 36_000_000_000L, Values.parseTimestamp("2026-11-21 10:00:00"));
        assertEquals(midnight + 36_000_000_000L, Values.parseTimestamp("2026-11-21T10:00:00"));
        assertEquals(midnight + 36_000_000_000L, Values.parseTimestamp("2026-11-21 10:00"));
        assertEquals(midnight + 36_000_123_456L, Values.parseTimestamp("2026-11-21T10:00:00.123456Z"));
        assertEquals(midnight + 36_000_123_000L, Values.parseTimestamp("2026-11-21 10:00:00.123"));
        assertEquals(midnight + 36_000_000_001L, Values.parseTimestamp("2026-11-21 10:00:00.0000005"));
        assertEquals(midnight + 36_000_000_000L, Values.parseTimestamp("2026-11-21 10:00:00+00"));
        assertEquals(midnight + 36_000_000_000L, Values.parseTimestamp("2026-11-21 12:00:00+02:00"));
        assertEquals(midnight + 36_000_000_000L, Values.parseTimestamp("2026-11-21 04:30:00-0530"));
        assertEquals(midnight + 36_000_000_000L, Values.parseTimestamp(" 2026-11-21 10:00:00 UTC "));
        assertEquals(-DAY, Values.parseTimestamp("1969-12-31"));
    }

    @Test
    void badTimestamps() {
        for (String bad : new String[] {"", "abc", "2026-11", "2026-11-21X", "2026-11-21 25:00:00", "2026-13-01",
                "2026-02-30", "2026-11-21 10:00:00+99", "2026-11-21 10:00:00."}) {
            SqlError e = assertThrows(SqlError.class, () -> Values.parseTimestamp(bad), bad);
            assertEquals(true, e.sqlState().equals("22007") || e.sqlState().equals("22008"), bad + " " + e.sqlState());
        }
    }

    @Test
    void timestampOutput() {
        assertEquals("2026-11-21 10:00:00", Values.formatTimestamp(Values.parseTimestamp("2026-11-21T10:00:00Z")));
        assertEquals("2026-11-21 10:00:00.5", Values.formatTimestamp(Values.parseTimestamp("2026-11-21T10:00:00.5")));
        assertEquals("2026-11-21 23:59:59.999999", Values.formatTimestamp(Values.parseTimestamp("2026-11-21 23:59:59.999999")));
        assertEquals("1969-12-31 23:59:59.999999", Values.formatTimestamp(-1));
    }

    @Test
    void floatOrderIsPostgres() {
        assertEquals(0, Values.compare(-0.0, 0.0));
        assertEquals(0, Values.compare(Double.NaN, Double.NaN));
        assertEquals(1, Integer.signum(Values.compare(Double.NaN, Double.POSITIVE_INFINITY)));
        assertEquals(-1, Integer.signum(Values.compare(1, 1.5)));
        assertEquals(0, Values.compare(2L, 2.0));
    }

    @Test
    void numbersAndBooleans() {
        assertEquals(42, Values.parseInt(" 42 "));
        assertEquals(-7L, Values.parseLong("-7"));
        assertEquals("22P02", assertThrows(SqlError.class, () -> Values.parseInt("4x")).sqlState());
        assertEquals("invalid input syntax for type integer [value=abc]",
                assertThrows(SqlError.class, () -> Values.parseInt("abc")).getMessage());
        assertEquals("22003", assertThrows(SqlError.class, () -> Values.parseInt("2147483648")).sqlState());
        assertEquals("22003", assertThrows(SqlError.class, () -> Values.parseLong("99999999999999999999")).sqlState());
        assertEquals(1.5, Values.parseDouble("1.5", DataType.FLOAT8));
        assertEquals(Double.NaN, Values.parseDouble("NaN", DataType.FLOAT8));
        assertEquals("22P02", assertThrows(SqlError.class, () -> Values.parseDouble("0x10", DataType.FLOAT8)).sqlState());
        assertEquals(true, Values.parseBoolean("on"));
        assertEquals(false, Values.parseBoolean("F"));
        assertEquals("22P02", assertThrows(SqlError.class, () -> Values.parseBoolean("maybe")).sqlState());
        assertEquals(3L, Values.doubleToLong(2.5, DataType.INT8));
        assertEquals(-3L, Values.doubleToLong(-2.5, DataType.INT8));
        assertEquals("22003", assertThrows(SqlError.class, () -> Values.doubleToLong(3e9, DataType.INT4)).sqlState());
    }
}
