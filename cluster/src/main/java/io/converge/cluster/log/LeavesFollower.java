package io.converge.cluster.log;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@link ClusterTopics#LEAVES} from its beginning on a background thread, keeping the
 * latest announcement per leaf id (a null value removes the leaf), and calls back after each
 * batch that changed something. Aggregators route by what it holds; a leaf handing a partition
 * over watches it for the moment a peer serves that partition.
 */
public final class LeavesFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeavesFollower.class);

  private final Map<String, LeafAnnouncement> latest = new ConcurrentHashMap<>();
  /** When this process last read each leaf's announcement (its own clock, not the leaf's). */
  private final Map<String, Long> heardMillis = new ConcurrentHashMap<>();
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final Consumer<Map<String, LeafAnnouncement>> onChange;
  private final Map<TopicPartition, Long> initialEnd;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private volatile boolean closed;

  public LeavesFollower(String bootstrap, Consumer<Map<String, LeafAnnouncement>> onChange) {
    this.onChange = onChange;
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    this.consumer = new KafkaConsumer<>(c);
    List<TopicPartition> parts = new ArrayList<>();
    List<PartitionInfo> infos = consumer.partitionsFor(ClusterTopics.LEAVES, Duration.ofSeconds(30));
    for (PartitionInfo p : infos) {
      parts.add(new TopicPartition(p.topic(), p.partition()));
    }
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    this.initialEnd = consumer.endOffsets(parts, Duration.ofSeconds(30));
    this.thread = new Thread(this::follow, "converge-leaves-follower");
    thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  public Map<String, LeafAnnouncement> latest() {
    return Map.copyOf(latest);
  }

  private void follow() {
    try {
      while (!closed) {
        boolean changed = false;
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key() == null) {
            continue;
          }
          String id = new String(r.key(), StandardCharsets.UTF_8);
          if (r.value() == null) {
            heardMillis.remove(id);
            changed |= latest.remove(id) != null;
          } else {
            try {
              latest.put(id, LeafAnnouncement.decode(r.value()));
              // while reading what the topic held, a record is as recent as its own timestamp says
              // (a leaf dead for an hour is not heard now); afterwards, as its arrival
              long now = System.currentTimeMillis();
              heardMillis.put(id, caughtUp.getCount() > 0 ? Math.min(now, r.timestamp()) : now);
              changed = true;
            } catch (IllegalArgumentException e) {
              LOG.warn("skipping leaf announcement {} at offset {}: {}", id, r.offset(),
                  e.getMessage());
            }
          }
        }
        if (changed) {
          onChange.accept(latest());
        }
        if (caughtUp.getCount() > 0 && readTo(initialEnd)) {
          caughtUp.countDown();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      if (!closed) {
        LOG.error("the leaves follower stopped: {}", e.toString(), e);
      }
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /**
   * The leaves whose announcement this follower read within the last {@code millis}: alive by
   * their own word (leaves announce about every second), for a leaf that has left its consumer
   * group to drain.
   */
  public Set<String> heardWithin(long millis) {
    long since = System.currentTimeMillis() - millis;
    Set<String> out = new HashSet<>();
    for (Map.Entry<String, Long> e : heardMillis.entrySet()) {
      if (e.getValue() >= since) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  /** How long ago this follower read the leaf's latest announcement; -1 when never. */
  public long heardMillisAgo(String leafId) {
    Long heard = heardMillis.get(leafId);
    return heard == null ? -1 : Math.max(0, System.currentTimeMillis() - heard);
  }

  private boolean readTo(Map<TopicPartition, Long> ends) {
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Waits until what the topic held when this follower was made has been read. */
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
