package io.stillpoint.server.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.stillpoint.server.exec.DataType;
import io.stillpoint.server.exec.Prepared;
import io.stillpoint.server.exec.QueryEngine;
import io.stillpoint.server.exec.Result;
import io.stillpoint.server.exec.ResultColumn;
import io.stillpoint.server.exec.RowBatch;
import io.stillpoint.server.exec.RowCursor;
import io.stillpoint.server.exec.Session;
import io.stillpoint.server.exec.SqlError;
import io.stillpoint.server.exec.TransactionStatus;
import io.stillpoint.server.pgwire.types.PgType;
import io.stillpoint.server.pgwire.types.PgTypes;
import io.stillpoint.sql.SqlParseException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The protocol state machine of one client connection: startup, authentication, the simple and the extended query
 * protocol, on top of an executor {@link Session}.
 *
 * <p>Threading: {@link #handle} is called by one thread at a time, in frame order (see {@link PgConnectionHandler}),
 * never on a Netty I/O thread in the server, so a long statement blocks only this connection. Replies are appended
 * to one buffer and handed to the channel at Sync, at the end of a Query, on Flush, during authentication, and
 * whenever the buffer passes {@link #FLUSH_THRESHOLD}; a large result then waits for the socket to drain.
 *
 * <p>Errors: a framing problem, a truncated or malformed message, or a message out of place is a protocol
 * violation: FATAL 08P01, then the connection closes. A statement error is an ErrorResponse; in the extended
 * protocol every message up to the next Sync is then discarded, and Sync rolls the implicit transaction back.
 */
final class PgConnection implements CancelRegistry.Cancellable {
    private static final Logger LOG = WireLog.logger();
    static final int FLUSH_THRESHOLD = 64 * 1024;
    /**
     * COPY TO from column batches: rows formatted between two checks of cancel, the socket and the flush
     * threshold (about 2 KB of CSV of three numeric columns; a row is at most a few KB of numbers).
     */
    private static final int COPY_ROWS_PER_STEP = 64;
    /** COPY TO hands the socket 128 KB at a time: half the hand-offs and write calls of 64 KB. */
    static final int COPY_FLUSH_THRESHOLD = 128 * 1024;
    private static final Object[] NO_PARAMS = new Object[0];
    private static final short[] NO_FORMATS = new short[0];

    private enum Phase { STARTUP, AUTHENTICATING, READY, CLOSED }

    /** A parsed statement, named or unnamed, with what Bind and Describe need of it. */
    private record Statement(Prepared prepared, int[] declaredOids, PgType[] paramCodecs, int[] paramOids) {
        int paramCount() {
            return paramCodecs.length;
        }

        List<ResultColumn> columns() {
            return prepared.columns();
        }
    }

    /** A bound statement: parameters, requested result formats, and once executed its result and position. */
    private static final class Portal {
        final Statement statement;
        final Object[] params;
        final short[] bindResultFormats;
        Result result;
        RowCursor cursor;
        PgType[] codecs;
        short[] formats;
        boolean exhausted;

        Portal(Statement statement, Object[] params, short[] bindResultFormats) {
            this.statement = statement;
            this.params = params;
            this.bindResultFormats = bindResultFormats;
        }

        List<ResultColumn> columns() {
            return result instanceof Result.Rows rows ? rows.columns() : statement.columns();
        }

        void close() {
            exhausted = true;
            RowCursor c = cursor;
            cursor = null;
            if (c != null) {
                c.close();
            }
        }
    }

    /** The client went away while we were sending: stop the statement, release everything. */
    private static final class ConnectionGone extends RuntimeException {
        ConnectionGone() {
            super("connection closed by client", null, false, false);
        }
    }

    private final Channel channel;
    private final QueryEngine engine;
    private final Authenticator authenticator;
    private final CancelRegistry cancelRegistry;
    private final long connectionId;
    private final java.util.function.Consumer<PgConnection> onReleased;
    private final io.stillpoint.server.http.Metrics metrics;
    private final Object writabilityLock = new Object();

    private Phase phase = Phase.STARTUP;
    private ByteBuf out;
    private String user;
    private Map<String, String> startupOptions;
    private ScramSha256.Exchange scram;
    private Session session;
    private int processId;
    private int secretKey;
    private boolean released;

    private final Map<String, Statement> statements = new HashMap<>();
    /** Named portals; the unnamed one, bound for nearly every statement, lives in {@link #unnamedPortal}. */
    private final Map<String, Portal> portals = new HashMap<>();
    private Portal unnamedPortal;
    /** Flushes made by a worker thread whose write task has not yet completed on the event loop. */
    private final AtomicInteger writesFromWorker = new AtomicInteger();
    private final ChannelFutureListener writeFromWorkerDone = f -> writesFromWorker.decrementAndGet();
    /**
     * The statement the last Bind named, with its name's bytes, so a batch of Binds to one statement skips the
     * String and the map lookup; forgotten whenever {@link #statements} changes.
     */
    private Statement boundStatement;
    private String boundStatementName;
    private byte[] boundStatementNameBytes;
    /** The format codes of the last Bind, reused while a batch sends the same ones (arrays are never mutated). */
    private short[] lastParamFormats = NO_FORMATS;
    private short[] lastResultFormats = NO_FORMATS;
    /** Scratch for Bind's parameter positions, grown as needed. */
    private int[] bindOffsets = new int[8];
    private int[] bindLengths = new int[8];
    /** The last CommandComplete tag and its encoded message: a batch answers the same tag for every row. */
    private String lastTag;
    private byte[] lastTagMessage;
    private boolean skipUntilSync;
    private boolean failedSinceSync;
    /** The COPY FROM STDIN waiting for CopyData, or null. */
    private CopyIn copyIn;

    private volatile boolean authenticated;
    private volatile boolean busy;
    /** Cleared by the I/O thread when the socket closes, so a statement streaming rows stops at the next row. */
    private volatile boolean channelOpen = true;
    private volatile boolean cancelRequested;

    PgConnection(Channel channel, QueryEngine engine, Authenticator authenticator, CancelRegistry cancelRegistry,
                 long connectionId, java.util.function.Consumer<PgConnection> onReleased) {
        this(channel, engine, authenticator, cancelRegistry, connectionId, onReleased,
                new io.stillpoint.server.http.Metrics());
    }

    PgConnection(Channel channel, QueryEngine engine, Authenticator authenticator, CancelRegistry cancelRegistry,
                 long connectionId, java.util.function.Consumer<PgConnection> onReleased,
                 io.stillpoint.server.http.Metrics metrics) {
        this.metrics = metrics;
        this.channel = channel;
        this.onReleased = onReleased;
        this.engine = engine;
        this.authenticator = authenticator;
        this.cancelRegistry = cancelRegistry;
        this.connectionId = connectionId;
    }

    // ------------------------------------------------------------------ entry point

    /** Processes one inbound element; never throws (a failure while reporting a failure closes the connection). */
    void handle(Inbound inbound) {
        try {
            dispatch(inbound);
        } catch (Throwable last) {
            LOG.log(Level.SEVERE, "cannot report error, closing [conn=" + connectionId + "]", last);
            try {
                channel.close();
            } finally {
                release();
            }
        }
    }

    private void dispatch(Inbound inbound) {
        if (inbound instanceof Inbound.ChannelClosed) {
            if (phase == Phase.READY && busy) {
                log(Level.INFO, "client disconnected during a statement", null);
            }
            release();
            return;
        }
        if (phase == Phase.CLOSED) {
            return;
        }
        try {
            if (inbound instanceof Inbound.StartupFrame f) {
                onStartupFrame(f);
            } else if (inbound instanceof Inbound.MessageFrame f) {
                onMessage(f);
            } else if (inbound instanceof Inbound.FramingError e) {
                fatal("08P01", e.message());
            } else if (inbound instanceof Inbound.Refused r) {
                fatal(r.sqlState(), r.message());
            } else if (inbound instanceof Inbound.IdleTimeout t) {
                // Queued only when nothing else was; inside a transaction block the session stays.
                if (phase == Phase.READY && !busy && session.transactionStatus() == TransactionStatus.IDLE) {
                    fatal("57P05", "terminating connection due to idle-session timeout [timeout=" + t.timeout() + "]");
                }
            }
        } catch (ProtocolViolation | ScramSha256.MalformedMessage e) {
            fatal("08P01", e.getMessage());
        } catch (ConnectionGone e) {
            log(Level.INFO, "client disconnected during a statement", null);
            release();
        } catch (Throwable t) {
            LOG.log(Level.SEVERE, "internal error [conn=" + connectionId + "]", t);
            fatal("XX000", internalMessage(t));
        }
    }

    // ------------------------------------------------------------------ startup and authentication

    private void onStartupFrame(Inbound.StartupFrame f) {
        int code = f.code();
        if (code == PgFrameDecoder.SSL_REQUEST || code == PgFrameDecoder.GSSENC_REQUEST) {
            BackendMessages.encryptionRefused(out());
            flush();
            return;
        }
        if (code == PgFrameDecoder.CANCEL_REQUEST) {
            MessageReader r = new MessageReader(f.body(), "CancelRequest");
            int pid = r.readInt32();
            int key = r.readInt32();
            r.expectEnd();
            boolean matched = cancelRegistry.cancel(pid, key);
            log(Level.FINE, "cancel request [pid=" + pid + ", matched=" + matched + "]", null);
            closeQuietly();
            return;
        }
        if ((code >>> 16) != PgFrameDecoder.PROTOCOL_MAJOR_3) {
            fatal("08P01", "unsupported frontend protocol [version=" + (code >>> 16) + "." + (code & 0xFFFF) + "]");
            return;
        }
        MessageReader r = new MessageReader(f.body(), "StartupMessage");
        Map<String, String> options = new LinkedHashMap<>();
        List<String> unsupported = new ArrayList<>();
        while (true) {
            String name = r.readCString();
            if (name.isEmpty()) {
                break;
            }
            String value = r.readCString();
            if (name.startsWith("_pq_.")) {
                unsupported.add(name);
            } else {
                options.put(name, value);
            }
        }
        r.expectEnd();
        user = options.get("user");
        if (user == null || user.isEmpty()) {
            fatal("28000", "no user name specified in startup message");
            return;
        }
        startupOptions = options;
        if ((code & 0xFFFF) != 0 || !unsupported.isEmpty()) {
            BackendMessages.negotiateProtocolVersion(out(), 0, unsupported);
        }
        phase = Phase.AUTHENTICATING;
        if (authenticator.method() == AuthMethod.SCRAM_SHA_256) {
            BackendMessages.authenticationSasl(out(), List.of(ScramSha256.MECHANISM));
        } else {
            BackendMessages.authenticationCleartextPassword(out());
        }
        flush();
    }

    private void onAuthenticationMessage(Inbound.MessageFrame f) {
        if (f.type() == 'X') {
            closeQuietly();
            return;
        }
        if (f.type() != 'p') {
            throw new ProtocolViolation("expected password message [type=" + (char) f.type() + "]");
        }
        if (authenticator.method() == AuthMethod.CLEARTEXT) {
            MessageReader r = new MessageReader(f.body(), "PasswordMessage");
            String password = r.readCString();
            r.expectEnd();
            if (!authenticator.checkCleartext(user, password)) {
                authenticationFailed();
                return;
            }
            completeStartup();
            return;
        }
        if (scram == null) {
            MessageReader r = new MessageReader(f.body(), "SASLInitialResponse");
            String mechanism = r.readCString();
            int length = r.readInt32();
            if (length < 0) {
                throw new ProtocolViolation("missing SASL initial response [mechanism=" + mechanism + "]");
            }
            String clientFirst = new String(r.readBytes(length), StandardCharsets.UTF_8);
            r.expectEnd();
            if (!ScramSha256.MECHANISM.equals(mechanism)) {
                throw new ProtocolViolation("unsupported SASL mechanism [mechanism=" + mechanism + "]");
            }
            scram = authenticator.startScram(user);
            String serverFirst = scram.serverFirst(clientFirst);
            BackendMessages.authenticationSaslContinue(out(), serverFirst.getBytes(StandardCharsets.UTF_8));
            flush();
            return;
        }
        String serverFinal = scram.verifyClientFinal(new String(f.body(), StandardCharsets.UTF_8));
        if (serverFinal == null || authenticator.account(user) == null) {
            authenticationFailed();
            return;
        }
        BackendMessages.authenticationSaslFinal(out(), serverFinal.getBytes(StandardCharsets.UTF_8));
        completeStartup();
    }

    private void authenticationFailed() {
        fatal("28P01", "password authentication failed [user=" + user + "]");
    }

    /** AuthenticationOk, ParameterStatus*, BackendKeyData, ReadyForQuery. */
    private void completeStartup() {
        UserAccount account = authenticator.account(user);
        try {
            session = engine.openSession(user, account.role(), Map.copyOf(startupOptions));
        } catch (SqlError e) {
            fatal(e.sqlState(), e.getMessage());
            return;
        }
        phase = Phase.READY;
        authenticated = true;
        BackendMessages.authenticationOk(out());
        for (Map.Entry<String, String> p : parameterStatus().entrySet()) {
            BackendMessages.parameterStatus(out(), p.getKey(), p.getValue());
        }
        secretKey = cancelRegistry.newSecretKey();
        processId = cancelRegistry.register(this);
        BackendMessages.backendKeyData(out(), processId, secretKey);
        readyForQuery();
        log(Level.FINE, "connection authenticated", null);
    }

    /**
     * The session's ParameterStatus entries, completed with the ones pgjdbc and psql rely on (pgwire.md 0.3):
     * without server_version pgjdbc cannot connect, without integer_datetimes=on it misreads binary timestamps.
     */
    private Map<String, String> parameterStatus() {
        Map<String, String> fromSession = session.initialParameterStatus();
        Map<String, String> result = new LinkedHashMap<>();
        if (fromSession == null || fromSession.isEmpty()) {
            result.put("application_name", startupOptions.getOrDefault("application_name", ""));
            result.put("DateStyle", "ISO, MDY");
            result.put("default_transaction_read_only", "off");
            result.put("in_hot_standby", "off");
            result.put("IntervalStyle", "postgres");
            result.put("is_superuser", "on");
            result.put("server_encoding", "UTF8");
            result.put("session_authorization", user);
            result.put("TimeZone", "Etc/UTC");
        } else {
            result.putAll(fromSession);
        }
        result.putIfAbsent("server_version", "15.0 (Stillpoint)");
        result.putIfAbsent("integer_datetimes", "on");
        result.putIfAbsent("client_encoding", "UTF8");
        result.putIfAbsent("DateStyle", "ISO, MDY");
        result.putIfAbsent("standard_conforming_strings", "on");
        return result;
    }

    // ------------------------------------------------------------------ dispatch

    private void onMessage(Inbound.MessageFrame f) {
        if (phase == Phase.AUTHENTICATING) {
            onAuthenticationMessage(f);
            return;
        }
        if (phase != Phase.READY) {
            throw new ProtocolViolation("unexpected message before startup [type=" + (char) f.type() + "]");
        }
        byte type = f.type();
        if (type == 'X') {
            MessageReader r = new MessageReader(f.body(), "Terminate");
            r.expectEnd();
            closeQuietly();
            return;
        }
        if (copyIn != null) {
            onCopyInMessage(type, f.body());
            return;
        }
        if (skipUntilSync && type != 'S') {
            return;
        }
        switch (type) {
            case 'Q' -> onQuery(f.body());
            case 'P', 'B', 'D', 'E', 'C' -> onExtended(type, f.body());
            case 'S' -> onSync(f.body());
            case 'H' -> {
                new MessageReader(f.body(), "Flush").expectEnd();
                flush();
            }
            case 'd', 'c', 'f' -> {
                // CopyData/CopyDone/CopyFail outside COPY: ignored, as PostgreSQL does (a COPY that failed early).
            }
            case 'F' -> {
                sendError(new SqlError("0A000", "function call protocol is not supported"));
                readyForQuery();
            }
            case 'p' -> throw new ProtocolViolation("unexpected password message after authentication");
            default -> throw new ProtocolViolation("unexpected message type [type=" + (char) type + "]");
        }
    }

    // ------------------------------------------------------------------ simple query protocol

    private void onQuery(byte[] body) {
        MessageReader r = new MessageReader(body, "Query");
        String sql = r.readCString();
        r.expectEnd();
        busy = true;
        // A simple Query destroys the unnamed statement and portal, as in PostgreSQL.
        removeStatement("");
        closePortal("");
        boolean failed = false;
        try {
            List<Prepared> prepared = session.prepareAll(sql);
            if (prepared.isEmpty()) {
                BackendMessages.emptyQueryResponse(out());
            }
            if (runSimple(prepared, 0)) {
                return; // a COPY FROM STDIN waits for its data; the Query goes on at CopyDone
            }
        } catch (ConnectionGone | ProtocolViolation e) {
            throw e;
        } catch (RuntimeException e) {
            failed = true;
            statementFailed(e);
        }
        endImplicitTransaction(failed);
        readyForQuery();
    }

    /**
     * Runs the Query's statements from {@code from} on; returns true when one of them is a COPY FROM STDIN, which
     * suspends the Query until its data has arrived (the statements after it run then, as in PostgreSQL).
     */
    private boolean runSimple(List<Prepared> prepared, int from) {
        for (int i = from; i < prepared.size(); i++) {
            Result result = session.execute(prepared.get(i), NO_PARAMS);
            if (result instanceof Result.CopyIn in) {
                startCopyIn(in, prepared, i + 1, true);
                return true;
            }
            sendSimpleResult(result);
        }
        return false;
    }

    /** RowDescription + DataRow* + CommandComplete (all text), or CommandComplete, or EmptyQueryResponse. */
    private void sendSimpleResult(Result result) {
        if (result instanceof Result.CopyOut copy) {
            streamCopyOut(copy);
        } else if (result instanceof Result.Rows rows) {
            List<ResultColumn> columns = rows.columns();
            BackendMessages.rowDescription(out(), columns, null);
            RowCursor cursor = rows.cursor();
            long sent = 0;
            try {
                sent = streamRows(cursor, codecs(columns), null, 0);
            } finally {
                if (cursor != null) {
                    cursor.close();
                }
            }
            BackendMessages.commandComplete(out(), rowsTag(rows.tagVerb(), sent));
        } else if (result instanceof Result.Command command) {
            BackendMessages.commandComplete(out(), command.tag());
        } else {
            BackendMessages.emptyQueryResponse(out());
        }
    }

    /**
     * Sends up to {@code maxRows} rows (0: all) as DataRows; returns how many were sent. Stops early only at the
     * end of the cursor; the caller tells exhaustion from {@code sent < maxRows}.
     */
    private long streamRows(RowCursor cursor, PgType[] codecs, short[] formats, long maxRows) {
        if (cursor == null) {
            return 0;
        }
        long sent = 0;
        while (maxRows <= 0 || sent < maxRows) {
            if (cancelRequested) {
                throw new SqlError("57014", "canceling statement due to user request");
            }
            if (!channelOpen) {
                throw new ConnectionGone();
            }
            Object[] row = cursor.next();
            if (row == null) {
                break;
            }
            BackendMessages.dataRow(out(), row, codecs, formats);
            sent++;
            if (out.writerIndex() >= FLUSH_THRESHOLD) {
                flush();
                awaitWritable();
            }
        }
        return sent;
    }

    private static String rowsTag(String verb, long rows) {
        if (verb == null || verb.isEmpty()) {
            return "SELECT " + rows;
        }
        return verb.equals("SHOW") ? "SHOW" : verb + " " + rows;
    }

    private static PgType[] codecs(List<ResultColumn> columns) {
        PgType[] codecs = new PgType[columns.size()];
        for (int i = 0; i < codecs.length; i++) {
            codecs[i] = PgTypes.of(columns.get(i).type());
        }
        return codecs;
    }

    // ------------------------------------------------------------------ extended query protocol

    private void onExtended(byte type, byte[] body) {
        try {
            switch (type) {
                case 'P' -> onParse(body);
                case 'B' -> onBind(body);
                case 'D' -> onDescribe(body);
                case 'E' -> onExecute(body);
                case 'C' -> onClose(body);
                default -> throw new ProtocolViolation("unexpected message type [type=" + (char) type + "]");
            }
        } catch (ConnectionGone | ProtocolViolation e) {
            throw e;
        } catch (RuntimeException e) {
            statementFailed(e);
            failedSinceSync = true;
            skipUntilSync = true;
        }
    }

    /** Parse: {@code String name, String query, Int16 n (unsigned), Int32 parameter type OID[n]}. */
    private void onParse(byte[] body) {
        MessageReader r = new MessageReader(body, "Parse");
        String name = r.readCString();
        String sql = r.readCString();
        int count = r.readUnsignedInt16();
        int[] declaredOids = new int[count];
        for (int i = 0; i < count; i++) {
            declaredOids[i] = r.readInt32();
        }
        r.expectEnd();
        busy = true;
        if (!name.isEmpty() && statements.containsKey(name)) {
            throw new SqlError("42P05", "prepared statement already exists [name=" + name + "]");
        }
        List<DataType> declared = new ArrayList<>(count);
        for (int oid : declaredOids) {
            if (oid == 0) {
                declared.add(null);
            } else {
                DataType t = DataType.ofOid(oid);
                declared.add(t == null ? DataType.UNKNOWN : t);
            }
        }
        Prepared prepared = session.prepare(sql, declared);
        List<DataType> types = prepared.paramTypes() == null ? List.of() : prepared.paramTypes();
        PgType[] codecs = new PgType[types.size()];
        int[] oids = new int[types.size()];
        for (int i = 0; i < codecs.length; i++) {
            codecs[i] = PgTypes.of(types.get(i));
            oids[i] = codecs[i].oid();
        }
        forgetBoundStatement();
        statements.put(name, new Statement(prepared, declaredOids, codecs, oids));
        BackendMessages.parseComplete(out());
    }

    /**
     * Bind: {@code String portal, String statement, Int16 nf, Int16 format[nf], Int16 np,
     * (Int32 length (-1 NULL), Byte[length])[np], Int16 nr, Int16 result format[nr]}; all counts unsigned.
     */
    private void onBind(byte[] body) {
        MessageReader r = new MessageReader(body, "Bind");
        String portalName = r.readCString();
        Statement statement = null;
        String statementName;
        if (boundStatement != null && r.skipCStringIfEquals(boundStatementNameBytes)) {
            statement = boundStatement;
            statementName = boundStatementName;
        } else {
            statementName = r.readCString();
        }
        short[] paramFormats = lastParamFormats = readFormats(r, lastParamFormats);
        int paramCount = r.readUnsignedInt16();
        if (bindOffsets.length < paramCount) {
            bindOffsets = new int[paramCount];
            bindLengths = new int[paramCount];
        }
        int[] offsets = bindOffsets;
        int[] lengths = bindLengths;
        for (int i = 0; i < paramCount; i++) {
            int length = r.readInt32();
            if (length < -1) {
                throw new ProtocolViolation("invalid parameter length [parameter=" + (i + 1) + ", length=" + length + "]");
            }
            lengths[i] = length;
            offsets[i] = length < 0 ? -1 : r.skip(length);
        }
        short[] resultFormats = lastResultFormats = readFormats(r, lastResultFormats);
        r.expectEnd();
        busy = true;

        if (statement == null) {
            statement = statements.get(statementName);
            if (statement == null) {
                throw new SqlError("26000", "prepared statement does not exist [name=" + statementName + "]");
            }
            boundStatement = statement;
            boundStatementName = statementName;
            boundStatementNameBytes = statementName.getBytes(StandardCharsets.UTF_8);
        }
        if (paramCount != statement.paramCount()) {
            throw new SqlError("08P01", "bind message supplies " + paramCount + " parameters, but prepared statement requires "
                    + statement.paramCount() + " [statement=" + statementName + "]");
        }
        if (paramFormats.length > 1 && paramFormats.length != paramCount) {
            throw new SqlError("08P01", "bind message has " + paramFormats.length + " parameter formats but "
                    + paramCount + " parameters");
        }
        int columnCount = statement.columns() == null ? 0 : statement.columns().size();
        if (resultFormats.length > 1 && resultFormats.length != columnCount) {
            throw new SqlError("08P01", "bind message has " + resultFormats.length + " result formats but query has "
                    + columnCount + " columns");
        }
        if (!portalName.isEmpty() && portals.containsKey(portalName)) {
            throw new SqlError("42P03", "portal already exists [name=" + portalName + "]");
        }
        Object[] params = paramCount == 0 ? NO_PARAMS : new Object[paramCount];
        byte[] bytes = r.body();
        for (int i = 0; i < paramCount; i++) {
            if (lengths[i] < 0) {
                continue;
            }
            PgType codec = statement.paramCodecs()[i];
            boolean binary = formatOf(paramFormats, i) == 1;
            if (binary && codec.oid() == DataType.UNKNOWN.oid() && i < statement.declaredOids().length
                    && statement.declaredOids()[i] != 0 && statement.declaredOids()[i] != DataType.UNKNOWN.oid()) {
                throw new SqlError("0A000", "binary format not supported for parameter type [parameter=" + (i + 1)
                        + ", oid=" + statement.declaredOids()[i] + "]");
            }
            params[i] = binary ? codec.decodeBinary(bytes, offsets[i], lengths[i])
                    : codec.decodeText(bytes, offsets[i], lengths[i]);
        }
        closePortal(portalName);
        Portal portal = new Portal(statement, params, resultFormats);
        if (portalName.isEmpty()) {
            unnamedPortal = portal;
        } else {
            portals.put(portalName, portal);
        }
        BackendMessages.bindComplete(out());
    }

    /**
     * {@code Int16 n (unsigned), Int16 code[n]}, each 0 (text) or 1 (binary); returns {@code previous} when the
     * codes are the same (a batch repeats them on every Bind).
     */
    private static short[] readFormats(MessageReader r, short[] previous) {
        int count = r.readUnsignedInt16();
        if (count == 0) {
            return NO_FORMATS;
        }
        short[] formats = count == previous.length ? previous : new short[count];
        for (int i = 0; i < count; i++) {
            short f = r.readInt16();
            if (f != 0 && f != 1) {
                throw new ProtocolViolation("unsupported format code [code=" + f + "]");
            }
            if (formats == previous && f != previous[i]) {
                formats = java.util.Arrays.copyOf(previous, count); // differs: a fresh array, the old one stays intact
            }
            formats[i] = f;
        }
        return formats;
    }

    /** The 0/1/N rule: no codes = all text, one code = for all, else one per item. */
    private static short formatOf(short[] formats, int index) {
        if (formats.length == 0) {
            return 0;
        }
        return formats.length == 1 ? formats[0] : (index < formats.length ? formats[index] : 0);
    }

    private static short[] resolveFormats(short[] formats, int columnCount) {
        if (formats.length == 0) {
            return null;
        }
        short[] resolved = new short[columnCount];
        for (int i = 0; i < columnCount; i++) {
            resolved[i] = formatOf(formats, i);
        }
        return resolved;
    }

    /** Describe: {@code Byte1 'S' or 'P', String name}. */
    private void onDescribe(byte[] body) {
        MessageReader r = new MessageReader(body, "Describe");
        byte kind = r.readByte();
        String name = r.readCString();
        r.expectEnd();
        if (kind == 'S') {
            Statement statement = statements.get(name);
            if (statement == null) {
                throw new SqlError("26000", "prepared statement does not exist [name=" + name + "]");
            }
            BackendMessages.parameterDescription(out(), statement.paramOids());
            describeColumns(statement.columns(), null);
        } else if (kind == 'P') {
            Portal portal = portal(name);
            if (portal == null) {
                throw new SqlError("34000", "portal does not exist [name=" + name + "]");
            }
            List<ResultColumn> columns = portal.columns();
            describeColumns(columns, columns == null ? null : resolveFormats(portal.bindResultFormats, columns.size()));
        } else {
            throw new ProtocolViolation("invalid Describe kind [kind=" + (char) kind + "]");
        }
    }

    private void describeColumns(List<ResultColumn> columns, short[] formats) {
        if (columns == null) {
            BackendMessages.noData(out());
        } else {
            BackendMessages.rowDescription(out(), columns, formats);
        }
    }

    /** Execute: {@code String portal, Int32 maxRows (0: no limit)}. */
    private void onExecute(byte[] body) {
        MessageReader r = new MessageReader(body, "Execute");
        String name = r.readCString();
        int maxRows = r.readInt32();
        r.expectEnd();
        busy = true;
        Portal portal = portal(name);
        if (portal == null) {
            throw new SqlError("34000", "portal does not exist [name=" + name + "]");
        }
        if (portal.result == null) {
            portal.result = session.execute(portal.statement.prepared(), portal.params);
            if (portal.result instanceof Result.Rows rows) {
                portal.cursor = rows.cursor();
                portal.codecs = codecs(rows.columns());
                portal.formats = resolveFormats(portal.bindResultFormats, rows.columns().size());
            }
        }
        Result result = portal.result;
        if (result instanceof Result.Rows rows) {
            if (portal.exhausted) {
                BackendMessages.commandComplete(out(), rowsTag(rows.tagVerb(), 0));
                return;
            }
            long sent;
            try {
                sent = streamRows(portal.cursor, portal.codecs, portal.formats, Math.max(0, maxRows));
            } catch (RuntimeException e) {
                portal.close();
                throw e;
            }
            if (maxRows > 0 && sent == maxRows) {
                BackendMessages.portalSuspended(out());
            } else {
                portal.close();
                BackendMessages.commandComplete(out(), rowsTag(rows.tagVerb(), sent));
            }
        } else if (result instanceof Result.Command command) {
            commandComplete(command.tag());
            if (out.writerIndex() >= FLUSH_THRESHOLD) {
                // A client pipelining Executes without Sync: its replies go out as they pile up, not all at Sync.
                flush();
                awaitWritable();
            }
        } else if (result instanceof Result.CopyIn in) {
            portal.exhausted = true;
            startCopyIn(in, null, 0, false);
        } else if (result instanceof Result.CopyOut copy) {
            portal.exhausted = true;
            streamCopyOut(copy);
        } else {
            BackendMessages.emptyQueryResponse(out());
        }
    }

    /** CommandComplete for {@code tag}, the encoded message reused while the tag is the same String. */
    private void commandComplete(String tag) {
        if (tag != lastTag) {
            ByteBuf scratch = io.netty.buffer.Unpooled.buffer(tag.length() + 8);
            BackendMessages.commandComplete(scratch, tag);
            byte[] message = new byte[scratch.readableBytes()];
            scratch.readBytes(message);
            lastTag = tag;
            lastTagMessage = message;
        }
        out().writeBytes(lastTagMessage);
    }

    /** Close: {@code Byte1 'S' or 'P', String name}; CloseComplete even if there was nothing of that name. */
    private void onClose(byte[] body) {
        MessageReader r = new MessageReader(body, "Close");
        byte kind = r.readByte();
        String name = r.readCString();
        r.expectEnd();
        if (kind == 'S') {
            removeStatement(name);
        } else if (kind == 'P') {
            closePortal(name);
        } else {
            throw new ProtocolViolation("invalid Close kind [kind=" + (char) kind + "]");
        }
        BackendMessages.closeComplete(out());
    }

    /** Sync: end the implicit transaction (rolled back after an error), then ReadyForQuery and flush. */
    private void onSync(byte[] body) {
        new MessageReader(body, "Sync").expectEnd();
        skipUntilSync = false;
        boolean failed = failedSinceSync;
        failedSinceSync = false;
        endImplicitTransaction(failed);
        readyForQuery();
    }

    // ------------------------------------------------------------------ COPY

    /**
     * A COPY FROM STDIN in progress. For a simple Query, the statements of the Query after the COPY ({@code rest}
     * from {@code next} on) run once CopyDone has arrived.
     */
    private record CopyIn(io.stillpoint.server.exec.CopyInSink sink, List<Prepared> rest, int next, boolean simple) {}

    /** CopyInResponse, flushed: the client now sends CopyData*, then CopyDone or CopyFail. */
    private void startCopyIn(Result.CopyIn in, List<Prepared> rest, int next, boolean simple) {
        BackendMessages.copyInResponse(out(), in.columnCount());
        flush();
        copyIn = new CopyIn(in.sink(), rest, next, simple);
    }

    /**
     * A message while COPY FROM STDIN runs. CopyData {@code 'd', Int32 len, Byte[len-4] data} (rows may be split
     * anywhere), CopyDone {@code 'c', Int32 4}, CopyFail {@code 'f', Int32 len, String message}. Flush and Sync
     * are ignored, as PostgreSQL does; any other message aborts the COPY. After an error the COPY is over:
     * ErrorResponse, then (simple Query) ReadyForQuery or (extended) skip to Sync; the CopyData still on its way
     * is dropped by {@link #onMessage}, which ignores copy messages outside a COPY.
     */
    private void onCopyInMessage(byte type, byte[] body) {
        CopyIn copy = copyIn;
        busy = true;
        try {
            switch (type) {
                case 'd' -> {
                    if (cancelRequested) {
                        throw new SqlError("57014", "canceling statement due to user request");
                    }
                    copy.sink().accept(body, 0, body.length);
                }
                case 'c' -> {
                    new MessageReader(body, "CopyDone").expectEnd();
                    long rows = copy.sink().finish();
                    copyIn = null;
                    BackendMessages.commandComplete(out(), "COPY " + rows);
                    if (copy.simple()) {
                        if (runSimple(copy.rest(), copy.next())) {
                            return;
                        }
                        endImplicitTransaction(false);
                        readyForQuery();
                    }
                }
                case 'f' -> {
                    MessageReader r = new MessageReader(body, "CopyFail");
                    String message = r.readCString();
                    r.expectEnd();
                    throw new SqlError("57014", "COPY from stdin failed: " + message);
                }
                case 'H', 'S' -> {
                }
                default -> throw new SqlError("08P01", "unexpected message during copy from stdin [type="
                        + (char) type + "]");
            }
        } catch (ConnectionGone | ProtocolViolation e) {
            throw e;
        } catch (RuntimeException e) {
            copyIn = null;
            statementFailed(e);
            if (copy.simple()) {
                endImplicitTransaction(true);
                readyForQuery();
            } else {
                failedSinceSync = true;
                skipUntilSync = true;
            }
        }
    }

    /** CopyOutResponse, one CopyData per row (a header first if asked), CopyDone, CommandComplete {@code COPY n}. */
    private void streamCopyOut(Result.CopyOut copy) {
        RowCursor cursor = copy.cursor();
        try {
            CopyOutWriter writer = new CopyOutWriter(copy.options(), copy.columns());
            BackendMessages.copyOutResponse(out(), copy.columns().size());
            if (copy.options().header()) {
                BackendMessages.copyDataHeader(out(), writer);
            }
            long sent = 0;
            if (writer.takesBatches()) {
                // a plain table scan: rows straight from the column chunks, no boxed values
                RowBatch batch;
                while ((batch = cursor.nextBatch()) != null) {
                    int size = batch.size();
                    for (int from = 0; from < size; from += COPY_ROWS_PER_STEP) {
                        if (cancelRequested) {
                            throw new SqlError("57014", "canceling statement due to user request");
                        }
                        if (!channelOpen) {
                            throw new ConnectionGone();
                        }
                        int to = Math.min(size, from + COPY_ROWS_PER_STEP);
                        writer.writeBatch(bulkOut(), batch, from, to);
                        sent += to - from;
                        if (out.writerIndex() >= COPY_FLUSH_THRESHOLD) {
                            flush();
                            awaitWritable();
                        }
                    }
                }
            }
            while (true) {
                if (cancelRequested) {
                    throw new SqlError("57014", "canceling statement due to user request");
                }
                if (!channelOpen) {
                    throw new ConnectionGone();
                }
                Object[] row = cursor.next();
                if (row == null) {
                    break;
                }
                BackendMessages.copyDataRow(bulkOut(), writer, row);
                sent++;
                if (out.writerIndex() >= COPY_FLUSH_THRESHOLD) {
                    flush();
                    awaitWritable();
                }
            }
            BackendMessages.copyDone(out());
            BackendMessages.commandComplete(out(), "COPY " + sent);
        } finally {
            cursor.close();
        }
    }

    // ------------------------------------------------------------------ transactions and errors

    private void endImplicitTransaction(boolean failed) {
        try {
            session.endImplicitTransaction(failed);
        } catch (ConnectionGone | ProtocolViolation e) {
            throw e;
        } catch (RuntimeException e) {
            statementFailed(e);
        }
    }

    /** ReadyForQuery with the session's status; portals die with the transaction; then flush. */
    private void readyForQuery() {
        TransactionStatus status = session.transactionStatus();
        if (status == TransactionStatus.IDLE) {
            closeAllPortals();
        }
        BackendMessages.readyForQuery(out(), status.indicator());
        busy = false;
        cancelRequested = false;
        session.clearCancel();
        flush();
    }

    /**
     * Reports a statement error and tells the session, so an explicit block becomes failed ('E') and an implicit
     * transaction rolls back (marking twice is harmless: the session may have marked it already).
     */
    private void statementFailed(RuntimeException e) {
        sendError(e);
        if (session != null) {
            try {
                session.markFailed();
            } catch (RuntimeException again) {
                LOG.log(Level.WARNING, "cannot mark transaction failed [conn=" + connectionId + "]", again);
            }
        }
    }

    private void sendError(RuntimeException e) {
        if (e instanceof SqlError se) {
            clientError(se.sqlState(), se.getMessage());
            BackendMessages.errorResponse(out(), "ERROR", se.sqlState(), se.getMessage(), se.position(), se.routine());
        } else if (e instanceof SqlParseException pe) {
            clientError(pe.sqlState(), pe.getMessage());
            BackendMessages.errorResponse(out(), "ERROR", pe.sqlState(), pe.getMessage(), pe.position());
        } else {
            metrics.error("XX000");
            LOG.log(Level.SEVERE, "internal error [conn=" + connectionId + ", user=" + user + ", sqlstate=XX000]", e);
            BackendMessages.errorResponse(out(), "ERROR", "XX000", internalMessage(e), 0);
        }
    }

    /** Every statement error a client is told of: counted by SQLSTATE class and logged once, with its SQLSTATE. */
    private void clientError(String sqlState, String message) {
        metrics.error(sqlState);
        log(Level.INFO, "statement error", "sqlstate=" + sqlState + ", reason=" + message);
    }

    private static String internalMessage(Throwable t) {
        return "internal error [exception=" + t.getClass().getSimpleName() + ", message=" + t.getMessage() + "]";
    }

    /** FATAL ErrorResponse, flush, close the connection and release the session. */
    private void fatal(String sqlState, String message) {
        metrics.error(sqlState);
        log(Level.WARNING, "connection error", "sqlstate=" + sqlState + ", reason=" + message);
        if (channel.isActive()) {
            BackendMessages.errorResponse(out(), "FATAL", sqlState, message, 0);
            flush();
        }
        closeQuietly();
    }

    private void closeQuietly() {
        phase = Phase.CLOSED;
        flush();
        channel.close();
        release();
    }

    // ------------------------------------------------------------------ portals

    private Portal portal(String name) {
        return name.isEmpty() ? unnamedPortal : portals.get(name);
    }

    private void closePortal(String name) {
        Portal p;
        if (name.isEmpty()) {
            p = unnamedPortal;
            unnamedPortal = null;
        } else {
            p = portals.remove(name);
        }
        if (p != null) {
            p.close();
        }
    }

    private void removeStatement(String name) {
        forgetBoundStatement();
        statements.remove(name);
    }

    private void forgetBoundStatement() {
        boundStatement = null;
        boundStatementName = null;
        boundStatementNameBytes = null;
    }

    private void closeAllPortals() {
        if (unnamedPortal != null) {
            Portal p = unnamedPortal;
            unnamedPortal = null;
            try {
                p.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot close cursor [conn=" + connectionId + "]", e);
            }
        }
        if (portals.isEmpty()) {
            return;
        }
        for (Portal p : portals.values()) {
            try {
                p.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot close cursor [conn=" + connectionId + "]", e);
            }
        }
        portals.clear();
    }

    /** Closes cursors and the session (which rolls back what is open); idempotent. */
    void release() {
        if (released) {
            return;
        }
        released = true;
        phase = Phase.CLOSED;
        if (out != null) {
            out.release();
            out = null;
        }
        closeAllPortals();
        forgetBoundStatement();
        statements.clear();
        if (processId != 0) {
            cancelRegistry.unregister(processId);
        }
        if (session != null) {
            try {
                session.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot close session [conn=" + connectionId + "]", e);
            }
        }
        onReleased.accept(this);
    }

    boolean isReleased() {
        return released;
    }

    boolean isAuthenticated() {
        return authenticated;
    }

    /**
     * Whether {@code f} may be processed on the connection's I/O thread ({@link PgConnectionHandler}, when the
     * connection is alone on it): its replies are a few small messages and it never waits for the client or for
     * socket space. True for Parse, Bind, Describe, Close, Sync and Flush, and for an Execute of a portal whose
     * statement only returns a command tag (an INSERT); false for anything else, for a portal that does not exist
     * (its error is the worker's to report), before startup, during COPY, after close, and while a reply the
     * worker wrote is still queued on the loop (it must reach the socket first). After an error, what
     * is skipped until Sync runs inline too. Called between messages, by the thread that would process {@code f}.
     */
    boolean runsInline(Inbound.MessageFrame f) {
        if (phase != Phase.READY || copyIn != null || f.type() == 'X' || writesFromWorker.get() != 0) {
            return false;
        }
        if (skipUntilSync) {
            return true; // ignored until Sync
        }
        return switch (f.type()) {
            case 'P', 'B', 'D', 'C', 'S', 'H' -> true;
            case 'E' -> executesOnlyACommandTag(f.body());
            default -> false;
        };
    }

    /** An Execute whose portal exists, has not run yet and only returns a command tag; a malformed one: false. */
    private boolean executesOnlyACommandTag(byte[] executeBody) {
        String name;
        try {
            name = new MessageReader(executeBody, "Execute").readCString();
        } catch (ProtocolViolation e) {
            return false; // the worker reports it
        }
        Portal portal = portal(name);
        return portal != null && portal.result == null
                && session.returnsOnlyACommandTag(portal.statement.prepared());
    }

    // ------------------------------------------------------------------ cancel

    @Override
    public int secretKey() {
        return secretKey;
    }

    /** Asks the running statement to stop (57014): checked per scanned chunk by the executor and between result rows here. */
    @Override
    public void cancel() {
        if (busy) {
            cancelRequested = true;
            Session s = session; // set before this connection was registered for cancels
            if (s != null) {
                s.cancel(); // stops a statement that has not produced a row yet (scan, aggregate, sort input)
            }
        }
    }

    // ------------------------------------------------------------------ output

    /**
     * The reply buffer for COPY TO's rows: allocated at its full size, so that filling it to
     * {@link #COPY_FLUSH_THRESHOLD} does not grow it by doubling (copying everything written so far each time).
     */
    private ByteBuf bulkOut() {
        if (out == null) {
            out = channel.alloc().buffer(COPY_FLUSH_THRESHOLD + 16 * 1024);
        }
        return out;
    }

    private ByteBuf out() {
        if (out == null) {
            out = channel.alloc().buffer(4096);
        }
        return out;
    }

    /** Hands what is buffered to the channel and flushes the socket. */
    private void flush() {
        ByteBuf buf = out;
        out = null;
        if (buf == null) {
            return;
        }
        if (!buf.isReadable() || !channel.isActive()) {
            buf.release();
            return;
        }
        if (channel.eventLoop().inEventLoop()) {
            channel.writeAndFlush(buf, channel.voidPromise());
        } else {
            // Netty queues a write from another thread as a task on the loop; until that task has run, a reply
            // written on the loop itself (runsInline) would overtake it. Counted, so nothing runs inline meanwhile.
            writesFromWorker.incrementAndGet();
            channel.writeAndFlush(buf).addListener(writeFromWorkerDone);
        }
    }

    /** Waits (on this worker thread, never an event loop) until the socket buffer drains below the low mark. */
    private void awaitWritable() {
        if (channel.eventLoop().inEventLoop()) {
            return;
        }
        if (!channel.isWritable()) {
            // Keep reading while we wait: a client blocked writing to us would otherwise never read our output.
            channel.config().setAutoRead(true);
        }
        synchronized (writabilityLock) {
            while (channel.isActive() && !channel.isWritable()) {
                try {
                    writabilityLock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (!channel.isActive()) {
            throw new ConnectionGone();
        }
    }

    /** Called by the I/O thread when the socket has closed (before the ChannelClosed element is queued). */
    void channelInactive() {
        channelOpen = false;
        writabilityChanged();
    }

    /** Called by the I/O thread when the channel's writability flips. */
    void writabilityChanged() {
        synchronized (writabilityLock) {
            writabilityLock.notifyAll();
        }
    }

    private void log(Level level, String what, String details) {
        if (LOG.isLoggable(level)) {
            LOG.log(level, what + " [conn=" + connectionId + ", remote=" + channel.remoteAddress() + ", user=" + user
                    + (details == null ? "" : ", " + details) + "]");
        }
    }
}
