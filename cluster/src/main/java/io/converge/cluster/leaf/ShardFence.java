package io.converge.cluster.leaf;

import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.FragmentException.Kind;
import io.converge.cluster.fragment.FragmentRequest;
import io.converge.cluster.log.FenceShortfall;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Holds a fragment back until its shards have applied the offsets of its fence
 * ({@link FragmentRequest#minOffsets}): a shard has applied offset {@code o} once its next offset
 * is past {@code o}, and then it holds every record up to {@code o} (the applier writes a batch's
 * documents before it advances the shard's next offset). The wait is bounded by the request's
 * deadline and its wait limit, after which the fragment fails with a retryable
 * {@link Kind#TIMEOUT} naming how far the shard got.
 *
 * <p>The applier publishes a shard's progress in a volatile ({@link LeafShard#nextOffset}) and
 * knows nothing of readers, so a waiting reader polls it, with pauses growing from 1 ms to
 * {@link #MAX_PAUSE_MILLIS}: a write is usually applied within a poll of the applier.
 */
final class ShardFence {
  /** How long a fragment waits for its fence when the request does not say. */
  static final long DEFAULT_WAIT_MILLIS = 5_000;
  /** The longest pause between two looks at a shard's next offset. */
  static final long MAX_PAUSE_MILLIS = 10;

  private ShardFence() {}

  /**
   * Returns once every shard of {@code shards} has applied its offset in the request's fence.
   *
   * @param cancelled whether the receiver went away meanwhile
   * @throws FragmentException {@link Kind#TIMEOUT} when the bound passed first,
   *     {@link Kind#UNAVAILABLE} when a shard was unassigned meanwhile, {@link Kind#CANCELLED}
   *     when interrupted or cancelled
   */
  static void await(FragmentRequest request, List<LeafShard> shards, String leafId,
      BooleanSupplier cancelled) throws FragmentException {
    if (request.minOffsets().isEmpty()) {
      return;
    }
    long start = System.currentTimeMillis();
    long limit = request.fenceWaitMillis() > 0 ? request.fenceWaitMillis() : DEFAULT_WAIT_MILLIS;
    long until = Math.min(request.deadlineMillis(), start + limit);
    for (LeafShard shard : shards) {
      Long wanted = request.minOffsets().get(shard.partition());
      if (wanted != null) {
        await(shard, wanted, start, until, leafId, cancelled);
      }
    }
  }

  private static void await(LeafShard shard, long wanted, long start, long until, String leafId,
      BooleanSupplier cancelled) throws FragmentException {
    long pause = 1;
    while (shard.nextOffset() <= wanted) {
      if (!shard.answers(System.currentTimeMillis())) {
        throw new FragmentException(Kind.UNAVAILABLE, "leaf " + leafId + " lost partition "
            + shard.partition() + " of '" + shard.collection() + "' while the read waited for"
            + " offset " + wanted);
      }
      long now = System.currentTimeMillis();
      if (now >= until) {
        throw new FragmentException(Kind.TIMEOUT, FenceShortfall.message(shard.collection(),
            shard.partition(), shard.nextOffset(), wanted, now - start));
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(pause, until - now)));
      if (Thread.currentThread().isInterrupted() || cancelled.getAsBoolean()) {
        throw new FragmentException(Kind.CANCELLED, "cancelled while the read waited for"
            + " offset " + wanted + " of partition " + shard.partition() + " of '"
            + shard.collection() + "'");
      }
      pause = Math.min(MAX_PAUSE_MILLIS, pause * 2);
    }
  }
}
