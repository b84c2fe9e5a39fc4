package io.converge.adapter;

import io.converge.storage.ConvergeStore;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.calcite.schema.Schema;
import org.apache.calcite.schema.SchemaFactory;
import org.apache.calcite.schema.SchemaPlus;

/**
 * Creates a {@link ConvergeSchema} from a Calcite model:
 *
 * <pre>{@code
 * {"name": "converge", "type": "custom", "cache": false,
 *  "factory": "io.converge.adapter.ConvergeSchemaFactory",
 *  "operand": {"dataDir": "data/demo", "pushdown": true}}
 * }</pre>
 *
 * <p>{@code dataDir} is resolved against the working directory. All schemas (that is, all
 * connections) of one process over the same directory share one open store: the adapter takes
 * one {@link ConvergeStore#acquire} reference per directory on first use and keeps it until
 * {@link #release(Path)} (or process exit), since Calcite tells a schema nothing when its
 * connection closes.
 */
public final class ConvergeSchemaFactory implements SchemaFactory {
  /** Model operand naming the data directory. */
  public static final String DATA_DIR = "dataDir";
  /**
   * Model operand {@code pushdown} (boolean, default true): false turns Converge's planner rules
   * off for connections that do not set the {@code pushdown} connection property.
   */
  public static final String PUSHDOWN = "pushdown";

  /** Public no-argument constructor, as Calcite's model handler requires. */
  public ConvergeSchemaFactory() {}

  private static final Map<Path, ConvergeStore> STORES = new ConcurrentHashMap<>();

  @Override
  public Schema create(SchemaPlus parentSchema, String name, Map<String, Object> operand) {
    io.converge.adapter.write.WriteRules.install();
    ConvergeJoinOrder.install();
    Object dir = operand.get(DATA_DIR);
    if (!(dir instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException("schema '" + name + "': operand '" + DATA_DIR
          + "' (the data directory) is required");
    }
    Boolean pushdown = ConvergeConnectionProperty.parseBoolean(operand.get(PUSHDOWN),
        "schema '" + name + "': operand '" + PUSHDOWN + "'");
    return new ConvergeSchema(store(Paths.get(s)), pushdown);
  }

  /** The store shared by all connections to {@code dataDir}, opened on first use. */
  public static ConvergeStore store(Path dataDir) {
    Path abs = dataDir.toAbsolutePath().normalize();
    return STORES.computeIfAbsent(abs, ConvergeStore::acquire);
  }

  /**
   * Gives back the adapter's reference to a directory's store (closing it when no one else holds
   * it). Connections still open on that directory must not be used afterwards.
   */
  public static void release(Path dataDir) {
    ConvergeStore s = STORES.remove(dataDir.toAbsolutePath().normalize());
    if (s != null) {
      s.release();
    }
  }
}
