package io.converge.jdbc;

import java.util.ArrayList;
import java.util.List;

/**
 * A Converge URL whose {@code url} lists several servers ({@code url=http://a:1,http://b:2}),
 * split into one URL per server with every other setting kept, in the order given.
 *
 * @param servers the servers, as listed
 * @param candidates one connect string per server
 */
record FailoverUrl(List<String> servers, List<String> candidates) {

  /** The candidates of {@code url}, or null when it names at most one server. */
  static FailoverUrl parse(String url) {
    String prefix = ConvergeDriver.CONNECT_STRING_PREFIX;
    if (!url.startsWith(prefix)) {
      return null;
    }
    String rest = url.substring(prefix.length());
    if (rest.indexOf('\'') >= 0 || rest.indexOf('"') >= 0) {
      return null; // quoted values: leave the string to Avatica's parser as it is
    }
    String[] parts = rest.split(";", -1);
    int at = -1;
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i].trim();
      if (p.regionMatches(true, 0, "url=", 0, 4)) {
        at = i;
      }
    }
    if (at < 0) {
      return null;
    }
    String value = parts[at].trim().substring(4);
    List<String> servers = new ArrayList<>();
    for (String server : value.split(",")) {
      if (!server.isBlank()) {
        servers.add(server.trim());
      }
    }
    if (servers.size() < 2) {
      return null;
    }
    List<String> candidates = new ArrayList<>(servers.size());
    for (String server : servers) {
      String[] one = parts.clone();
      one[at] = "url=" + server;
      candidates.add(prefix + String.join(";", one));
    }
    return new FailoverUrl(List.copyOf(servers), List.copyOf(candidates));
  }
}
