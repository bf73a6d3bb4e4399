package io.stillpoint.sql;

import io.stillpoint.sql.ast.PartitionUnit;
import io.stillpoint.sql.ast.Statement;
import io.stillpoint.sql.ast.TtlUnit;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@code CREATE TABLE ... TTL n unit} and {@code ALTER TABLE t SET TTL n unit}: forms, units, errors with positions. */
class TtlParsingTest {

    private static final String CREATE = "CREATE TABLE t (ts TIMESTAMP, v INT) TIMESTAMP(ts) PARTITION BY DAY ";

    static Statement parse(String sql) {
        return SqlParser.parse(sql).statement();
    }

    static SqlParseException error(String sql) {
        return assertThrows(SqlParseException.class, () -> SqlParser.parse(sql));
    }

    private static Statement.TimeToLive createTtl(String tail) {
        Statement.CreateTable c = (Statement.CreateTable) parse(CREATE + tail);
        assertEquals(PartitionUnit.DAY, c.partitionBy());
        assertEquals("ts", c.timestampColumn());
        return c.ttl();
    }

    private static Statement.TimeToLive alterTtl(String tail) {
        Statement.SetTtl s = (Statement.SetTtl) parse("ALTER TABLE t SET TTL " + tail);
        assertEquals("t", s.table());
        assertEquals(13, s.position());
        return s.ttl();
    }

    private static Statement.TimeToLive ttl(long amount, TtlUnit unit) {
        return new Statement.TimeToLive(amount, unit);
    }

    @Test
    void createTableWithTtlInEveryUnitAndCase() {
        assertEquals(ttl(30, TtlUnit.DAYS), createTtl("TTL 30 DAYS"));
        assertEquals(ttl(1, TtlUnit.DAYS), createTtl("ttl 1 day"));
        assertEquals(ttl(12, TtlUnit.HOURS), createTtl("TTL 12 Hours"));
        assertEquals(ttl(1, TtlUnit.HOURS), createTtl("TTL 1 HOUR"));
        assertEquals(ttl(2, TtlUnit.WEEKS), createTtl("TTL 2 weeks"));
        assertEquals(ttl(1, TtlUnit.WEEKS), createTtl("TTL 1 WEEK;"));
        assertEquals(ttl(3, TtlUnit.MONTHS), createTtl("TTL 3 MONTHS"));
        assertEquals(ttl(1, TtlUnit.MONTHS), createTtl("TTL 1 month"));
        assertEquals(ttl(5, TtlUnit.YEARS), createTtl("TTL 5 YEARS"));
        assertEquals(ttl(1, TtlUnit.YEARS), createTtl("TTL 1 yEaR"));
        assertEquals(ttl(1_000_000, TtlUnit.HOURS), createTtl("TTL 1000000 HOURS"));
    }

    @Test
    void questDbShortForms() {
        assertEquals(ttl(12, TtlUnit.HOURS), createTtl("TTL 12H"));
        assertEquals(ttl(2, TtlUnit.DAYS), createTtl("TTL 2D"));
        assertEquals(ttl(1, TtlUnit.WEEKS), createTtl("TTL 1W"));
        assertEquals(ttl(3, TtlUnit.MONTHS), createTtl("TTL 3M"));
        assertEquals(ttl(1, TtlUnit.YEARS), createTtl("TTL 1Y"));
        assertEquals(ttl(2, TtlUnit.DAYS), createTtl("ttl 2d"));
        assertEquals(ttl(12, TtlUnit.HOURS), alterTtl("12h"));
    }

    @Test
    void createTableWithoutTtlOrWithTtlZero() {
        assertNull(((Statement.CreateTable) parse(CREATE)).ttl());
        assertNull(createTtl("TTL 0 DAYS"));
        assertNull(createTtl("TTL 0"));
        // the six-argument constructor is a table without a TTL
        Statement.CreateTable c = (Statement.CreateTable) parse("CREATE TABLE x (a INT)");
        assertEquals(new Statement.CreateTable("x", false, c.columns(), null, PartitionUnit.NONE, 14), c);
    }

    @Test
    void alterTableSetTtl() {
        assertEquals(ttl(30, TtlUnit.DAYS), alterTtl("30 DAYS"));
        assertEquals(ttl(1, TtlUnit.MONTHS), alterTtl("1 MONTH;"));
        assertEquals(ttl(6, TtlUnit.HOURS), alterTtl("6 hours"));
        assertNull(alterTtl("0"));
        assertNull(alterTtl("0 DAYS"));
        assertNull(alterTtl("00 hours"));
        assertEquals(new Statement.SetTtl("trades", ttl(7, TtlUnit.DAYS), 13),
                parse("alter table public.trades set ttl 7 days"));
    }

    @Test
    void missingAmountIsASyntaxErrorWithPosition() {
        SqlParseException atEnd = error("ALTER TABLE t SET TTL");
        assertEquals("42601", atEnd.sqlState());
        assertEquals("syntax error: ttl amount expected, e.g. TTL 30 DAYS [position=22]", atEnd.getMessage());
        assertEquals(22, atEnd.position());
        SqlParseException word = error("ALTER TABLE t SET TTL DAYS");
        assertEquals("42601", word.sqlState());
        assertEquals("syntax error: ttl amount expected, e.g. TTL 30 DAYS [found=DAYS, position=23]",
                word.getMessage());
        assertEquals(23, word.position());
        SqlParseException create = error(CREATE + "TTL '30 days'");
        assertEquals("42601", create.sqlState());
        assertEquals(CREATE.length() + 5, create.position());
        assertEquals("42601", error(CREATE + "TTL").sqlState());
    }

    @Test
    void unknownOrMissingUnitIsASyntaxErrorWithPosition() {
        SqlParseException minutes = error("ALTER TABLE t SET TTL 30 MINUTES");
        assertEquals("42601", minutes.sqlState());
        assertEquals("invalid ttl unit, expected HOURS, DAYS, WEEKS, MONTHS or YEARS [unit=MINUTES]",
                minutes.getMessage());
        assertEquals(26, minutes.position());
        SqlParseException letter = error(CREATE + "TTL 5S");
        assertEquals("42601", letter.sqlState());
        assertEquals("invalid ttl unit, expected HOURS, DAYS, WEEKS, MONTHS or YEARS [unit=S]", letter.getMessage());
        assertEquals(CREATE.length() + 6, letter.position());
        SqlParseException missing = error("ALTER TABLE t SET TTL 30");
        assertEquals("42601", missing.sqlState());
        assertEquals("syntax error: ttl unit expected, one of HOURS, DAYS, WEEKS, MONTHS or YEARS [position=25]",
                missing.getMessage());
        SqlParseException symbol = error("ALTER TABLE t SET TTL 30 ,");
        assertEquals("42601", symbol.sqlState());
        assertEquals(26, symbol.position());
        assertEquals("42601", error("ALTER TABLE t SET TTL 1.5 DAYS").sqlState());
        // junk after the clause
        SqlParseException junk = error("ALTER TABLE t SET TTL 3 DAYS now");
        assertEquals("42601", junk.sqlState());
        assertEquals(30, junk.position());
        assertEquals("42601", error(CREATE + "TTL 3 DAYS PARTITION BY DAY").sqlState());
    }

    @Test
    void amountOutOfRangeIs22023() {
        SqlParseException big = error("ALTER TABLE t SET TTL 1000001 DAYS");
        assertEquals("22023", big.sqlState());
        assertEquals("ttl out of range, expected 0 to 1000000 [amount=1000001]", big.getMessage());
        assertEquals(23, big.position());
        SqlParseException negative = error(CREATE + "TTL -3 DAYS");
        assertEquals("22023", negative.sqlState());
        assertEquals("ttl out of range, expected 0 to 1000000 [amount=-3]", negative.getMessage());
        assertEquals(CREATE.length() + 5, negative.position());
        assertEquals("22023", error("ALTER TABLE t SET TTL 99999999999999999999999 HOURS").sqlState());
    }

    @Test
    void ttlNeedsAPartitionedTable() {
        SqlParseException none = error("CREATE TABLE plain (ts TIMESTAMP, v INT) TIMESTAMP(ts) TTL 3 DAYS");
        assertEquals("42P16", none.sqlState());
        assertEquals("ttl needs a partitioned table [table=plain]", none.getMessage());
        assertEquals(56, none.position());
        assertEquals("42P16", error("CREATE TABLE plain (ts TIMESTAMP) TIMESTAMP(ts) PARTITION BY NONE TTL 1 DAY")
                .sqlState());
        assertEquals("42P16", error("CREATE TABLE plain (v INT) TTL 1D").sqlState());
    }

    @Test
    void otherAlterSetFormsAreNotSupported() {
        assertEquals("0A000", error("ALTER TABLE t SET SCHEMA other").sqlState());
    }
}
