package io.converge.cluster.tailer;

import io.converge.cluster.log.CatalogLog;
import io.converge.server.tailer.TailSpec;
import java.util.ArrayList;
import java.util.List;

/** The tailers of one process ({@code --tail}, repeatable): started together, stopped together. */
public final class ClusterTailers implements AutoCloseable {
  private final List<ClusterTailer> tailers;

  private ClusterTailers(List<ClusterTailer> tailers) {
    this.tailers = tailers;
  }

  /** Parses {@code TOPIC:COLLECTION} specs; refuses a spec given twice. */
  public static List<TailSpec> parse(List<String> texts) {
    List<TailSpec> specs = new ArrayList<>();
    for (String t : texts) {
      TailSpec s = TailSpec.parse(t);
      if (specs.contains(s)) {
        throw new IllegalArgumentException("--tail " + t + " is given twice");
      }
      specs.add(s);
    }
    return specs;
  }

  /**
   * Starts one tailer per spec; when one cannot start, stops those already started and throws.
   *
   * @param partitions partitions of a collection a tailer creates
   */
  public static ClusterTailers start(String bootstrap, CatalogLog catalog, List<TailSpec> specs,
      int partitions) throws InterruptedException {
    List<ClusterTailer> started = new ArrayList<>();
    try {
      for (TailSpec s : specs) {
        started.add(ClusterTailer.start(bootstrap, catalog, s, partitions));
      }
    } catch (RuntimeException | InterruptedException e) {
      new ClusterTailers(started).close();
      throw e;
    }
    return new ClusterTailers(List.copyOf(started));
  }

  public List<ClusterTailer> tailers() {
    return tailers;
  }

  /** Waits until every tailer has stopped (closed, or failed on its own). */
  public void join() throws InterruptedException {
    for (ClusterTailer t : tailers) {
      t.awaitStopped();
    }
  }

  /** True when a tailer stopped on its own (fenced by another, refused by Kafka). */
  public boolean anyFailed() {
    return tailers.stream().anyMatch(t -> t.failure() != null);
  }

  @Override
  public void close() {
    // each waits for its transaction in flight (committed or aborted)
    for (ClusterTailer t : tailers) {
      t.close();
    }
  }
}
