package io.converge.cluster.leaf;

import java.nio.file.Path;

/** A leaf in a process of its own, for tests that kill it: args bootstrap, data dir, group. */
public final class LeafProcessMain {
  private LeafProcessMain() {}

  public static void main(String[] args) throws Exception {
    LeafNode leaf = LeafNode.start(new LeafOptions(args[0], Path.of(args[1]), args[2],
        "127.0.0.1", 0));
    leaf.awaitStopped();
  }
}
