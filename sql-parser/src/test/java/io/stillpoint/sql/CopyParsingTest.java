package io.stillpoint.sql;

import io.stillpoint.sql.ast.CopyOptions;
import io.stillpoint.sql.ast.Statement;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** COPY ... FROM STDIN / TO STDOUT in the current and the pre-9.0 option syntax, and its errors. */
class CopyParsingTest {

    static Statement parse(String sql) {
        return SqlParser.parse(sql).statement();
    }

    static SqlParseException error(String sql) {
        return assertThrows(SqlParseException.class, () -> SqlParser.parse(sql));
    }

    @Test
    void copyFromStdinText() {
        assertEquals(new Statement.CopyFrom("t", List.of(), CopyOptions.TEXT, 6), parse("COPY t FROM STDIN"));
        assertEquals(new Statement.CopyFrom("t", List.of("a", "b"), CopyOptions.TEXT, 6),
                parse("copy public.t (a, B) from stdin;"));
        assertEquals(new Statement.CopyFrom("t", List.of(), new CopyOptions(CopyOptions.Format.TEXT, false, '|',
                "NULL", '"', '"'), 6), parse("COPY t FROM STDIN WITH (DELIMITER '|', NULL 'NULL')"));
    }

    @Test
    void copyFromStdinCsvForms() {
        CopyOptions csvHeader = new CopyOptions(CopyOptions.Format.CSV, true, ',', "", '"', '"');
        assertEquals(csvHeader, ((Statement.CopyFrom) parse(
                "COPY t FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ',', NULL '')")).options());
        assertEquals(csvHeader, ((Statement.CopyFrom) parse("COPY t FROM STDIN (FORMAT 'csv', HEADER)")).options());
        assertEquals(csvHeader, ((Statement.CopyFrom) parse("COPY t FROM STDIN CSV HEADER")).options());
        assertEquals(csvHeader, ((Statement.CopyFrom) parse("COPY t FROM STDIN WITH CSV HEADER")).options());
        // what psql's \copy t from 'f.csv' csv header sends
        assertEquals(csvHeader, ((Statement.CopyFrom) parse("COPY  t FROM STDIN csv header")).options());
        assertEquals(new CopyOptions(CopyOptions.Format.CSV, false, ';', "\\N", '\'', '\\'),
                ((Statement.CopyFrom) parse("COPY t FROM STDIN DELIMITER AS ';' CSV NULL AS '\\N' QUOTE '''' ESCAPE '\\'"))
                        .options());
        assertEquals(CopyOptions.CSV, ((Statement.CopyFrom) parse("COPY t FROM STDIN (FORMAT csv, HEADER off)")).options());
    }

    @Test
    void copyTo() {
        Statement.CopyTo table = (Statement.CopyTo) parse("COPY t (a) TO STDOUT WITH (FORMAT csv, HEADER)");
        assertEquals("t", table.table());
        assertEquals(List.of("a"), table.columns());
        assertNull(table.query());
        assertEquals(true, table.options().header());
        Statement.CopyTo query = (Statement.CopyTo) parse("COPY (SELECT a, b FROM t WHERE (a > 1) ORDER BY a) TO STDOUT");
        assertNull(query.table());
        assertNotNull(query.query());
        assertEquals(CopyOptions.TEXT, query.options());
        assertInstanceOf(Statement.CopyTo.class, SqlParser.parseScript("COPY t TO STDOUT CSV; SELECT 1").get(0).statement());
    }

    @Test
    void errors() {
        assertEquals("0A000", error("COPY t FROM '/tmp/x.csv'").sqlState());
        assertEquals("0A000", error("COPY t TO '/tmp/x.csv'").sqlState());
        assertEquals("0A000", error("COPY t FROM STDIN (FORMAT binary)").sqlState());
        assertEquals("0A000", error("COPY t FROM STDIN BINARY").sqlState());
        assertEquals("0A000", error("COPY t FROM STDIN (FREEZE true)").sqlState());
        assertEquals("0A000", error("COPY t FROM STDIN HEADER").sqlState());
        assertEquals("22023", error("COPY t FROM STDIN (FORMAT xml)").sqlState());
        assertEquals("22023", error("COPY t FROM STDIN (DELIMITER ';;')").sqlState());
        assertEquals("22023", error("COPY t FROM STDIN (FORMAT csv, DELIMITER '\"')").sqlState());
        assertEquals("22023", error("COPY t FROM STDIN (FORMAT csv, HEADER maybe)").sqlState());
        SqlParseException end = error("COPY t FROM");
        assertEquals("42601", end.sqlState());
        assertEquals("0A000", error("COPY t FROM STDOUT").sqlState());
        assertEquals("syntax error at or near \"x\" [position=13]", error("COPY t FROM x").getMessage());
        assertEquals("42601", error("COPY (SELECT 1) FROM STDIN").sqlState());
        assertEquals("0A000", error("COPY (INSERT INTO t VALUES (1)) TO STDOUT").sqlState());
        assertEquals("42601", error("COPY t (a FROM STDIN").sqlState());
        assertEquals(24, error("COPY t FROM STDIN WITH bogus").position());
    }
}
