package io.stillpoint.server.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tools reading the catalogs of a real server: psql's {@code \dt}, {@code \d t}, {@code \l}, {@code \dn} (and
 * {@code \dt+}, {@code \d+}) give the transcript in {@code src/test/resources/psql/catalog.expected}, the same
 * layout PostgreSQL 15 shows; pgjdbc's DatabaseMetaData.getTables and getColumns list the tables and columns with
 * JDBC types, nullability and ordinal positions.
 */
class CatalogIT {

    @TempDir
    Path tmp;

    private static String resource(String name) throws IOException {
        try (InputStream in = CatalogIT.class.getResourceAsStream("/psql/" + name)) {
            assertTrue(in != null, "missing test resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void psqlDescribeCommandsShowTablesColumnsAndTypes() throws Exception {
        PsqlIT.requirePsql();
        Path script = tmp.resolve("catalog.sql");
        Files.writeString(script, resource("catalog.sql"));
        try (ServerProcess server = ServerProcess.start(tmp.resolve("root"))) {
            String actual = PsqlIT.psql(server, ServerProcess.PASSWORD, script).replace(script.toString(), "catalog.sql");
            Path dump = Path.of("target", "psql-catalog.actual.txt");
            Files.createDirectories(dump.getParent());
            Files.writeString(dump, actual);
            assertEquals(resource("catalog.expected"), actual, "psql transcript differs; actual output in " + dump);
        }
    }

    @Test
    void pgjdbcGetTablesAndGetColumns() throws Exception {
        try (ServerProcess server = ServerProcess.start(tmp.resolve("root"));
             Connection c = server.connect()) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE trades (ts TIMESTAMP, sym VARCHAR, price DOUBLE PRECISION, qty BIGINT, "
                        + "ok BOOLEAN, n INT) TIMESTAMP(ts) PARTITION BY DAY");
                st.execute("CREATE TABLE syms (sym VARCHAR)");
            }
            DatabaseMetaData md = c.getMetaData();
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = md.getTables(null, null, "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    tables.add(rs.getString("TABLE_CAT") + "." + rs.getString("TABLE_SCHEM") + "."
                            + rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
                }
            }
            assertEquals(List.of("stillpoint.public.syms:TABLE", "stillpoint.public.trades:TABLE"), tables);
            try (ResultSet rs = md.getTables(null, "public", "tr%", null)) {
                assertTrue(rs.next());
                assertEquals("trades", rs.getString("TABLE_NAME"));
                assertTrue(!rs.next(), "the pattern selects one table");
            }
            List<String> system = new ArrayList<>();
            try (ResultSet rs = md.getTables(null, "pg_catalog", "pg_class", new String[] {"SYSTEM TABLE"})) {
                while (rs.next()) {
                    system.add(rs.getString("TABLE_NAME"));
                }
            }
            assertEquals(List.of("pg_class"), system);

            List<String> columns = new ArrayList<>();
            try (ResultSet rs = md.getColumns(null, null, "trades", null)) {
                while (rs.next()) {
                    columns.add(rs.getInt("ORDINAL_POSITION") + " " + rs.getString("COLUMN_NAME") + " "
                            + rs.getInt("DATA_TYPE") + " " + rs.getString("TYPE_NAME") + " "
                            + rs.getInt("NULLABLE") + " " + rs.getString("IS_NULLABLE"));
                }
            }
            assertEquals(List.of(
                    "1 ts " + Types.TIMESTAMP + " timestamp " + DatabaseMetaData.columnNoNulls + " NO",
                    "2 sym " + Types.VARCHAR + " varchar " + DatabaseMetaData.columnNullable + " YES",
                    "3 price " + Types.DOUBLE + " float8 " + DatabaseMetaData.columnNullable + " YES",
                    "4 qty " + Types.BIGINT + " int8 " + DatabaseMetaData.columnNullable + " YES",
                    "5 ok " + Types.BIT + " bool " + DatabaseMetaData.columnNullable + " YES",
                    "6 n " + Types.INTEGER + " int4 " + DatabaseMetaData.columnNullable + " YES"), columns);
            // pgjdbc prepares the statement on the server from the 5th call and then asks for binary results
            for (int call = 0; call < 7; call++) {
                List<String> again = new ArrayList<>();
                try (ResultSet rs = md.getColumns(null, null, "trades", null)) {
                    while (rs.next()) {
                        again.add(rs.getInt("ORDINAL_POSITION") + " " + rs.getString("COLUMN_NAME") + " "
                                + rs.getInt("DATA_TYPE") + " " + rs.getString("TYPE_NAME") + " "
                                + rs.getInt("NULLABLE") + " " + rs.getString("IS_NULLABLE"));
                    }
                }
                assertEquals(columns, again, "call " + call);
            }
            try (ResultSet rs = md.getColumns(null, "public", "%", "sym")) {
                List<String> owners = new ArrayList<>();
                while (rs.next()) {
                    owners.add(rs.getString("TABLE_NAME"));
                }
                assertEquals(List.of("syms", "trades"), owners);
            }
            // no primary keys or indexes exist; the methods' queries (set-returning functions, composites) run
            try (ResultSet rs = md.getPrimaryKeys(null, null, "trades")) {
                assertTrue(!rs.next());
            }
            try (ResultSet rs = md.getIndexInfo(null, null, "trades", false, true)) {
                assertTrue(!rs.next());
            }
            try (ResultSet rs = md.getImportedKeys(null, null, "trades")) {
                assertTrue(!rs.next(), "a nine-table comma join over empty pg_constraint");
            }
            try (ResultSet rs = md.getTypeInfo()) {
                List<String> types = new ArrayList<>();
                while (rs.next()) {
                    types.add(rs.getString("TYPE_NAME"));
                }
                assertTrue(types.containsAll(List.of("int4", "int8", "float8", "varchar", "timestamp", "bool")), types.toString());
            }
            try (ResultSet rs = md.getSchemas()) {
                List<String> schemas = new ArrayList<>();
                while (rs.next()) {
                    schemas.add(rs.getString("TABLE_SCHEM"));
                }
                assertEquals(List.of("information_schema", "pg_catalog", "public"), schemas);
            }
                        // the same catalogs through information_schema
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables "
                         + "WHERE table_schema = 'public' ORDER BY 1")) {
                List<String> names = new ArrayList<>();
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
                assertEquals(List.of("syms", "trades"), names);
            }
        }
    }
}
