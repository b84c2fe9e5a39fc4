package io.converge.examples;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.InvalidDocumentException;
import io.converge.storage.json.JsonText;
import io.converge.storage.json.PreparedDocument;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * The Converge sample data set: e-commerce {@code orders} and the {@code customers} who placed
 * them. Generated, not stored: the same {@code (count, seed)} always yields the same documents,
 * and a shorter run is a prefix of a longer one with the same seed.
 *
 * <p>Orders reference customers {@code c-00001} to {@code c-02000} ({@link #CUSTOMER_POOL}), and
 * the {@code customer.country} of an order is that customer's {@code country} for the same seed,
 * so the two collections join on {@code "customer.id" = customers._id}.
 *
 * <p>Values use the storage's normalized kinds: {@link String}, {@link Long}, {@link Double},
 * {@link List} and {@link Map}; the NDJSON written by {@link #writeNdjson} parses back to exactly
 * the same maps.
 */
public final class SampleData {
  public static final String ORDERS = "orders";
  public static final String CUSTOMERS = "customers";

  /** Documents loaded by {@link #loadDemo}. */
  public static final long DEMO_ORDERS = 100_000;
  public static final long DEMO_CUSTOMERS = 2_000;
  public static final long DEMO_SEED = 42;
  /** Customer ids that orders refer to: {@code c-00001} .. {@code c-02000}. */
  public static final int CUSTOMER_POOL = 2_000;

  /** Orders are placed during 2025 (UTC). */
  static final long ORDERS_FROM = Instant.parse("2025-01-01T00:00:00Z").getEpochSecond();
  static final long ORDERS_SPAN = 365L * 24 * 3600;
  /** Customers signed up between 2021 and the end of 2024. */
  static final long SIGNUP_FROM = Instant.parse("2021-01-01T00:00:00Z").getEpochSecond();
  static final long SIGNUP_SPAN = Instant.parse("2025-01-01T00:00:00Z").getEpochSecond()
      - SIGNUP_FROM;

  static final Weighted<String> STATUS = new Weighted<>(
      new String[] {"delivered", "shipped", "pending", "cancelled", "returned"},
      new int[] {62, 15, 10, 8, 5});
  static final Weighted<String> COUNTRY = new Weighted<>(
      new String[] {"US", "DE", "GB", "FR", "IN", "BR", "CA", "JP", "NL", "ES", "IT", "AU", "SE",
          "PL"},
      new int[] {30, 12, 10, 8, 7, 6, 5, 5, 4, 4, 3, 3, 2, 1});
  static final Weighted<String> TIER = new Weighted<>(
      new String[] {"bronze", "silver", "gold", "platinum"}, new int[] {55, 28, 13, 4});
  static final Weighted<String> SEGMENT = new Weighted<>(
      new String[] {"consumer", "small_business", "enterprise"}, new int[] {80, 15, 5});
  static final Weighted<String> CHANNEL = new Weighted<>(
      new String[] {"web", "mobile", "marketplace", "phone"}, new int[] {55, 35, 7, 3});
  static final Weighted<String> SHIPPING = new Weighted<>(
      new String[] {"standard", "express", "economy", "pickup"}, new int[] {60, 20, 12, 8});
  static final Weighted<Long> QUANTITY = new Weighted<>(
      new Long[] {1L, 2L, 3L, 4L, 5L, 6L, 8L, 10L}, new int[] {50, 22, 11, 6, 4, 3, 2, 2});
  static final String[] TAGS = {"gift", "express", "bulk", "promo", "fragile", "eco", "preorder",
      "clearance"};
  static final String[] COUPONS = {"WELCOME10", "SPRING25", "SUMMER15", "BLACKFRIDAY", "FREESHIP",
      "VIP20"};
  static final double[] DISCOUNT_AMOUNTS = {2.5, 5.0, 7.5, 10.0, 12.5, 15.0, 20.0, 25.0};
  static final String[] DISCOUNT_PERCENTS = {"5%", "10%", "15%", "20%", "25%"};
  static final String[] FIRST_NAMES = {"Ada", "Ben", "Chiara", "Dmitri", "Elif", "Farah", "Gus",
      "Hana", "Ivan", "Jonas", "Keiko", "Luis", "Maya", "Nils", "Olga", "Priya", "Quinn", "Rafael",
      "Sofia", "Tomasz", "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe"};
  static final String[] LAST_NAMES = {"Almeida", "Becker", "Chen", "Dubois", "Eriksson",
      "Fischer", "Garcia", "Hughes", "Ito", "Jansen", "Kowalski", "Lopez", "Martin", "Nakamura",
      "Okafor", "Patel", "Rossi", "Schmidt", "Tanaka", "Novak", "Smith", "Weber", "Young",
      "Zimmermann"};

  private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_INSTANT;

  private SampleData() {}

  /** {@code count} orders, {@code o-000001} onwards. */
  public static Iterator<Map<String, Object>> orders(long count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    return new Generated(count) {
      @Override
      Map<String, Object> make(long i) {
        return order(i, seed, random);
      }
    };
  }

  /** {@code count} customers, {@code c-00001} onwards. */
  public static Iterator<Map<String, Object>> customers(long count, long seed) {
    return new Generated(count) {
      @Override
      Map<String, Object> make(long i) {
        return customer(i + 1, seed);
      }
    };
  }

  /** The generator named by {@code which}: {@code orders} or {@code customers}. */
  public static Iterator<Map<String, Object>> documents(String which, long count, long seed) {
    return switch (which) {
      case ORDERS -> orders(count, seed);
      case CUSTOMERS -> customers(count, seed);
      default -> throw new IllegalArgumentException(
          "unknown sample collection '" + which + "'; use " + ORDERS + " or " + CUSTOMERS);
    };
  }

  /** Order number {@code i} (0-based) drawing from the sequence's random source. */
  static Map<String, Object> order(long i, long seed, SplittableRandom r) {
    Map<String, Object> o = new LinkedHashMap<>(16);
    o.put("_id", padded("o-", i + 1, 6));
    o.put("status", STATUS.pick(r));
    long quantity = QUANTITY.pick(r);
    // Log-normal unit price around 25, so a few orders are large.
    double unitPrice = Math.exp(3.2 + 0.75 * gaussian(r));
    o.put("amount", cents(Math.max(0.99, unitPrice * quantity)));
    o.put("quantity", quantity);
    o.put("created_at", ISO.format(Instant.ofEpochSecond(ORDERS_FROM + r.nextLong(ORDERS_SPAN))));
    long customerNumber = customerNumber(r);
    CustomerTraits traits = CustomerTraits.of(customerNumber, seed);
    Map<String, Object> customer = new LinkedHashMap<>(4);
    customer.put("id", customerId(customerNumber));
    customer.put("country", traits.country);
    customer.put("tier", traits.tier);
    o.put("customer", customer);
    int tagCount = r.nextInt(100) < 40 ? 0 : 1 + r.nextInt(3);
    List<Object> tags = new ArrayList<>(tagCount);
    while (tags.size() < tagCount) {
      String t = TAGS[r.nextInt(TAGS.length)];
      if (!tags.contains(t)) {
        tags.add(t);
      }
    }
    o.put("tags", tags);
    int d = r.nextInt(100);
    if (d < 70) {
      o.put("discount", DISCOUNT_AMOUNTS[r.nextInt(DISCOUNT_AMOUNTS.length)]);
    } else if (d < 85) {
      o.put("discount", DISCOUNT_PERCENTS[r.nextInt(DISCOUNT_PERCENTS.length)]);
    } // else: no discount field at all
    if (r.nextInt(100) < 8) {
      o.put("coupon", COUPONS[r.nextInt(COUPONS.length)]);
    }
    o.put("channel", CHANNEL.pick(r));
    String method = SHIPPING.pick(r);
    Map<String, Object> shipping = new LinkedHashMap<>(4);
    shipping.put("method", method);
    shipping.put("days", (long) switch (method) {
      case "express" -> 1 + r.nextInt(2);
      case "pickup" -> r.nextInt(2);
      case "economy" -> 5 + r.nextInt(6);
      default -> 2 + r.nextInt(4);
    });
    o.put("shipping", shipping);
    return o;
  }

  /** Customer number {@code n} (1-based); depends only on {@code (n, seed)}. */
  static Map<String, Object> customer(long n, long seed) {
    CustomerTraits traits = CustomerTraits.of(n, seed);
    SplittableRandom r = traits.random;
    Map<String, Object> c = new LinkedHashMap<>(8);
    c.put("_id", customerId(n));
    c.put("name", FIRST_NAMES[r.nextInt(FIRST_NAMES.length)] + " "
        + LAST_NAMES[r.nextInt(LAST_NAMES.length)]);
    c.put("country", traits.country);
    c.put("signup_at", ISO.format(Instant.ofEpochSecond(SIGNUP_FROM + r.nextLong(SIGNUP_SPAN))));
    c.put("segment", SEGMENT.pick(r));
    return c;
  }

  static String customerId(long n) {
    return padded("c-", n, 5);
  }

  /** {@code prefix} and {@code n} zero-padded to at least {@code width} digits. */
  static String padded(String prefix, long n, int width) {
    String digits = Long.toString(n);
    StringBuilder b = new StringBuilder(prefix.length() + Math.max(width, digits.length()));
    b.append(prefix);
    for (int k = digits.length(); k < width; k++) {
      b.append('0');
    }
    return b.append(digits).toString();
  }

  /** Skewed choice of a customer: a fifth of the customers place about half the orders. */
  private static long customerNumber(SplittableRandom r) {
    if (r.nextInt(2) == 0) {
      return 1 + r.nextInt(CUSTOMER_POOL / 5);
    }
    return 1 + r.nextInt(CUSTOMER_POOL);
  }

  private static double cents(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static double gaussian(SplittableRandom r) {
    // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
    double u = 1.0 - r.nextDouble();
    double v = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** What orders and customers agree on about a customer, derived from (number, seed). */
  private record CustomerTraits(String country, String tier, SplittableRandom random) {
    static CustomerTraits of(long n, long seed) {
      SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + n);
      String country = COUNTRY.pick(r);
      String tier = TIER.pick(r);
      return new CustomerTraits(country, tier, r);
    }
  }

  /**
   * Loads the demo data set (100,000 orders and 2,000 customers, seed 42) into {@code store};
   * a collection that already holds documents is left as it is.
   */
  public static void loadDemo(ConvergeStore store) {
    loadIfEmpty(store, ORDERS, orders(DEMO_ORDERS, DEMO_SEED));
    loadIfEmpty(store, CUSTOMERS, customers(DEMO_CUSTOMERS, DEMO_SEED));
    store.flush();
  }

  /** Upserts the documents in batches when the collection is empty; returns how many. */
  static long loadIfEmpty(ConvergeStore store, String collection,
      Iterator<Map<String, Object>> docs) {
    ConvergeCollection c = store.collection(collection);
    if (c != null && c.documentCount() > 0) {
      return 0;
    }
    if (c == null) {
      c = store.getOrCreate(collection);
    }
    return load(c, docs, 2_000);
  }

  /** Prepares and upserts documents in batches of {@code batchSize}; returns how many. */
  public static long load(ConvergeCollection collection, Iterator<Map<String, Object>> docs,
      int batchSize) {
    DocumentPreparer preparer = new DocumentPreparer();
    List<PreparedDocument> batch = new ArrayList<>(batchSize);
    long n = 0;
    long now = System.currentTimeMillis();
    while (docs.hasNext()) {
      try {
        batch.add(preparer.prepare(docs.next(), now));
      } catch (InvalidDocumentException e) {
        throw new IllegalStateException("sample document rejected: " + e.getMessage(), e);
      }
      if (batch.size() == batchSize) {
        collection.upsert(batch);
        n += batch.size();
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      collection.upsert(batch);
      n += batch.size();
    }
    return n;
  }

  /**
   * Writes {@code count} documents of {@code which} ({@code orders} or {@code customers}) as
   * NDJSON (one object per line, UTF-8) to {@code file}, replacing it.
   */
  public static void writeNdjson(Path file, String which, long count, long seed)
      throws IOException {
    Iterator<Map<String, Object>> docs = documents(which, count, seed);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (Writer w = new BufferedWriter(
        Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16)) {
      writeNdjson(w, docs);
    }
  }

  /** Writes each document as one line of JSON. */
  public static void writeNdjson(Writer out, Iterator<Map<String, Object>> docs)
      throws IOException {
    JsonFactory factory = new JsonFactory();
    try (JsonGenerator g = factory.createGenerator(out)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.setPrettyPrinter(new MinimalPrettyPrinter(""));
      while (docs.hasNext()) {
        JsonText.write(docs.next(), g);
        g.writeRaw('\n');
      }
    }
  }

  /**
   * {@code SampleData FILE [orders|customers] [COUNT] [SEED]}: writes NDJSON (defaults: orders,
   * 1000, 42).
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args[0].equals("--help") || args[0].equals("-h")) {
      System.err.println("usage: SampleData FILE [orders|customers] [COUNT] [SEED]");
      System.exit(args.length < 1 ? 2 : 0);
    }
    Path file = Path.of(args[0]);
    String which = args.length > 1 ? args[1] : ORDERS;
    long count = args.length > 2 ? Long.parseLong(args[2].replace("_", "")) : 1000;
    long seed = args.length > 3 ? Long.parseLong(args[3]) : DEMO_SEED;
    writeNdjson(file, which, count, seed);
    System.out.println("wrote " + count + " " + which + " to " + file);
  }

  /** A fixed-length sequence of generated documents. */
  private abstract static class Generated implements Iterator<Map<String, Object>> {
    private final long count;
    private long next;

    Generated(long count) {
      if (count < 0) {
        throw new IllegalArgumentException("count must be >= 0, not " + count);
      }
      this.count = count;
    }

    abstract Map<String, Object> make(long i);

    @Override
    public boolean hasNext() {
      return next < count;
    }

    @Override
    public Map<String, Object> next() {
      if (next >= count) {
        throw new NoSuchElementException();
      }
      return make(next++);
    }
  }

  /** A categorical distribution over a small vocabulary, by integer weights. */
  static final class Weighted<T> {
    private final T[] values;
    private final int[] cumulative;

    Weighted(T[] values, int[] weights) {
      if (values.length != weights.length) {
        throw new IllegalArgumentException("values and weights differ in length");
      }
      this.values = values;
      this.cumulative = new int[weights.length];
      int sum = 0;
      for (int i = 0; i < weights.length; i++) {
        sum += weights[i];
        cumulative[i] = sum;
      }
    }

    T pick(SplittableRandom r) {
      int x = r.nextInt(cumulative[cumulative.length - 1]);
      for (int i = 0; i < cumulative.length; i++) {
        if (x < cumulative[i]) {
          return values[i];
        }
      }
      throw new AssertionError();
    }

    List<T> values() {
      return List.of(values);
    }
  }
}
