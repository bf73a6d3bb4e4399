package io.stillpoint.storage;

import io.stillpoint.storage.fs.FileSystemFacade;

import java.nio.file.Path;

/** Where the engine lives and which file system facade it goes through (tests pass a fault-injecting one). */
public record EngineConfig(Path root, FileSystemFacade fs) {

    public static EngineConfig of(Path root) {
        return new EngineConfig(root, FileSystemFacade.real());
    }
}
