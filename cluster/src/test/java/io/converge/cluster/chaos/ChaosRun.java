package io.converge.cluster.chaos;

import io.converge.server.cli.ConvergeCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;

/**
 * One chaos run against a {@link ChaosCluster}: base documents, then the clients, and while they
 * run the planned faults one after the other (each followed by a wait for the cluster to be
 * whole again and a pause); then the clients stop, the cluster quiets down and
 * {@link FinalCheck} reads everything through each route; last the cluster stops and
 * {@code converge check} verifies each leaf's data directory.
 */
final class ChaosRun {
  static final String COLLECTION = "chaos";
  private static final Duration QUIET_TIMEOUT = Duration.ofMinutes(3);
  private static final long CLIENT_JOIN_MILLIS = 180_000;
  private static final int MIN_OPERATIONS = 30;
  private static final long PROGRESS_BOUND_MILLIS = 30_000;
  /** How long a client's read waits for the leaves to reach its fence (Kafka may be down). */
  private static final long READ_WAIT_MILLIS = 15_000;

  private final ChaosSettings settings;
  private final ChaosCluster cluster;
  private final ChaosTally tally;
  private final DocModel model = new DocModel();
  private final List<String> checkOutput = new ArrayList<>();

  /** @param tally the run's tally, made when the run began (its clock starts then) */
  ChaosRun(ChaosSettings settings, ChaosCluster cluster, ChaosTally tally) {
    this.settings = settings;
    this.cluster = cluster;
    this.tally = tally;
    tally.phase("cluster started");
  }

  private void phase(String name) {
    tally.phase(name);
  }

  /** What {@code converge check} said of each leaf directory. */
  List<String> checkOutput() {
    return checkOutput;
  }

  void run() throws Exception {
    List<String> apis = cluster.apiUrls();
    Map<Integer, Long> baseFence = writeBase(apis);
    ClusterStatus.awaitWhole(apis, COLLECTION, settings.partitions(),
        ChaosCluster.REPLICA_GROUPS, settings.recoveryTimeout());
    DocModel.Bounds base = model.bounds(model.snapshot().keySet(), true);
    phase("base written");

    AtomicBoolean stop = new AtomicBoolean();
    List<ChaosSession> sessions = new ArrayList<>();
    List<Thread> clients = startClients(apis, baseFence, base, stop, sessions);
    try {
      injectFaults(apis);
    } finally {
      stopClients(stop, clients);
    }

    ClusterStatus.awaitQuiet(apis, COLLECTION, settings.partitions(),
        ChaosCluster.REPLICA_GROUPS, QUIET_TIMEOUT);
    phase("quiet");
    Map<Integer, Long> all = new TreeMap<>(baseFence);
    for (ChaosSession s : sessions) {
      s.fence().forEach((p, o) -> all.merge(p, o, Math::max));
    }
    Random checkRandom = new Random(settings.seed() + 1);
    String url = cluster.failoverJdbcUrl(0);
    FinalCheck.verify(url, COLLECTION, null, all, model, tally, checkRandom);
    for (int g = 0; g < ChaosCluster.REPLICA_GROUPS; g++) {
      FinalCheck.verify(url, COLLECTION, "g" + g, all, model, tally, checkRandom);
    }
    phase("verified");

    List<Path> leafDirs = cluster.leafDirs();
    cluster.stop();
    phase("cluster stopped");
    for (Path leaf : leafDirs) {
      checkLeaf(leaf);
    }
    phase("leaves checked");
  }

  /** Starts one thread per client, each with its own session seeded with the base fence. */
  private List<Thread> startClients(List<String> apis, Map<Integer, Long> baseFence,
      DocModel.Bounds base, AtomicBoolean stop, List<ChaosSession> sessions)
      throws IOException {
    List<Thread> threads = new ArrayList<>();
    for (int k = 0; k < settings.clients(); k++) {
      ChaosSession session = new ChaosSession(cluster.failoverJdbcUrl(k), COLLECTION, null,
          READ_WAIT_MILLIS, tally);
      session.advance(baseFence);
      sessions.add(session);
      ChaosClient client = new ChaosClient(k, COLLECTION, settings, model, tally,
          new ChaosWrites(apis, k), session, base, stop);
      Thread t = new Thread(client, "chaos-client-" + k);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    return threads;
  }

  /** The planned faults, each followed by the wait for the cluster to be whole, and a pause. */
  private void injectFaults(List<String> apis) throws Exception {
    Random random = new Random(settings.seed());
    pause(settings.pauseBetweenFaults().toMillis());
    for (Fault fault : FaultPlan.plan(settings.faults(), COLLECTION, random)) {
      String at = tally.clock();
      String what = fault.inject(cluster, random);
      Duration healed = ClusterStatus.awaitWhole(apis, COLLECTION, settings.partitions(),
          ChaosCluster.REPLICA_GROUPS, settings.recoveryTimeout());
      awaitAnswering(apis);
      tally.fault(at + " " + fault.kind() + ": " + what + "; whole again " + healed.toMillis()
          + " ms later");
      phase(fault.kind() + " healed");
      System.out.println("chaos: " + fault.kind() + ": " + what);
      pause((long) (settings.pauseBetweenFaults().toMillis() * (0.5 + random.nextDouble())));
    }
    phase("faults done");
  }

  private void stopClients(AtomicBoolean stop, List<Thread> clients) throws InterruptedException {
    stop.set(true);
    for (Thread t : clients) {
      t.join(CLIENT_JOIN_MILLIS);
      if (t.isAlive()) {
        tally.wrong(t.getName() + " did not stop within " + CLIENT_JOIN_MILLIS + " ms");
        t.interrupt();
      }
    }
    phase("clients stopped");
  }

  /**
   * Lets the clients run for {@code millis}, and longer (up to {@link #PROGRESS_BOUND_MILLIS})
   * until they did at least {@link #MIN_OPERATIONS} operations: on a busy machine a pause of a
   * few seconds may see hardly any, and a fault then finds nothing in flight.
   */
  private void pause(long millis) throws InterruptedException {
    long before = tally.operations();
    Thread.sleep(millis);
    long deadline = System.nanoTime() + PROGRESS_BOUND_MILLIS * 1_000_000;
    while (tally.operations() - before < MIN_OPERATIONS && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
  }

  /** Writes the base documents (v 1, owner -1) and returns their fence. */
  private Map<Integer, Long> writeBase(List<String> apis) throws InterruptedException {
    ChaosWrites writes = new ChaosWrites(apis, 0);
    List<Map<String, Object>> docs = new ArrayList<>();
    for (int n = 0; n < settings.baseDocs(); n++) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("_id", "base-" + n);
      d.put("owner", -1);
      d.put("v", 1);
      docs.add(d);
      model.attempt("base-" + n, 1);
    }
    for (int attempt = 0; attempt < 30; attempt++) {
      ChaosWrites.Answer a = writes.upsert(COLLECTION, docs);
      if (a.outcome() == ChaosWrites.Outcome.ACKNOWLEDGED) {
        for (Map<String, Object> d : docs) {
          model.acknowledged((String) d.get("_id"), 1, true);
        }
        tally.writesAcked.addAndGet(docs.size());
        return a.fence();
      }
      Thread.sleep(1_000);
    }
    throw new AssertionError("the base documents were not acknowledged in 30 attempts");
  }

  /** Waits until every aggregator answers HTTP (a relaunched one takes a few seconds). */
  private void awaitAnswering(List<String> apis) throws InterruptedException {
    for (String api : apis) {
      ClusterStatus.awaitWhole(List.of(api), COLLECTION, settings.partitions(),
          ChaosCluster.REPLICA_GROUPS, settings.recoveryTimeout());
    }
  }

  /** {@code converge check --data-dir} of a stopped leaf: every index agrees with its rows. */
  private void checkLeaf(Path leaf) {
    StringWriter out = new StringWriter();
    CommandLine cmd = ConvergeCli.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(out, true));
    int exit = cmd.execute("check", "--data-dir", leaf.toString());
    checkOutput.add(leaf.getFileName() + " (exit " + exit + "):\n" + out);
    if (exit != ConvergeCli.OK) {
      tally.wrong("converge check --data-dir " + leaf + " exited " + exit + ": " + out);
    }
  }
}
