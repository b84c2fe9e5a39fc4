package io.converge.storage.query;

import java.util.List;

/**
 * A filter the storage layer evaluates from the inverted index (sealed segments) and the
 * in-memory columns (unsealed ones), producing a set of rids.
 *
 * <p>Semantics are SQL's three-valued logic. A simple predicate on a field is UNKNOWN for a row
 * whose field is missing or null, and for a row holding a value of a type the predicate's value
 * cannot be compared with: numbers (INT and DOUBLE values, compared numerically with each other),
 * strings, booleans and timestamps each compare only within their own family. {@code NOT} of
 * UNKNOWN is UNKNOWN; only TRUE rows are selected. Callers translate a SQL predicate only when the
 * column's types make these semantics equal to SQL's (a single type, or INT+DOUBLE).
 *
 * <p>Values: Long, Double, String, Boolean, java.time.Instant (Integer, Short, Byte and Float
 * given by SQL are widened on construction). Array fields answer only
 * {@link Contains} (and IS [NOT] NULL); a field holding both arrays and scalars answers neither
 * exactly, so callers must not push predicates on it.
 */
public sealed interface Predicate {
  enum Op { EQ, NE, LT, LE, GT, GE }

  /** {@code path op value}. */
  record Compare(String path, Op op, Object value) implements Predicate {
    public Compare {
      value = normalize(value);
    }
  }

  /** {@code path IN (values)}; an empty list selects nothing. */
  record In(String path, List<Object> values) implements Predicate {
    public In {
      List<Object> out = new java.util.ArrayList<>(values.size());
      for (Object v : values) {
        out.add(normalize(v));
      }
      values = java.util.Collections.unmodifiableList(out);
    }
  }

  /** {@code path LIKE 'prefix%'} on strings. */
  record Prefix(String path, String prefix) implements Predicate {}

  /** An array field holds an element equal to {@code value}. UNKNOWN when the field is null. */
  record Contains(String path, Object value) implements Predicate {
    public Contains {
      value = normalize(value);
    }
  }

  /** {@code path IS NULL} (missing or JSON null); never UNKNOWN. */
  record IsNull(String path) implements Predicate {}

  /** {@code path IS NOT NULL}; never UNKNOWN. */
  record IsNotNull(String path) implements Predicate {}

  record And(List<Predicate> operands) implements Predicate {}

  record Or(List<Predicate> operands) implements Predicate {}

  record Not(Predicate operand) implements Predicate {}

  /**
   * A value in the storage layer's form: SQL's narrower numbers (an INTEGER column's Integer key,
   * a REAL's Float) widen to Long and Double, so that they encode and compare as stored values.
   */
  static Object normalize(Object v) {
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    return v;
  }
}
