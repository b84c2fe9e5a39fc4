package io.converge.cluster.leaf;

import io.converge.cluster.log.ClusterTopics;
import io.converge.cluster.log.FieldStats;
import io.converge.cluster.log.LeafAnnouncement;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes the leaf's {@link LeafAnnouncement} to {@link ClusterTopics#LEAVES}. Thread-safe. */
final class LeafAnnouncer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeafAnnouncer.class);

  private final KafkaProducer<byte[], byte[]> producer;
  private final String leafId;
  private final String replicaGroup;
  private final String host;
  private final LeafShards shards;
  private final byte[] key;
  private volatile int port;
  private volatile int metricsPort;
  private volatile boolean draining;

  LeafAnnouncer(String bootstrap, String leafId, String replicaGroup, String host,
      LeafShards shards) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, leafId + "-announcer");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    this.producer = new KafkaProducer<>(p);
    this.leafId = leafId;
    this.replicaGroup = replicaGroup;
    this.host = host;
    this.shards = shards;
    this.key = leafId.getBytes(StandardCharsets.UTF_8);
  }

  /** The fragment endpoint's port to announce. */
  void port(int value) {
    port = value;
  }

  /** The metrics port to announce (0: none). */
  void metricsPort(int value) {
    metricsPort = value;
  }

  /** Announces the leaf as draining from now on. */
  void draining(boolean value) {
    draining = value;
  }

  /** What the leaf would announce now. */
  LeafAnnouncement current() {
    long now = System.currentTimeMillis();
    List<LeafAnnouncement.Shard> list = new ArrayList<>();
    for (LeafShard s : shards.all()) {
      list.add(new LeafAnnouncement.Shard(s.collection(), s.partition(), s.assigned(),
          // an end not looked at yet stays unknown (-1): announcing the next offset instead
          // would claim a shard caught up before it has read anything
          s.nextOffset(), s.endOffset() < 0 ? -1 : Math.max(s.endOffset(), s.nextOffset()),
          s.store().documentCount(),
          FieldStats.of(s.store().schema()), s.lagMillis(now), s.catchingUp(now),
          s.handingOff()));
    }
    list.sort(Comparator.comparing(LeafAnnouncement.Shard::collection)
        .thenComparingInt(LeafAnnouncement.Shard::partition));
    return new LeafAnnouncement(leafId, replicaGroup, host, port, ProcessHandle.current().pid(),
        now, List.copyOf(list), metricsPort, draining);
  }

  /** Sends the current announcement (asynchronously; failures are logged). */
  void announce() {
    send(current().encode());
  }

  /** Writes the null announcement of a clean stop and waits for it, at most {@code timeout}. */
  void retract(Duration timeout) {
    try {
      send(null).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("leaf {}: the stop announcement was not acknowledged: {}", leafId, e.toString());
    }
  }

  private java.util.concurrent.Future<?> send(byte[] value) {
    return producer.send(new ProducerRecord<>(ClusterTopics.LEAVES, key, value), (m, e) -> {
      if (e != null) {
        LOG.warn("leaf {}: announcement not written: {}", leafId, e.toString());
      }
    });
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
