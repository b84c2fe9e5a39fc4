package io.converge.server.http;

import io.converge.storage.json.PreparedDocument;
import java.util.Map;

/**
 * A document of a write request that passed every check.
 *
 * @param prepared its {@code _id} (given or generated), event time and encoded row
 * @param source the parsed JSON object as sent, or null unless {@link
 *     DocumentService#needsSources()}
 * @param receivedMillis when the request was parsed: the event time of a document without
 *     {@code _event_time}
 */
public record AcceptedDocument(PreparedDocument prepared, Map<String, Object> source,
    long receivedMillis) {}
