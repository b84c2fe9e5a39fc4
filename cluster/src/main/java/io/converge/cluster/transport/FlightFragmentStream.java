package io.converge.cluster.transport;

import io.converge.cluster.fragment.FragmentColumn;
import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.FragmentException.Kind;
import io.converge.cluster.fragment.FragmentStream;
import io.converge.cluster.fragment.LeafEndpoint;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fragment's rows as they arrive from a leaf: reads a record batch when the previous one is
 * used up and converts its values row by row ({@link ArrowRows}).
 */
final class FlightFragmentStream implements FragmentStream {
  private static final Logger LOG = LoggerFactory.getLogger(FlightFragmentStream.class);

  private final LeafEndpoint leaf;
  private final FlightStream stream;
  private List<FragmentColumn> columns;
  private Map<Integer, Long> applied = Map.of();
  private ArrowRows.Reader[] readers;
  private VectorSchemaRoot root;
  private int row;
  private int rowCount;
  private boolean done;
  private boolean closed;

  FlightFragmentStream(LeafEndpoint leaf, FlightStream stream) {
    this.leaf = leaf;
    this.stream = stream;
  }

  @Override
  public List<FragmentColumn> columns() throws FragmentException {
    if (columns == null) {
      checkOpen();
      try {
        root = stream.getRoot();
      } catch (RuntimeException e) {
        throw failure(e);
      }
      List<FragmentColumn> cols;
      try {
        cols = ArrowRows.columns(root.getSchema());
        applied = AppliedOffsets.of(root.getSchema());
      } catch (IllegalArgumentException e) {
        throw new FragmentException(Kind.FAILED, leaf + ": " + e.getMessage(), e);
      }
      readers = new ArrowRows.Reader[cols.size()];
      for (int i = 0; i < readers.length; i++) {
        readers[i] = ArrowRows.reader(cols.get(i), root.getVector(i));
      }
      columns = List.copyOf(cols);
    }
    return columns;
  }

  @Override
  public Map<Integer, Long> appliedOffsets() {
    return applied;
  }

  @Override
  public Object[] next() throws FragmentException {
    columns();
    while (row >= rowCount) {
      if (done) {
        return null;
      }
      boolean more;
      try {
        more = stream.next();
      } catch (RuntimeException e) {
        throw failure(e);
      }
      if (!more) {
        done = true;
        return null;
      }
      row = 0;
      rowCount = root.getRowCount();
    }
    Object[] values = new Object[readers.length];
    for (int i = 0; i < readers.length; i++) {
      values[i] = readers[i].get(row);
    }
    row++;
    return values;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      // cancels the call when the leaf has rows left, then frees the batches already received
      stream.close();
    } catch (Exception e) {
      LOG.debug("closing the stream from {}", leaf, e);
    }
  }

  private void checkOpen() throws FragmentException {
    if (closed) {
      throw new FragmentException(Kind.CANCELLED, leaf + ": the stream is closed");
    }
  }

  private FragmentException failure(RuntimeException e) {
    if (e instanceof FlightRuntimeException f) {
      return FlightErrors.fromFlight(leaf, f);
    }
    if (e.getCause() instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return new FragmentException(Kind.CANCELLED, leaf + ": interrupted", e);
    }
    return new FragmentException(Kind.FAILED, leaf + ": " + FlightErrors.oneLine(e.getMessage()), e);
  }
}
