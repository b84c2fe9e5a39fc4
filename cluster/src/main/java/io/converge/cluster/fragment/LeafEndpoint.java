package io.converge.cluster.fragment;

/** Where an aggregator reaches a leaf's fragment service. */
public record LeafEndpoint(String leafId, String host, int port) {
  @Override
  public String toString() {
    return leafId + "@" + host + ":" + port;
  }
}
