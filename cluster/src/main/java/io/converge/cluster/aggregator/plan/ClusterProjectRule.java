package io.converge.cluster.aggregator.plan;

import org.apache.calcite.plan.Convention;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.convert.ConverterRule;
import org.apache.calcite.rel.logical.LogicalProject;

/**
 * Pushes a projection below the gather: shards compute the expressions and send only the
 * columns asked for. Only expressions every leaf evaluates as the aggregator would
 * ({@link ClusterPushable}: no windows, sub-queries, parameters or time-of-query functions).
 *
 * @see ClusterRules#PROJECT
 */
public final class ClusterProjectRule extends ConverterRule {
  /** Converts a pushable {@link LogicalProject} to a {@link ClusterProject}. */
  public static final Config DEFAULT_CONFIG = Config.INSTANCE
      .withConversion(LogicalProject.class, p -> ClusterPushable.all(p.getProjects()),
          Convention.NONE, ClusterRel.CONVENTION, "ClusterProjectRule")
      .withRuleFactory(ClusterProjectRule::new);

  private ClusterProjectRule(Config config) {
    super(config);
  }

  @Override
  public RelNode convert(RelNode rel) {
    LogicalProject project = (LogicalProject) rel;
    RelNode input = project.getInput();
    return new ClusterProject(project.getCluster(),
        project.getTraitSet().replace(ClusterRel.CONVENTION),
        convert(input, input.getTraitSet().replace(ClusterRel.CONVENTION)),
        project.getProjects(), project.getRowType());
  }
}
