package io.converge.cluster.aggregator.plan;

import io.converge.adapter.ConvergeJdbc;
import io.converge.adapter.ConvergeSchemaFactory;
import io.converge.adapter.ConvergeTable;
import io.converge.adapter.ConvergeTypeSystem;
import io.converge.cluster.aggregator.ClusterView;
import io.converge.cluster.fragment.FragmentColumn;
import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.FragmentRequest;
import io.converge.cluster.fragment.FragmentStream;
import io.converge.cluster.fragment.FragmentTransport;
import io.converge.cluster.fragment.FragmentType;
import io.converge.cluster.fragment.LeafEndpoint;
import io.converge.cluster.log.CatalogEntry;
import io.converge.cluster.log.FieldStats;
import io.converge.cluster.log.KeyPartitioner;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.JsonDocumentReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import io.converge.storage.json.PreparedDocument;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TimeZone;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.calcite.jdbc.CalciteConnection;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;

/**
 * A cluster without processes, for planning tests: "leaves" are real one-process Converge stores
 * (RocksDB in a temp directory) holding one collection per partition ({@code name_pN}), and the
 * transport runs each fragment's SQL once per partition against a Calcite connection whose one
 * table, named exactly the collection, is that partition typed by the merged statistics
 * ({@link ConvergeTable#over}), as a real leaf does. A reference store holds every document in one
 * collection per name, for one-process answers.
 */
final class TestLeafCluster implements AutoCloseable {
  static final long EVENT_TIME = 1_700_000_000_000L;

  final int partitions;
  final List<LeafEndpoint> leaves = new ArrayList<>();
  final List<ConvergeStore> leafStores = new ArrayList<>();
  /** partition -> leaf index. */
  final Map<Integer, Integer> owner = new HashMap<>();
  final Path referenceDir;
  final Map<String, CatalogEntry> collections = new LinkedHashMap<>();
  /** Every request the transport saw. */
  final List<FragmentRequest> requests = new CopyOnWriteArrayList<>();
  final View view = new View();
  final Transport transport = new Transport();
  private final Map<String, Connection> leafConnections = new ConcurrentHashMap<>();

  TestLeafCluster(Path dir, int partitions, int leafCount) {
    this.partitions = partitions;
    for (int l = 0; l < leafCount; l++) {
      leaves.add(new LeafEndpoint("leaf-" + l, "127.0.0.1", 40_000 + l));
      leafStores.add(ConvergeStore.open(dir.resolve("leaf-" + l)));
    }
    for (int p = 0; p < partitions; p++) {
      owner.put(p, p % leafCount);
    }
    referenceDir = dir.resolve("reference");
    ConvergeSchemaFactory.store(referenceDir);
  }

  /** Writes documents (JSON-like maps with "_id") to their partitions and to the reference. */
  void load(String collection, List<Map<String, Object>> docs) throws Exception {
    collections.put(collection, new CatalogEntry(collection, partitions, null, 0));
    DocumentPreparer preparer = new DocumentPreparer();
    Map<Integer, List<PreparedDocument>> byPartition = new TreeMap<>();
    List<PreparedDocument> all = new ArrayList<>();
    StringBuilder json = new StringBuilder();
    ObjectMapper mapper = new ObjectMapper();
    for (Map<String, Object> d : docs) {
      json.append(mapper.writeValueAsString(d)).append('\n');
    }
    for (JsonDocumentReader.Entry e : JsonDocumentReader.readAll(new ByteArrayInputStream(
        json.toString().getBytes(StandardCharsets.UTF_8)))) {
      if (!e.ok()) {
        throw new IllegalArgumentException(e.error());
      }
      PreparedDocument pd = preparer.prepare(e.document(), EVENT_TIME);
      all.add(pd);
      byPartition.computeIfAbsent(KeyPartitioner.partitionOf(pd.id(), partitions),
          p -> new ArrayList<>()).add(pd);
    }
    for (int p = 0; p < partitions; p++) {
      shard(collection, p, true).upsert(byPartition.getOrDefault(p, List.of()));
    }
    ConvergeSchemaFactory.store(referenceDir).getOrCreate(collection).upsert(all);
  }

  ConvergeCollection shard(String collection, int partition, boolean create) {
    ConvergeStore store = leafStores.get(owner.get(partition));
    String name = collection + "_p" + partition;
    return create ? store.getOrCreate(name) : store.collection(name);
  }

  Connection reference() throws SQLException {
    return ConvergeJdbc.connect(referenceDir);
  }

  @Override
  public void close() {
    for (Connection c : leafConnections.values()) {
      try {
        c.close();
      } catch (SQLException e) {
        // closing anyway
      }
    }
    leafStores.forEach(ConvergeStore::close);
    ConvergeSchemaFactory.release(referenceDir);
  }

  /** The cluster as an aggregator sees it: merged statistics of every partition's shard. */
  final class View implements ClusterView {
    @Override
    public Map<String, CatalogEntry> collections() {
      return collections;
    }

    @Override
    public MergedSchema schema(String collection) {
      List<List<FieldStats>> shards = new ArrayList<>();
      long docs = 0;
      for (int p = 0; p < partitions; p++) {
        ConvergeCollection c = shard(collection, p, false);
        shards.add(FieldStats.of(c.schema()));
        docs += c.documentCount();
      }
      List<FieldStats> fields = FieldStats.merge(shards);
      return new MergedSchema(FieldStats.shapeVersion(fields), docs, fields);
    }

    @Override
    public Object stamp() {
      return collections.keySet();
    }

    @Override
    public Map<LeafEndpoint, List<Integer>> route(String collection,
        Collection<Integer> wanted, String preferredGroup) {
      Map<LeafEndpoint, List<Integer>> out = new LinkedHashMap<>();
      for (int p : wanted) {
        out.computeIfAbsent(leaves.get(owner.get(p)), l -> new ArrayList<>()).add(p);
      }
      return out;
    }

    @Override
    public Map<String, Object> status() {
      return Map.of();
    }

    @Override
    public void close() {}
  }

  /** Runs fragments as a leaf would, in the caller's thread, once per partition. */
  final class Transport implements FragmentTransport {
    /** When not negative, the next stream opened fails as a dying leaf's would after that many rows. */
    final java.util.concurrent.atomic.AtomicInteger failNextAfterRows =
        new java.util.concurrent.atomic.AtomicInteger(-1);

    @Override
    public FragmentStream open(LeafEndpoint leaf, FragmentRequest request)
        throws FragmentException {
      requests.add(request);
      int index = leaves.indexOf(leaf);
      List<Object[]> rows = new ArrayList<>();
      List<FragmentColumn> columns = null;
      for (int p : request.partitions()) {
        if (!Objects.equals(owner.get(p), index)) {
          throw new FragmentException(FragmentException.Kind.UNAVAILABLE,
              "partition " + p + " is not held here");
        }
        try (PreparedStatement s = leafConnection(request, p).prepareStatement(request.sql())) {
          for (int i = 0; i < request.parameters().size(); i++) {
            request.parameters().get(i).bind(s, i + 1);
          }
          try (ResultSet rs = s.executeQuery()) {
            columns = columnsOf(rs.getMetaData());
            while (rs.next()) {
              rows.add(row(rs, columns));
            }
          }
        } catch (SQLException e) {
          throw new FragmentException(FragmentException.Kind.INVALID, e.getMessage()
              + "\nfragment: " + request.sql(), e);
        }
      }
      List<FragmentColumn> cols = columns;
      Iterator<Object[]> it = rows.iterator();
      int failAfter = failNextAfterRows.getAndSet(-1);
      return new FragmentStream() {
        private int sent;

        @Override
        public List<FragmentColumn> columns() {
          return cols;
        }

        @Override
        public Object[] next() throws FragmentException {
          if (failAfter >= 0 && sent == failAfter) {
            throw new FragmentException(FragmentException.Kind.UNAVAILABLE,
                leaf + ": connection reset (the leaf died mid-stream)");
          }
          sent++;
          return it.hasNext() ? it.next() : null;
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public void close() {}
  }

  private Connection leafConnection(FragmentRequest request, int partition) throws SQLException {
    String key = request.collection() + "/" + partition + "/" + request.schemaVersion();
    Connection existing = leafConnections.get(key);
    if (existing != null) {
      return existing;
    }
    Properties info = new Properties();
    info.setProperty("unquotedCasing", "UNCHANGED");
    info.setProperty("caseSensitive", "false");
    info.setProperty("typeSystem", ConvergeTypeSystem.class.getName());
    Connection c = DriverManager.getConnection("jdbc:calcite:", info);
    CalciteConnection cc = c.unwrap(CalciteConnection.class);
    ConvergeCollection shard = shard(request.collection(), partition, false);
    ConvergeTable table = ConvergeTable.over(shard, FieldStats.schema(request.collection(),
        request.schemaVersion(), shard.documentCount(), request.fields()));
    SchemaPlus schema = cc.getRootSchema().add("leaf", new AbstractSchema() {
      @Override
      protected Map<String, Table> getTableMap() {
        return Map.of(request.collection(), table);
      }
    });
    cc.setSchema(schema.getName());
    leafConnections.put(key, c);
    return c;
  }

  private static List<FragmentColumn> columnsOf(ResultSetMetaData md) throws SQLException {
    List<FragmentColumn> cols = new ArrayList<>();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      cols.add(new FragmentColumn(md.getColumnLabel(i), typeOf(md.getColumnType(i)),
          md.getColumnType(i) == Types.ARRAY ? FragmentType.VARCHAR : null));
    }
    return cols;
  }

  private static FragmentType typeOf(int sqlType) {
    return switch (sqlType) {
      case Types.BOOLEAN -> FragmentType.BOOLEAN;
      case Types.TINYINT, Types.SMALLINT, Types.INTEGER -> FragmentType.INTEGER;
      case Types.BIGINT -> FragmentType.BIGINT;
      case Types.REAL, Types.FLOAT, Types.DOUBLE -> FragmentType.DOUBLE;
      case Types.DECIMAL, Types.NUMERIC -> FragmentType.DECIMAL;
      case Types.DATE -> FragmentType.DATE;
      case Types.TIME -> FragmentType.TIME;
      case Types.TIMESTAMP -> FragmentType.TIMESTAMP;
      case Types.ARRAY -> FragmentType.ARRAY;
      default -> FragmentType.VARCHAR;
    };
  }

  private static final Calendar UTC = Calendar.getInstance(TimeZone.getTimeZone("UTC"));

  /** A result row as {@link FragmentType} says (Calcite's internal values). */
  private static Object[] row(ResultSet rs, List<FragmentColumn> cols) throws SQLException {
    Object[] row = new Object[cols.size()];
    for (int i = 0; i < row.length; i++) {
      int c = i + 1;
      Object v = switch (cols.get(i).type()) {
        case BOOLEAN -> rs.getBoolean(c);
        case INTEGER -> rs.getInt(c);
        case BIGINT -> rs.getLong(c);
        case DOUBLE -> rs.getDouble(c);
        case DECIMAL -> rs.getBigDecimal(c);
        case DATE -> {
          java.sql.Date d = rs.getDate(c, UTC);
          yield d == null ? null : (int) Math.floorDiv(d.getTime(), 86_400_000L);
        }
        case TIME -> {
          java.sql.Time t = rs.getTime(c, UTC);
          yield t == null ? null : (int) t.getTime();
        }
        case TIMESTAMP -> {
          java.sql.Timestamp t = rs.getTimestamp(c, UTC);
          yield t == null ? null : t.getTime();
        }
        case ARRAY -> {
          Array a = rs.getArray(c);
          yield a == null ? null : Arrays.asList((Object[]) a.getArray());
        }
        default -> rs.getObject(c) == null ? null : rs.getObject(c).toString();
      };
      row[i] = rs.wasNull() ? null : v;
    }
    return row;
  }
}
