package io.stillpoint.server.exec;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A plain in-memory model of one DAY-partitioned table whose first column is the designated timestamp, for the
 * randomized tests that compare the server with it after every commit (the executor-level
 * {@link RandomizedRewriteTest} and the JDBC-level {@code it.RandomizedJdbcIT}). Values are held as the executor
 * returns them: TIMESTAMP as {@code Long} microseconds since the epoch (UTC), INT {@code Integer}, LONG
 * {@code Long}, DOUBLE {@code Double}, VARCHAR {@code String}, BOOLEAN {@code Boolean}, NULL {@code null}.
 *
 * <p>The rows are kept in the server's scan order: partitions by day, rows of a partition in designated-timestamp
 * order, equal timestamps in the order they got there. An insert goes after the rows of its day at equal
 * timestamps (rows of one statement in statement order); an UPDATE keeps the order of the rows that stay in their
 * day, and a row it moves into another day goes after the rows already there at equal timestamps, the moved rows
 * in scan order among themselves. A partition exists exactly while it has rows: a rewrite that empties one removes
 * it.
 */
public final class TableModel {

    /** Microseconds in a day: the partition period. */
    public static final long DAY = 86_400_000_000L;

    /** A column: its name and its SQL type as written in CREATE TABLE / ADD COLUMN. */
    public record Column(String name, String type) {
    }

    /** What an UPDATE did: how many rows it matched and how many of them it moved to another day. */
    public record Updated(long rows, long moved) {
    }

    private static final DateTimeFormatter TEXT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final Comparator<Object[]> SCAN_ORDER = Comparator.comparingLong(r -> (Long) r[0]);

    private final List<Column> columns;
    private final List<Object[]> rows = new ArrayList<>();

    /** An empty table with these columns; the first is the designated timestamp. */
    public TableModel(List<Column> columns) {
        if (columns.isEmpty() || !columns.get(0).type().equals("TIMESTAMP")) {
            throw new IllegalArgumentException("the first column must be the designated timestamp [columns="
                    + columns + "]");
        }
        this.columns = new ArrayList<>(columns);
    }

    public List<Column> columns() {
        return Collections.unmodifiableList(columns);
    }

    /** The position of a column, -1 if the table has none of that name. */
    public int index(String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The names of the columns of this type. */
    public List<String> columnsOfType(String type) {
        List<String> out = new ArrayList<>();
        for (Column c : columns) {
            if (c.type().equals(type)) {
                out.add(c.name());
            }
        }
        return out;
    }

    /** A row's value of a column that must exist. */
    public Object value(Object[] row, String column) {
        int i = index(column);
        if (i < 0) {
            throw new IllegalArgumentException("column does not exist [column=" + column + "]");
        }
        return row[i];
    }

    /** The rows in scan order (not copies: callers must not change them). */
    public List<Object[]> rows() {
        return Collections.unmodifiableList(rows);
    }

    public int size() {
        return rows.size();
    }

    /** Appends rows of the full current width, in this order, after the rows of their day at equal timestamps. */
    public void insert(List<Object[]> added) {
        for (Object[] r : added) {
            if (r.length != columns.size() || !(r[0] instanceof Long)) {
                throw new IllegalArgumentException("row does not fit the table [row=" + Arrays.toString(r)
                        + ", columns=" + columns + "]");
            }
            rows.add(r.clone());
        }
        rows.sort(SCAN_ORDER); // stable: equal timestamps keep their order
    }

    /**
     * UPDATE: {@code change} sets the new values of each matching row in place (in scan order); rows whose
     * timestamp left their day go after the rows of the new day at equal timestamps.
     */
    public Updated update(Predicate<Object[]> where, Consumer<Object[]> change) {
        List<Object[]> stay = new ArrayList<>();
        List<Object[]> moved = new ArrayList<>();
        long count = 0;
        for (Object[] r : rows) {
            if (!where.test(r)) {
                stay.add(r);
                continue;
            }
            count++;
            long before = (Long) r[0];
            change.accept(r);
            (day(before) == day((Long) r[0]) ? stay : moved).add(r);
        }
        rows.clear();
        rows.addAll(stay);
        rows.addAll(moved);
        rows.sort(SCAN_ORDER);
        return new Updated(count, moved.size());
    }

    /** DELETE: returns the number of rows removed. */
    public long delete(Predicate<Object[]> where) {
        int before = rows.size();
        rows.removeIf(where);
        return before - rows.size();
    }

    /** The first microsecond of each day that has a partition (a row), ascending. */
    public TreeSet<Long> partitions() {
        TreeSet<Long> days = new TreeSet<>();
        for (Object[] r : rows) {
            days.add(dayStart((Long) r[0]));
        }
        return days;
    }

    public boolean hasPartition(long dayStart) {
        return rows.stream().anyMatch(r -> dayStart((Long) r[0]) == dayStart);
    }

    /** DROP PARTITION LIST: removes the rows of these days. */
    public void dropPartitions(List<Long> dayStarts) {
        rows.removeIf(r -> dayStarts.contains(dayStart((Long) r[0])));
    }

    /**
     * DROP PARTITION WHERE on the designated timestamp: drops each partition all of whose rows match (its smallest
     * and largest timestamps lie in the range); returns how many partitions went.
     */
    public int dropPartitionsWhere(Predicate<Long> timestampMatches) {
        List<Long> dropped = new ArrayList<>();
        for (long day : partitions()) {
            boolean all = rows.stream().filter(r -> dayStart((Long) r[0]) == day)
                    .allMatch(r -> timestampMatches.test((Long) r[0]));
            if (all) {
                dropped.add(day);
            }
        }
        dropPartitions(dropped);
        return dropped.size();
    }

    /** TRUNCATE TABLE (and DROP TABLE followed by a CREATE of the same columns). */
    public void truncate() {
        rows.clear();
    }

    /** ALTER TABLE ADD COLUMN: the column goes last, existing rows read NULL. */
    public void addColumn(Column column) {
        if (index(column.name()) >= 0) {
            throw new IllegalArgumentException("column already exists [column=" + column.name() + "]");
        }
        columns.add(column);
        for (int i = 0; i < rows.size(); i++) {
            rows.set(i, Arrays.copyOf(rows.get(i), columns.size()));
        }
    }

    /** ALTER TABLE DROP COLUMN of a column other than the designated timestamp. */
    public void dropColumn(String name) {
        int at = index(name);
        if (at <= 0) {
            throw new IllegalArgumentException("cannot drop this column [column=" + name + "]");
        }
        columns.remove(at);
        for (int i = 0; i < rows.size(); i++) {
            Object[] r = rows.get(i);
            Object[] narrower = new Object[r.length - 1];
            System.arraycopy(r, 0, narrower, 0, at);
            System.arraycopy(r, at + 1, narrower, at, narrower.length - at);
            rows.set(i, narrower);
        }
    }

    /** The rows as lists, in scan order: what {@code SELECT *} must return. */
    public List<List<Object>> expected() {
        List<List<Object>> out = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            out.add(Arrays.asList(r.clone()));
        }
        return out;
    }

    /**
     * Null if {@code actual} equals {@code expected} row for row, otherwise a description of the first difference
     * (its position, both rows, timestamps also as text) and the row counts.
     */
    public static String firstDifference(List<List<Object>> expected, List<List<Object>> actual) {
        int n = Math.min(expected.size(), actual.size());
        for (int i = 0; i < n; i++) {
            if (!Objects.equals(expected.get(i), actual.get(i))) {
                return "first differing row at position " + i + ": expected " + show(expected.get(i))
                        + " but was " + show(actual.get(i)) + " [expectedRows=" + expected.size() + ", actualRows="
                        + actual.size() + "]";
            }
        }
        if (expected.size() != actual.size()) {
            List<Object> extra = expected.size() > n ? expected.get(n) : actual.get(n);
            return "row counts differ [expectedRows=" + expected.size() + ", actualRows=" + actual.size()
                    + ", firstUnmatched=" + show(extra) + "]";
        }
        return null;
    }

    /** A row with its timestamp (first value) also as text. */
    private static String show(List<Object> row) {
        String ts = row.isEmpty() || !(row.get(0) instanceof Long l) ? "" : " (" + text(l) + ")";
        return row + ts;
    }

    /** The day number of a timestamp (days since the epoch). */
    public static long day(long micros) {
        return Math.floorDiv(micros, DAY);
    }

    /** The first microsecond of a timestamp's day. */
    public static long dayStart(long micros) {
        return day(micros) * DAY;
    }

    /** The partition name of a day, as in DROP PARTITION LIST: {@code 2026-11-01}. */
    public static String partitionName(long micros) {
        return LocalDate.ofEpochDay(day(micros)).toString();
    }

    /** A timestamp as text with microseconds: {@code 2026-11-01 10:00:00.000001}. */
    public static String text(long micros) {
        return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC).format(TEXT);
    }

    /** A SQL literal of a model value: NULL, a quoted timestamp or string, a number or boolean. */
    public static String literal(Object v, String type) {
        if (v == null) {
            return "NULL";
        }
        if (type.equals("TIMESTAMP")) {
            return "'" + text((Long) v) + "'";
        }
        return v instanceof String s ? "'" + s.replace("'", "''") + "'" : v.toString();
    }
}
