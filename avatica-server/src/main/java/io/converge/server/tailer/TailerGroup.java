package io.converge.server.tailer;

import io.converge.storage.ConvergeStore;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/** The tailers of one server: started together, stopped together (before the store closes). */
public final class TailerGroup implements AutoCloseable {
  private final List<KafkaTailer> tailers;

  private TailerGroup(List<KafkaTailer> tailers) {
    this.tailers = tailers;
  }

  /**
   * Starts one tailer per spec. {@code configFile} (may be null) is a Java properties file of
   * Kafka consumer settings applied to every tailer.
   */
  public static TailerGroup start(ConvergeStore store, String bootstrapServers,
      List<TailSpec> specs, Path configFile) throws IOException {
    checkDistinct(specs);
    Properties overrides = new Properties();
    if (configFile != null) {
      try (Reader r = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
        overrides.load(r);
      }
    }
    List<KafkaTailer> started = new ArrayList<>();
    try {
      for (TailSpec s : specs) {
        started.add(KafkaTailer.start(store, bootstrapServers, s, overrides));
      }
    } catch (RuntimeException e) {
      new TailerGroup(started).close();
      throw e;
    }
    return new TailerGroup(List.copyOf(started));
  }

  /** The same topic into the same collection twice would write each record twice. */
  public static void checkDistinct(List<TailSpec> specs) {
    Set<TailSpec> seen = new HashSet<>();
    for (TailSpec s : specs) {
      if (!seen.add(s)) {
        throw new IllegalArgumentException("--tail " + s.topic() + ":" + s.collection()
            + " is given twice (each record would be written twice)");
      }
    }
  }

  public List<KafkaTailer> tailers() {
    return tailers;
  }

  @Override
  public void close() {
    for (KafkaTailer t : tailers) {
      t.close();
    }
  }
}
