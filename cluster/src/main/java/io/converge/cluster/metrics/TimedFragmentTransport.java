package io.converge.cluster.metrics;

import io.converge.cluster.fragment.FragmentColumn;
import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.FragmentRequest;
import io.converge.cluster.fragment.FragmentStream;
import io.converge.cluster.fragment.FragmentTransport;
import io.converge.cluster.fragment.LeafEndpoint;
import io.converge.server.metrics.ConvergeMetrics;
import io.converge.server.metrics.QueryMetrics;
import io.micrometer.core.instrument.Counter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An aggregator's {@link FragmentTransport} timed per leaf: each stream, from opening it to
 * closing it (the leaf's work plus the transfer of its rows), is one sample of
 * {@code converge_fragment_seconds{leaf}}, and each failure to open or read one counts in
 * {@code converge_fragment_failures_total{leaf,kind}}.
 */
public final class TimedFragmentTransport implements FragmentTransport {
  static final String LATENCY = "converge.fragment";
  static final String FAILURES = "converge.fragment.failures";

  private final FragmentTransport transport;
  /** Each leaf's latency timer, registered once (a stream per leaf per query looks it up). */
  private final java.util.Map<String, io.micrometer.core.instrument.Timer> latency =
      new java.util.concurrent.ConcurrentHashMap<>();

  public TimedFragmentTransport(FragmentTransport transport) {
    this.transport = transport;
    GatherMetrics.register();
  }

  @Override
  public FragmentStream open(LeafEndpoint leaf, FragmentRequest request)
      throws FragmentException {
    long t0 = System.nanoTime();
    try {
      return new Timed(leaf, transport.open(leaf, request), t0);
    } catch (FragmentException e) {
      failed(leaf, e.kind());
      record(leaf, t0);
      throw e;
    }
  }

  private void record(LeafEndpoint leaf, long t0) {
    latency.computeIfAbsent(leaf.leafId(), id -> QueryMetrics.latencyTimer(LATENCY,
        "one fragment's stream from a leaf, open to close").tag("leaf", id)
        .register(ConvergeMetrics.registry()))
        .record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
  }

  private static void failed(LeafEndpoint leaf, FragmentException.Kind kind) {
    Counter.builder(FAILURES).description("fragments a leaf refused or failed, by kind")
        .tags("leaf", leaf.leafId(), "kind", kind.name())
        .register(ConvergeMetrics.registry()).increment();
  }

  @Override
  public void close() {
    transport.close();
  }

  /** A stream that records its time once, when closed. */
  private final class Timed implements FragmentStream {
    private final LeafEndpoint leaf;
    private final FragmentStream stream;
    private final long t0;
    private boolean closed;

    Timed(LeafEndpoint leaf, FragmentStream stream, long t0) {
      this.leaf = leaf;
      this.stream = stream;
      this.t0 = t0;
    }

    @Override
    public List<FragmentColumn> columns() throws FragmentException {
      try {
        return stream.columns();
      } catch (FragmentException e) {
        failed(leaf, e.kind());
        throw e;
      }
    }

    @Override
    public Map<Integer, Long> appliedOffsets() {
      return stream.appliedOffsets();
    }

    @Override
    public Object[] next() throws FragmentException {
      try {
        return stream.next();
      } catch (FragmentException e) {
        failed(leaf, e.kind());
        throw e;
      }
    }

    @Override
    public void close() {
      try {
        stream.close();
      } finally {
        if (!closed) {
          closed = true;
          record(leaf, t0);
        }
      }
    }
  }
}
