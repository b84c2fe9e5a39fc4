package io.converge.cluster.transport;

import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.FragmentExecutor;
import io.converge.cluster.fragment.FragmentRequest;
import io.converge.cluster.metrics.FragmentWork;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leaf's fragment endpoint: an Arrow Flight server whose tickets are encoded {@link
 * FragmentRequest}s and whose streams carry the rows a {@link FragmentExecutor} produces.
 *
 * <p>Fragments run on a fixed pool of {@code maxRunning} threads with at most {@code maxQueued}
 * waiting; a fragment beyond that is refused at once as {@code UNAVAILABLE} (the aggregator may
 * try another replica) instead of piling up on the leaf.
 */
public final class LeafFlightServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeafFlightServer.class);
  private static final long CLOSE_WAIT_SECONDS = 5;

  private final BufferAllocator allocator;
  private final ThreadPoolExecutor pool;
  private final FlightServer server;

  private LeafFlightServer(String host, int port, FragmentExecutor executor, int maxRunning,
      int maxQueued) throws IOException {
    this.allocator = new RootAllocator();
    this.pool = fragmentPool(maxRunning, maxQueued);
    this.server = FlightServer.builder(allocator, Location.forGrpcInsecure(host, port),
        new Producer(executor)).build();
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Starts a server on {@code host} (null for 127.0.0.1) and {@code port} (0 for any free one). */
  public static LeafFlightServer start(String host, int port, FragmentExecutor executor)
      throws IOException {
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    return start(host, port, executor, threads, 8 * threads);
  }

  /**
   * Starts a server that runs at most {@code maxRunning} fragments at once and keeps at most
   * {@code maxQueued} more waiting.
   */
  public static LeafFlightServer start(String host, int port, FragmentExecutor executor,
      int maxRunning, int maxQueued) throws IOException {
    return new LeafFlightServer(host == null ? "127.0.0.1" : host, port, executor, maxRunning,
        maxQueued);
  }

  /** The bound port. */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    // interrupt running fragments first, so that the server's shutdown does not wait for them
    pool.shutdownNow();
    try {
      server.close();
      if (!pool.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        LOG.warn("fragments still running after {} s of shutdown", CLOSE_WAIT_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      allocator.close();
    } catch (IllegalStateException e) {
      // buffers of a batch gRPC never wrote, freed when their last reference goes
      LOG.warn("leaf flight allocator closed with buffers outstanding: {}",
          FlightErrors.oneLine(e.getMessage()));
    }
  }

  private static ThreadPoolExecutor fragmentPool(int maxRunning, int maxQueued) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(maxRunning, maxRunning, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(Math.max(1, maxQueued)), r -> {
          Thread t = new Thread(r, "leaf-fragment-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** Hands each ticket to the fragment pool; only DoGet is served. */
  private final class Producer extends NoOpFlightProducer {
    private final FragmentExecutor executor;

    Producer(FragmentExecutor executor) {
      this.executor = executor;
    }

    @Override
    public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
      FragmentRequest request;
      long cpu = FragmentWork.start();
      try {
        request = FragmentRequest.decode(ticket.getBytes());
      } catch (RuntimeException e) {
        listener.error(CallStatus.INVALID_ARGUMENT
            .withDescription("not a fragment ticket: " + FlightErrors.oneLine(e.getMessage()))
            .toRuntimeException());
        return;
      } finally {
        FragmentWork.stop(cpu);
      }
      try {
        pool.execute(() -> run(request, listener));
      } catch (RejectedExecutionException e) {
        listener.error(CallStatus.UNAVAILABLE
            .withDescription("leaf busy: " + pool.getActiveCount() + " fragments running, "
                + pool.getQueue().size() + " waiting")
            .toRuntimeException());
      }
    }

    private void run(FragmentRequest request, ServerStreamListener listener) {
      if (listener.isCancelled()) {
        return;
      }
      long cpu = FragmentWork.start();
      try (ArrowBatchSink sink = new ArrowBatchSink(allocator, listener,
          request.deadlineMillis())) {
        if (request.deadlineMillis() > 0 && System.currentTimeMillis() > request.deadlineMillis()) {
          throw new FragmentException(FragmentException.Kind.TIMEOUT,
              "fragment deadline passed while it waited at the leaf");
        }
        executor.execute(request, sink);
        sink.finish();
      } catch (FragmentException e) {
        fail(listener, FlightErrors.toStatus(e));
      } catch (RuntimeException | Error e) {
        LOG.warn("fragment {} failed", request.queryId(), e);
        fail(listener, CallStatus.INTERNAL.withCause(e)
            .withDescription(e.getClass().getSimpleName() + ": " + FlightErrors.oneLine(e.getMessage())));
      } finally {
        FragmentWork.stop(cpu);
      }
    }

    private void fail(ServerStreamListener listener, CallStatus status) {
      if (listener.isCancelled()) {
        return;
      }
      try {
        listener.error(status.toRuntimeException());
      } catch (RuntimeException e) {
        LOG.debug("could not report a failed fragment", e);
      }
    }
  }
}
