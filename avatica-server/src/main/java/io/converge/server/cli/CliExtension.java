package io.converge.server.cli;

import java.util.List;

/**
 * More sub-commands for {@code converge}, from a module this one does not depend on (the cluster's
 * {@code cluster}, {@code leaf} and {@code aggregator}): found through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.converge.server.cli.CliExtension}) when that module is on the class
 * path.
 */
public interface CliExtension {
  /** picocli command objects (annotated with {@code @Command}), added as top-level sub-commands. */
  List<Object> subcommands();

  /** Sub-commands that serve until stopped: they log at info, as {@code server} does. */
  default List<String> servingCommands() {
    return List.of();
  }
}
