package io.stillpoint.server.exec;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The virtual pg_catalog and information_schema: what they list for user tables, stable OIDs, types as PostgreSQL
 * names them, and the catalog functions psql calls.
 */
class CatalogTest extends ExecTestSupport {

    @BeforeEach
    void data() {
        run("CREATE TABLE trades (ts TIMESTAMP, sym VARCHAR, qty INT, px DOUBLE, id LONG, ok BOOLEAN) "
                + "TIMESTAMP(ts) PARTITION BY DAY");
        run("CREATE TABLE notes (body VARCHAR)");
    }

    @Test
    void everyVirtualTableHasRowsAsWideAsItsColumns() {
        for (List<Object> table : rows("SELECT n.nspname, c.relname FROM pg_catalog.pg_class c "
                + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname <> 'public'")) {
            String name = table.get(0) + "." + table.get(1);
            Outcome o = one("SELECT * FROM " + name);
            int columns = o.columns().size();
            assertEquals(columns, ((Number) value("SELECT count(*) FROM pg_attribute a JOIN pg_class c ON "
                    + "c.oid = a.attrelid WHERE c.relname = '" + table.get(1) + "'")).intValue(), name);
            for (List<Object> r : o.rows()) {
                assertEquals(columns, r.size(), name);
            }
        }
    }

    @Test
    void pgClassAndPgAttributeDescribeUserTables() {
        assertEquals(List.of(row("notes", "r", (short) 1), row("trades", "r", (short) 6)),
                rows("SELECT relname, relkind, relnatts FROM pg_class WHERE relnamespace = 2200 ORDER BY 1"));
        List<List<Object>> cols = rows("SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), "
                + "a.attnotnull FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                + "WHERE c.relname = 'trades' ORDER BY a.attnum");
        assertEquals(List.of(row((short) 1, "ts", "timestamp without time zone", true),
                row((short) 2, "sym", "character varying", false), row((short) 3, "qty", "integer", false),
                row((short) 4, "px", "double precision", false), row((short) 5, "id", "bigint", false),
                row((short) 6, "ok", "boolean", false)), cols);
        Outcome types = one("SELECT attnum, attnotnull, atttypid FROM pg_attribute WHERE attnum = 1 LIMIT 1");
        assertEquals(List.of(DataType.INT2, DataType.BOOL, DataType.INT8),
                types.columns().stream().map(ResultColumn::type).toList());
    }

    @Test
    void oidsAreStableAndResolveThroughRegclass() {
        Object oid = value("SELECT oid FROM pg_class WHERE relname = 'trades'");
        assertEquals(Catalog.tableOid("trades"), oid);
        assertTrue((Long) oid >= Catalog.FIRST_USER_OID);
        assertEquals(oid, value("SELECT 'trades'::regclass::oid"));
        assertEquals("trades", value("SELECT c.oid::regclass::text FROM pg_class c WHERE c.relname = 'trades'"));
        assertEquals(1259L, value("SELECT 'pg_class'::regclass::oid"));
        assertEquals(oid, value("SELECT c.oid FROM pg_class c WHERE c.oid = '" + oid + "'"));
        assertNotEquals(oid, value("SELECT oid FROM pg_class WHERE relname = 'notes'"));
        assertEquals("42P01", error("SELECT 'nosuch'::regclass").sqlState());
    }

    @Test
    void informationSchemaTablesAndColumns() {
        assertEquals(List.of(row("notes", "BASE TABLE"), row("trades", "BASE TABLE")),
                rows("SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'public' "
                        + "ORDER BY table_name"));
        assertEquals(List.of(row("ts", 1, "NO", "timestamp without time zone", "timestamp"),
                        row("sym", 2, "YES", "character varying", "varchar"), row("qty", 3, "YES", "integer", "int4"),
                        row("px", 4, "YES", "double precision", "float8"), row("id", 5, "YES", "bigint", "int8"),
                        row("ok", 6, "YES", "boolean", "bool")),
                rows("SELECT column_name, ordinal_position, is_nullable, data_type, udt_name "
                        + "FROM information_schema.columns WHERE table_name = 'trades' ORDER BY ordinal_position"));
        assertEquals("bench", value("SELECT DISTINCT_CATALOG FROM (SELECT table_catalog AS distinct_catalog "
                + "FROM information_schema.tables WHERE table_name = 'notes') x"));
    }

    @Test
    void databaseNamespacesRolesAndSettings() {
        assertEquals(List.of(row("bench", "UTF8")),
                rows("SELECT datname, pg_encoding_to_char(encoding) FROM pg_database"));
        assertEquals(List.of(row("information_schema"), row("pg_catalog"), row("public")),
                rows("SELECT nspname FROM pg_namespace ORDER BY 1"));
        assertEquals("admin", value("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'notes'"));
        assertEquals("admin", value("SELECT rolname FROM pg_roles"));
        assertEquals("15.0 (Stillpoint 0.1.0)", value("SELECT setting FROM pg_settings WHERE name = 'server_version'"));
    }

    @Test
    void droppedAndRenamedTablesLeaveTheCatalogAtOnce() {
        run("DROP TABLE notes");
        run("ALTER TABLE trades RENAME TO fills");
        assertEquals(List.of(row("fills")), rows("SELECT relname FROM pg_class WHERE relnamespace = 2200"));
        assertEquals(Catalog.tableOid("fills"), value("SELECT oid FROM pg_class WHERE relname = 'fills'"));
    }

    @Test
    void formatTypeNamesTypesAsPostgresDoes() {
        assertEquals("character varying(10)", Catalog.formatType(1043, 14));
        assertEquals("integer[]", Catalog.formatType(1007, -1));
        assertEquals("\"char\"", Catalog.formatType(18, null));
        assertEquals("???", Catalog.formatType(99999, null));
    }
}
