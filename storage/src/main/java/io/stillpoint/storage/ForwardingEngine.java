package io.stillpoint.storage;

import java.util.List;
import java.util.Objects;

/**
 * An {@link Engine} that passes every call to another one; a wrapper extends it and overrides only what it changes
 * (metrics around commits, recording what a planner looked up). Every method of {@link Engine} is forwarded here,
 * so a method added to the interface reaches the real engine through every wrapper instead of falling back to the
 * interface's UNSUPPORTED default in one of them.
 */
public abstract class ForwardingEngine implements Engine {

    private final Engine delegate;

    protected ForwardingEngine(Engine delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The engine the calls go to. */
    protected final Engine delegate() {
        return delegate;
    }

    @Override
    public boolean createTable(TableSchema schema, boolean ifNotExists) {
        return delegate.createTable(schema, ifNotExists);
    }

    @Override
    public boolean dropTable(String name, boolean ifExists) {
        return delegate.dropTable(name, ifExists);
    }

    @Override
    public void renameTable(String from, String to) {
        delegate.renameTable(from, to);
    }

    @Override
    public void addColumn(String table, ColumnSpec column) {
        delegate.addColumn(table, column);
    }

    @Override
    public void dropColumn(String table, String column) {
        delegate.dropColumn(table, column);
    }

    @Override
    public void setTtl(String table, Ttl ttl) {
        delegate.setTtl(table, ttl);
    }

    @Override
    public TableSchema schema(String name) {
        return delegate.schema(name);
    }

    @Override
    public boolean tableExists(String name) {
        return delegate.tableExists(name);
    }

    @Override
    public List<TableInfo> tables() {
        return delegate.tables();
    }

    @Override
    public TableSnapshot snapshot(String table) {
        return delegate.snapshot(table);
    }

    @Override
    public WriteTransaction beginWrite() {
        return delegate.beginWrite();
    }

    @Override
    public Checkpoints checkpoints() {
        return delegate.checkpoints();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
