package io.converge.storage.write;

/**
 * What a committed batch did: documents inserted (new {@code _id}), replaced (existing
 * {@code _id}), deleted, and deletes that found nothing. {@code deleted[i]} is per mutation.
 */
public record WriteSummary(int inserted, int replaced, int deleted, int notFound,
    boolean[] found) {}
