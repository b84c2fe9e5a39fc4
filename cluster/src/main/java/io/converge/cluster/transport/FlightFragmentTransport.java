package io.converge.cluster.transport;

import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.FragmentRequest;
import io.converge.cluster.fragment.FragmentStream;
import io.converge.cluster.fragment.FragmentTransport;
import io.converge.cluster.fragment.LeafEndpoint;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregator's side of the fragment transport over Arrow Flight: one allocator for the
 * process, one {@link FlightClient} (one gRPC channel) per leaf, kept for later fragments.
 * Thread-safe; each stream it opens is read by one thread.
 */
public final class FlightFragmentTransport implements FragmentTransport {
  private static final Logger LOG = LoggerFactory.getLogger(FlightFragmentTransport.class);
  /**
   * How long past a fragment's deadline the aggregator still waits for the leaf, so that the
   * leaf's own TIMEOUT (with its message) normally arrives before the call's deadline fires.
   */
  static final long DEADLINE_GRACE_MILLIS = 2_000;

  private final BufferAllocator allocator = new RootAllocator();
  private final Map<LeafEndpoint, FlightClient> clients = new ConcurrentHashMap<>();
  private volatile boolean closed;

  @Override
  public FragmentStream open(LeafEndpoint leaf, FragmentRequest request) throws FragmentException {
    if (closed) {
      throw new FragmentException(FragmentException.Kind.CANCELLED, "the transport is closed");
    }
    FlightClient client = clients.computeIfAbsent(leaf, this::connect);
    try {
      FlightStream stream = client.getStream(new Ticket(request.encode()), options(request));
      return new FlightFragmentStream(leaf, stream);
    } catch (FlightRuntimeException e) {
      throw FlightErrors.fromFlight(leaf, e);
    }
  }

  @Override
  public void close() {
    closed = true;
    for (FlightClient client : clients.values()) {
      try {
        client.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    clients.clear();
    try {
      allocator.close();
    } catch (IllegalStateException e) {
      LOG.warn("fragment transport closed with streams still open: {}",
          FlightErrors.oneLine(e.getMessage()));
    }
  }

  private FlightClient connect(LeafEndpoint leaf) {
    return FlightClient.builder(allocator, Location.forGrpcInsecure(leaf.host(), leaf.port())).build();
  }

  private static CallOption[] options(FragmentRequest request) {
    if (request.deadlineMillis() <= 0) {
      return new CallOption[0];
    }
    long millis = Math.max(1, request.deadlineMillis() - System.currentTimeMillis())
        + DEADLINE_GRACE_MILLIS;
    return new CallOption[] {CallOptions.timeout(millis, TimeUnit.MILLISECONDS)};
  }
}
