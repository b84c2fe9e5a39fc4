package io.converge.server.cli;

import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.converge.storage.write.BulkLoader;
import io.converge.storage.write.LoadResult;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code converge load}: bulk-loads NDJSON files or JSON arrays into a collection of a data
 * directory that no server holds, or ({@code --url}) through a running server's or cluster
 * aggregator's HTTP API.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = {"Bulk-load NDJSON files (one JSON object per line) or JSON arrays into a "
        + "collection (created if missing). Files ending in .gz are decompressed.",
        "Each rejected line is reported on stderr as FILE:LINE: reason; every valid document is "
            + "still loaded. The data directory must not be in use by a running server; with "
            + "--url the documents go through that server's HTTP API instead."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:every line loaded", "1:some lines were rejected or a JSON array was "
        + "malformed (documents before the error are kept)",
        "2:nothing loaded (missing file, bad arguments, data directory in use), or the server "
        + "(--url) was unreachable or refused a request"})
final class LoadCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  static final class Target {
    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
        description = "Data directory (created if missing) that no server holds.")
    Path dataDir;

    @Option(names = "--url", required = true, paramLabel = "URL",
        description = "Base URL of a running server or cluster aggregator, e.g. "
            + "http://127.0.0.1:8765: the files go through its HTTP API.")
    String url;
  }

  @Option(names = {"-n", "--user"}, paramLabel = "USER",
      description = "User name, if the server (--url) needs one.")
  String user;

  @Option(names = {"-p", "--password"}, paramLabel = "PASSWORD",
      description = "Password, if the server (--url) needs one.")
  String password;

  @Option(names = "--batch-bytes", defaultValue = "4194304", paramLabel = "BYTES",
      description = "With --url: bytes of input per HTTP request (default: ${DEFAULT-VALUE}; "
          + "keep it below the server's --max-request-bytes).")
  int batchBytes;

  @Option(names = "--collection", required = true, paramLabel = "NAME",
      description = "Collection to load into (created if missing).")
  String collection;

  @Option(names = "--batch-size", defaultValue = "2000", paramLabel = "N",
      description = "Documents per atomic write batch (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--progress", negatable = true, paramLabel = "",
      description = "Show a progress line (default: only on a terminal).")
  Boolean progress;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "NDJSON or JSON array files.")
  List<Path> files;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ConvergeStore.validateName(collection);
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch-size must be positive, got " + batchSize);
    }
    for (Path f : files) {
      if (!Files.exists(f)) {
        err.println("converge load: " + f + ": no such file");
        return ConvergeCli.FAILED;
      }
      if (!Files.isRegularFile(f) || !Files.isReadable(f)) {
        err.println("converge load: " + f + ": not a readable file");
        return ConvergeCli.FAILED;
      }
    }
    boolean live = progress != null ? progress : System.console() != null;
    if (target.url != null) {
      return loadThrough(target.url, live, out, err);
    }
    Path dataDir = target.dataDir;
    long loaded = 0;
    long rejected = 0;
    int malformedFiles = 0;
    double seconds = 0;
    Files.createDirectories(dataDir);
    try (ConvergeStore store = ConvergeStore.open(dataDir)) {
      ConvergeCollection target = store.getOrCreate(collection);
      BulkLoader loader = new BulkLoader(target, batchSize);
      for (Path f : files) {
        String name = f.toString();
        boolean gzip = name.endsWith(".gz");
        LoadProgress listener = new LoadProgress(err, name, gzip ? -1 : Files.size(f), live);
        LoadResult r;
        try (InputStream in = open(f, gzip)) {
          r = loader.load(name, in, listener);
        } catch (IOException e) {
          throw new IOException(name + ": cannot read: " + e.getMessage()
              + (loaded > 0 ? " (documents loaded before are kept)" : ""), e);
        } finally {
          listener.finish();
        }
        if (r.malformed() != null) {
          malformedFiles++;
          err.println(name + ": malformed JSON, load of this file stopped: " + r.malformed());
        }
        loaded += r.loaded();
        rejected += r.rejected();
        seconds += r.seconds();
        if (files.size() > 1) {
          out.printf("%s: %,d loaded, %,d rejected (%.1f s, %,.0f docs/s)%n", name, r.loaded(),
              r.rejected(), r.seconds(), r.docsPerSecond());
        }
      }
      store.flush();
      out.printf("Loaded %,d document%s into '%s' from %d file%s in %.1f s (%,.0f docs/s); "
              + "%,d rejected%s; collection now holds %,d documents.%n",
          loaded, loaded == 1 ? "" : "s", collection, files.size(), files.size() == 1 ? "" : "s",
          seconds, seconds > 0 ? loaded / seconds : 0.0, rejected,
          malformedFiles > 0 ? ", " + malformedFiles + " file(s) stopped at malformed JSON" : "",
          target.documentCount());
    }
    out.flush();
    err.flush();
    return rejected == 0 && malformedFiles == 0 ? ConvergeCli.OK : ConvergeCli.INCOMPLETE;
  }

  /** Loads every file through a server's HTTP API, reporting as the local load does. */
  private int loadThrough(String url, boolean live, PrintWriter out, PrintWriter err)
      throws IOException {
    if (batchBytes < 1) {
      throw new IllegalArgumentException("--batch-bytes must be positive, got " + batchBytes);
    }
    RemoteLoad remote = new RemoteLoad(url, collection, user, password, batchBytes);
    long loaded = 0;
    long rejected = 0;
    int malformedFiles = 0;
    double seconds = 0;
    for (Path f : files) {
      String name = f.toString();
      boolean gzip = name.endsWith(".gz");
      LoadProgress listener = new LoadProgress(err, name, gzip ? -1 : Files.size(f), live);
      RemoteLoad.Result r;
      try (InputStream in = open(f, gzip)) {
        r = remote.load(in, listener);
      } catch (IOException e) {
        listener.finish();
        err.println("converge load: " + name + ": " + e.getMessage()
            + (loaded > 0 ? " (documents loaded before are kept)" : ""));
        err.flush();
        return ConvergeCli.FAILED;
      } finally {
        listener.finish();
      }
      if (r.malformed() != null) {
        malformedFiles++;
        err.println(name + ": malformed JSON, load of this file stopped: " + r.malformed());
      }
      loaded += r.loaded();
      rejected += r.rejected();
      seconds += r.seconds();
      if (files.size() > 1) {
        out.printf("%s: %,d loaded, %,d rejected (%.1f s, %,.0f docs/s)%n", name, r.loaded(),
            r.rejected(), r.seconds(), r.docsPerSecond());
      }
    }
    out.printf("Loaded %,d document%s into '%s' at %s from %d file%s in %.1f s (%,.0f docs/s); "
            + "%,d rejected%s.%n",
        loaded, loaded == 1 ? "" : "s", collection, url, files.size(),
        files.size() == 1 ? "" : "s", seconds, seconds > 0 ? loaded / seconds : 0.0, rejected,
        malformedFiles > 0 ? ", " + malformedFiles + " file(s) stopped at malformed JSON" : "");
    out.flush();
    err.flush();
    return rejected == 0 && malformedFiles == 0 ? ConvergeCli.OK : ConvergeCli.INCOMPLETE;
  }

  private static InputStream open(Path f, boolean gzip) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(f), 1 << 16);
    return gzip ? new GZIPInputStream(in, 1 << 16) : in;
  }
}
