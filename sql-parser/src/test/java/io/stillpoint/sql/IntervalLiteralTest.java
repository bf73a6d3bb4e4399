package io.stillpoint.sql;

import io.stillpoint.sql.ast.Expr;
import io.stillpoint.sql.ast.Expr.BinaryOp;
import io.stillpoint.sql.ast.SqlType;
import io.stillpoint.sql.ast.Statement;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SQL type interval: PostgreSQL's interval input ({@link IntervalText#parseInterval}), its text output
 * ({@link IntervalValue#toString}), its order, and the literal forms the parser turns into casts to
 * {@link SqlType#INTERVAL}.
 */
class IntervalLiteralTest {

    private static final long H = IntervalValue.MICROS_PER_HOUR;
    private static final long M = IntervalValue.MICROS_PER_MINUTE;
    private static final long S = IntervalValue.MICROS_PER_SECOND;

    private static IntervalValue iv(String text) {
        return IntervalText.parseInterval(text);
    }

    private static void fields(String text, int months, int days, long micros) {
        IntervalValue v = iv(text);
        assertEquals(months, v.months(), text + " months");
        assertEquals(days, v.days(), text + " days");
        assertEquals(micros, v.micros(), text + " micros");
    }

    @Test
    void unitLists() {
        fields("1 day", 0, 1, 0);
        fields("2 hours 30 minutes", 0, 0, 2 * H + 30 * M);
        fields("1h30m", 0, 0, H + 30 * M);
        fields("1 year 2 mons", 14, 0, 0);
        fields("3 months", 3, 0, 0);
        fields("2 weeks", 0, 14, 0);
        fields("1 decade", 120, 0, 0);
        fields("1 century", 1200, 0, 0);
        fields("5 sec 250 ms 7 us", 0, 0, 5 * S + 250_000 + 7);
        fields("90", 0, 0, 90 * S);
        fields("  1 DAY  ", 0, 1, 0);
        fields("@ 1 hour", 0, 0, H);
        fields("1 microsecond", 0, 0, 1);
        fields("10 milliseconds", 0, 0, 10_000);
    }

    @Test
    void signsAndAgo() {
        fields("-1 day +2 hours", 0, -1, 2 * H);
        fields("+1 day -2 hours", 0, 1, -2 * H);
        fields("1 day 2 hours ago", 0, -1, -2 * H);
        fields("-3 mons", -3, 0, 0);
        fields("1-2", 14, 0, 0);
        fields("-1-2", -14, 0, 0);
        fields("1-2 3 days", 14, 3, 0);
    }

    @Test
    void fractionsCascadeIntoSmallerFields() {
        fields("1.5 days", 0, 1, 12 * H);
        fields("1.5 months", 1, 15, 0);
        fields("1.5 years", 18, 0, 0);
        fields("1.5 weeks", 0, 10, 12 * H);
        fields("0.5 seconds", 0, 0, 500_000);
        fields("1.5 hours", 0, 0, 90 * M);
    }

    @Test
    void timeFields() {
        fields("01:30:00", 0, 0, H + 30 * M);
        fields("01:30", 0, 0, H + 30 * M);
        fields("00:00:00.5", 0, 0, 500_000);
        fields("-02:03:04.000007", 0, 0, -(2 * H + 3 * M + 4 * S + 7));
        fields("1 day 02:00:00", 0, 1, 2 * H);
        fields("-1 days +02:03:00", 0, -1, 2 * H + 3 * M);
        fields("1 12:00:00", 0, 1, 12 * H);
        fields("100:00:00", 0, 0, 100 * H);
        fields("1:30.5", 0, 0, 90 * S + 500_000);
    }

    @Test
    void iso8601() {
        fields("P1DT2H", 0, 1, 2 * H);
        fields("P1Y2M3W4DT5H6M7.5S", 14, 25, 5 * H + 6 * M + 7 * S + 500_000);
        fields("PT30M", 0, 0, 30 * M);
        fields("P-1D", 0, -1, 0);
    }

    @Test
    void badSyntaxIsRefused() {
        for (String bad : new String[] {"", "   ", "abc", "1 fortnight", "1 day ago 2 hours", "P", "PT", "P1H",
                "1:2:3:4", "1..5 days", "day", "1 day,", "01:3x", "--1 day", "2026-11-01", "1-13", "1.5-2"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> iv(bad), bad);
            assertEquals("invalid input syntax for type interval [value=" + bad + "]", e.getMessage());
        }
    }

    @Test
    void overflowingFieldsAreRefused() {
        for (String big : new String[] {"3000000000 days", "300000000 years", "01:60:00", "00:00:61",
                "99999999999999999999 hours"}) {
            IntervalText.FieldOutOfRange e = assertThrows(IntervalText.FieldOutOfRange.class, () -> iv(big), big);
            assertEquals("interval field value out of range [value=" + big + "]", e.getMessage());
        }
    }

    @Test
    void textOutputIsPostgresStyle() {
        assertEquals("1 day 02:00:00", iv("1 day 2 hours").toString());
        assertEquals("-1 days +02:03:00", iv("-1 day +2 hours 3 minutes").toString());
        assertEquals("3 mons", iv("3 months").toString());
        assertEquals("1 year 2 mons", iv("14 months").toString());
        assertEquals("00:00:00.5", iv("0.5 s").toString());
        assertEquals("00:00:00", IntervalValue.ZERO.toString());
        assertEquals("1 day", iv("1 day").toString());
        assertEquals("-1 years -2 mons", iv("-14 months").toString());
        assertEquals("2 days -01:00:00", iv("2 days -1 hour").toString());
        assertEquals("-00:00:00.000001", iv("-1 us").toString());
        assertEquals("1 mon -1 days", iv("1 mon -1 day").toString());
        assertEquals("-1 mons +1 day", iv("-1 mon +1 day").toString());
        assertEquals("100:00:00", iv("100 hours").toString());
        assertEquals("1 year 1 mon 1 day 01:01:01.01", iv("1 year 1 mon 1 day 1:01:01.01").toString());
    }

    @Test
    void comparesWithThirtyDayMonthsAndTwentyFourHourDays() {
        assertEquals(0, iv("1 mon").compareTo(iv("30 days")));
        assertEquals(iv("1 mon"), iv("30 days"));
        assertEquals(iv("1 mon").hashCode(), iv("30 days").hashCode());
        assertEquals(iv("1 day"), iv("24 hours"));
        assertTrue(iv("1 mon").compareTo(iv("31 days")) < 0);
        assertTrue(iv("-1 us").compareTo(IntervalValue.ZERO) < 0);
        assertTrue(iv("1 day -1 us").compareTo(iv("23:59:59.999998")) > 0);
        assertNotEquals(iv("1 day"), iv("1 day 1 us"));
        // Extremes compare exactly (no 64-bit overflow of the combined span).
        IntervalValue max = new IntervalValue(Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE);
        IntervalValue min = new IntervalValue(Integer.MIN_VALUE, Integer.MIN_VALUE, Long.MIN_VALUE);
        assertTrue(max.compareTo(min) > 0);
        assertTrue(min.compareTo(IntervalValue.ZERO) < 0);
    }

    // ---- literals in SQL ----

    private static Expr item(String sql) {
        return SelectParsingTest.item(SelectParsingTest.select(sql), 0);
    }

    private static void intervalCast(Expr e, String text) {
        Expr.Cast cast = assertInstanceOf(Expr.Cast.class, e);
        assertEquals(SqlType.INTERVAL, cast.type());
        assertEquals(text, assertInstanceOf(Expr.Literal.class, cast.operand()).value());
    }

    @Test
    void literalForms() {
        intervalCast(item("SELECT INTERVAL '1 day'"), "1 day");
        intervalCast(item("SELECT interval '2 hours 30 minutes'"), "2 hours 30 minutes");
        intervalCast(item("SELECT '1 day'::interval"), "1 day");
        intervalCast(item("SELECT CAST('1h' AS INTERVAL)"), "1h");
        intervalCast(item("SELECT INTERVAL '1' DAY"), "1 day");
    }

    @Test
    void literalInArithmetic() {
        Expr.Binary b = assertInstanceOf(Expr.Binary.class, item("SELECT ts - interval '1 day' FROM t"));
        assertEquals(BinaryOp.SUBTRACT, b.op());
        assertInstanceOf(Expr.ColumnRef.class, b.left());
        intervalCast(b.right(), "1 day");
        Statement.Select s = SelectParsingTest.select("SELECT * FROM t WHERE ts > now() - INTERVAL '7 days'");
        Expr.Binary where = assertInstanceOf(Expr.Binary.class, s.where());
        Expr.Binary minus = assertInstanceOf(Expr.Binary.class, where.right());
        intervalCast(minus.right(), "7 days");
        Expr.Binary times = assertInstanceOf(Expr.Binary.class, item("SELECT interval '1 day' * 2"));
        assertEquals(BinaryOp.MULTIPLY, times.op());
        Expr.Unary neg = assertInstanceOf(Expr.Unary.class, item("SELECT -interval '1 day'"));
        intervalCast(neg.operand(), "1 day");
    }

    @Test
    void updateSetWithInterval() {
        Statement st = SqlParser.parse("UPDATE t SET ts = ts + interval '1 hour' WHERE id = 1").statement();
        Statement.Update u = assertInstanceOf(Statement.Update.class, st);
        Expr.Binary plus = assertInstanceOf(Expr.Binary.class, u.assignments().get(0).value());
        intervalCast(plus.right(), "1 hour");
    }

    @Test
    void badLiteralIs22007WithItsPosition() {
        String sql = "SELECT INTERVAL 'soon'";
        SqlParseException e = assertThrows(SqlParseException.class, () -> SqlParser.parse(sql));
        assertEquals("22007", e.sqlState());
        assertEquals("invalid input syntax for type interval [value=soon]", e.getMessage());
        assertEquals(sql.indexOf("'soon'") + 1, e.position());
        SqlParseException big = assertThrows(SqlParseException.class,
                () -> SqlParser.parse("SELECT interval '9999999999 days'"));
        assertEquals("22015", big.sqlState());
    }
}
