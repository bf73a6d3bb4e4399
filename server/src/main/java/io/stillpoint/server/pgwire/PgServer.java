package io.stillpoint.server.pgwire;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ThreadPerTaskExecutor;
import io.stillpoint.server.exec.QueryEngine;
import io.stillpoint.server.http.Metrics;

import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The PostgreSQL wire protocol v3 server: Netty NIO event loops for socket I/O and framing, and a pool of worker
 * threads on which each connection's protocol state machine runs serially (a busy connection holds one worker,
 * an idle one none), so statements never run on an event loop.
 *
 * <p>Pipeline per connection: {@link PgFrameDecoder} (I/O thread) then {@link PgConnectionHandler}, which queues
 * frames for the connection's {@link PgConnection} on the worker pool. With a certificate configured, the decoder
 * answers SSLRequest with 'S' and puts Netty's SslHandler in front of itself (see {@link PgFrameDecoder}).
 * {@link ConnectionAdmission} applies the connection limit and the TLS requirement at the StartupMessage.
 */
public final class PgServer implements AutoCloseable {
    private static final Logger LOG = WireLog.logger();
    /** How long close() waits for running statements before giving up on them. */
    private static final long CLOSE_WAIT_SECONDS = 30;
    /**
     * Most I/O event loops: each holds a selector (two descriptors) from the start, and a thread once a connection
     * lands on it. Connections beyond this share loops and go through the worker for everything.
     */
    static final int MAX_IO_LOOPS = 64;

    private final PgServerConfig config;
    private final QueryEngine engine;
    private final Authenticator authenticator;
    private final CancelRegistry cancelRegistry = new CancelRegistry();
    private final AtomicLong connectionIds = new AtomicLong();
    private final Set<PgConnection> connections = ConcurrentHashMap.newKeySet();
    private final Object lifecycle = new Object();
    private final Metrics metrics;
    private final ConnectionAdmission admission;
    private SslContext sslContext;

    private EventLoopGroup acceptGroup;
    private EventLoopGroup ioGroup;
    private final LoopOccupancy loopOccupancy = new LoopOccupancy();
    private ExecutorService workers;
    private ChannelGroup channels;
    private Channel serverChannel;
    private volatile InetSocketAddress boundAddress;
    private boolean closed;

    public PgServer(PgServerConfig config, QueryEngine engine) {
        this(config, engine, new Metrics());
    }

    /** @param metrics where connection, query and error counts go */
    public PgServer(PgServerConfig config, QueryEngine engine, Metrics metrics) {
        this.metrics = metrics;
        this.admission = new ConnectionAdmission(config.maxConnections(), config.tlsRequired(), metrics);
        this.config = config;
        this.engine = engine;
        this.authenticator = new Authenticator(config.authMethod(), config.users());
    }

    /**
     * Binds and starts accepting connections. If the address cannot be bound, everything started is shut down
     * again and the bind failure itself (e.g. {@link java.net.BindException}) is rethrown unchanged.
     */
    public void start() throws InterruptedException {
        synchronized (lifecycle) {
            if (serverChannel != null || closed) {
                throw new IllegalStateException("server already started or closed [port=" + config.port() + "]");
            }
            if (config.tlsEnabled()) {
                try {
                    sslContext = SslContextBuilder.forServer(config.tlsCert().toFile(), config.tlsKey().toFile()).build();
                } catch (Exception | Error e) {
                    throw new IllegalArgumentException("cannot load tls certificate or key [cert=" + config.tlsCert()
                            + ", key=" + config.tlsKey() + ", error=" + e.getMessage() + "]", e);
                }
            }
            acceptGroup = new NioEventLoopGroup(1, new DefaultThreadFactory("stillpoint-pg-accept", true));
            // One loop per connection allowed (capped): a connection alone on its loop runs its INSERT batches
            // there, without two thread hand-offs per commit (LoopOccupancy, PgConnectionHandler).
            ioGroup = new NioEventLoopGroup(ioLoops(config.maxConnections()),
                    new ThreadPerTaskExecutor(new DefaultThreadFactory("stillpoint-pg-io", true)), loopOccupancy,
                    SelectorProvider.provider(), DefaultSelectStrategyFactory.INSTANCE);
            workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                    new DefaultThreadFactory("stillpoint-pg-conn", true));
            channels = new DefaultChannelGroup("stillpoint-pg", GlobalEventExecutor.INSTANCE);
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(acceptGroup, ioGroup)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 512)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            channels.add(ch);
                            ch.pipeline().addLast("frames", new PgFrameDecoder(config.maxFrameLength(), sslContext));
                            ch.closeFuture().addListener(f -> loopOccupancy.release(ch.eventLoop()));
                            ch.pipeline().addLast("protocol", new PgConnectionHandler(workers,
                                    PgServer.this::newConnection, admission, metrics, config.idleSessionMillis(),
                                    loopOccupancy::servesOne));
                        }
                    });
            ChannelFuture bind = bootstrap.bind(config.host(), config.port()).await();
            if (!bind.isSuccess()) {
                shutdownGroups();
                workers.shutdownNow();
                throw PgServer.<RuntimeException>sneaky(bind.cause());
            }
            serverChannel = bind.channel();
            boundAddress = (InetSocketAddress) serverChannel.localAddress();
            LOG.fine("listening [address=" + boundAddress + ", auth=" + config.authMethod() + ", tls="
                    + (config.tlsRequired() ? "required" : config.tlsEnabled() ? "on" : "off")
                    + ", max_connections=" + config.maxConnections() + "]");
        }
    }

    private PgConnection newConnection(Channel channel) {
        PgConnection c = new PgConnection(channel, engine, authenticator, cancelRegistry,
                connectionIds.incrementAndGet(), connections::remove, metrics);
        connections.add(c);
        return c;
    }

    /** The address actually bound (tells the port when the configured port was 0); null before start(). */
    public InetSocketAddress boundAddress() {
        return boundAddress;
    }

    /**
     * Stops accepting, cancels running statements, closes every connection (their sessions close, rolling back open transactions), waits for
     * running statements to finish, and shuts down the event loops and workers. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            if (serverChannel != null) {
                serverChannel.close().awaitUninterruptibly();
            }
            // Stop running statements first (57014), so a long scan does not hold the shutdown for its duration.
            for (PgConnection c : connections) {
                c.cancel();
            }
            if (channels != null) {
                channels.close().awaitUninterruptibly();
            }
            shutdownGroups();
            if (workers != null) {
                workers.shutdown();
                try {
                    if (!workers.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                        LOG.warning("statements still running after close [waited=" + CLOSE_WAIT_SECONDS + "s]");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            connections.removeIf(PgConnection::isReleased);
            if (!connections.isEmpty()) {
                LOG.log(Level.WARNING, "connections not released at close [count=" + connections.size() + "]");
            }
            LOG.fine("stopped [address=" + boundAddress + "]");
        }
    }

    /** One loop per allowed connection plus one for a refused one in flight, at least 2, at most MAX_IO_LOOPS. */
    static int ioLoops(int maxConnections) {
        return Math.max(2, Math.min(MAX_IO_LOOPS, maxConnections + 1));
    }

    private void shutdownGroups() {
        // Event loops first: they deliver the channelInactive events that queue each session's release.
        if (acceptGroup != null) {
            acceptGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        if (ioGroup != null) {
            ioGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
