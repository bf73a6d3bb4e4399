package io.stillpoint.server.pgwire;

import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ThreadPerTaskExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.channels.spi.SelectorProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each new connection lands on the least-occupied loop (the lowest of those); a loop serving one is "alone". */
class LoopOccupancyTest {
    private final LoopOccupancy occupancy = new LoopOccupancy();
    private final NioEventLoopGroup group = new NioEventLoopGroup(3,
            new ThreadPerTaskExecutor(new DefaultThreadFactory("occupancy-test", true)), occupancy,
            SelectorProvider.provider(), DefaultSelectStrategyFactory.INSTANCE);

    @AfterEach
    void close() {
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @Test
    void connectionsSpreadOverFreeLoopsFirstAndReuseAReleasedOne() {
        EventExecutor a = group.next();
        EventExecutor b = group.next();
        EventExecutor c = group.next();
        assertNotSame(a, b);
        assertNotSame(b, c);
        assertNotSame(a, c);
        assertTrue(occupancy.servesOne(a) && occupancy.servesOne(b) && occupancy.servesOne(c));

        occupancy.release(b);
        assertFalse(occupancy.servesOne(b));
        assertSame(b, group.next(), "the freed loop is the least occupied");

        EventExecutor d = group.next(); // every loop serves one: the lowest takes a second
        assertSame(a, d);
        assertEquals(2, occupancy.channelsOn(a));
        assertFalse(occupancy.servesOne(a), "a shared loop must not be blocked by either connection");
        occupancy.release(a);
        assertTrue(occupancy.servesOne(a));
    }

    @Test
    void releasingMoreThanWasPlacedOrAForeignLoopChangesNothing() {
        EventExecutor a = group.next();
        occupancy.release(a);
        occupancy.release(a);
        assertEquals(0, occupancy.channelsOn(a));
        assertSame(a, group.next());
        NioEventLoopGroup other = new NioEventLoopGroup(1, new DefaultThreadFactory("occupancy-other", true));
        try {
            occupancy.release(other.next());
        } finally {
            other.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
        }
        assertTrue(occupancy.servesOne(a));
    }

    @Test
    void loopCountFollowsMaxConnectionsWithinBounds() {
        assertEquals(2, PgServer.ioLoops(1));
        assertEquals(11, PgServer.ioLoops(10));
        assertEquals(PgServer.MAX_IO_LOOPS, PgServer.ioLoops(100));
        assertEquals(PgServer.MAX_IO_LOOPS, PgServer.ioLoops(100_000));
    }
}
