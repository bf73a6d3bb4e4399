package io.stillpoint.storage;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;

/**
 * A table's time to live ({@code CREATE TABLE ... TTL 30 DAYS}, {@code ALTER TABLE t SET TTL 12 HOURS}): a
 * partition all of whose period ends at or before {@code reference - ttl} is dropped by the housekeeping TTL job,
 * as a commit. Months and years are calendar months and years in UTC, so {@code 1 MONTH} before 31 March is
 * 28 or 29 February.
 *
 * @param amount a positive count of {@code unit}
 * @param unit   hours, days, weeks, months or years
 */
public record Ttl(long amount, Unit unit) {

    /** The units a TTL may be written in. */
    public enum Unit {
        HOURS, DAYS, WEEKS, MONTHS, YEARS
    }

    /** The largest amount accepted: far beyond any real retention, and small enough that no arithmetic overflows. */
    public static final long MAX_AMOUNT = 1_000_000;

    public Ttl {
        if (unit == null) {
            throw new IllegalArgumentException("ttl unit is missing");
        }
        if (amount <= 0 || amount > MAX_AMOUNT) {
            throw new IllegalArgumentException("ttl must be between 1 and " + MAX_AMOUNT + " [amount=" + amount
                    + ", unit=" + unit.name().toLowerCase(Locale.ROOT) + "]");
        }
    }

    /**
     * The instant {@code ttl} before {@code referenceMicros} (microseconds since the epoch, UTC): partitions whose
     * period ends at or before it have expired.
     */
    public long cutoffMicros(long referenceMicros) {
        Instant reference = Instant.EPOCH.plusNanos(Math.multiplyExact(referenceMicros, 1000L));
        ZonedDateTime at = reference.atZone(ZoneOffset.UTC);
        ZonedDateTime cutoff = switch (unit) {
            case HOURS -> at.minusHours(amount);
            case DAYS -> at.minusDays(amount);
            case WEEKS -> at.minusWeeks(amount);
            case MONTHS -> at.minusMonths(amount);
            case YEARS -> at.minusYears(amount);
        };
        Instant i = cutoff.toInstant();
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
    }

    /** As written in SQL and shown by {@code tables()}: {@code 30 DAYS}, {@code 1 HOUR}. */
    @Override
    public String toString() {
        String u = unit.name();
        return amount + " " + (amount == 1 ? u.substring(0, u.length() - 1) : u);
    }
}
