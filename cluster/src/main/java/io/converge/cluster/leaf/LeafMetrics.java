package io.converge.cluster.leaf;

import io.converge.server.metrics.ConvergeMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A leaf's per-partition metrics, read from its shards at each scrape and tagged with
 * {@code leaf}, {@code collection} and {@code partition}:
 * {@code converge_leaf_applied_records_total} (records of the log applied since the leaf started,
 * malformed ones included), {@code converge_leaf_rejected_records_total} (skipped: malformed, or
 * not fitting a declared table), {@code converge_leaf_ingest_lag_records} (the partition's end
 * offset, refreshed about every second by the applier, minus the next offset to apply; NaN while
 * the partition is not assigned here or its end is not known yet),
 * {@code converge_leaf_applied_offset} (the next offset to apply) and
 * {@code converge_leaf_partition_assigned} (1 while this leaf's consumer owns the partition).
 */
final class LeafMetrics implements AutoCloseable {
  private final MeterRegistry registry = ConvergeMetrics.registry();
  private final String leafId;
  private final LeafShards shards;
  private final Map<LeafShard, List<Meter>> meters = new HashMap<>();
  private final Runnable refresh = this::refresh;

  LeafMetrics(String leafId, LeafShards shards) {
    this.leafId = leafId;
    this.shards = shards;
    refresh();
    ConvergeMetrics.beforeScrape(refresh);
  }

  /** Registers the meters of shards created since the last scrape. */
  private synchronized void refresh() {
    for (LeafShard s : shards.all()) {
      meters.computeIfAbsent(s, this::register);
    }
  }

  private List<Meter> register(LeafShard s) {
    Tags tags = Tags.of("leaf", leafId, "collection", s.collection(),
        "partition", String.valueOf(s.partition()));
    List<Meter> m = new ArrayList<>();
    m.add(FunctionCounter.builder("converge.leaf.applied.records", s, LeafShard::appliedRecords)
        .description("records of the partition applied since the leaf started")
        .tags(tags).register(registry));
    m.add(FunctionCounter.builder("converge.leaf.rejected.records", s,
        LeafShard::malformedRecords)
        .description("records of the partition skipped: malformed or not fitting the table")
        .tags(tags).register(registry));
    m.add(Gauge.builder("converge.leaf.ingest.lag", s, LeafMetrics::lag)
        .description("records of the partition in Kafka not applied yet")
        .baseUnit("records").tags(tags).register(registry));
    m.add(Gauge.builder("converge.leaf.applied.offset", s, LeafShard::nextOffset)
        .description("the partition's next offset to apply").tags(tags).register(registry));
    m.add(Gauge.builder("converge.leaf.partition.assigned", s, x -> x.assigned() ? 1 : 0)
        .description("1 while this leaf's consumer owns the partition").tags(tags)
        .register(registry));
    m.add(Gauge.builder("converge.leaf.partition.handing.off", s, x -> x.handingOff() ? 1 : 0)
        .description("1 while this leaf serves the partition its group gave another leaf, "
            + "until that leaf serves it").tags(tags).register(registry));
    return m;
  }

  static double lag(LeafShard s) {
    long end = s.endOffset();
    boolean applying = s.assigned() || s.handingOff();
    return !applying || end < 0 ? Double.NaN : Math.max(0, end - s.nextOffset());
  }

  @Override
  public synchronized void close() {
    ConvergeMetrics.removeBeforeScrape(refresh);
    meters.values().forEach(list -> list.forEach(registry::remove));
    meters.clear();
  }
}
