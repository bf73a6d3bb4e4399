package io.stillpoint.server.exec;

import io.stillpoint.storage.Engine;

import java.util.Map;
import java.util.Objects;

/**
 * The SQL executor: runs parsed statements against the storage engine. One instance per server, shared by
 * every connection; each connection gets its own {@link Session} from {@link #openSession}.
 */
public final class SqlExecutor implements QueryEngine {

    private final Engine engine;

    public SqlExecutor(Engine engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
    }

    @Override
    public Session openSession(String user, Role role, Map<String, String> startupOptions) {
        return new ExecSession(engine, user, role, startupOptions == null ? Map.of() : startupOptions);
    }
}
