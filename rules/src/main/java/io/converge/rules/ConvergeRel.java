package io.converge.rules;

import org.apache.calcite.plan.Convention;
import org.apache.calcite.rel.RelNode;

/**
 * A relational expression Converge answers from its converged index. Every Converge rel is a
 * leaf access path (column scan, index filter, row lookup, column aggregate, limit / top-N) that
 * describes the whole storage call; {@link ConvergeToEnumerableConverter} turns it into one call of
 * {@link ConvergeMethods#query}.
 */
public interface ConvergeRel extends RelNode {
  /** Calling convention of Converge's access paths. */
  Convention CONVENTION = new Convention.Impl("CONVERGE", ConvergeRel.class);

  /** Records what the storage call needs. */
  void implement(Implementor implementor);

  /** Collects the storage query of a Converge rel tree. */
  final class Implementor {
    private ConvergeQuery query;

    public void setQuery(ConvergeQuery query) {
      this.query = query;
    }

    public ConvergeQuery query() {
      if (query == null) {
        throw new IllegalStateException("no Converge access path was implemented");
      }
      return query;
    }
  }
}
