package io.stillpoint.storage;

/** A data file an active checkpoint depends on: its path relative to the root ('/' separators) and committed length. */
public record CheckpointFile(String path, long committedLength) {
}
