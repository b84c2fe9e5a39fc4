package io.converge.cluster.cli;

import io.converge.examples.SampleData;
import io.converge.server.cli.ConvergeCli;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code converge cluster demo}: a local cluster with the sample data, loaded through it. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Start a local cluster in DIR (default ./data/cluster) without "
        + "authentication and load the sample data set (orders, customers) through the "
        + "aggregator's HTTP write path. A second run resumes it without loading again."})
final class ClusterDemoCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--dir", defaultValue = "data/cluster", paramLabel = "DIR",
      description = "The cluster's directory (default: ./${DEFAULT-VALUE}).")
  Path dir;

  @Option(names = "--leaves", paramLabel = "N", description = "Leaves per replica group (default: 3).")
  Integer leaves;

  @Option(names = "--replicas", paramLabel = "R", description = "Replica groups (default: 1).")
  Integer replicas;

  @Option(names = "--port", paramLabel = "PORT",
      description = "The aggregator's port (default: 8765).")
  Integer port;

  @Option(names = "--leaf-heap", paramLabel = "SIZE", description = "A leaf's heap.")
  String leafHeap;

  @Option(names = "--aggregator-heap", paramLabel = "SIZE", description = "The aggregator's heap.")
  String aggregatorHeap;

  @Option(names = "--timeout", defaultValue = "240", paramLabel = "SECONDS",
      description = "How long to wait for the processes to come up (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    LocalCluster cluster = new LocalCluster(dir, out);
    ClusterFile previous = ClusterFile.read(cluster.dir());
    ClusterSettings s = ClusterStartCommand.settings(previous,
        new ClusterStartCommand.Overrides(leaves, replicas, null, port, null,
            previous == null || previous.options() == null || previous.options().noAuth(), null,
            leafHeap, aggregatorHeap, null), 3);
    ClusterFile file = cluster.start(s, previous, Duration.ofSeconds(timeoutSeconds));
    if (!file.sampleDataLoaded()) {
      out.println("Loading the sample data set through the aggregator (first run) ...");
      out.flush();
      long t0 = System.nanoTime();
      SampleLoader loader = new SampleLoader("http://127.0.0.1:" + s.port());
      long orders = loader.load(SampleData.ORDERS,
          SampleData.orders(SampleData.DEMO_ORDERS, SampleData.DEMO_SEED), 5_000);
      long customers = loader.load(SampleData.CUSTOMERS,
          SampleData.customers(SampleData.DEMO_CUSTOMERS, SampleData.DEMO_SEED), 5_000);
      file = file.withSampleDataLoaded();
      file.write(cluster.dir());
      out.printf("Loaded %,d orders and %,d customers in %.1f s.%n", orders, customers,
          (System.nanoTime() - t0) / 1e9);
    } else {
      out.println("Reusing the data in " + cluster.dir());
    }
    ClusterStartCommand.printConnectionHelp(out, cluster, file, String.join("\n",
        "Try:       select status, count(*) as n from orders group by status;",
        "           select c.country, sum(o.amount) as revenue from orders o",
        "             join customers c on o.\"customer.id\" = c.\"_id\" group by c.country"
            + " order by revenue desc limit 5;",
        "           explain plan for select status, avg(amount) from orders group by status;"));
    return ConvergeCli.OK;
  }
}
