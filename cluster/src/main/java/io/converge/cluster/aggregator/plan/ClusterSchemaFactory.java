package io.converge.cluster.aggregator.plan;

import java.util.Map;
import org.apache.calcite.schema.Schema;
import org.apache.calcite.schema.SchemaFactory;
import org.apache.calcite.schema.SchemaPlus;

/**
 * Creates a {@link ClusterSchema} from a Calcite model ({@link ClusterJdbc#model}):
 *
 * <pre>{@code
 * {"name": "converge", "type": "custom", "cache": false,
 *  "factory": "io.converge.cluster.aggregator.plan.ClusterSchemaFactory",
 *  "operand": {"runtime": "agg-1"}}
 * }</pre>
 *
 * <p>{@code runtime} names a {@link ClusterRuntime} registered in this process.
 */
public final class ClusterSchemaFactory implements SchemaFactory {
  /** Model operand naming the registered {@link ClusterRuntime}. */
  public static final String RUNTIME = "runtime";

  /** Public no-argument constructor, as Calcite's model handler requires. */
  public ClusterSchemaFactory() {}

  @Override
  public Schema create(SchemaPlus parentSchema, String name, Map<String, Object> operand) {
    Object id = operand.get(RUNTIME);
    if (!(id instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException("schema '" + name + "': operand '" + RUNTIME
          + "' (a registered cluster runtime) is required");
    }
    return new ClusterSchema(ClusterRuntime.get(s));
  }
}
