package io.converge.cluster.leaf;

import io.converge.adapter.CollectionBinding;
import io.converge.adapter.ConvergeArrayFunctions;
import io.converge.adapter.ConvergeJdbc;
import io.converge.adapter.ConvergeTable;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.schema.CollectionSchema;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.calcite.jdbc.CalciteConnection;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;

/**
 * Prepared fragment statements, planned once per leaf and reused: planning and code generation
 * cost 20-50 ms per statement. A statement is keyed by the collection, the aggregator's schema
 * version and the SQL, not by the shard: its table reads whichever shard its
 * {@link CollectionBinding} holds, bound right before each execution and cleared after, so one
 * statement serves every partition of the leaf in turn (shards of a collection share their
 * columns, typed by the merged field statistics, and a plan holds no rows). A statement is
 * checked out by one thread at a time, so a fragment over many partitions prepares one per
 * concurrent use; at most {@code capacity} idle ones are kept (least recently used closed first).
 *
 * <p>Each statement has its own Calcite connection, with the settings of every Converge
 * connection ({@link ConvergeJdbc#SETTINGS}: lex, type system, parser) and a root schema holding
 * one table, named as the collection and typed by the merged field statistics; it is planned with
 * the statistics of the shard it was first checked out for.
 */
final class FragmentStatements implements AutoCloseable {
  /** What a statement was planned for. */
  record Key(String collection, long schemaVersion, String sql) {}

  /**
   * A checked-out statement, the connection it belongs to and the binding its table reads
   * ({@link #bind} before executing, {@link #clear} after).
   */
  record Lease(Key key, Connection connection, PreparedStatement statement,
      CollectionBinding binding) {
    /** The statement reads {@code shard} until {@link #clear}. */
    void bind(ConvergeCollection shard) {
      binding.bind(shard);
    }

    /** Forgets the shard, so that an idle statement keeps no shard reachable. */
    void clear() {
      binding.clear();
    }

    void closeQuietly() {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // nothing to do: the connection is dropped either way
      }
    }
  }

  private final int capacity;
  private final Map<Key, ArrayDeque<Lease>> idle = new LinkedHashMap<>(16, 0.75f, true);
  private int idleCount;
  private boolean closed;

  FragmentStatements(int capacity) {
    this.capacity = capacity;
  }

  /**
   * An idle statement for the key, or one newly prepared over {@code shard} (whose statistics the
   * planner reads) with the table typed by {@code schema} (asked only then); the caller owns it
   * until returned, and binds a shard before executing it.
   */
  Lease checkout(Key key, ConvergeCollection shard,
      java.util.function.Supplier<CollectionSchema> schema) throws SQLException {
    synchronized (this) {
      ArrayDeque<Lease> q = idle.get(key);
      if (q != null && !q.isEmpty()) {
        idleCount--;
        Lease l = q.pop();
        if (q.isEmpty()) {
          idle.remove(key);
        }
        return l;
      }
    }
    return prepare(key, shard, schema.get());
  }

  /** Gives a statement back for reuse (its result set closed). */
  void checkin(Lease lease) {
    Lease evicted = null;
    synchronized (this) {
      if (closed) {
        evicted = lease;
      } else {
        idle.computeIfAbsent(lease.key(), k -> new ArrayDeque<>()).push(lease);
        idleCount++;
        if (idleCount > capacity) {
          Iterator<Map.Entry<Key, ArrayDeque<Lease>>> it = idle.entrySet().iterator();
          Map.Entry<Key, ArrayDeque<Lease>> eldest = it.next();
          evicted = eldest.getValue().removeLast();
          idleCount--;
          if (eldest.getValue().isEmpty()) {
            it.remove();
          }
        }
      }
    }
    if (evicted != null) {
      evicted.closeQuietly();
    }
  }

  /** Closes the idle statements planned for {@code collection}. */
  void forget(String collection) {
    List<Lease> gone = new java.util.ArrayList<>();
    synchronized (this) {
      for (Iterator<Map.Entry<Key, ArrayDeque<Lease>>> it = idle.entrySet().iterator();
          it.hasNext(); ) {
        Map.Entry<Key, ArrayDeque<Lease>> e = it.next();
        if (e.getKey().collection().equals(collection)) {
          gone.addAll(e.getValue());
          idleCount -= e.getValue().size();
          it.remove();
        }
      }
    }
    gone.forEach(Lease::closeQuietly);
  }

  /** Idle statements now (tests). */
  synchronized int idleCount() {
    return idleCount;
  }

  private static Lease prepare(Key key, ConvergeCollection shard, CollectionSchema schema)
      throws SQLException {
    try {
      Class.forName("org.apache.calcite.jdbc.Driver");
    } catch (ClassNotFoundException e) {
      throw new SQLException("Calcite's JDBC driver is not on the class path", e);
    }
    Connection conn = DriverManager.getConnection("jdbc:calcite:" + ConvergeJdbc.SETTINGS,
        new Properties());
    try {
      CalciteConnection calcite = conn.unwrap(CalciteConnection.class);
      CollectionBinding binding = CollectionBinding.rebindable(shard);
      calcite.getRootSchema().add(ConvergeJdbc.SCHEMA,
          new ShardSchema(key.collection(), ConvergeTable.over(binding, schema)));
      calcite.setSchema(ConvergeJdbc.SCHEMA);
      PreparedStatement statement = conn.prepareStatement(key.sql());
      binding.clear();
      return new Lease(key, conn, statement, binding);
    } catch (SQLException | RuntimeException e) {
      conn.close();
      throw e;
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    for (ArrayDeque<Lease> q : drain()) {
      q.forEach(Lease::closeQuietly);
    }
  }

  private synchronized Iterable<ArrayDeque<Lease>> drain() {
    var all = new java.util.ArrayList<>(idle.values());
    idle.clear();
    idleCount = 0;
    return all;
  }

  /** One table, the bound shard under the collection's name, and Converge's SQL functions. */
  private static final class ShardSchema extends AbstractSchema {
    private final Map<String, Table> tables;

    ShardSchema(String collection, ConvergeTable table) {
      this.tables = Map.of(collection, table);
    }

    @Override
    protected Map<String, Table> getTableMap() {
      return tables;
    }

    @Override
    protected com.google.common.collect.Multimap<String, org.apache.calcite.schema.Function>
        getFunctionMultimap() {
      return ConvergeArrayFunctions.schemaFunctions();
    }
  }
}
