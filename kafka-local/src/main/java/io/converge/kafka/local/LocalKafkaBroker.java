package io.converge.kafka.local;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A single-node Apache Kafka broker (KRaft, combined broker and controller) running as a child
 * OS process, listening on 127.0.0.1 only, everything it keeps under one directory:
 *
 * <pre>
 * DIR/kafka.properties   the broker's configuration (a restart keeps its ports)
 * DIR/kafka-logs/        the log directory, formatted on first start
 * DIR/kafka.log          the process's standard output and error
 * DIR/kafka.pid          the process id while it runs
 * </pre>
 *
 * <p>{@link #start} on a directory that already holds a broker's files resumes it: same ports,
 * same topics and records. The child JVM runs {@link BrokerMain} on the class path given in the
 * {@link Options} (by default this JVM's own, which must then hold {@code kafka_2.13}); the calling
 * JVM loads only the Kafka client classes. A broker runs in its own process so that Kafka's
 * threads, logging and heap stay out of the caller's and so that it can outlive it
 * ({@link Options#detached}).
 */
public final class LocalKafkaBroker implements AutoCloseable {
  static final String CONFIG_FILE = "kafka.properties";
  static final String LOG_DIR = "kafka-logs";
  static final String OUTPUT_FILE = "kafka.log";
  static final String PID_FILE = "kafka.pid";

  private final Path dir;
  private final ProcessHandle process;
  private final int port;
  private final int controllerPort;
  private final Thread stopOnExit;

  private LocalKafkaBroker(Path dir, ProcessHandle process, int port, int controllerPort,
      Thread stopOnExit) {
    this.dir = dir;
    this.process = process;
    this.port = port;
    this.controllerPort = controllerPort;
    this.stopOnExit = stopOnExit;
  }

  /** {@link #start(Path, Options)} with the default options. */
  public static LocalKafkaBroker start(Path dir) throws IOException, InterruptedException {
    return start(dir, Options.defaults());
  }

  /**
   * Starts a broker under {@code dir} (created if missing; formatted on first use, resumed
   * otherwise) and waits until it answers a client, at most {@link Options#readyTimeout}.
   *
   * @throws IllegalStateException if a broker already runs in {@code dir}, or the broker exits
   *     or does not answer in time (the message holds the end of its output)
   */
  public static LocalKafkaBroker start(Path dir, Options options)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Optional<ProcessHandle> running = runningIn(dir);
    if (running.isPresent()) {
      throw new IllegalStateException("a Kafka broker already runs in " + dir + " (pid "
          + running.get().pid() + ")");
    }
    Properties recorded = readConfig(dir);
    int port = chosenPort(options.port, recorded, "PLAINTEXT");
    int controllerPort = chosenPort(options.controllerPort, recorded, "CONTROLLER");
    Path config = writeConfig(dir, port, controllerPort, options.brokerProperties);

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add(configMarker(config));
    command.addAll(options.jvmOptions);
    command.add("-cp");
    command.add(options.classPath);
    command.add(BrokerMain.class.getName());
    command.add(config.toString());
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(OUTPUT_FILE).toFile()));
    Process child = pb.start();
    Files.writeString(dir.resolve(PID_FILE), child.pid() + "\n", StandardCharsets.UTF_8);
    Thread hook = null;
    if (!options.detached) {
      hook = new Thread(child::destroy, "stop-kafka-" + child.pid());
      Runtime.getRuntime().addShutdownHook(hook);
    }
    LocalKafkaBroker broker = new LocalKafkaBroker(dir, child.toHandle(), port, controllerPort,
        hook);
    try {
      broker.awaitReady(options.readyTimeout);
    } catch (InterruptedException e) {
      broker.stop();
      throw e;
    } catch (IllegalStateException e) {
      broker.stop();
      throw new IllegalStateException("Kafka did not start in " + dir + ": " + e.getMessage()
          + "\nthe end of " + dir.resolve(OUTPUT_FILE) + ":\n" + broker.outputTail(4_000), e);
    }
    return broker;
  }

  /**
   * The broker process that a {@link #start} (of this or another JVM) left running in
   * {@code dir}, if any: the recorded pid, if that process is alive and runs {@link BrokerMain}
   * on this directory's configuration.
   */
  public static Optional<ProcessHandle> runningIn(Path dir) throws IOException {
    Path pidFile = dir.resolve(PID_FILE);
    if (!Files.isRegularFile(pidFile)) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim());
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    String marker = configMarker(dir.resolve(CONFIG_FILE).toAbsolutePath());
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p ->
        p.info().commandLine().map(c -> c.contains(marker)).orElse(true));
  }

  /**
   * The first argument of the broker's command line, naming its configuration: tells a broker
   * from an unrelated process that reuses a recorded pid (Linux shows only the first 4 KB of a
   * command line, so it comes before the long class path).
   */
  private static String configMarker(Path config) {
    return "-Dconverge.kafka.config=" + config;
  }

  /**
   * Stops the broker that runs in {@code dir} (see {@link #runningIn}): asks it to shut down,
   * kills it after {@code grace}. Returns whether one was running.
   */
  public static boolean stopRunningIn(Path dir, Duration grace)
      throws IOException, InterruptedException {
    Optional<ProcessHandle> running = runningIn(dir);
    running.ifPresent(p -> stop(p, grace));
    Files.deleteIfExists(dir.resolve(PID_FILE));
    return running.isPresent();
  }

  /** The requested port, else {@code listener}'s in the recorded config, else a free one. */
  private static int chosenPort(int requested, Properties recorded, String listener)
      throws IOException {
    if (requested > 0) {
      return requested;
    }
    String prefix = listener + "://127.0.0.1:";
    for (String l : recorded.getProperty("listeners", "").split(",")) {
      if (l.trim().startsWith(prefix)) {
        return Integer.parseInt(l.trim().substring(prefix.length()));
      }
    }
    return freePort();
  }

  private static Properties readConfig(Path dir) throws IOException {
    Properties p = new Properties();
    Path config = dir.resolve(CONFIG_FILE);
    if (Files.isRegularFile(config)) {
      try (Reader r = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
        p.load(r);
      }
    }
    return p;
  }

  private static Path writeConfig(Path dir, int port, int controllerPort,
      Map<String, String> extra) throws IOException {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.setProperty("listeners",
        "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    p.setProperty("log.dirs", dir.resolve(LOG_DIR).toAbsolutePath().toString());
    p.setProperty("num.partitions", "1");
    p.setProperty("auto.create.topics.enable", "false");
    // one broker: internal topics cannot have more replicas than that
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    // a consumer group with one member need not wait for others to join
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    // durability comes from the OS page cache and a clean shutdown, as in Kafka's defaults
    p.setProperty("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
    extra.forEach(p::setProperty);
    Path config = dir.resolve(CONFIG_FILE).toAbsolutePath();
    try (Writer w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
      p.store(w, "single-node KRaft broker on 127.0.0.1 (io.converge.kafka.local)");
    }
    return config;
  }

  private void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the broker process exited");
      }
      try (Admin admin = admin()) {
        admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | TimeoutException e) {
        last = e;
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException("the broker did not answer within " + timeout.toSeconds()
        + " s" + (last == null ? "" : " (last error: " + last.getMessage() + ")"));
  }

  /** {@code 127.0.0.1:port}, for {@code bootstrap.servers}. */
  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  /** The port clients connect to. */
  public int port() {
    return port;
  }

  /** The KRaft controller's port. */
  public int controllerPort() {
    return controllerPort;
  }

  /** The broker's process id. */
  public long pid() {
    return process.pid();
  }

  /** The directory holding the broker's configuration, log directory and output. */
  public Path dir() {
    return dir;
  }

  /** Whether the broker process is alive. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** An admin client of this broker with short timeouts; the caller closes it. */
  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000));
  }

  /**
   * Creates a topic and waits until its leader answers for every partition: the broker lists a
   * new topic before it leads it, and producing then meets NOT_LEADER_OR_FOLLOWER retries.
   */
  public void createTopic(String name, int partitions)
      throws ExecutionException, TimeoutException, InterruptedException {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all()
          .get(30, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(name, p), OffsetSpec.latest());
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        try {
          admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
          return;
        } catch (ExecutionException | TimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(100);
        }
      }
    }
  }

  /** {@link #producer(Map)} with no overrides. */
  public KafkaProducer<byte[], byte[]> producer() {
    return producer(Map.of());
  }

  /**
   * A producer of raw bytes that waits for the broker's acknowledgement of every record
   * (idempotent, {@code acks=all}, {@code linger.ms=5}); {@code overrides} replace any of these.
   */
  public KafkaProducer<byte[], byte[]> producer(Map<String, Object> overrides) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.putAll(overrides);
    return new KafkaProducer<>(p);
  }

  /** The last {@code maxChars} characters of the broker's output ({@code kafka.log}). */
  public String outputTail(int maxChars) {
    try {
      String all = Files.readString(dir.resolve(OUTPUT_FILE), StandardCharsets.UTF_8);
      return all.length() <= maxChars ? all : all.substring(all.length() - maxChars);
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }

  /**
   * Stops the broker: a graceful shutdown (SIGTERM; Kafka closes its logs cleanly), killed if it
   * has not exited within 30 seconds. The directory keeps everything for a later {@link #start}.
   */
  public void stop() throws IOException {
    stop(process, Duration.ofSeconds(30));
    Files.deleteIfExists(dir.resolve(PID_FILE));
    if (stopOnExit != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is already exiting: the hook runs anyway, and finds the broker stopped
      }
    }
  }

  private static void stop(ProcessHandle process, Duration grace) {
    CompletableFuture<ProcessHandle> exited = process.onExit();
    process.destroy();
    try {
      exited.get(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      process.destroyForcibly();
      exited.join();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** {@link #stop()}. */
  @Override
  public void close() throws IOException {
    stop();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** How to run the broker; {@link #defaults()} suits tests and benchmarks. */
  public static final class Options {
    private final String classPath;
    private final List<String> jvmOptions;
    private final int port;
    private final int controllerPort;
    private final Duration readyTimeout;
    private final boolean detached;
    private final Map<String, String> brokerProperties;

    private Options(String classPath, List<String> jvmOptions, int port, int controllerPort,
        Duration readyTimeout, boolean detached, Map<String, String> brokerProperties) {
      this.classPath = classPath;
      this.jvmOptions = List.copyOf(jvmOptions);
      this.port = port;
      this.controllerPort = controllerPort;
      this.readyTimeout = readyTimeout;
      this.detached = detached;
      this.brokerProperties = Map.copyOf(brokerProperties);
    }

    /**
     * This JVM's class path; a small heap and a JIT that starts fast (a test broker carries
     * little traffic); free ports (or the ones a previous start on the directory used); ready
     * within 60 s; stopped when this JVM exits.
     */
    public static Options defaults() {
      return new Options(System.getProperty("java.class.path"),
          List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
              "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"),
          0, 0, Duration.ofSeconds(60), false, Map.of());
    }

    /** The child JVM's class path: it must hold this module, {@code kafka_2.13} and its deps. */
    public Options classPath(String classPath) {
      return new Options(classPath, jvmOptions, port, controllerPort, readyTimeout, detached,
          brokerProperties);
    }

    /** The child JVM's options (heap, GC, system properties), replacing the defaults. */
    public Options jvmOptions(List<String> jvmOptions) {
      return new Options(classPath, jvmOptions, port, controllerPort, readyTimeout, detached,
          brokerProperties);
    }

    /** Fixed client and controller ports (0: the recorded one on a restart, else a free one). */
    public Options ports(int port, int controllerPort) {
      return new Options(classPath, jvmOptions, port, controllerPort, readyTimeout, detached,
          brokerProperties);
    }

    /** How long {@link #start} waits for the broker to answer. */
    public Options readyTimeout(Duration readyTimeout) {
      return new Options(classPath, jvmOptions, port, controllerPort, readyTimeout, detached,
          brokerProperties);
    }

    /**
     * Whether the broker outlives this JVM ({@code true}, for a launcher that exits after the
     * start) or is stopped when it exits ({@code false}, the default).
     */
    public Options detached(boolean detached) {
      return new Options(classPath, jvmOptions, port, controllerPort, readyTimeout, detached,
          brokerProperties);
    }

    /** Broker settings added to, or replacing, the single-node ones. */
    public Options brokerProperties(Map<String, String> brokerProperties) {
      return new Options(classPath, jvmOptions, port, controllerPort, readyTimeout, detached,
          brokerProperties);
    }
  }
}
