package io.stillpoint.sql;

import io.stillpoint.sql.ast.Expr;
import io.stillpoint.sql.ast.SqlType;
import io.stillpoint.sql.ast.Statement;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CHECKPOINT CREATE/RELEASE, ALTER TABLE (RENAME TO, ADD/DROP COLUMN, DROP PARTITION LIST), RESET. */
class DialectExtensionsParsingTest {

    static Statement parse(String sql) {
        return SqlParser.parse(sql).statement();
    }

    static SqlParseException error(String sql) {
        return assertThrows(SqlParseException.class, () -> SqlParser.parse(sql));
    }

    @Test
    void checkpointCreateAndRelease() {
        assertEquals(new Statement.CheckpointCreate(null), parse("CHECKPOINT CREATE"));
        assertEquals(new Statement.CheckpointCreate(null), parse("checkpoint create;"));
        assertEquals(new Statement.CheckpointCreate(null), parse("  CheckPoint\n\t/* why */ CREATE -- now\n ;"));
        assertEquals(new Statement.CheckpointRelease(), parse("checkpoint release;"));
        assertEquals(new Statement.CheckpointRelease(), parse("CHECKPOINT /* c */ RELEASE"));
        assertEquals(List.of(new Parsed(new Statement.CheckpointCreate(null), "CHECKPOINT CREATE", 0)),
                SqlParser.parseScript("  CHECKPOINT CREATE  ;;"));
        assertEquals(List.of(new Statement.CheckpointCreate(null), new Statement.CheckpointRelease()),
                SqlParser.parseScript("CHECKPOINT CREATE; CHECKPOINT RELEASE;").stream().map(Parsed::statement)
                        .toList());
    }

    @Test
    void checkpointCreateWithLease() {
        assertEquals(new Statement.CheckpointCreate(Duration.ofMinutes(30)),
                parse("CHECKPOINT CREATE LEASE '30 minutes'"));
        assertEquals(new Statement.CheckpointCreate(Duration.ofHours(2)), parse("checkpoint create lease '2 hours';"));
        assertEquals(new Statement.CheckpointCreate(Duration.ofDays(1)), parse("CHECKPOINT CREATE LEASE '1 day'"));
        assertEquals(new Statement.CheckpointCreate(Duration.ofSeconds(90)),
                parse("CHECKPOINT CREATE LEASE INTERVAL '90 seconds'"));
        assertEquals(new Statement.CheckpointCreate(Duration.ofMinutes(90)),
                parse("CHECKPOINT CREATE LEASE '1 hour 30 minutes'"));
        assertEquals(new Statement.CheckpointCreate(Duration.ofMinutes(90)),
                parse("CHECKPOINT CREATE LEASE E'1h30min'"));
    }

    @Test
    void checkpointLeaseErrors() {
        SqlParseException bad = error("CHECKPOINT CREATE LEASE '2 fortnights'");
        assertEquals("22007", bad.sqlState());
        assertEquals(25, bad.position());
        assertTrue(bad.getMessage().startsWith("invalid input syntax for type interval [value=2 fortnights"),
                bad.getMessage());
        SqlParseException months = error("CHECKPOINT CREATE LEASE '1 month'");
        assertEquals("22007", months.sqlState());
        SqlParseException zero = error("CHECKPOINT CREATE LEASE '0 minutes'");
        assertEquals("22023", zero.sqlState());
        assertEquals("checkpoint lease must be positive [lease=0 minutes]", zero.getMessage());
        assertEquals(25, zero.position());
        assertEquals("22023", error("CHECKPOINT CREATE LEASE '-5 minutes'").sqlState());
        SqlParseException huge = error("CHECKPOINT CREATE LEASE '1000000 days'");
        assertEquals("22023", huge.sqlState());
        assertTrue(huge.getMessage().startsWith("checkpoint lease out of range"), huge.getMessage());

        SqlParseException missing = error("CHECKPOINT CREATE LEASE");
        assertEquals("42601", missing.sqlState());
        assertEquals("syntax error: interval string expected, e.g. '30 minutes' [position=24]", missing.getMessage());
        assertEquals(24, missing.position());
        SqlParseException number = error("CHECKPOINT CREATE LEASE 30");
        assertEquals("syntax error: interval string expected, e.g. '30 minutes' [found=30, position=25]",
                number.getMessage());
        assertEquals(25, number.position());
        // The old TIMEOUT form is gone.
        SqlParseException timeout = error("CHECKPOINT CREATE TIMEOUT 30");
        assertEquals("syntax error: 'lease' or end of statement expected [found=TIMEOUT, position=19]",
                timeout.getMessage());
        assertEquals(19, timeout.position());
        SqlParseException after = error("CHECKPOINT CREATE LEASE '1 hour' now");
        assertEquals("syntax error: end of statement expected [found=now, position=34]", after.getMessage());
    }

    @Test
    void checkpointSyntaxErrorsCarryThePosition() {
        SqlParseException bare = error("CHECKPOINT");
        assertEquals("42601", bare.sqlState());
        assertEquals("syntax error: 'create' or 'release' expected [position=11]", bare.getMessage());
        assertEquals(11, bare.position());
        assertEquals(11, error("CHECKPOINT;").position());
        SqlParseException drop = error("CHECKPOINT DROP");
        assertEquals("42601", drop.sqlState());
        assertEquals("syntax error: 'create' or 'release' expected [found=DROP, position=12]", drop.getMessage());
        assertEquals(12, drop.position());
        SqlParseException junk = error("CHECKPOINT CREATE foo");
        assertEquals("42601", junk.sqlState());
        assertEquals("syntax error: 'lease' or end of statement expected [found=foo, position=19]",
                junk.getMessage());
        assertEquals(19, junk.position());
        SqlParseException releaseJunk = error("checkpoint release now");
        assertEquals("syntax error: end of statement expected [found=now, position=20]", releaseJunk.getMessage());
        assertEquals(20, releaseJunk.position());
        // Positions count from the start of the whole script.
        SqlParseException second = assertThrows(SqlParseException.class,
                () -> SqlParser.parseScript("SELECT 1; CHECKPOINT BEGIN"));
        assertEquals(22, second.position());
    }

    @Test
    void snapshotAliases() {
        assertEquals(new Statement.CheckpointCreate(null), parse("SNAPSHOT PREPARE"));
        assertEquals(new Statement.CheckpointRelease(), parse("snapshot complete;"));
        SqlParseException bare = error("SNAPSHOT");
        assertEquals("syntax error: 'prepare' or 'complete' expected [position=9]", bare.getMessage());
        assertEquals("syntax error: end of statement expected [found=LEASE, position=18]",
                error("SNAPSHOT PREPARE LEASE '1 hour'").getMessage());
        assertEquals(10, error("SNAPSHOT CREATE").position());
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
        assertEquals("alter table supports one action of RENAME TO, ADD COLUMN, DROP COLUMN, DROP PARTITION, "
                + "SET TTL [found=owner]", error("ALTER TABLE t OWNER TO bob").getMessage());
    }

    @Test
    void reset() {
        assertEquals(new Statement.SetVariable("application_name", null), parse("RESET application_name"));
        assertEquals("0A000", error("RESET ALL").sqlState());
    }
}
