package io.converge.cluster.leaf;

import io.converge.cluster.fragment.FragmentExecutor;
import java.io.IOException;

/**
 * The leaf's fragment service as the transport provides it (Arrow Flight): started over the
 * leaf's executor, it reports the port it bound, which the leaf announces.
 */
public interface FragmentEndpoint extends AutoCloseable {
  /** The bound port. */
  int port();

  @Override
  void close() throws Exception;

  /** Starts an endpoint on {@code host}:{@code port} (0 = any free port) over an executor. */
  @FunctionalInterface
  interface Factory {
    FragmentEndpoint start(String host, int port, FragmentExecutor executor) throws IOException;
  }
}
