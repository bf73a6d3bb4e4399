package io.stillpoint.sql.ast;

import java.time.Duration;
import java.util.List;

/**
 * One parsed SQL statement. The parser turns text into these records; the server's executor runs them.
 *
 * <p>Positions ({@code position} fields here and in {@link Expr}) are 1-based character offsets into the
 * whole text handed to the parser, the way PostgreSQL reports them in the ErrorResponse {@code P} field
 * (0 means unknown). Identifiers are already folded to lower case unless they were double-quoted.
 */
public sealed interface Statement {

    /**
     * {@code CREATE TABLE [IF NOT EXISTS] name (col type, ...) [TIMESTAMP(col)] [PARTITION BY unit] [TTL n unit]}.
     * The parser has checked that the designated timestamp column exists and is a TIMESTAMP, that PARTITION BY
     * other than NONE has one, and that a TTL comes with a PARTITION BY other than NONE. {@code ttl} is null when
     * absent or {@code TTL 0}. {@code position} is the table name's.
     */
    record CreateTable(String table, boolean ifNotExists, List<ColumnDef> columns,
                       String timestampColumn, PartitionUnit partitionBy, TimeToLive ttl, int position)
            implements Statement {

        /** A CREATE TABLE without a TTL (the form before TTL existed; kept for existing callers). */
        public CreateTable(String table, boolean ifNotExists, List<ColumnDef> columns, String timestampColumn,
                           PartitionUnit partitionBy, int position) {
            this(table, ifNotExists, columns, timestampColumn, partitionBy, null, position);
        }
    }

    /**
     * A table's time to live as written: {@code TTL 30 DAYS}, {@code TTL 12H}. {@code amount} is 1 to 1,000,000
     * (a TTL of 0 is no TTL and is represented by null where a TTL is optional).
     */
    record TimeToLive(long amount, TtlUnit unit) {
        /** The largest amount the parser accepts (the storage's limit). */
        public static final long MAX_AMOUNT = 1_000_000;
    }

    /**
     * {@code ALTER TABLE table SET TTL n unit}; {@code ttl} is null for {@code SET TTL 0}, which removes the TTL.
     * {@code position} is the table name's.
     */
    record SetTtl(String table, TimeToLive ttl, int position) implements Statement {}

    /** {@code DROP TABLE [IF EXISTS] name}; {@code position} is the table name's. */
    record DropTable(String table, boolean ifExists, int position) implements Statement {}

    /**
     * {@code INSERT INTO t [(cols)] VALUES (...), (...)}. An empty {@code columns} list means all columns in order.
     * Every row has the same number of values. {@code position} is the table name's.
     */
    record Insert(String table, List<String> columns, List<List<Expr>> rows, int position) implements Statement {}

    /**
     * {@code SELECT [DISTINCT] items [FROM source] [WHERE] [GROUP BY] [HAVING] [ORDER BY] [LIMIT] [OFFSET]}.
     * {@code from}, {@code where}, {@code having}, {@code limit} and {@code offset} may be null.
     */
    record Select(List<SelectItem> items, FromSource from, Expr where, List<Expr> groupBy, Expr having,
                  List<OrderItem> orderBy, Expr limit, Expr offset, boolean distinct) implements Statement {

        /** A SELECT without DISTINCT (the form before DISTINCT existed; kept for existing callers). */
        public Select(List<SelectItem> items, FromSource from, Expr where, List<Expr> groupBy, Expr having,
                      List<OrderItem> orderBy, Expr limit, Expr offset) {
            this(items, from, where, groupBy, having, orderBy, limit, offset, false);
        }
    }

    /**
     * {@code UPDATE t SET col = expr [, ...] [WHERE cond]}. {@code where} is null when absent. {@code position} is
     * the table name's.
     */
    record Update(String table, List<Assignment> assignments, Expr where, int position) implements Statement {}

    /** {@code DELETE FROM t [WHERE cond]}; {@code where} is null when absent. {@code position} is the table name's. */
    record Delete(String table, Expr where, int position) implements Statement {}

    /** {@code TRUNCATE [TABLE] t}; {@code position} is the table name's. */
    record Truncate(String table, int position) implements Statement {}

    /** {@code col = expr} of an UPDATE; {@code position} is the column's. */
    record Assignment(String column, Expr value, int position) {}

    /** {@code BEGIN}, {@code START TRANSACTION}. */
    record Begin() implements Statement {}

    /** {@code COMMIT}, {@code END}. */
    record Commit() implements Statement {}

    /** {@code ROLLBACK}, {@code ABORT}. */
    record Rollback() implements Statement {}

    /**
     * {@code SET [SESSION|LOCAL] name {=|TO} value}; also {@code SET SESSION CHARACTERISTICS AS TRANSACTION ...}
     * (name {@code "session_characteristics"}, value the transaction modes in upper case, e.g.
     * {@code "ISOLATION LEVEL READ COMMITTED"}) and {@code SET TRANSACTION ...} (name {@code "transaction"}).
     * {@code SET TIME ZONE x} has the name {@code "timezone"}. The name is folded to lower case unless quoted; the
     * value is its text without quotes (unquoted words folded to lower case, lists joined with {@code ", "}).
     * {@code value} is null for {@code DEFAULT}, {@code SET TIME ZONE LOCAL} and {@code RESET name}.
     */
    record SetVariable(String name, String value) implements Statement {}

    /** {@code SHOW name}; {@code SHOW TRANSACTION ISOLATION LEVEL} has the name {@code transaction_isolation}. */
    record Show(String name) implements Statement {}

    /** {@code SHOW TABLES}. */
    record ShowTables() implements Statement {}

    /**
     * {@code CHECKPOINT CREATE [LEASE [INTERVAL] '<interval>']}, also QuestDB's legacy {@code SNAPSHOT PREPARE}:
     * {@code lease} is how long the checkpoint may stay active before it releases itself (positive), null when not
     * written (the server's default lease applies).
     */
    record CheckpointCreate(Duration lease) implements Statement {}

    /** {@code CHECKPOINT RELEASE}, also QuestDB's legacy {@code SNAPSHOT COMPLETE}. */
    record CheckpointRelease() implements Statement {}

    /**
     * {@code ALTER TABLE name DROP PARTITION LIST 'p1' [, 'p2' ...]}: the partition names as written (e.g.
     * {@code '2026-11-21'} for a DAY partition). {@code position} is the table name's.
     */
    record DropPartitions(String table, List<String> partitions, int position) implements Statement {}

    /**
     * {@code ALTER TABLE name DROP PARTITION WHERE condition}: drops the partitions all of whose rows match; the
     * executor accepts only comparisons of the designated timestamp with constants. {@code position} is the table
     * name's.
     */
    record DropPartitionsWhere(String table, Expr where, int position) implements Statement {}

    /** {@code ALTER TABLE table RENAME TO newName}. {@code position} is the table name's. */
    record RenameTable(String table, String newName, int position) implements Statement {}

    /** {@code ALTER TABLE table ADD [COLUMN] name type}. {@code position} is the table name's. */
    record AddColumn(String table, ColumnDef column, int position) implements Statement {}

    /** {@code ALTER TABLE table DROP [COLUMN] name}. {@code position} is the column name's. */
    record DropColumn(String table, String column, int position) implements Statement {}

    /**
     * {@code COPY table [(cols)] FROM STDIN [options]}: rows arrive in CopyData messages. An empty {@code columns} list
     * means all columns in order. {@code position} is the table name's.
     */
    record CopyFrom(String table, List<String> columns, CopyOptions options, int position) implements Statement {}

    /**
     * {@code COPY table [(cols)] TO STDOUT [options]} ({@code query} null) or {@code COPY (SELECT ...) TO STDOUT
     * [options]} ({@code table} null, {@code columns} empty). {@code position} is the table name's or the query's.
     */
    record CopyTo(String table, List<String> columns, Select query, CopyOptions options, int position)
            implements Statement {}

    /**
     * {@code select UNION [ALL] select ...} with an ORDER BY, LIMIT and OFFSET over the whole; {@code all.get(i)}
     * says whether the operator between branch i and i+1 is UNION ALL. ORDER BY keys are output column numbers or
     * names.
     */
    record Union(List<Select> branches, List<Boolean> all, List<OrderItem> orderBy, Expr limit, Expr offset)
            implements Statement {}

    /** Nothing but white space, comments or semicolons: PostgreSQL answers EmptyQueryResponse. */
    record Empty() implements Statement {}

    /** A column in CREATE TABLE. */
    record ColumnDef(String name, SqlType type, int position) {}

    /** An entry of the select list: {@code *} or an expression with an optional alias. */
    sealed interface SelectItem {
        record Star(int position) implements SelectItem {}
        record Item(Expr expr, String alias) implements SelectItem {}
    }

    /**
     * What a SELECT reads from: a table, a table function such as {@code tables()}, a subquery, or a join of two
     * sources (comma lists are CROSS joins, nested to the left).
     */
    sealed interface FromSource {
        record Table(String name, String alias, int position) implements FromSource {}
        record TableFunction(String name, List<Expr> args, String alias, int position) implements FromSource {}
        /** {@code (SELECT ...) alias}; the query is a {@link Select} or a {@link Union}. */
        record Subquery(Statement query, String alias, int position) implements FromSource {}
        /** {@code left [INNER|LEFT|RIGHT|CROSS] JOIN right [ON condition | USING (cols)]}; {@code on} null if absent. */
        record Join(FromSource left, FromSource right, JoinKind kind, Expr on, List<String> using, int position)
                implements FromSource {}
        /** {@code source AS alias(c1, c2, ...)}: the first columns of {@code source} renamed. */
        record ColumnAliases(FromSource source, List<String> columns, int position) implements FromSource {}
    }

    /** The kinds of join; FULL is not supported. */
    enum JoinKind { INNER, LEFT, RIGHT, CROSS }

    /** An ORDER BY key. {@code nullsFirst} is null when not written (PostgreSQL: NULLS LAST for ASC, FIRST for DESC). */
    record OrderItem(Expr expr, boolean descending, Boolean nullsFirst) {}
}
