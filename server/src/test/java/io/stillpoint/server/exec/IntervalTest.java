package io.stillpoint.server.exec;

import io.stillpoint.sql.IntervalValue;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * INTERVAL values and timestamp arithmetic, in the table evaluator ({@link ExprCompiler}) and the row engine
 * ({@link RowQuery}, joins): calendar months at month ends, UTC days, negative spans, timestamp differences,
 * interval arithmetic and order, NULLs, overflow, parameters, and an UPDATE that moves rows a day on.
 */
class IntervalTest extends ExecTestSupport {

    /** The text of a constant expression, as PostgreSQL would print it. */
    private String text(String expression) {
        return (String) value("SELECT CAST(" + expression + " AS VARCHAR)");
    }

    @Test
    void calendarMonthsClampToTheMonthsLastDay() {
        assertEquals("2026-02-28 00:00:00", text("TIMESTAMP '2026-01-31' + interval '1 month'"));
        assertEquals("2024-02-29 10:00:00", text("TIMESTAMP '2024-01-31 10:00' + interval '1 mon'"));
        assertEquals("2026-02-28 00:00:00", text("TIMESTAMP '2026-03-31' - interval '1 month'"));
        assertEquals("2025-02-28 00:00:00", text("TIMESTAMP '2024-02-29' + interval '1 year'"));
        // Months first, then days: Jan 31 + 1 mon = Feb 28, + 1 day = Mar 1.
        assertEquals("2026-03-01 10:00:00", text("TIMESTAMP '2026-01-31 10:00' + interval '1 mon 1 day'"));
        assertEquals("2027-03-31 00:00:00", text("interval '1 year 2 mons' + TIMESTAMP '2026-01-31'"));
    }

    @Test
    void daysAreTwentyFourHoursInUtc() {
        // The last Sunday of March: a daylight-saving change in Europe, none in UTC.
        assertEquals("2026-03-30 00:30:00", text("TIMESTAMP '2026-03-29 00:30' + interval '1 day'"));
        assertEquals("2026-03-30 00:30:00", text("TIMESTAMP '2026-03-29 00:30' + interval '24 hours'"));
        assertEquals("2026-11-22 12:30:00.5", text("TIMESTAMP '2026-11-22 10:00' + interval '2:30:00.5'"));
    }

    @Test
    void negativeIntervals() {
        assertEquals("2025-12-30 22:00:00", text("TIMESTAMP '2026-01-01' - interval '1 day 2 hours'"));
        assertEquals("2025-12-01 00:00:00", text("TIMESTAMP '2026-01-01' + interval '-1 mon'"));
        assertEquals("2026-01-02 00:00:00", text("TIMESTAMP '2026-01-01' - interval '-1 day'"));
        assertEquals("2026-01-01 02:00:00", text("TIMESTAMP '2026-01-01' + interval '-1 day +26:00'"));
        assertEquals("2025-12-31 00:00:00", text("TIMESTAMP '2026-01-01' + interval '1 day ago'"));
    }

    @Test
    void timestampDifferenceMovesWholeDaysIntoTheDayField() {
        assertEquals("1 day 03:00:00", text("TIMESTAMP '2026-01-02 03:00' - TIMESTAMP '2026-01-01'"));
        assertEquals("-1 days -03:00:00", text("TIMESTAMP '2026-01-01' - TIMESTAMP '2026-01-02 03:00'"));
        assertEquals("59 days", text("TIMESTAMP '2026-03-01' - TIMESTAMP '2026-01-01'"));
        assertEquals("00:00:00.000001", text("TIMESTAMP '2026-01-01 00:00:00.000001' - '2026-01-01'"));
        Outcome o = one("SELECT TIMESTAMP '2026-01-02' - TIMESTAMP '2026-01-01'");
        assertEquals(DataType.INTERVAL, o.columns().get(0).type());
        assertEquals(new IntervalValue(0, 1, 0), o.value());
    }

    @Test
    void intervalArithmetic() {
        assertEquals("1 day 02:00:00", text("interval '1 day' + interval '2 hours'"));
        assertEquals("1 mon -1 days", text("interval '1 mon' - interval '1 day'"));
        assertEquals("-1 days -02:00:00", text("-interval '1 day 2 hours'"));
        assertEquals("2 days", text("interval '1 day' * 2"));
        assertEquals("02:00:00", text("2 * interval '1 hour'"));
        assertEquals("1 mon 15 days", text("interval '1 mon' * 1.5"));
        assertEquals("12:00:00", text("interval '1 day' / 2"));
        assertEquals("15 days", text("interval '1 mon' / 2"));
        assertEquals("00:00:00.333333", text("interval '1 second' / 3"));
        assertEquals("3 days 12:00:00", text("interval '1 week' / 2"));
        assertEquals("1 day 01:00:00", text("interval '1 day' + '1 hour'"));
        assertError("22012", "division by zero", "SELECT interval '3 days' / 0");
        assertError("42883", null, "SELECT interval '1 day' + 1");
        assertError("42883", null, "SELECT TIMESTAMP '2026-01-01' + TIMESTAMP '2026-01-01'");
        assertError("42883", null, "SELECT 2 / interval '1 day'");
        // Untyped text meeting an interval is an interval, as in PostgreSQL: a date there is bad interval input.
        assertError("22007", null, "SELECT '2026-11-01' + interval '1 day'");
    }

    @Test
    void comparisonsUseThirtyDayMonths() {
        assertEquals(Arrays.asList(true, true, true, false, true),
                rows("SELECT interval '1 mon' = interval '30 days', interval '1 day' < interval '25 hours', "
                        + "interval '1 day' > '23 hours', interval '-1 day' > interval '0', "
                        + "interval '1 year' BETWEEN interval '360 days' AND '365 days'").get(0));
    }

    @Test
    void nullInNullOut() {
        assertEquals(Arrays.asList(null, null, null, null, null),
                rows("SELECT TIMESTAMP '2026-01-01' + NULL, NULL::interval * 2, CAST(NULL AS INTERVAL), "
                        + "-CAST(NULL AS INTERVAL), TIMESTAMP '2026-01-01' - CAST(NULL AS TIMESTAMP)").get(0));
    }

    @Test
    void literalsCastsAndErrors() {
        Outcome o = one("SELECT interval '1 day 2 hours', '90 minutes'::interval, CAST('P1DT2H' AS INTERVAL)");
        assertEquals(List.of("interval", "interval", "interval"), o.columns().stream().map(ResultColumn::name).toList());
        assertEquals(List.of(new IntervalValue(0, 1, 7_200_000_000L), new IntervalValue(0, 0, 5_400_000_000L),
                new IntervalValue(0, 1, 7_200_000_000L)), o.row(0));
        assertEquals("1 year 2 mons", text("interval '14 months'"));
        assertError("22007", "invalid input syntax for type interval [value=soon]", "SELECT 'soon'::interval");
        assertError("22007", "invalid input syntax for type interval [value=soon]", "SELECT INTERVAL 'soon'");
        assertError("22015", null, "SELECT '99999999999 days'::interval");
        assertError("42846", null, "SELECT CAST(1 AS INTERVAL)");
        assertError("0A000", "column type is not supported [type=interval]", "CREATE TABLE bad (i INTERVAL)");
    }

    @Test
    void overflowIsOutOfRange() {
        assertError("22008", "timestamp out of range", "SELECT TIMESTAMP '294000-01-01' + interval '1000 years'");
        assertError("22008", "timestamp out of range", "SELECT TIMESTAMP '0001-01-01' - interval '5000 years'");
        assertError("22008", "interval out of range",
                "SELECT interval '2000000000 days' + interval '2000000000 days'");
        assertError("22008", "interval out of range", "SELECT interval '2000000000 mons' * 2");
        assertError("22008", "interval out of range", "SELECT -(interval '-2147483648 days')");
    }

    @Test
    void parametersTakeTheirTypeFromTheOperator() {
        Outcome added = prepared(session, "SELECT TIMESTAMP '2026-01-31' + $1", List.of(), "1 mon");
        assertEquals(ts("2026-02-28"), added.value());
        Outcome scaled = prepared(session, "SELECT interval '1 hour' * $1", List.of(), 1.5);
        assertEquals(new IntervalValue(0, 0, 5_400_000_000L), scaled.value());
        Outcome declared = prepared(session, "SELECT $1::interval", List.of(DataType.INTERVAL),
                new IntervalValue(1, 2, 3));
        assertEquals(new IntervalValue(1, 2, 3), declared.value());
    }

    private void events() {
        run("CREATE TABLE ev (ts TIMESTAMP, id INT, v DOUBLE) TIMESTAMP(ts) PARTITION BY DAY");
        run("INSERT INTO ev VALUES ('2026-11-01 10:00', 1, 1.0), ('2026-11-01 23:30', 2, 2.0), "
                + "('2026-11-02 08:00', 3, 3.0), ('2026-11-03 12:00', 4, 4.0)");
    }

    @Test
    void tableColumnsAndAggregates() {
        events();
        assertEquals(List.of(row(1, ts("2026-10-31 10:00")), row(2, ts("2026-10-31 23:30"))),
                rows("SELECT id, ts - interval '1 day' FROM ev WHERE ts < TIMESTAMP '2026-11-02' - interval '10 minutes'"));
        assertEquals(List.of(row(3), row(4)),
                rows("SELECT id FROM ev WHERE ts >= TIMESTAMP '2026-11-01 23:30' + interval '30 minutes'"));
        assertEquals(new IntervalValue(0, 2, 7_200_000_000L), value("SELECT max(ts) - min(ts) FROM ev"));
        assertEquals(List.of(row(2L)), rows("SELECT count(*) FROM ev WHERE ts - TIMESTAMP '2026-11-01' < '1 day'"));
        assertEquals(List.of(row(3, "16:00:00")), rows("SELECT id, CAST(TIMESTAMP '2026-11-03' - ts AS VARCHAR) "
                + "FROM ev WHERE id = 3"));
    }

    @Test
    void insertGroupOrderAndMinMax() {
        events();
        run("INSERT INTO ev VALUES (TIMESTAMP '2026-11-03 12:00' + interval '1 day 30 minutes', 5, 5.0)");
        assertEquals(List.of(row(ts("2026-11-04 12:30"))), rows("SELECT ts FROM ev WHERE id = 5"));
        // Spans since day 1: 10:00, 23:30, 1 day 08:00, 2 days 12:00, 3 days 12:30.
        assertEquals(List.of(row(false, 1L), row(true, 2L)),
                rows("SELECT ts - TIMESTAMP '2026-11-01' > interval '12 hours' AS late, count(*) FROM ev "
                        + "WHERE ts < '2026-11-03' GROUP BY 1 ORDER BY 1"));
        assertEquals(List.of(row(IntervalValue.ZERO, 5L)), rows("SELECT ts - ts, count(*) FROM ev GROUP BY 1"));
        assertEquals(List.of(row(5), row(4), row(3), row(2), row(1)),
                rows("SELECT id FROM ev ORDER BY ts - TIMESTAMP '2026-11-01' DESC"));
        assertEquals(List.of(row(new IntervalValue(0, 0, 36_000_000_000L), new IntervalValue(0, 3, 45_000_000_000L))),
                rows("SELECT min(ts - TIMESTAMP '2026-11-01'), max(ts - TIMESTAMP '2026-11-01') FROM ev"));
        // sum and avg: 10:00 + 23:30 + 1 day 08:00 + 2 days 12:00 + 3 days 12:30 = 6 days 66:00 (days kept apart); avg is PostgreSQL's interval / 5.
        assertEquals(List.of(row(new IntervalValue(0, 6, 66 * 3_600_000_000L), new IntervalValue(0, 1, 18 * 3_600_000_000L))),
                rows("SELECT sum(ts - TIMESTAMP '2026-11-01'), avg(ts - TIMESTAMP '2026-11-01') FROM ev"));
        assertEquals("1 day 18:00:00", text("(SELECT avg(ts - TIMESTAMP '2026-11-01') FROM ev)"));
        // One group for '1 mon' and '30 days', as in PostgreSQL (equal spans).
        assertEquals(List.of(row(2L)), rows("SELECT count(*) FROM ev WHERE id <= 2 GROUP BY "
                + "CASE WHEN id = 1 THEN interval '1 mon' ELSE interval '30 days' END"));
        run("CREATE TABLE notes (ts TIMESTAMP, txt VARCHAR) TIMESTAMP(ts)");
        run("INSERT INTO notes VALUES ('2026-11-01', interval '-1 day +2 hours'), ('2026-11-02', CAST("
                + "TIMESTAMP '2026-11-02' - TIMESTAMP '2026-11-01 01:00' AS VARCHAR))");
        assertEquals(List.of(row("-1 days +02:00:00"), row("23:00:00")), rows("SELECT txt FROM notes"));
        assertEquals("42804", error("INSERT INTO ev VALUES (interval '1 day', 9, 0.0)").sqlState());
    }

    @Test
    void rowEngineJoinsComputeTheSame() {
        events();
        run("CREATE TABLE names (id INT, name VARCHAR)");
        run("INSERT INTO names VALUES (1, 'a'), (3, 'c')");
        assertEquals(List.of(row("a", ts("2026-12-01 10:00"), "1 day 10:00:00", true),
                        row("c", ts("2026-12-02 08:00"), "2 days 08:00:00", false)),
                rows("SELECT n.name, e.ts + interval '1 mon', CAST(e.ts - TIMESTAMP '2026-10-31' AS VARCHAR), "
                        + "e.ts - TIMESTAMP '2026-10-31' < interval '36 hours' "
                        + "FROM ev e JOIN names n ON e.id = n.id ORDER BY n.name"));
        assertEquals(List.of(row("a", new IntervalValue(0, -1, -36_000_000_000L))),
                rows("SELECT n.name, -(e.ts - TIMESTAMP '2026-10-31') FROM ev e JOIN names n ON e.id = n.id "
                        + "WHERE e.ts - interval '12 hours' < '2026-11-01' ORDER BY 1"));
        assertEquals(List.of(row(new IntervalValue(0, 1, 18 * 3_600_000_000L), "21:00:00")),
                rows("SELECT sum(e.ts - TIMESTAMP '2026-11-01'), CAST(avg(e.ts - TIMESTAMP '2026-11-01') AS VARCHAR) "
                        + "FROM ev e JOIN names n ON e.id = n.id"));
        assertEquals(List.of(row("c", "2026-11-02 04:00:00")),
                rows("SELECT n.name, CAST(e.ts - interval '8 hours' / 2 AS VARCHAR) FROM ev e JOIN names n "
                        + "ON e.id = n.id WHERE e.ts > TIMESTAMP '2026-11-01' + interval '1 day' ORDER BY 1"));
    }

    @Test
    void updateMovesRowsToTheNextDaysPartition() {
        engine.housekeeping().pause(); // superseded partition versions stay put while we list them
        events();
        assertEquals(List.of("2026-11-01.1", "2026-11-02.1", "2026-11-03.1"), engine.partitionDirectories("ev"));
        assertEquals("UPDATE 2", one("UPDATE ev SET ts = ts + interval '1 day' WHERE ts < '2026-11-02'").tag());
        // Both rows of day 1 now belong to day 2, which already held row 3; day 1 is gone, day 3 untouched.
        List<String> dirs = engine.partitionDirectories("ev");
        assertEquals(2, dirs.size(), dirs.toString());
        assertTrue(dirs.get(0).startsWith("2026-11-02.") && dirs.get(1).equals("2026-11-03.1"), dirs.toString());
        assertEquals(List.of(row(ts("2026-11-02 08:00"), 3), row(ts("2026-11-02 10:00"), 1),
                        row(ts("2026-11-02 23:30"), 2), row(ts("2026-11-03 12:00"), 4)),
                rows("SELECT ts, id FROM ev ORDER BY ts"));
        assertEquals(List.of(row(3L)), rows("SELECT count(*) FROM ev WHERE ts >= '2026-11-02' AND ts < '2026-11-03'"));
        // Back by a month and a half hour: across the month boundary, into a new partition.
        assertEquals("UPDATE 1", one("UPDATE ev SET ts = ts - interval '1 mon 30 minutes' WHERE id = 4").tag());
        assertEquals(List.of(row(ts("2026-10-03 11:30"), 4)), rows("SELECT ts, id FROM ev WHERE ts < '2026-11-01'"));
        assertEquals(List.of(row(4L)), rows("SELECT count(*) FROM ev"));
    }
}
