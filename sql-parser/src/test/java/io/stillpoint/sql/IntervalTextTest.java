package io.stillpoint.sql;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The interval forms of {@code CHECKPOINT CREATE LEASE '...'} and {@code --checkpoint-lease}. */
class IntervalTextTest {

    @Test
    void unitsSingularPluralAndAbbreviated() {
        assertEquals(Duration.ofMinutes(30), IntervalText.parse("30 minutes"));
        assertEquals(Duration.ofMinutes(1), IntervalText.parse("1 minute"));
        assertEquals(Duration.ofMinutes(5), IntervalText.parse("5 min"));
        assertEquals(Duration.ofMinutes(5), IntervalText.parse("5m"));
        assertEquals(Duration.ofHours(2), IntervalText.parse("2 hours"));
        assertEquals(Duration.ofHours(2), IntervalText.parse("2 HOURS"));
        assertEquals(Duration.ofHours(2), IntervalText.parse("2h"));
        assertEquals(Duration.ofHours(3), IntervalText.parse("3 hrs"));
        assertEquals(Duration.ofDays(1), IntervalText.parse("1 day"));
        assertEquals(Duration.ofDays(2), IntervalText.parse("2d"));
        assertEquals(Duration.ofDays(14), IntervalText.parse("2 weeks"));
        assertEquals(Duration.ofSeconds(90), IntervalText.parse("90 seconds"));
        assertEquals(Duration.ofSeconds(90), IntervalText.parse("90 sec"));
        assertEquals(Duration.ofSeconds(90), IntervalText.parse("90s"));
        assertEquals(Duration.ofSeconds(90), IntervalText.parse("90"));
        assertEquals(Duration.ofMillis(1500), IntervalText.parse("1500 ms"));
    }

    @Test
    void combinationsFractionsAndClockForm() {
        assertEquals(Duration.ofMinutes(90), IntervalText.parse("1 hour 30 minutes"));
        assertEquals(Duration.ofMinutes(90), IntervalText.parse("  1h30m  "));
        assertEquals(Duration.ofMinutes(90), IntervalText.parse("1.5 hours"));
        assertEquals(Duration.ofMinutes(90), IntervalText.parse("01:30"));
        assertEquals(Duration.ofSeconds(5405), IntervalText.parse("01:30:05"));
        assertEquals(Duration.ofMillis(5_405_500), IntervalText.parse("1:30:05.5"));
        assertEquals(Duration.ofHours(26), IntervalText.parse("26:00:00"));
        assertEquals(Duration.ofMinutes(50), IntervalText.parse("1 hour -10 minutes"));
        assertEquals(Duration.ofMinutes(-30), IntervalText.parse("-30 minutes"));
        assertEquals(Duration.ZERO, IntervalText.parse("0 s"));
    }

    @Test
    void refusesWhatIsNotAFixedLengthInterval() {
        for (String bad : new String[] {"", "  ", "minutes", "1 month", "2 years", "1 fortnight", "1..5 h",
                "1 hour and 5 minutes", "1:5", "1:60", "1:00:61", "a:00", "1:00:00:00", "--5 s", "1e3 s"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IntervalText.parse(bad),
                    bad);
            assertTrue(e.getMessage().startsWith("invalid input syntax for type interval [value=" + bad),
                    e.getMessage());
        }
    }

    @Test
    void refusesWhatIsTooLong() {
        assertEquals(IntervalText.MAX, IntervalText.parse("36500 days"));
        IntervalText.OutOfRange e = assertThrows(IntervalText.OutOfRange.class,
                () -> IntervalText.parse("36501 days"));
        assertEquals("interval out of range [value=36501 days, max=36500 days]", e.getMessage());
        assertThrows(IntervalText.OutOfRange.class, () -> IntervalText.parse("99999999999999999999 weeks"));
        assertThrows(IntervalText.OutOfRange.class, () -> IntervalText.parse("-99999999999999 hours"));
        assertThrows(IntervalText.OutOfRange.class, () -> IntervalText.parse("99999999:00:00"));
    }
}
