package io.stillpoint.storage.table;

import io.stillpoint.storage.PartitionBy;
import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The hand-formatted partition names equal the String.format ones they replaced, for every partitioning. */
class PartitionSchemeNameTest {

    private static long micros(LocalDateTime t) {
        return t.toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
    }

    @Test
    void namesMatchTheFormattedOnes() {
        SplittableRandom random = new SplittableRandom(7);
        long low = micros(LocalDateTime.of(-20, 1, 1, 0, 0));
        long high = micros(LocalDateTime.of(12000, 1, 1, 0, 0));
        for (PartitionBy by : new PartitionBy[] {PartitionBy.HOUR, PartitionBy.DAY, PartitionBy.MONTH, PartitionBy.YEAR}) {
            PartitionScheme scheme = new PartitionScheme(by);
            for (int i = 0; i < 2000; i++) {
                long key = scheme.keyOf(random.nextLong(low, high));
                LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(key, 1_000_000L), 0, ZoneOffset.UTC);
                assertEquals(PartitionScheme.nameOfFormatted(by, t), PartitionScheme.nameOf(by, key), "key=" + key);
            }
        }
        assertEquals("2026-11-01", PartitionScheme.nameOf(PartitionBy.DAY, micros(LocalDateTime.of(2026, 11, 1, 0, 0))));
        assertEquals("0999-02-03T04", PartitionScheme.nameOf(PartitionBy.HOUR, micros(LocalDateTime.of(999, 2, 3, 4, 0))));
        assertEquals("default", PartitionScheme.nameOf(PartitionBy.NONE, 0));
    }
}
