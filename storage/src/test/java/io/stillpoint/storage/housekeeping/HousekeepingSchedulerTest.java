package io.stillpoint.storage.housekeeping;

import io.stillpoint.storage.fs.FileSystemFacade;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scheduling of the commit-making jobs by {@link Housekeeping}: every job interval on its own thread, at once
 * when woken, while paused too (each job told so), a failing job neither stops the others nor the thread, and one
 * status row per job after the purge's.
 */
class HousekeepingSchedulerTest {

    /** A job that counts its passes and remembers whether the last one was paused. */
    private static final class CountingJob implements HousekeepingJob {
        final String name;
        final AtomicInteger passes = new AtomicInteger();
        volatile boolean lastPaused;
        volatile boolean fail;

        CountingJob(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void runPass(boolean paused) {
            lastPaused = paused;
            passes.incrementAndGet();
            if (fail) {
                throw new IllegalStateException("job failure for the test");
            }
        }

        @Override
        public boolean stopsWhilePaused() {
            return name.equals("stopper");
        }

        @Override
        public long pendingVersions() {
            return passes.get();
        }

        @Override
        public long pendingBytes() {
            return 0;
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        for (int i = 0; i < 1000 && !condition.getAsBoolean(); i++) {
            Thread.sleep(5);
        }
        assertTrue(condition.getAsBoolean(), what);
    }

    @Test
    void jobsRunEveryIntervalAlsoWhilePausedAndAFailingJobStopsNothing() throws InterruptedException {
        Housekeeping h = new Housekeeping(FileSystemFacade.real(), 1000, Clock.systemUTC(), Duration.ofMillis(10));
        CountingJob failing = new CountingJob("failing");
        failing.fail = true;
        CountingJob stopper = new CountingJob("stopper");
        h.addJob(failing);
        h.addJob(stopper);
        h.start();
        try {
            await(() -> stopper.passes.get() >= 3, "passes every interval");
            assertTrue(failing.passes.get() >= 3, "a failing job is retried at every pass");
            h.pause();
            int before = stopper.passes.get();
            await(() -> stopper.passes.get() >= before + 2 && stopper.lastPaused, "passes go on while paused");
            List<Housekeeping.JobStatus> status = h.status();
            assertEquals(List.of("purge", "failing", "stopper"), status.stream().map(Housekeeping.JobStatus::job)
                    .toList());
            assertTrue(status.get(0).paused());
            assertFalse(status.get(1).paused(), "a job that keeps working while paused is not shown paused");
            assertTrue(status.get(2).paused());
            assertNotNull(status.get(2).lastRunAtMicros());
            h.resume();
            int resumed = stopper.passes.get();
            await(() -> stopper.passes.get() > resumed && !stopper.lastPaused, "told when no longer paused");
        } finally {
            h.close();
        }
    }

    @Test
    void aWokenJobRunsSoonWithoutWaitingForItsInterval() throws InterruptedException {
        Housekeeping h = new Housekeeping(FileSystemFacade.real(), 1000, Clock.systemUTC(), Duration.ofHours(1));
        CountingJob ttl = new CountingJob(Housekeeping.TTL_JOB);
        CountingJob other = new CountingJob("other");
        h.addJob(ttl);
        h.addJob(other);
        h.start();
        try {
            assertNull(h.status().get(1).lastRunAtMicros(), "no pass before the interval or a wake-up");
            h.wakeJob(Housekeeping.TTL_JOB);
            await(() -> ttl.passes.get() == 1, "the woken job ran");
            assertEquals(0, other.passes.get(), "only the woken one");
            h.runJobsOnce();
            assertEquals(2, ttl.passes.get());
            assertEquals(1, other.passes.get());
        } finally {
            h.close();
        }
    }
}
