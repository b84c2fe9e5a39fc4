package io.converge.server.http;

import java.util.Map;

/**
 * What a {@link DocumentService} reports of a write.
 *
 * @param inserted documents whose {@code _id} was new, or null when the service cannot know
 * @param replaced documents that replaced an existing {@code _id}, or null when unknown
 * @param fence for a log-backed service, per partition the offset of the request's last record
 *     in it (a reader that has applied these offsets sees the write); null otherwise
 */
public record WriteOutcome(Integer inserted, Integer replaced, Map<Integer, Long> fence) {}
