/**
 * The PostgreSQL frontend/backend protocol v3 on Netty 4.1: what psql 15 and pgjdbc 42.7 need (see
 * shared/brief/pgwire.md).
 *
 * <pre>
 * socket ─▶ PgFrameDecoder (I/O thread: untyped startup frames, then typed frames, hard length limits)
 *        ─▶ PgConnectionHandler (hands frames, in order, to the connection's serial queue on a worker thread)
 *        ─▶ PgConnection (state machine: startup, SCRAM-SHA-256 / cleartext auth, simple and extended query,
 *                         on an executor Session) ─▶ BackendMessages into one buffer, flushed at Sync/Query end
 * </pre>
 *
 * Entry points for the process: {@link io.stillpoint.server.pgwire.PgServer},
 * {@link io.stillpoint.server.pgwire.PgServerConfig}, {@link io.stillpoint.server.pgwire.UserAccount},
 * {@link io.stillpoint.server.pgwire.AuthMethod}. Value codecs, one class per PostgreSQL type, live in
 * {@code io.stillpoint.server.pgwire.types}.
 */
package io.stillpoint.server.pgwire;
