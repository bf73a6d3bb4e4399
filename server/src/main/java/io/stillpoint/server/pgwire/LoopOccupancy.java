package io.stillpoint.server.pgwire;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorChooserFactory;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Places each new connection on the I/O event loop that serves the fewest connections (the lowest-numbered one
 * of those, so a quiet server keeps using the same few threads), and says whether a loop serves exactly one.
 *
 * <p>Why: a connection whose loop is its own may run short statements directly on that thread
 * ({@link PgConnectionHandler}), without handing every batch to a worker and every reply back to the loop; on a
 * two-core machine those thread wake-ups cost 50 to 80 µs per commit, more than the commit's own CPU (about
 * 30 µs besides its fsync; benchmarks/README.md, stop 11). A loop shared by two connections must not be blocked by
 * either, so there everything goes through the worker as before (a batch already running inline when a second
 * connection lands on its loop delays that one's first read by at most that batch). The group is made with one
 * loop per allowed connection (capped, {@link PgServer}); Netty starts a loop's thread only when a channel first
 * lands on it.
 *
 * <p>The acceptor calls {@link EventExecutorChooserFactory.EventExecutorChooser#next()} once per accepted channel
 * (one thread), and {@link #release} runs when that channel is closed; both are synchronized, and
 * {@link #servesOne} reads under the same lock (it is called once per inbound batch, not per message).
 */
final class LoopOccupancy implements EventExecutorChooserFactory {

    private final Map<EventExecutor, Integer> index = new IdentityHashMap<>();
    private EventExecutor[] loops = new EventExecutor[0];
    private int[] channels = new int[0];

    @Override
    public synchronized EventExecutorChooser newChooser(EventExecutor[] executors) {
        loops = executors.clone();
        channels = new int[executors.length];
        index.clear();
        for (int i = 0; i < loops.length; i++) {
            index.put(loops[i], i);
        }
        return this::next;
    }

    /** The loop with the fewest channels (lowest index among equals), counted as serving one more. */
    synchronized EventExecutor next() {
        int best = 0;
        for (int i = 1; i < channels.length; i++) {
            if (channels[i] < channels[best]) {
                best = i;
            }
        }
        channels[best]++;
        return loops[best];
    }

    /** A channel placed by {@link #next()} on {@code loop} is closed. */
    synchronized void release(EventExecutor loop) {
        Integer i = index.get(loop);
        if (i != null && channels[i] > 0) {
            channels[i]--;
        }
    }

    /** True if {@code loop} serves exactly one channel now (so that channel may block it). */
    synchronized boolean servesOne(EventExecutor loop) {
        Integer i = index.get(loop);
        return i != null && channels[i] == 1;
    }

    /** Channels on {@code loop} now (tests). */
    synchronized int channelsOn(EventExecutor loop) {
        Integer i = index.get(loop);
        return i == null ? 0 : channels[i];
    }
}
