package io.stillpoint.storage.table;

import io.stillpoint.storage.PartitionBy;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Maps a designated-timestamp value (microseconds UTC) to its partition: the partition key is the first
 * microsecond of the partition's period, its name is the period formatted as {@code 2026-11-21T14} (HOUR),
 * {@code 2026-11-21} (DAY), {@code 2026-11} (MONTH), {@code 2026} (YEAR). PARTITION BY NONE has the single key
 * {@link #NONE_KEY} named {@code default}.
 */
final class PartitionScheme {

    static final long NONE_KEY = Long.MIN_VALUE;
    private static final long MICROS_PER_HOUR = 3_600_000_000L;
    private static final long MICROS_PER_DAY = 24 * MICROS_PER_HOUR;

    private final PartitionBy by;
    // The last period computed, so consecutive rows of one period cost two comparisons (no calendar math).
    private long cachedLow = 1;
    private long cachedHigh = 0;

    PartitionScheme(PartitionBy by) {
        this.by = by;
    }

    /** The key of the partition holding {@code micros}. Not thread-safe (caches the last period). */
    long keyOf(long micros) {
        switch (by) {
            case NONE:
                return NONE_KEY;
            case HOUR:
                return Math.floorDiv(micros, MICROS_PER_HOUR) * MICROS_PER_HOUR;
            case DAY:
                return Math.floorDiv(micros, MICROS_PER_DAY) * MICROS_PER_DAY;
            default:
                if (micros >= cachedLow && micros < cachedHigh) {
                    return cachedLow;
                }
                LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), 0, ZoneOffset.UTC);
                LocalDateTime start = by == PartitionBy.MONTH
                        ? LocalDateTime.of(t.getYear(), t.getMonth(), 1, 0, 0)
                        : LocalDateTime.of(t.getYear(), 1, 1, 0, 0);
                LocalDateTime end = by == PartitionBy.MONTH ? start.plusMonths(1) : start.plusYears(1);
                cachedLow = start.toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
                cachedHigh = end.toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
                return cachedLow;
        }
    }

    /**
     * The partition's name as documented on {@code PartitionSnapshot.name()}. Called on every commit, so the common
     * years 0 to 9999 are formatted by hand (String.format cost about 8% of the server's CPU in a batched insert).
     */
    static String nameOf(PartitionBy by, long key) {
        if (by == PartitionBy.NONE) {
            return "default";
        }
        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(key, 1_000_000L), 0, ZoneOffset.UTC);
        int year = t.getYear();
        if (year < 0 || year > 9999) {
            return nameOfFormatted(by, t);
        }
        StringBuilder name = new StringBuilder(13);
        name.append((char) ('0' + year / 1000)).append((char) ('0' + year / 100 % 10))
                .append((char) ('0' + year / 10 % 10)).append((char) ('0' + year % 10));
        if (by == PartitionBy.YEAR) {
            return name.toString();
        }
        twoDigits(name.append('-'), t.getMonthValue());
        if (by == PartitionBy.MONTH) {
            return name.toString();
        }
        twoDigits(name.append('-'), t.getDayOfMonth());
        if (by == PartitionBy.DAY) {
            return name.toString();
        }
        return twoDigits(name.append('T'), t.getHour()).toString();
    }

    private static StringBuilder twoDigits(StringBuilder sb, int value) {
        return sb.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }

    /** The same names through String.format, for years outside 0..9999 (a sign or a fifth digit). */
    static String nameOfFormatted(PartitionBy by, LocalDateTime t) {
        String year = String.format("%04d", t.getYear());
        switch (by) {
            case YEAR:
                return year;
            case MONTH:
                return String.format("%s-%02d", year, t.getMonthValue());
            case DAY:
                return String.format("%s-%02d-%02d", year, t.getMonthValue(), t.getDayOfMonth());
            default:
                return String.format("%s-%02d-%02dT%02d", year, t.getMonthValue(), t.getDayOfMonth(), t.getHour());
        }
    }

    /**
     * The first microsecond after the period that starts at {@code key} (its exclusive end), saturating at
     * Long.MAX_VALUE; Long.MAX_VALUE for NONE, whose single partition never ends.
     */
    static long periodEnd(PartitionBy by, long key) {
        switch (by) {
            case NONE:
                return Long.MAX_VALUE;
            case HOUR:
                return key > Long.MAX_VALUE - MICROS_PER_HOUR ? Long.MAX_VALUE : key + MICROS_PER_HOUR;
            case DAY:
                return key > Long.MAX_VALUE - MICROS_PER_DAY ? Long.MAX_VALUE : key + MICROS_PER_DAY;
            default:
                LocalDateTime start = LocalDateTime.ofEpochSecond(Math.floorDiv(key, 1_000_000L), 0, ZoneOffset.UTC);
                LocalDateTime end = by == PartitionBy.MONTH ? start.plusMonths(1) : start.plusYears(1);
                long seconds = end.toEpochSecond(ZoneOffset.UTC);
                return seconds > Long.MAX_VALUE / 1_000_000L ? Long.MAX_VALUE : seconds * 1_000_000L;
        }
    }

    /** Whether {@code key} is the start of a period of this partitioning (validates keys read from _txn). */
    static boolean isValidKey(PartitionBy by, long key) {
        if (by == PartitionBy.NONE) {
            return key == NONE_KEY;
        }
        if (key == NONE_KEY) {
            return false;
        }
        return new PartitionScheme(by).keyOf(key) == key;
    }
}
