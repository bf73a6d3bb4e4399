package io.stillpoint.server.exec;

import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.Engine;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableInfo;
import io.stillpoint.storage.TableSchema;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.zip.CRC32;

/**
 * The minimal {@code pg_catalog} and {@code information_schema} that psql's describe commands and pgjdbc's
 * DatabaseMetaData read: virtual tables whose rows are computed from {@link Engine#tables()} and
 * {@link Engine#schema(String)} when a query reads them (one {@link Snapshot} per statement), never stored.
 *
 * <p>Object identifiers: the types, namespaces and catalog tables keep PostgreSQL's own OIDs (int4 is 23, pg_class
 * is 1259, pg_catalog is 11, public is 2200), so clients' built-in type tables match. A user table's OID is
 * derived from its name ({@link #tableOid}), 16384 and up like PostgreSQL's user objects: the storage API exposes
 * no table id, and a name-derived OID stays the same across restarts and connections as long as the table keeps
 * its name. Columns are {@code attnum} 1..n in schema order; the designated timestamp column is NOT NULL (the
 * storage refuses NULL there), every other column is nullable; nothing has defaults, indexes, constraints,
 * comments, policies or triggers, so those catalogs exist and are empty.
 */
final class Catalog {

    static final long PG_CATALOG_OID = 11;
    static final long PUBLIC_OID = 2200;
    static final long INFORMATION_SCHEMA_OID = 13000;
    static final long SUPERUSER_OID = 10;
    static final long DATABASE_OID = 5;
    static final long FIRST_USER_OID = 16384;
    static final long DEFAULT_COLLATION_OID = 100;

    /** A column of a virtual table: its name and its PostgreSQL type name (a row of {@link #TYPES}). */
    record Column(String name, String pgType) {
        DataType dataType() {
            return dataTypeOf(pgType);
        }
    }

    /** A virtual table: schema-qualified name, OID, relkind and columns. */
    record Table(String schema, String name, long oid, char relkind, List<Column> columns) {
        String qualifiedName() {
            return schema + "." + name;
        }
    }

    /** A PostgreSQL type the catalog lists in pg_type. */
    record PgType(long oid, String name, String display, int len, char category, long elem, long array) {}

    /** What the catalog needs to know about the session. */
    record SessionView(String user, String database, Supplier<List<Object[]>> settings) {}

    // ---- types --------------------------------------------------------------------------------------------

    static final List<PgType> TYPES = List.of(
            new PgType(16, "bool", "boolean", 1, 'B', 0, 1000),
            new PgType(17, "bytea", "bytea", -1, 'U', 0, 1001),
            new PgType(18, "char", "\"char\"", 1, 'Z', 0, 1002),
            new PgType(19, "name", "name", 64, 'S', 0, 1003),
            new PgType(20, "int8", "bigint", 8, 'N', 0, 1016),
            new PgType(21, "int2", "smallint", 2, 'N', 0, 1005),
            new PgType(22, "int2vector", "int2vector", -1, 'A', 21, 1006),
            new PgType(23, "int4", "integer", 4, 'N', 0, 1007),
            new PgType(24, "regproc", "regproc", 4, 'N', 0, 1008),
            new PgType(25, "text", "text", -1, 'S', 0, 1009),
            new PgType(26, "oid", "oid", 4, 'N', 0, 1028),
            new PgType(30, "oidvector", "oidvector", -1, 'A', 26, 1013),
            new PgType(194, "pg_node_tree", "pg_node_tree", -1, 'Z', 0, 0),
            new PgType(700, "float4", "real", 4, 'N', 0, 1021),
            new PgType(701, "float8", "double precision", 8, 'N', 0, 1022),
            new PgType(705, "unknown", "unknown", -2, 'X', 0, 0),
            new PgType(1033, "aclitem", "aclitem", 12, 'U', 0, 1034),
            new PgType(1043, "varchar", "character varying", -1, 'S', 0, 1015),
            new PgType(1114, "timestamp", "timestamp without time zone", 8, 'D', 0, 1115),
            new PgType(1184, "timestamptz", "timestamp with time zone", 8, 'D', 0, 1185),
            new PgType(1186, "interval", "interval", 16, 'T', 0, 1187),
            new PgType(1700, "numeric", "numeric", -1, 'N', 0, 1231),
            new PgType(2205, "regclass", "regclass", 4, 'N', 0, 2210),
            new PgType(2206, "regtype", "regtype", 4, 'N', 0, 2211),
            new PgType(4089, "regnamespace", "regnamespace", 4, 'N', 0, 4090),
            new PgType(1000, "_bool", "boolean[]", -1, 'A', 16, 0),
            new PgType(1001, "_bytea", "bytea[]", -1, 'A', 17, 0),
            new PgType(1002, "_char", "\"char\"[]", -1, 'A', 18, 0),
            new PgType(1003, "_name", "name[]", -1, 'A', 19, 0),
            new PgType(1005, "_int2", "smallint[]", -1, 'A', 21, 0),
            new PgType(1007, "_int4", "integer[]", -1, 'A', 23, 0),
            new PgType(1009, "_text", "text[]", -1, 'A', 25, 0),
            new PgType(1015, "_varchar", "character varying[]", -1, 'A', 1043, 0),
            new PgType(1016, "_int8", "bigint[]", -1, 'A', 20, 0),
            new PgType(1021, "_float4", "real[]", -1, 'A', 700, 0),
            new PgType(1022, "_float8", "double precision[]", -1, 'A', 701, 0),
            new PgType(1028, "_oid", "oid[]", -1, 'A', 26, 0),
            new PgType(1034, "_aclitem", "aclitem[]", -1, 'A', 1033, 0),
            new PgType(1115, "_timestamp", "timestamp without time zone[]", -1, 'A', 1114, 0),
            new PgType(1187, "_interval", "interval[]", -1, 'A', 1186, 0),
            new PgType(1231, "_numeric", "numeric[]", -1, 'A', 1700, 0));

    private static final Map<Long, PgType> TYPE_BY_OID = new HashMap<>();
    private static final Map<String, PgType> TYPE_BY_NAME = new HashMap<>();

    static {
        for (PgType t : TYPES) {
            TYPE_BY_OID.put(t.oid(), t);
            TYPE_BY_NAME.put(t.name(), t);
        }
    }

    static PgType type(long oid) {
        return TYPE_BY_OID.get(oid);
    }

    /** The pg_type row of a name such as {@code int4}, {@code oid[]} or {@code _oid}, or null. */
    static PgType typeNamed(String name) {
        String n = name.endsWith("[]") ? "_" + name.substring(0, name.length() - 2) : name;
        return TYPE_BY_NAME.get(n);
    }

    /** The executor type that carries values of a PostgreSQL type (arrays travel as their text form). */
    static DataType dataTypeOf(String pgType) {
        return switch (pgType) {
            case "bool" -> DataType.BOOL;
            case "int2" -> DataType.INT2;
            case "int4" -> DataType.INT4;
            case "int8", "oid", "regclass", "regtype", "regnamespace", "xid" -> DataType.INT8;
            case "float4", "float8" -> DataType.FLOAT8;
            case "varchar" -> DataType.VARCHAR;
            case "timestamp" -> DataType.TIMESTAMP;
            case "interval" -> DataType.INTERVAL;
            default -> DataType.TEXT;
        };
    }

    /** pg_type OID of a storage column type. */
    static long typeOid(ColumnType t) {
        return switch (t) {
            case BOOLEAN -> 16;
            case INT -> 23;
            case LONG -> 20;
            case DOUBLE -> 701;
            case VARCHAR -> 1043;
            case TIMESTAMP -> 1114;
        };
    }

    /** pg_type OID of an executor type (for result columns). */
    static long typeOid(DataType t) {
        return t.oid();
    }

    /** PostgreSQL's format_type(oid, typmod). */
    static String formatType(long oid, Integer typmod) {
        PgType t = TYPE_BY_OID.get(oid);
        if (t == null) {
            return "???";
        }
        if (oid == 1043 && typmod != null && typmod >= 4) {
            return "character varying(" + (typmod - 4) + ")";
        }
        return t.display();
    }

    // ---- virtual tables -----------------------------------------------------------------------------------

    private static final Map<String, Table> TABLES = new LinkedHashMap<>();
    private static long nextViewOid = 12000;

    private static void define(String schema, String name, long oid, char kind, String columns) {
        List<Column> cols = new ArrayList<>();
        for (String c : columns.split(",")) {
            String[] parts = c.trim().split("\\s+");
            cols.add(new Column(parts[0], parts[1]));
        }
        long id = oid > 0 ? oid : nextViewOid++;
        TABLES.put(schema + "." + name, new Table(schema, name, id, kind, List.copyOf(cols)));
    }

    static {
        define("pg_catalog", "pg_namespace", 2615, 'r', "oid oid, nspname name, nspowner oid, nspacl _aclitem");
        define("pg_catalog", "pg_class", 1259, 'r', "oid oid, relname name, relnamespace oid, reltype oid, "
                + "reloftype oid, relowner oid, relam oid, relfilenode oid, reltablespace oid, relpages int4, "
                + "reltuples float4, relallvisible int4, reltoastrelid oid, relhasindex bool, relisshared bool, "
                + "relpersistence char, relkind char, relnatts int2, relchecks int2, relhasrules bool, "
                + "relhastriggers bool, relhassubclass bool, relrowsecurity bool, relforcerowsecurity bool, "
                + "relispopulated bool, relreplident char, relispartition bool, relrewrite oid, relfrozenxid xid, "
                + "relminmxid xid, relacl _aclitem, reloptions _text, relpartbound pg_node_tree");
        define("pg_catalog", "pg_attribute", 1249, 'r', "attrelid oid, attname name, atttypid oid, "
                + "attstattarget int4, attlen int2, attnum int2, attndims int4, attcacheoff int4, atttypmod int4, "
                + "attbyval bool, attalign char, attstorage char, attcompression char, attnotnull bool, "
                + "atthasdef bool, atthasmissing bool, attidentity char, attgenerated char, attisdropped bool, "
                + "attislocal bool, attinhcount int4, attcollation oid, attacl _aclitem, attoptions _text, "
                + "attfdwoptions _text");
        define("pg_catalog", "pg_type", 1247, 'r', "oid oid, typname name, typnamespace oid, typowner oid, "
                + "typlen int2, typbyval bool, typtype char, typcategory char, typispreferred bool, "
                + "typisdefined bool, typdelim char, typrelid oid, typsubscript regproc, typelem oid, typarray oid, "
                + "typinput regproc, typoutput regproc, typreceive regproc, typsend regproc, typmodin regproc, "
                + "typmodout regproc, typanalyze regproc, typalign char, typstorage char, typnotnull bool, "
                + "typbasetype oid, typtypmod int4, typndims int4, typcollation oid, typdefaultbin pg_node_tree, "
                + "typdefault text, typacl _aclitem");
        define("pg_catalog", "pg_database", 1262, 'r', "oid oid, datname name, datdba oid, encoding int4, "
                + "datlocprovider char, datistemplate bool, datallowconn bool, datconnlimit int4, "
                + "datfrozenxid xid, datminmxid xid, dattablespace oid, datcollate text, datctype text, "
                + "daticulocale text, datcollversion text, datacl _aclitem");
        define("pg_catalog", "pg_settings", 0, 'v', "name text, setting text, unit text, category text, "
                + "short_desc text, extra_desc text, context text, vartype text, source text, min_val text, "
                + "max_val text, enumvals _text, boot_val text, reset_val text, sourcefile text, sourceline int4, "
                + "pending_restart bool");
        define("pg_catalog", "pg_roles", 0, 'v', "rolname name, rolsuper bool, rolinherit bool, "
                + "rolcreaterole bool, rolcreatedb bool, rolcanlogin bool, rolreplication bool, rolconnlimit int4, "
                + "rolpassword text, rolvaliduntil timestamptz, rolbypassrls bool, rolconfig _text, oid oid");
        define("pg_catalog", "pg_user", 0, 'v', "usename name, usesysid oid, usecreatedb bool, usesuper bool, "
                + "userepl bool, usebypassrls bool, passwd text, valuntil timestamptz, useconfig _text");
        define("pg_catalog", "pg_am", 2601, 'r', "oid oid, amname name, amhandler regproc, amtype char");
        define("pg_catalog", "pg_collation", 3456, 'r', "oid oid, collname name, collnamespace oid, "
                + "collowner oid, collprovider char, collisdeterministic bool, collencoding int4, collcollate text, "
                + "collctype text, colliculocale text, collversion text");
        define("pg_catalog", "pg_tablespace", 1213, 'r', "oid oid, spcname name, spcowner oid, spcacl _aclitem, "
                + "spcoptions _text");
        define("pg_catalog", "pg_description", 2609, 'r', "objoid oid, classoid oid, objsubid int4, "
                + "description text");
        define("pg_catalog", "pg_attrdef", 2604, 'r', "oid oid, adrelid oid, adnum int2, adbin pg_node_tree");
        define("pg_catalog", "pg_index", 2610, 'r', "indexrelid oid, indrelid oid, indnatts int2, "
                + "indnkeyatts int2, indisunique bool, indnullsnotdistinct bool, indisprimary bool, "
                + "indisexclusion bool, indimmediate bool, indisclustered bool, indisvalid bool, "
                + "indcheckxmin bool, indisready bool, indislive bool, indisreplident bool, indkey int2vector, "
                + "indcollation oidvector, indclass oidvector, indoption int2vector, indexprs pg_node_tree, "
                + "indpred pg_node_tree");
        define("pg_catalog", "pg_inherits", 2611, 'r', "inhrelid oid, inhparent oid, inhseqno int4, "
                + "inhdetachpending bool");
        define("pg_catalog", "pg_constraint", 2606, 'r', "oid oid, conname name, connamespace oid, contype char, "
                + "condeferrable bool, condeferred bool, convalidated bool, conrelid oid, contypid oid, "
                + "conindid oid, conparentid oid, confrelid oid, confupdtype char, confdeltype char, "
                + "confmatchtype char, conislocal bool, coninhcount int4, connoinherit bool, conkey _int2, "
                + "confkey _int2, conbin pg_node_tree");
        define("pg_catalog", "pg_policy", 3256, 'r', "oid oid, polname name, polrelid oid, polcmd char, "
                + "polpermissive bool, polroles _oid, polqual pg_node_tree, polwithcheck pg_node_tree");
        define("pg_catalog", "pg_trigger", 2620, 'r', "oid oid, tgrelid oid, tgparentid oid, tgname name, "
                + "tgfoid oid, tgtype int2, tgenabled char, tgisinternal bool, tgconstrrelid oid, "
                + "tgconstrindid oid, tgconstraint oid, tgdeferrable bool, tginitdeferred bool, tgnargs int2, "
                + "tgattr int2vector, tgargs bytea, tgqual pg_node_tree, tgoldtable name, tgnewtable name");
        define("pg_catalog", "pg_rewrite", 2618, 'r', "oid oid, rulename name, ev_class oid, ev_type char, "
                + "ev_enabled char, is_instead bool, ev_qual pg_node_tree, ev_action pg_node_tree");
        define("pg_catalog", "pg_statistic_ext", 3381, 'r', "oid oid, stxrelid oid, stxname name, "
                + "stxnamespace oid, stxowner oid, stxstattarget int4, stxkeys int2vector, stxkind _char, "
                + "stxexprs pg_node_tree");
        define("pg_catalog", "pg_publication", 6104, 'r', "oid oid, pubname name, pubowner oid, "
                + "puballtables bool, pubinsert bool, pubupdate bool, pubdelete bool, pubtruncate bool, "
                + "pubviaroot bool");
        define("pg_catalog", "pg_publication_namespace", 6237, 'r', "oid oid, pnpubid oid, pnnspid oid");
        define("pg_catalog", "pg_publication_rel", 6106, 'r', "oid oid, prpubid oid, prrelid oid, "
                + "prqual pg_node_tree, prattrs int2vector");
        define("pg_catalog", "pg_auth_members", 1261, 'r', "oid oid, roleid oid, member oid, grantor oid, "
                + "admin_option bool");
        define("pg_catalog", "pg_proc", 1255, 'r', "oid oid, proname name, pronamespace oid, proowner oid, "
                + "prolang oid, procost float4, prorows float4, provariadic oid, prosupport regproc, prokind char, "
                + "prosecdef bool, proleakproof bool, proisstrict bool, proretset bool, provolatile char, "
                + "proparallel char, pronargs int2, pronargdefaults int2, prorettype oid, proargtypes oidvector, "
                + "proallargtypes _oid, proargmodes _char, proargnames _text, proargdefaults pg_node_tree, "
                + "protrftypes _oid, prosrc text, probin text, prosqlbody pg_node_tree, proconfig _text, "
                + "proacl _aclitem");
        define("pg_catalog", "pg_extension", 3079, 'r', "oid oid, extname name, extowner oid, extnamespace oid, "
                + "extrelocatable bool, extversion text, extconfig _oid, extcondition _text");
        define("pg_catalog", "pg_foreign_table", 3118, 'r', "ftrelid oid, ftserver oid, ftoptions _text");
        define("pg_catalog", "pg_partitioned_table", 3350, 'r', "partrelid oid, partstrat char, partnatts int2, "
                + "partdefid oid, partattrs int2vector, partclass oidvector, partcollation oidvector, "
                + "partexprs pg_node_tree");
        nextViewOid = 13001;
        define("information_schema", "schemata", 0, 'v', "catalog_name name, schema_name name, schema_owner name, "
                + "default_character_set_catalog name, default_character_set_schema name, "
                + "default_character_set_name name, sql_path text");
        define("information_schema", "tables", 0, 'v', "table_catalog name, table_schema name, table_name name, "
                + "table_type text, self_referencing_column_name name, reference_generation text, "
                + "user_defined_type_catalog name, user_defined_type_schema name, user_defined_type_name name, "
                + "is_insertable_into text, is_typed text, commit_action text");
        define("information_schema", "columns", 0, 'v', "table_catalog name, table_schema name, table_name name, "
                + "column_name name, ordinal_position int4, column_default text, is_nullable text, "
                + "data_type text, character_maximum_length int4, character_octet_length int4, "
                + "numeric_precision int4, numeric_precision_radix int4, numeric_scale int4, "
                + "datetime_precision int4, interval_type text, interval_precision int4, "
                + "character_set_catalog name, character_set_schema name, character_set_name name, "
                + "collation_catalog name, collation_schema name, collation_name name, domain_catalog name, "
                + "domain_schema name, domain_name name, udt_catalog name, udt_schema name, udt_name name, "
                + "scope_catalog name, scope_schema name, scope_name name, maximum_cardinality int4, "
                + "dtd_identifier name, is_self_referencing text, is_identity text, identity_generation text, "
                + "identity_start text, identity_increment text, identity_maximum text, identity_minimum text, "
                + "identity_cycle text, is_generated text, generation_expression text, is_updatable text");
    }

    /**
     * The virtual table a FROM name means, or null: {@code pg_catalog.x} and {@code information_schema.x}, and
     * an unqualified {@code pg_x} (pg_catalog comes first in PostgreSQL's search path).
     */
    static Table lookup(String name) {
        Table t = TABLES.get(name);
        if (t == null && !name.contains(".")) {
            t = TABLES.get("pg_catalog." + name);
        }
        return t;
    }

    static boolean isCatalogName(String name) {
        return lookup(name) != null || name.startsWith("pg_catalog.") || name.startsWith("information_schema.");
    }

    /**
     * The OID of a user table: 16384 plus a CRC-32 of its name reduced to 30 bits. Collisions, very unlikely
     * among a database's few hundred tables, are resolved by {@link Snapshot} by probing upwards in name order.
     */
    static long tableOid(String name) {
        CRC32 crc = new CRC32();
        crc.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return FIRST_USER_OID + (crc.getValue() & 0x3fff_ffffL);
    }

    // ---- snapshot -----------------------------------------------------------------------------------------

    /** A user table as the catalog shows it. */
    record UserTable(long oid, String name, TableSchema schema, long rowCount) {}

    /**
     * The catalog as one statement sees it: the user tables read once from the engine, each virtual table's
     * rows built on first use.
     */
    static final class Snapshot {
        private final SessionView session;
        final List<UserTable> userTables = new ArrayList<>();
        private final Map<Long, String> relationNames = new HashMap<>();
        /** Relations in a schema of the search path (public, pg_catalog): what pg_table_is_visible reports. */
        private final java.util.Set<Long> visible = new java.util.HashSet<>();
        private final Map<String, List<Object[]>> rows = new HashMap<>();

        Snapshot(Engine engine, SessionView session) {
            this.session = session;
            Map<String, TableInfo> infos = new TreeMap<>();
            for (TableInfo info : engine.tables()) {
                infos.put(info.name(), info);
            }
            java.util.Set<Long> used = new java.util.HashSet<>();
            for (TableInfo info : infos.values()) {
                TableSchema schema;
                try {
                    schema = engine.schema(info.name());
                } catch (StorageException dropped) {
                    continue; // dropped since tables() listed it
                }
                long oid = tableOid(info.name());
                while (!used.add(oid)) {
                    oid++;
                }
                userTables.add(new UserTable(oid, info.name(), schema, info.rowCount()));
                relationNames.put(oid, info.name());
                visible.add(oid);
            }
            for (Table t : TABLES.values()) {
                relationNames.put(t.oid(), t.schema().equals("pg_catalog") ? t.name() : t.qualifiedName());
                if (t.schema().equals("pg_catalog")) {
                    visible.add(t.oid());
                }
            }
        }

        String user() {
            return session.user();
        }

        String database() {
            return session.database();
        }

        /** The name regclass output shows for an OID, or null. */
        String relationName(long oid) {
            return relationNames.get(oid);
        }

        /** The OID of a relation name as {@code 'name'::regclass} resolves it, or null. */
        Long relationOid(String name) {
            String n = name.startsWith("public.") ? name.substring(7) : name;
            for (UserTable t : userTables) {
                if (t.name().equals(n)) {
                    return t.oid();
                }
            }
            Table t = lookup(n);
            return t == null ? null : t.oid();
        }

        boolean relationExists(long oid) {
            return relationNames.containsKey(oid);
        }

        boolean relationVisible(long oid) {
            return visible.contains(oid);
        }

        String namespaceName(long oid) {
            if (oid == PG_CATALOG_OID) {
                return "pg_catalog";
            }
            if (oid == PUBLIC_OID) {
                return "public";
            }
            return oid == INFORMATION_SCHEMA_OID ? "information_schema" : null;
        }

        Long namespaceOid(String name) {
            return switch (name) {
                case "pg_catalog" -> PG_CATALOG_OID;
                case "public" -> PUBLIC_OID;
                case "information_schema" -> INFORMATION_SCHEMA_OID;
                default -> null;
            };
        }

        /** The rows of a virtual table, in its column order. */
        List<Object[]> rows(Table table) {
            return rows.computeIfAbsent(table.qualifiedName(), k -> build(table));
        }

        private List<Object[]> build(Table table) {
            List<Object[]> out = new ArrayList<>();
            switch (table.qualifiedName()) {
                case "pg_catalog.pg_namespace" -> {
                    out.add(new Object[] {PG_CATALOG_OID, "pg_catalog", SUPERUSER_OID, null});
                    out.add(new Object[] {PUBLIC_OID, "public", SUPERUSER_OID, null});
                    out.add(new Object[] {INFORMATION_SCHEMA_OID, "information_schema", SUPERUSER_OID, null});
                }
                case "pg_catalog.pg_class" -> {
                    for (UserTable t : userTables) {
                        out.add(classRow(t.oid(), t.name(), PUBLIC_OID, 'r', t.schema().columnCount(),
                                (double) t.rowCount()));
                    }
                    for (Table t : TABLES.values()) {
                        out.add(classRow(t.oid(), t.name(), namespaceOid(t.schema()), t.relkind(),
                                t.columns().size(), -1.0));
                    }
                }
                case "pg_catalog.pg_attribute" -> {
                    for (UserTable t : userTables) {
                        List<ColumnSpec> cols = t.schema().columns();
                        for (int i = 0; i < cols.size(); i++) {
                            long typeOid = typeOid(cols.get(i).type());
                            out.add(attributeRow(t.oid(), cols.get(i).name(), typeOid, i + 1,
                                    i == t.schema().timestampIndex()));
                        }
                    }
                    for (Table t : TABLES.values()) {
                        for (int i = 0; i < t.columns().size(); i++) {
                            Column c = t.columns().get(i);
                            PgType type = typeNamed(c.pgType());
                            out.add(attributeRow(t.oid(), c.name(), type == null ? 25 : type.oid(), i + 1, false));
                        }
                    }
                }
                case "pg_catalog.pg_type" -> {
                    for (PgType t : TYPES) {
                        boolean array = t.category() == 'A';
                        boolean text = t.oid() == 25 || t.oid() == 1043 || t.oid() == 19;
                        out.add(new Object[] {t.oid(), t.name(), PG_CATALOG_OID, SUPERUSER_OID, t.len(),
                                t.len() > 0 && t.len() <= 8, "b", String.valueOf(t.category()), false, true, ",",
                                0L, array ? "array_subscript_handler" : "-", t.elem(), t.array(),
                                array ? "array_in" : t.name() + "in", array ? "array_out" : t.name() + "out",
                                array ? "array_recv" : t.name() + "recv", array ? "array_send" : t.name() + "send",
                                "-", "-", "-", t.len() == 8 ? "d" : t.len() == 2 ? "s" : t.len() == 1 ? "c" : "i",
                                t.len() == -1 ? "x" : "p", false, 0L, -1, 0,
                                text ? DEFAULT_COLLATION_OID : 0L, null, null, null});
                    }
                }
                case "pg_catalog.pg_database" -> out.add(new Object[] {DATABASE_OID, session.database(),
                        SUPERUSER_OID, 6, "c", false, true, -1, 0L, 0L, 1663L, "C", "C", null, null, null});
                case "pg_catalog.pg_settings" -> {
                    java.util.Set<String> names = new java.util.HashSet<>();
                    for (Object[] s : session.settings().get()) {
                        names.add(String.valueOf(s[0]));
                        out.add(new Object[] {s[0], s[1], null, "Stillpoint", s[2], null, "user", "string",
                                "session", null, null, null, s[1], s[1], null, null, false});
                    }
                    // PostgreSQL's compiled-in limits that pgjdbc reads to size its catalog queries (Stillpoint
                    // has no indexes; the value only bounds the key arrays those queries expand).
                    if (!names.contains("max_index_keys")) {
                        out.add(new Object[] {"max_index_keys", "32", null, "Preset Options",
                                "Shows the maximum number of index keys.", null, "internal", "integer", "default",
                                "32", "32", null, "32", "32", null, null, false});
                    }
                }
                case "pg_catalog.pg_roles" -> out.add(new Object[] {session.user(), true, true, true, true, true,
                        false, -1, "********", null, true, null, SUPERUSER_OID});
                case "pg_catalog.pg_user" -> out.add(new Object[] {session.user(), SUPERUSER_OID, true, true,
                        false, true, "********", null, null});
                case "pg_catalog.pg_am" -> {
                    out.add(new Object[] {2L, "heap", "heap_tableam_handler", "t"});
                    out.add(new Object[] {403L, "btree", "bthandler", "i"});
                }
                case "pg_catalog.pg_collation" -> {
                    out.add(new Object[] {DEFAULT_COLLATION_OID, "default", PG_CATALOG_OID, SUPERUSER_OID, "d",
                            true, -1, null, null, null, null});
                    out.add(new Object[] {950L, "C", PG_CATALOG_OID, SUPERUSER_OID, "c", true, -1, "C", "C",
                            null, null});
                    out.add(new Object[] {951L, "POSIX", PG_CATALOG_OID, SUPERUSER_OID, "c", true, -1, "POSIX",
                            "POSIX", null, null});
                }
                case "pg_catalog.pg_tablespace" -> {
                    out.add(new Object[] {1663L, "pg_default", SUPERUSER_OID, null, null});
                    out.add(new Object[] {1664L, "pg_global", SUPERUSER_OID, null, null});
                }
                case "information_schema.schemata" -> {
                    for (String n : List.of("pg_catalog", "public", "information_schema")) {
                        out.add(new Object[] {session.database(), n, session.user(), null, null, null, null});
                    }
                }
                case "information_schema.tables" -> {
                    for (UserTable t : userTables) {
                        out.add(tablesRow("public", t.name(), "BASE TABLE"));
                    }
                    for (Table t : TABLES.values()) {
                        out.add(tablesRow(t.schema(), t.name(), t.relkind() == 'v' ? "VIEW" : "BASE TABLE"));
                    }
                }
                case "information_schema.columns" -> {
                    for (UserTable t : userTables) {
                        List<ColumnSpec> cols = t.schema().columns();
                        for (int i = 0; i < cols.size(); i++) {
                            out.add(columnsRow("public", t.name(), cols.get(i).name(), i + 1,
                                    typeOid(cols.get(i).type()), i == t.schema().timestampIndex()));
                        }
                    }
                    for (Table t : TABLES.values()) {
                        for (int i = 0; i < t.columns().size(); i++) {
                            Column c = t.columns().get(i);
                            PgType type = typeNamed(c.pgType());
                            out.add(columnsRow(t.schema(), t.name(), c.name(), i + 1, type == null ? 25 : type.oid(),
                                    false));
                        }
                    }
                }
                default -> {
                    // pg_description, pg_attrdef, pg_auth_members, pg_proc (built-in functions are not listed), pg_index, pg_inherits, pg_constraint, pg_policy, pg_trigger,
                    // pg_rewrite, pg_statistic_ext, pg_publication*, pg_extension, pg_foreign_table,
                    // pg_partitioned_table: Stillpoint has no such objects.
                }
            }
            return out;
        }

        private static Object[] classRow(long oid, String name, long namespace, char kind, int columns,
                                         double tuples) {
            return new Object[] {oid, name, namespace, 0L, 0L, SUPERUSER_OID, kind == 'r' ? 2L : 0L,
                    kind == 'r' ? oid : 0L, 0L, 0, tuples, 0, 0L, false, false, "p", String.valueOf(kind), columns, 0,
                    kind == 'v', false, false, false, false, true, kind == 'r' ? "d" : "n", false, 0L, 0L, 0L,
                    null, null, null};
        }

        private static Object[] attributeRow(long relid, String name, long typeOid, int attnum, boolean notNull) {
            PgType t = TYPE_BY_OID.get(typeOid);
            int len = t == null ? -1 : t.len();
            boolean collatable = typeOid == 25 || typeOid == 1043 || typeOid == 19;
            return new Object[] {relid, name, typeOid, -1, len, attnum, t != null && t.category() == 'A' ? 1 : 0,
                    -1, -1, len > 0 && len <= 8, len == 8 ? "d" : len == 2 ? "s" : len == 1 ? "c" : "i",
                    len == -1 ? "x" : "p", "", notNull, false, false, "", "", false, true, 0,
                    collatable ? DEFAULT_COLLATION_OID : 0L, null, null, null};
        }

        private Object[] tablesRow(String schema, String name, String type) {
            return new Object[] {session.database(), schema, name, type, null, null, null, null, null,
                    type.equals("BASE TABLE") ? "YES" : "NO", "NO", null};
        }

        private Object[] columnsRow(String schema, String table, String column, int ordinal, long typeOid,
                                    boolean notNull) {
            PgType t = TYPE_BY_OID.get(typeOid);
            String dataType = t == null ? "text" : t.category() == 'A' ? "ARRAY" : t.display();
            Integer precision = switch ((int) typeOid) {
                case 21 -> 16;
                case 23 -> 32;
                case 20 -> 64;
                case 700 -> 24;
                case 701 -> 53;
                default -> null;
            };
            Integer radix = precision == null ? null : 2;
            Integer scale = typeOid == 21 || typeOid == 23 || typeOid == 20 ? 0 : null;
            Integer datetimePrecision = typeOid == 1114 || typeOid == 1184 ? 6 : null;
            Integer octets = typeOid == 1043 || typeOid == 25 ? 1073741824 : null;
            return new Object[] {session.database(), schema, table, column, ordinal, null, notNull ? "NO" : "YES",
                    dataType, null, octets, precision, radix, scale, datetimePrecision, null, null, null, null,
                    null, null, null, null, null, null, null, session.database(), "pg_catalog",
                    t == null ? "text" : t.name(), null, null, null, null, String.valueOf(ordinal), "NO", "NO",
                    null, null, null, null, null, "NO", "NEVER", null, schema.equals("public") ? "YES" : "NO"};
        }
    }

    private Catalog() {
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
