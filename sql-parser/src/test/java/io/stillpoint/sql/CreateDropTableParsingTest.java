package io.stillpoint.sql;

import io.stillpoint.sql.ast.PartitionUnit;
import io.stillpoint.sql.ast.SqlType;
import io.stillpoint.sql.ast.Statement.ColumnDef;
import io.stillpoint.sql.ast.Statement.CreateTable;
import io.stillpoint.sql.ast.Statement.DropTable;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CREATE TABLE with the dialect's TIMESTAMP(col) and PARTITION BY, every type spelling, DROP TABLE, errors. */
class CreateDropTableParsingTest {

    static CreateTable create(String sql) {
        return assertInstanceOf(CreateTable.class, SqlParser.parse(sql).statement());
    }

    static SqlParseException error(String sql) {
        return assertThrows(SqlParseException.class, () -> SqlParser.parse(sql));
    }

    @Test
    void designatedTimestampAndPartitioning() {
        String sql = "CREATE TABLE IF NOT EXISTS Trades (ts TIMESTAMP, sym VARCHAR(10), px DOUBLE)\n"
                + "  TIMESTAMP(ts) PARTITION BY day";
        CreateTable t = create(sql);
        assertEquals("trades", t.table());
        assertTrue(t.ifNotExists());
        assertEquals(sql.indexOf("Trades") + 1, t.position());
        assertEquals(List.of(new ColumnDef("ts", SqlType.TIMESTAMP, sql.indexOf("ts") + 1),
                new ColumnDef("sym", SqlType.VARCHAR, sql.indexOf("sym") + 1),
                new ColumnDef("px", SqlType.DOUBLE, sql.indexOf("px") + 1)), t.columns());
        assertEquals("ts", t.timestampColumn());
        assertEquals(PartitionUnit.DAY, t.partitionBy());
    }

    @Test
    void withoutDialectClauses() {
        CreateTable t = create("create table t (a int)");
        assertFalse(t.ifNotExists());
        assertNull(t.timestampColumn());
        assertEquals(PartitionUnit.NONE, t.partitionBy());
        for (PartitionUnit unit : PartitionUnit.values()) {
            assertEquals(unit, create("CREATE TABLE t (ts timestamp) TIMESTAMP(ts) PARTITION BY " + unit).partitionBy());
        }
        assertEquals(PartitionUnit.NONE, create("CREATE TABLE t (a int) PARTITION BY NONE").partitionBy());
        assertEquals("ts", create("CREATE TABLE t (ts timestamp) timestamp(TS)").timestampColumn());
    }

    @Test
    void everyTypeSpelling() {
        String sql = "CREATE TABLE t (a BOOLEAN, b BOOL, c INT, d INTEGER, e INT4, f LONG, g BIGINT, h INT8, "
                + "i DOUBLE, j DOUBLE PRECISION, k FLOAT8, l FLOAT, m VARCHAR, n VARCHAR(20), o TEXT, p STRING, "
                + "q TIMESTAMP, r TIMESTAMP WITHOUT TIME ZONE, \"Quoted Name\" int, timestamp timestamp, value double)";
        List<SqlType> types = create(sql).columns().stream().map(ColumnDef::type).toList();
        assertEquals(List.of(SqlType.BOOLEAN, SqlType.BOOLEAN, SqlType.INT, SqlType.INT, SqlType.INT, SqlType.LONG,
                SqlType.LONG, SqlType.LONG, SqlType.DOUBLE, SqlType.DOUBLE, SqlType.DOUBLE, SqlType.DOUBLE,
                SqlType.VARCHAR, SqlType.VARCHAR, SqlType.VARCHAR, SqlType.VARCHAR, SqlType.TIMESTAMP,
                SqlType.TIMESTAMP, SqlType.INT, SqlType.TIMESTAMP, SqlType.DOUBLE), types);
        CreateTable t = create(sql);
        assertEquals(new ColumnDef("Quoted Name", SqlType.INT, sql.indexOf("\"Quoted") + 1), t.columns().get(18));
        assertEquals("timestamp", t.columns().get(19).name());
    }

    @Test
    void unknownTypeIs42704AtTheType() {
        String sql = "CREATE TABLE t (a int, b foo)";
        SqlParseException e = error(sql);
        assertEquals("42704", e.sqlState());
        assertEquals("type does not exist [type=foo]", e.getMessage());
        assertEquals(sql.indexOf("foo") + 1, e.position());
    }

    @Test
    void partitionByWithoutTimestampIs42601() {
        String sql = "CREATE TABLE t (ts timestamp) PARTITION BY DAY";
        SqlParseException e = error(sql);
        assertEquals("42601", e.sqlState());
        assertEquals(sql.indexOf("PARTITION") + 1, e.position());
        assertTrue(e.getMessage().startsWith("partition by requires a designated timestamp column"), e.getMessage());
    }

    @Test
    void badDialectClauses() {
        SqlParseException unit = error("CREATE TABLE t (ts timestamp) TIMESTAMP(ts) PARTITION BY WEEKLY");
        assertEquals("42601", unit.sqlState());
        assertEquals(58, unit.position());
        SqlParseException missing = error("CREATE TABLE t (ts timestamp) TIMESTAMP(x)");
        assertEquals("42703", missing.sqlState());
        assertEquals("column does not exist [column=x]", missing.getMessage());
        assertEquals(41, missing.position());
        SqlParseException wrongType = error("CREATE TABLE t (ts int) TIMESTAMP(ts)");
        assertEquals("42804", wrongType.sqlState());
        SqlParseException trailing = error("CREATE TABLE t (ts timestamp) TIMESTAMP(ts) junk");
        assertEquals("42601", trailing.sqlState());
        assertEquals("syntax error at or near \"junk\" [position=45]", trailing.getMessage());
        SqlParseException duplicate = error("CREATE TABLE t (a int, A int)");
        assertEquals("42701", duplicate.sqlState());
        assertEquals(24, duplicate.position());
    }

    @Test
    void unsupportedTableFeaturesAre0A000() {
        assertEquals("0A000", error("CREATE TABLE t (a int NOT NULL)").sqlState());
        assertEquals("0A000", error("CREATE TABLE t (a int, PRIMARY KEY (a))").sqlState());
        assertEquals("0A000", error("CREATE TEMPORARY TABLE t (a int)").sqlState());
        assertEquals("0A000", error("CREATE INDEX i ON t (a)").sqlState());
    }

    @Test
    void dropTable() {
        String sql = "DROP TABLE IF EXISTS \"Trades\"";
        assertEquals(new DropTable("Trades", true, 22), SqlParser.parse(sql).statement());
        assertEquals(new DropTable("t", false, 12), SqlParser.parse("drop table T").statement());
        assertEquals(new DropTable("t", false, 12), SqlParser.parse("drop table public.t cascade").statement());
        assertEquals("0A000", error("DROP INDEX i").sqlState());
        assertEquals("0A000", error("DROP TABLE a, b").sqlState());
        SqlParseException end = error("DROP TABLE");
        assertEquals("syntax error at end of input [position=11]", end.getMessage());
        assertEquals(11, end.position());
    }
}
