package io.converge.storage.json;

import java.util.List;

/**
 * A validated document ready to write: its {@code _id}, event time, row-store bytes and leaves.
 * Built outside the collection's write lock, so parsing and encoding run in parallel with writes.
 */
public record PreparedDocument(String id, long eventTimeMillis, byte[] row, List<String> paths,
    List<Object> values, List<String> objectPaths) {}
