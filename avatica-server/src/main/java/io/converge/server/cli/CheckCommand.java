package io.converge.server.cli;

import io.converge.storage.check.ConsistencyChecker;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code converge check}: verifies every index of a data directory against its row store. */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = {"Verifies that the row store, pk, live bitmaps, column segments and inverted"
        + " index of every collection agree (see ConsistencyChecker). The directory must not be"
        + " open in a running server: check a stopped server's directory or a backup.",
        "Exit status: 0 consistent, 1 differences found (listed), 2 cannot open."})
public final class CheckCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--data-dir", required = true, paramLabel = "DIR",
      description = "Data directory to check.")
  Path dataDir;

  @Option(names = "--collection", paramLabel = "NAME",
      description = "Check only this collection (default: all).")
  String collection;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!Files.isDirectory(dataDir)) {
      err.println("converge check: " + dataDir + ": no such directory");
      return ConvergeCli.FAILED;
    }
    boolean ok = true;
    try (ConvergeStore store = ConvergeStore.open(dataDir)) {
      store.awaitSealed();
      List<String> names = collection == null ? store.collectionNames() : List.of(collection);
      for (String name : names) {
        ConvergeCollection c = store.collection(name);
        if (c == null) {
          err.println("converge check: no collection '" + name + "'");
          return ConvergeCli.FAILED;
        }
        ConsistencyChecker.Report r = new ConsistencyChecker(c).check();
        out.printf("%s: %,d rows, %d sealed segments, %,d column values and %,d postings checked:"
            + " %s%n", name, r.rows(), r.sealedSegments(), r.columnValues(), r.postings(),
            r.ok() ? "consistent" : r.problemCount() + " difference(s)");
        for (String p : r.problems()) {
          out.println("  " + p);
        }
        if (r.problemCount() > r.problems().size()) {
          out.println("  ... and " + (r.problemCount() - r.problems().size()) + " more");
        }
        ok &= r.ok();
      }
    }
    out.flush();
    return ok ? ConvergeCli.OK : ConvergeCli.INCOMPLETE;
  }
}
