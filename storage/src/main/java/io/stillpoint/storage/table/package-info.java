/**
 * The table storage engine behind {@link io.stillpoint.storage.Engine}: {@link io.stillpoint.storage.table.TableEngine}
 * (entry point, registry, layout), the table registry file, per-table {@code _txn} commit records, append-only
 * column files, committed snapshots and the write path.
 *
 * <p>Commit protocol, per commit of one table (commits of a table serialize on its commit lock): encode the
 * buffered rows column-wise into reusable buffers; one positional write per touched file at its committed size
 * (bytes past it, left by a failed or crashed commit, are simply overwritten); fdatasync of all touched files
 * concurrently, together with the fsync of any directory in which a file or directory was created; then one
 * in-place write of the new state into the {@code _txn} slot of the state before last and one fdatasync; then
 * publish the state to readers. A reader pins one published state and never reads past its sizes.
 */
package io.stillpoint.storage.table;
