package io.converge.server.tailer;

import io.converge.storage.ConvergeStore;
import java.util.regex.Pattern;

/** One {@code --tail TOPIC:COLLECTION}: a Kafka topic written into a Converge collection. */
public record TailSpec(String topic, String collection) {
  /** Kafka's own rule for topic names (so a topic never contains the ':' separator). */
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  public TailSpec {
    if (topic == null || !TOPIC.matcher(topic).matches()) {
      throw new IllegalArgumentException("'" + topic + "' is not a Kafka topic name "
          + "(1-249 characters of a-z, A-Z, 0-9, '.', '_', '-')");
    }
    ConvergeStore.validateName(collection);
  }

  /** Parses {@code TOPIC:COLLECTION}; the collection may itself contain ':'. */
  public static TailSpec parse(String text) {
    int colon = text == null ? -1 : text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("--tail wants TOPIC:COLLECTION, got '" + text + "'");
    }
    return new TailSpec(text.substring(0, colon), text.substring(colon + 1));
  }

  @Override
  public String toString() {
    return topic + " -> " + collection;
  }
}
