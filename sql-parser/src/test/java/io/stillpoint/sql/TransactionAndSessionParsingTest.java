package io.stillpoint.sql;

import io.stillpoint.sql.ast.Statement;
import io.stillpoint.sql.ast.Statement.SetVariable;
import io.stillpoint.sql.ast.Statement.Show;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** BEGIN/COMMIT/ROLLBACK in all spellings, SET and SHOW in PostgreSQL's forms, including what pgjdbc and psql send. */
class TransactionAndSessionParsingTest {

    static Statement parse(String sql) {
        return SqlParser.parse(sql).statement();
    }

    static SqlParseException error(String sql) {
        return assertThrows(SqlParseException.class, () -> SqlParser.parse(sql));
    }

    @Test
    void transactionControlSpellings() {
        for (String sql : new String[] {"BEGIN", "begin work", "BEGIN TRANSACTION", "START TRANSACTION", "begin;"}) {
            assertEquals(new Statement.Begin(), parse(sql), sql);
        }
        for (String sql : new String[] {"COMMIT", "commit work", "COMMIT TRANSACTION", "END", "end work", "COMMIT AND NO CHAIN"}) {
            assertEquals(new Statement.Commit(), parse(sql), sql);
        }
        for (String sql : new String[] {"ROLLBACK", "rollback work", "ABORT", "abort transaction"}) {
            assertEquals(new Statement.Rollback(), parse(sql), sql);
        }
    }

    @Test
    void unsupportedTransactionForms() {
        assertEquals("0A000", error("ROLLBACK TO SAVEPOINT s").sqlState());
        assertEquals("0A000", error("SAVEPOINT s").sqlState());
        assertEquals("0A000", error("BEGIN ISOLATION LEVEL SERIALIZABLE").sqlState());
        assertEquals("0A000", error("COMMIT AND CHAIN").sqlState());
        SqlParseException junk = error("COMMIT NOW");
        assertEquals("42601", junk.sqlState());
        assertEquals("syntax error at or near \"NOW\" [position=8]", junk.getMessage());
        assertEquals(8, junk.position());
        SqlParseException start = error("START");
        assertEquals("syntax error at end of input [position=6]", start.getMessage());
    }

    @Test
    void pgjdbcStartupStatements() {
        assertEquals(new SetVariable("application_name", "PostgreSQL JDBC Driver"),
                parse("SET application_name = 'PostgreSQL JDBC Driver'"));
        assertEquals(new SetVariable("extra_float_digits", "3"), parse("SET extra_float_digits = 3"));
        assertEquals(new SetVariable("session_characteristics", "ISOLATION LEVEL READ COMMITTED"),
                parse("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED"));
        assertEquals(new SetVariable("session_characteristics", "ISOLATION LEVEL REPEATABLE READ, READ ONLY"),
                parse("set session characteristics as transaction isolation level repeatable read, read only"));
    }

    @Test
    void setForms() {
        assertEquals(new SetVariable("datestyle", "iso, mdy"), parse("SET DateStyle TO ISO, MDY"));
        assertEquals(new SetVariable("search_path", "a, b"), parse("SET SESSION search_path = 'a', 'b'"));
        assertEquals(new SetVariable("statement_timeout", "-1"), parse("SET LOCAL statement_timeout TO -1"));
        assertEquals(new SetVariable("x", "1.5"), parse("set x=1.5"));
        assertEquals(new SetVariable("client_encoding", null), parse("SET client_encoding TO DEFAULT"));
        assertEquals(new SetVariable("timezone", "UTC"), parse("SET TIME ZONE 'UTC'"));
        assertEquals(new SetVariable("timezone", null), parse("SET TIME ZONE LOCAL"));
        assertEquals(new SetVariable("timezone", "Europe/Paris"), parse("SET timezone = 'Europe/Paris'"));
        assertEquals(new SetVariable("my.setting", "On"), parse("SET my.setting = \"On\""));
        SqlParseException missingValue = error("SET x =");
        assertEquals("syntax error at end of input [position=8]", missingValue.getMessage());
        SqlParseException noOperator = error("SET x 1");
        assertEquals(7, noOperator.position());
    }

    @Test
    void showForms() {
        assertEquals(new Show("transaction_isolation"), parse("SHOW TRANSACTION ISOLATION LEVEL"));
        assertEquals(new Show("all"), parse("SHOW ALL"));
        assertEquals(new Show("server_version"), parse("show server_version"));
        assertEquals(new Show("timezone"), parse("SHOW TIME ZONE"));
        assertEquals(new Show("session_authorization"), parse("SHOW SESSION AUTHORIZATION"));
        assertEquals(new Statement.ShowTables(), parse("SHOW TABLES"));
        assertEquals("42601", error("SHOW").sqlState());
        assertEquals("42601", error("SHOW a b").sqlState());
    }
}
