package io.converge.cluster.aggregator.plan;

import io.converge.cluster.fragment.FragmentParameter;
import io.converge.cluster.fragment.FragmentType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.DataContext;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.runtime.SqlFunctions;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * The dynamic parameters of a fragment: which user parameter each {@code ?} marker of the
 * fragment SQL is (a fragment may use {@code ?3} before {@code ?1}, or only some of them) and the
 * type the aggregator validated it with; and, when {@code _id} filters name parameters, the keys
 * that choose the partitions at execution.
 *
 * <p>At execution the values come from the statement's {@link DataContext} ({@code "?0"},
 * {@code "?1"}, ... as Calcite's generated code reads them) and are converted to the parameter's
 * type as that code converts them ({@link SqlFunctions}' {@code toLong(Object)} and kin), so the
 * leaves compute with exactly the values the aggregator would.
 *
 * @param markers per marker of the fragment SQL, in order: the user parameter and its type
 * @param keys the {@code _id} keys when some are parameters (partitions chosen at execution),
 *     else null
 * @param partitionCount the collection's partitions
 */
record ClusterParams(List<Marker> markers, ClusterIdKeys keys, int partitionCount) {
  /** No markers, no routing at execution. */
  static final ClusterParams NONE = new ClusterParams(List.of(), null, 0);

  /** One {@code ?} of the fragment SQL: the user's parameter index and its validated type. */
  record Marker(int index, SqlTypeName sqlType) {
    FragmentType type() {
      return typeOf(sqlType);
    }
  }

  ClusterParams {
    markers = List.copyOf(markers);
  }

  /** The wire type of a parameter of this type, or null when a fragment cannot carry one. */
  static FragmentType typeOf(RelDataType type) {
    return typeOf(type.getSqlTypeName());
  }

  private static FragmentType typeOf(SqlTypeName t) {
    if (t == null) {
      return null;
    }
    return switch (t) {
      case BOOLEAN -> FragmentType.BOOLEAN;
      case TINYINT, SMALLINT, INTEGER -> FragmentType.INTEGER;
      case BIGINT -> FragmentType.BIGINT;
      case REAL, FLOAT, DOUBLE -> FragmentType.DOUBLE;
      case DECIMAL -> FragmentType.DECIMAL;
      case CHAR, VARCHAR -> FragmentType.VARCHAR;
      case DATE -> FragmentType.DATE;
      case TIME -> FragmentType.TIME;
      case TIMESTAMP -> FragmentType.TIMESTAMP;
      default -> null;
    };
  }

  boolean isEmpty() {
    return markers.isEmpty() && keys == null;
  }

  /** The markers' values in this execution, in marker order. */
  List<FragmentParameter> values(DataContext root) {
    List<FragmentParameter> out = new ArrayList<>(markers.size());
    for (Marker m : markers) {
      out.add(FragmentParameter.of(m.type(), value(root, m)));
    }
    return out;
  }

  /** The partitions owning the {@code _id} keys in this execution (only when {@code keys}). */
  List<Integer> partitions(DataContext root) {
    Map<Integer, Object> byIndex = new HashMap<>();
    for (int p : keys.params()) {
      byIndex.put(p, value(root, new Marker(p, SqlTypeName.VARCHAR)));
    }
    return keys.partitions(partitionCount, byIndex::get);
  }

  private static Object value(DataContext root, Marker m) {
    Object raw = root == null ? null : root.get("?" + m.index());
    try {
      return convert(raw, m.sqlType());
    } catch (RuntimeException e) {
      throw new ClusterGatherException("parameter " + (m.index() + 1) + " (" + m.sqlType()
          + "): cannot use a " + raw.getClass().getSimpleName() + " value " + raw, e);
    }
  }

  /** {@code raw} as Calcite's code converts a parameter of type {@code t}: a FragmentType value. */
  static Object convert(Object raw, SqlTypeName t) {
    if (raw == null) {
      return null;
    }
    return switch (t) {
      case BOOLEAN -> SqlFunctions.toBoolean(raw);
      case TINYINT, SMALLINT, INTEGER, DATE, TIME -> SqlFunctions.toInt(raw);
      case BIGINT, TIMESTAMP -> SqlFunctions.toLong(raw);
      case REAL -> (double) SqlFunctions.toFloat(raw);
      case FLOAT, DOUBLE -> SqlFunctions.toDouble(raw);
      case DECIMAL -> SqlFunctions.toBigDecimal(raw);
      case CHAR, VARCHAR -> (String) raw;
      default -> throw new IllegalArgumentException("a parameter of type " + t);
    };
  }
}
