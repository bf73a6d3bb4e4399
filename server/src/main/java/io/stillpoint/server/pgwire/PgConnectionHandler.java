package io.stillpoint.server.pgwire;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.stillpoint.server.http.Metrics;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;

import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Moves decoded frames from the Netty I/O thread to the connection's own serial queue on a worker executor, so a
 * long statement never stalls the event loop or other connections, and frames are still processed strictly in
 * order. The I/O thread keeps reading while the worker executes and writes (pgjdbc writes a whole batch before
 * reading any reply). The decoder delivers all frames of one read as one {@link PgFrameDecoder.Frames}, queued as
 * one element, and one drain task processes everything queued, so a pipelined batch costs one hand-off.
 *
 * <p>Flow control: if more than {@link #PAUSE_READING_ABOVE} bytes of frames wait for the worker (a client pumping
 * messages behind a slow statement), the channel stops reading until the backlog falls below
 * {@link #RESUME_READING_BELOW}. Both sides re-check after flipping auto-read, so no wake-up is lost. A client
 * that has not authenticated within {@link #AUTHENTICATION_TIMEOUT_SECONDS} is disconnected, as PostgreSQL's
 * authentication_timeout does.
 *
 * <p>Inline: when the connection is alone on its event loop ({@link LoopOccupancy}) and nothing of it is queued or
 * running on the worker, the frames the connection says may run there ({@link PgConnection#runsInline}: Parse,
 * Bind, Describe, Close, Sync, Flush, and Execute of an INSERT) are processed right here on the I/O thread, and the
 * rest of the read goes to the worker in order. An INSERT batch then costs no thread hand-off at all: the loop
 * reads, executes, commits (the fsync blocks only this connection's own loop) and writes the replies straight
 * to the socket. Anything that may stream rows or wait for the client (a query, COPY) still runs on the worker,
 * where waiting for socket space is allowed. Order holds because the loop runs a frame inline only when the
 * worker has nothing of this connection ({@code pending == 0}; only the loop queues) and no reply the worker
 * flushed is still queued on the loop ({@link PgConnection#runsInline}).
 *
 * <p>Admission: the StartupMessage passes {@link ConnectionAdmission} here, on the I/O thread, before it is queued;
 * a refused one is replaced by an {@link Inbound.Refused} that the connection answers with FATAL and closes.
 * Idle sessions: with an idle timeout, a timer on the event loop queues an {@link Inbound.IdleTimeout} once
 * nothing has been received or run for that long; the connection decides (it knows whether a transaction is open).
 */
final class PgConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = WireLog.logger();

    static final long PAUSE_READING_ABOVE = 16L << 20;
    static final long RESUME_READING_BELOW = 4L << 20;
    static final long AUTHENTICATION_TIMEOUT_SECONDS = 60;

    private final Executor executor;
    private final AtomicLong queuedBytes = new AtomicLong();
    private volatile io.netty.channel.Channel channel;
    private final Function<io.netty.channel.Channel, PgConnection> connectionFactory;
    private final Queue<Object> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final Runnable drain = this::drain;
    private volatile PgConnection connection;
    private final ConnectionAdmission admission;
    private final Metrics metrics;
    private final long idleMillis;
    /** Whether a loop serves this channel alone (then short statements may run on it); see LoopOccupancy. */
    private final Predicate<EventExecutor> aloneOnLoop;
    /** Whether this connection holds a slot of {@link #admission} (released once, when the channel closes). */
    private boolean admitted;
    /** {@link System#nanoTime()} of the last frame received or the last drain finished. */
    private volatile long lastActivity = System.nanoTime();

    PgConnectionHandler(Executor executor, Function<io.netty.channel.Channel, PgConnection> connectionFactory) {
        this(executor, connectionFactory, null, new Metrics(), 0, loop -> false);
    }

    /**
     * @param admission  checks each StartupMessage, or null to admit all
     * @param idleMillis close sessions idle (outside a transaction) this long; 0: never
     * @param aloneOnLoop whether an event loop serves this channel alone, so that short statements may run on it
     */
    PgConnectionHandler(Executor executor, Function<io.netty.channel.Channel, PgConnection> connectionFactory,
                        ConnectionAdmission admission, Metrics metrics, long idleMillis,
                        Predicate<EventExecutor> aloneOnLoop) {
        this.executor = executor;
        this.aloneOnLoop = aloneOnLoop;
        this.connectionFactory = connectionFactory;
        this.admission = admission;
        this.metrics = metrics;
        this.idleMillis = idleMillis;
    }

    PgConnection connection() {
        return connection;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        connection = connectionFactory.apply(ctx.channel());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.executor().schedule(() -> {
            if (!connection.isAuthenticated() && ctx.channel().isActive()) {
                LOG.info("authentication timeout [remote=" + ctx.channel().remoteAddress()
                        + ", timeout=" + AUTHENTICATION_TIMEOUT_SECONDS + "s]");
                ctx.close();
            }
        }, AUTHENTICATION_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (idleMillis > 0) {
            scheduleIdleCheck(ctx, idleMillis);
        }
        ctx.fireChannelActive();
    }

    private void scheduleIdleCheck(ChannelHandlerContext ctx, long delayMillis) {
        ctx.executor().schedule(() -> checkIdle(ctx), Math.max(1, delayMillis), TimeUnit.MILLISECONDS);
    }

    /** On the event loop: queue an IdleTimeout if idle long enough, and check again later either way. */
    private void checkIdle(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        long idleFor = (System.nanoTime() - lastActivity) / 1_000_000;
        if (pending.get() != 0) {
            scheduleIdleCheck(ctx, idleMillis); // a statement runs: not idle
            return;
        }
        if (idleFor < idleMillis) {
            scheduleIdleCheck(ctx, idleMillis - idleFor);
            return;
        }
        if (connection.isAuthenticated()) {
            submit(new Inbound.IdleTimeout(idleMillis + "ms"));
        }
        scheduleIdleCheck(ctx, idleMillis); // inside a transaction the session stays; look again later
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof PgFrameDecoder.Frames frames) {
            // A pipelined batch: counted, queued and handed to the worker as one element.
            for (int i = 0; i < frames.size(); i++) {
                byte type = frames.get(i).type();
                if (type == 'Q' || type == 'E') {
                    metrics.query();
                }
            }
            int done = mayRunInline(ctx) ? runInline(frames) : 0;
            if (done < frames.size()) {
                PgFrameDecoder.Frames rest = done == 0 ? frames : frames.from(done);
                enqueue(ctx, rest, rest.bytes());
            }
            return;
        }
        if (!(msg instanceof Inbound inbound)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (inbound instanceof Inbound.StartupFrame f && admission != null && !admitted
                && (f.code() >>> 16) == PgFrameDecoder.PROTOCOL_MAJOR_3 && f.code() != PgFrameDecoder.CANCEL_REQUEST) {
            Inbound.Refused refused = admission.admit(ctx.pipeline().get(SslHandler.class) != null,
                    ConnectionAdmission.userOf(f.body()));
            if (refused != null) {
                inbound = refused;
            } else {
                admitted = true;
            }
        } else if (inbound instanceof Inbound.MessageFrame f) {
            if (f.type() == 'Q' || f.type() == 'E') {
                metrics.query();
            }
            if (mayRunInline(ctx) && connection.runsInline(f)) {
                handle(f);
                lastActivity = System.nanoTime();
                return;
            }
        }
        enqueue(ctx, inbound, sizeOf(inbound));
    }

    /**
     * On the loop: true if this connection is alone on it, has nothing queued or running on the worker, and its
     * socket takes more output (a client that stops reading is left to the worker, which waits for socket space
     * while reading pauses, instead of piling replies up in memory here).
     */
    private boolean mayRunInline(ChannelHandlerContext ctx) {
        return pending.get() == 0 && connection.isAuthenticated() && ctx.channel().isWritable()
                && aloneOnLoop.test(ctx.channel().eventLoop());
    }

    /** Processes frames here, in order, while the connection says they may run inline; returns how many ran. */
    private int runInline(PgFrameDecoder.Frames frames) {
        int i = 0;
        while (i < frames.size() && connection.runsInline(frames.get(i))) {
            handle(frames.get(i));
            i++;
        }
        lastActivity = System.nanoTime();
        return i;
    }

    /** Queues an Inbound or a Frames batch for the worker; pauses reading while the backlog is too large. */
    private void enqueue(ChannelHandlerContext ctx, Object element, long size) {
        lastActivity = System.nanoTime();
        long backlog = queuedBytes.addAndGet(size);
        submit(element);
        if (backlog > PAUSE_READING_ABOVE && ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(false);
            if (queuedBytes.get() < RESUME_READING_BELOW) {
                ctx.channel().config().setAutoRead(true);
            }
        }
    }

    private static long sizeOf(Object element) {
        if (element instanceof PgFrameDecoder.Frames frames) {
            return frames.bytes();
        }
        if (element instanceof Inbound.MessageFrame f) {
            return 5L + f.body().length;
        }
        if (element instanceof Inbound.StartupFrame f) {
            return 8L + f.body().length;
        }
        return 0;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (admitted) {
            admitted = false;
            admission.release();
        }
        connection.channelInactive();
        submit(new Inbound.ChannelClosed());
        ctx.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        connection.writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Level level = cause instanceof IOException ? Level.FINE : Level.WARNING;
        if (LOG.isLoggable(level)) {
            LOG.log(level, "connection error [remote=" + ctx.channel().remoteAddress() + ", exception="
                    + cause.getClass().getSimpleName() + ", reason=" + cause.getMessage() + "]");
        }
        ctx.close();
    }

    /** Queues an {@link Inbound} or a {@link PgFrameDecoder.Frames} batch and starts a drain if none runs. */
    private void submit(Object element) {
        inbox.offer(element);
        if (pending.getAndIncrement() == 0) {
            try {
                executor.execute(drain);
            } catch (RejectedExecutionException e) {
                drain(); // the server is shutting down: finish (and release) on this thread
            }
        }
    }

    private void handle(Inbound inbound) {
        try {
            connection.handle(inbound);
        } catch (Throwable t) {
            // handle() does not throw; this guards the drain's bookkeeping against the impossible.
            LOG.log(Level.SEVERE, "unexpected error in connection worker [remote=" + channel.remoteAddress() + "]", t);
        }
    }

    /** Runs on the worker: processes every queued frame in order; at most one drain runs at a time. */
    private void drain() {
        int missed = 1;
        while (true) {
            Object next;
            while ((next = inbox.poll()) != null) {
                if (next instanceof PgFrameDecoder.Frames frames) {
                    for (int i = 0; i < frames.size(); i++) {
                        handle(frames.get(i));
                    }
                } else {
                    handle((Inbound) next);
                }
                long backlog = queuedBytes.addAndGet(-sizeOf(next));
                if (backlog < RESUME_READING_BELOW && !channel.config().isAutoRead()) {
                    channel.config().setAutoRead(true);
                }
            }
            lastActivity = System.nanoTime();
            missed = pending.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }
}
