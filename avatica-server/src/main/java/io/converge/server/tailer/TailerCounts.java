package io.converge.server.tailer;

import java.util.concurrent.atomic.AtomicLong;

/** Running totals of one tailer, readable from any thread. Counted once a batch is committed. */
public final class TailerCounts {
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong upserts = new AtomicLong();
  private final AtomicLong deletes = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();

  void committed(TailBatch b) {
    records.addAndGet(b.records());
    upserts.addAndGet(b.upserts());
    deletes.addAndGet(b.deletes());
    malformed.addAndGet(b.malformed().size());
    batches.incrementAndGet();
  }

  /** Kafka records consumed and committed (documents, tombstones and malformed ones). */
  public long records() {
    return records.get();
  }

  /** Documents written (inserted or replaced). */
  public long upserts() {
    return upserts.get();
  }

  /** Tombstones applied (whether or not the key existed). */
  public long deletes() {
    return deletes.get();
  }

  /** Records skipped because they could not become a document (each was logged). */
  public long malformed() {
    return malformed.get();
  }

  public long batches() {
    return batches.get();
  }

  @Override
  public String toString() {
    return records() + " records in " + batches() + " batches: " + upserts() + " upserts, "
        + deletes() + " deletes, " + malformed() + " malformed";
  }
}
