package io.converge.cluster.transport;

import io.converge.cluster.fragment.FragmentColumn;
import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.FragmentException.Kind;
import io.converge.cluster.fragment.RowSink;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.BackpressureStrategy;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A leaf's {@link RowSink} that packs rows into Arrow record batches and sends them on a Flight
 * stream, waiting while the aggregator is not ready for more (Flight's callback backpressure).
 * The offsets the answer reflects go in the schema's metadata ({@link AppliedOffsets}).
 *
 * <p>Batches start small, so that the first rows reach a LIMIT early, and grow to {@value
 * #MAX_ROWS} rows or about {@value #MAX_BYTES} bytes; a batch that has waited {@value
 * #MAX_LINGER_MILLIS} ms for more rows goes out as it is. {@link #row} returns false once the
 * aggregator cancelled the call or the fragment's deadline passed while it was not reading.
 */
final class ArrowBatchSink implements RowSink, AutoCloseable {
  static final int FIRST_ROWS = 512;
  static final int MAX_ROWS = 65_536;
  static final int MAX_BYTES = 2 << 20;
  static final long MAX_LINGER_MILLIS = 50;
  /** Rows between two looks at the clock and at the call's cancellation. */
  private static final int CHECK_EVERY = 64;
  /** Longest single wait for readiness when the fragment has no deadline. */
  private static final long WAIT_SLICE_MILLIS = 1_000;

  private final BufferAllocator allocator;
  private final ServerStreamListener listener;
  private final long deadlineMillis;
  private final BackpressureStrategy.CallbackBackpressureStrategy backpressure =
      new BackpressureStrategy.CallbackBackpressureStrategy();

  private Map<Integer, Long> applied = Map.of();
  private VectorSchemaRoot root;
  private ArrowRows.Writer[] writers;
  private int rows;
  private long bytes;
  private int batchRows = FIRST_ROWS;
  private long batchStartNanos;
  private boolean stopped;
  private boolean timedOut;

  ArrowBatchSink(BufferAllocator allocator, ServerStreamListener listener, long deadlineMillis) {
    this.allocator = allocator;
    this.listener = listener;
    this.deadlineMillis = deadlineMillis;
    backpressure.register(listener);
  }

  @Override
  public void applied(Map<Integer, Long> offsets) {
    if (root != null) {
      throw new IllegalStateException("applied offsets after the columns");
    }
    applied = Map.copyOf(offsets);
  }

  @Override
  public void columns(List<FragmentColumn> columns) {
    if (root != null) {
      throw new IllegalStateException("columns were already given");
    }
    root = VectorSchemaRoot.create(AppliedOffsets.with(ArrowRows.schema(columns), applied),
        allocator);
    writers = new ArrowRows.Writer[columns.size()];
    for (int i = 0; i < writers.length; i++) {
      writers[i] = ArrowRows.writer(columns.get(i), root.getVector(i));
    }
    allocate();
    listener.start(root);
  }

  /** Fresh buffers sized for the next batch (a default-sized batch is ~4k rows per column). */
  private void allocate() {
    for (FieldVector v : root.getFieldVectors()) {
      v.setInitialCapacity(batchRows);
    }
    root.allocateNew();
  }

  @Override
  public boolean cancelled() {
    return listener.isCancelled();
  }

  @Override
  public boolean row(Object[] values) {
    if (stopped) {
      return false;
    }
    if (root == null) {
      throw new IllegalStateException("row before columns");
    }
    if (rows == 0) {
      batchStartNanos = System.nanoTime();
    }
    for (int i = 0; i < writers.length; i++) {
      bytes += writers[i].set(rows, values[i]);
    }
    rows++;
    if (rows >= batchRows || bytes >= MAX_BYTES) {
      flush();
    } else if (rows % CHECK_EVERY == 0) {
      if (listener.isCancelled() || Thread.currentThread().isInterrupted()) {
        // the aggregator went away, or the leaf is shutting down
        stopped = true;
      } else if (System.nanoTime() - batchStartNanos > MAX_LINGER_MILLIS * 1_000_000L) {
        flush();
      }
    }
    return !stopped;
  }

  /**
   * Ends the stream after the executor returned: sends the last rows and completes it, or fails
   * it if the fragment ran out of time waiting for the aggregator.
   */
  void finish() throws FragmentException {
    if (timedOut) {
      throw new FragmentException(Kind.TIMEOUT,
          "fragment deadline passed while the aggregator was not reading");
    }
    if (stopped) {
      return;
    }
    if (root == null) {
      throw new FragmentException(Kind.FAILED, "the fragment gave no columns");
    }
    if (rows > 0) {
      send(false);
    }
    if (timedOut) {
      throw new FragmentException(Kind.TIMEOUT,
          "fragment deadline passed while the aggregator was not reading");
    }
    if (!stopped) {
      listener.completed();
    }
  }

  private void flush() {
    send(true);
  }

  /** Sends the rows held; {@code more}: rows follow, so fresh buffers are needed. */
  private void send(boolean more) {
    if (!awaitReady()) {
      stopped = true;
      return;
    }
    root.setRowCount(rows);
    listener.putNext();
    rows = 0;
    bytes = 0;
    if (more) {
      batchRows = Math.min(MAX_ROWS, batchRows * 4);
      // the sent batch keeps its buffers until gRPC has written them: fill fresh ones
      allocate();
    }
  }

  private boolean awaitReady() {
    while (true) {
      long wait = WAIT_SLICE_MILLIS;
      if (deadlineMillis > 0) {
        long left = deadlineMillis - System.currentTimeMillis();
        if (left <= 0) {
          if (listener.isCancelled()) {
            return false;
          }
          if (listener.isReady()) {
            return true;
          }
          timedOut = true;
          return false;
        }
        wait = Math.min(wait, left);
      }
      switch (backpressure.waitForListener(wait)) {
        case READY:
          return true;
        case TIMEOUT:
          continue;
        default:
          // cancelled by the aggregator, or the leaf is shutting down
          return false;
      }
    }
  }

  @Override
  public void close() {
    if (root != null) {
      root.close();
    }
  }
}
