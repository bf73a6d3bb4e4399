package io.stillpoint.sql;

import io.stillpoint.sql.ast.Expr;
import io.stillpoint.sql.ast.SqlType;
import io.stillpoint.sql.ast.Statement;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** CHECKPOINT CREATE/RELEASE, ALTER TABLE (RENAME TO, ADD/DROP COLUMN, DROP PARTITION LIST), RESET. */
class DialectExtensionsParsingTest {

    static Statement parse(String sql) {
        return SqlParser.parse(sql).statement();
    }

    static SqlParseException error(String sql) {
        return assertThrows(SqlParseException.class, () -> SqlParser.parse(sql));
    }

    @Test
    void checkpoint() {
        assertEquals(new Statement.CheckpointCreate(null), parse("CHECKPOINT CREATE"));
        assertEquals(new Statement.CheckpointRelease(), parse("checkpoint release;"));
        assertEquals(new Statement.CheckpointCreate(30L), parse("CHECKPOINT CREATE TIMEOUT 30"));
        assertEquals(new Statement.CheckpointCreate(600L), parse("CHECKPOINT CREATE TIMEOUT 10 MINUTES"));
        assertEquals(new Statement.CheckpointCreate(7200L), parse("CHECKPOINT CREATE TIMEOUT 2 hours"));
        assertEquals(List.of(new Parsed(new Statement.CheckpointCreate(null), "CHECKPOINT CREATE", 0)),
                SqlParser.parseScript("  CHECKPOINT CREATE  "));
        SqlParseException unit = error("CHECKPOINT CREATE TIMEOUT 2 weeks");
        assertEquals("syntax error at or near \"weeks\" [position=29]", unit.getMessage());
        assertEquals("22023", error("CHECKPOINT CREATE TIMEOUT 0").sqlState());
        assertEquals("42601", error("CHECKPOINT CREATE TIMEOUT").sqlState());
        assertEquals("42601", error("CHECKPOINT CREATE NOW").sqlState());
        assertEquals("0A000", error("CHECKPOINT").sqlState());
        assertEquals(12, error("CHECKPOINT DESTROY").position());
    }

    @Test
    void dropPartitionList() {
        String sql = "ALTER TABLE Trades DROP PARTITION LIST '2026-11-20', '2026-11-21'";
        assertEquals(new Statement.DropPartitions("trades", List.of("2026-11-20", "2026-11-21"), 13), parse(sql));
        assertEquals("42601", error("ALTER TABLE t DROP PARTITION LIST").sqlState());
        assertEquals("42601", error("ALTER TABLE t DROP PARTITION LIST 2026").sqlState());
        assertEquals("0A000", error("ALTER INDEX i RENAME TO j").sqlState());
    }

    @Test
    void dropPartitionWhere() {
        String sql = "ALTER TABLE Trades DROP PARTITION WHERE ts < '2026-11-21' AND ts >= '2026-11-01'";
        Statement.DropPartitionsWhere d = (Statement.DropPartitionsWhere) parse(sql);
        assertEquals("trades", d.table());
        assertEquals(13, d.position());
        // Positions in the condition are the original text's.
        assertEquals(sql.indexOf("ts <") + 1, ((Expr.Binary) ((Expr.Binary) d.where()).left()).position());
        Statement.DropPartitionsWhere q = (Statement.DropPartitionsWhere) SqlParser.parseScript(
                "SELECT 1; alter table public.t drop partition where ts <= now();").get(1).statement();
        assertEquals("t", q.table());
        SqlParseException bad = error("ALTER TABLE t DROP PARTITION WHERE ts <");
        assertEquals("42601", bad.sqlState());
        assertEquals("42601", error("ALTER TABLE t DROP PARTITION WHERE").sqlState());
    }

    @Test
    void alterTableRenameAddAndDropColumn() {
        assertEquals(new Statement.RenameTable("trades", "old_trades", 13),
                parse("ALTER TABLE Trades RENAME TO Old_Trades"));
        assertEquals(new Statement.RenameTable("t", "U", 13), parse("alter table public.t rename to \"U\";"));
        assertEquals(new Statement.AddColumn("t", new Statement.ColumnDef("a", SqlType.INT, 26), 13),
                parse("ALTER TABLE t ADD COLUMN a int"));
        assertEquals(new Statement.AddColumn("t", new Statement.ColumnDef("d", SqlType.DOUBLE, 19), 13),
                parse("ALTER TABLE t ADD d DOUBLE PRECISION"));
        assertEquals(SqlType.VARCHAR, ((Statement.AddColumn) parse("ALTER TABLE t ADD s varchar(20)")).column().type());
        assertEquals(SqlType.VARCHAR,
                ((Statement.AddColumn) parse("ALTER TABLE t ADD s character varying")).column().type());
        assertEquals(SqlType.TIMESTAMP,
                ((Statement.AddColumn) parse("ALTER TABLE t ADD x timestamp without time zone")).column().type());
        assertEquals(new Statement.DropColumn("t", "v", 27), parse("ALTER TABLE t DROP COLUMN v"));
        assertEquals(new Statement.DropColumn("t", "v", 20), parse("ALTER TABLE t DROP v CASCADE"));
        assertEquals("42704", error("ALTER TABLE t ADD COLUMN a numeric").sqlState());
        assertEquals("42601", error("ALTER TABLE t ADD COLUMN a").sqlState());
        assertEquals("42601", error("ALTER TABLE t").sqlState());
        assertEquals("42601", error("ALTER TABLE t RENAME TO").sqlState());
        assertEquals("0A000", error("ALTER TABLE t RENAME COLUMN a TO b").sqlState());
        assertEquals("0A000", error("ALTER TABLE t ALTER COLUMN a TYPE int").sqlState());
        assertEquals("0A000", error("ALTER TABLE t ADD COLUMN a int, ADD COLUMN b int").sqlState());
        assertEquals("0A000", error("ALTER TABLE t ADD COLUMN IF NOT EXISTS a int").sqlState());
        assertEquals("0A000", error("ALTER TABLE t DROP COLUMN a, DROP COLUMN b").sqlState());
        assertEquals("alter table supports one action of RENAME TO, ADD COLUMN, DROP COLUMN, DROP PARTITION "
                + "[found=owner]", error("ALTER TABLE t OWNER TO bob").getMessage());
    }

    @Test
    void reset() {
        assertEquals(new Statement.SetVariable("application_name", null), parse("RESET application_name"));
        assertEquals("0A000", error("RESET ALL").sqlState());
    }
}
