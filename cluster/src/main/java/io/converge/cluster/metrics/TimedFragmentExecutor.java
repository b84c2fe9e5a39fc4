package io.converge.cluster.metrics;

import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.FragmentExecutor;
import io.converge.cluster.fragment.FragmentRequest;
import io.converge.cluster.fragment.RowSink;
import io.converge.server.metrics.ConvergeMetrics;
import io.converge.server.metrics.QueryMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * A leaf's {@link FragmentExecutor} timed: every fragment, answered or not, is one sample of
 * {@code converge_query_seconds{role="leaf",request="fragment"}} (its count is the fragments
 * executed), and each refused or failed one counts in
 * {@code converge_leaf_fragment_failures_total{kind}}. The calling thread's CPU time counts in
 * {@link FragmentWork} (unless the transport counts it already).
 */
public final class TimedFragmentExecutor implements FragmentExecutor {
  static final String FAILURES = "converge.leaf.fragment.failures";

  private final FragmentExecutor executor;
  private final Timer latency = QueryMetrics.of("leaf").latency("fragment");

  public TimedFragmentExecutor(FragmentExecutor executor) {
    this.executor = executor;
    FragmentWork.register();
  }

  @Override
  public void execute(FragmentRequest request, RowSink sink) throws FragmentException {
    long t0 = System.nanoTime();
    long cpu = FragmentWork.start();
    try {
      executor.execute(request, sink);
    } catch (FragmentException e) {
      failed(e.kind().name());
      throw e;
    } catch (RuntimeException | Error e) {
      failed(FragmentException.Kind.FAILED.name());
      throw e;
    } finally {
      FragmentWork.stop(cpu);
      latency.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
    }
  }

  private static void failed(String kind) {
    Counter.builder(FAILURES).description("fragments this leaf refused or failed, by kind")
        .tag("kind", kind).register(ConvergeMetrics.registry()).increment();
  }
}
