package io.converge.cluster.chaos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Which faults a run injects, in which order: rounds in which every kind comes once, each round
 * shuffled by the seed. As many faults as there are kinds are one of each; fifty are twelve
 * rounds and two faults of a thirteenth.
 */
final class FaultPlan {
  /** Every kind of fault, made for the run's collection; a new kind is one more line here. */
  static final List<Function<String, Fault>> KINDS = List.of(
      LeafKill::new,
      collection -> new AggregatorKill(),
      collection -> new KafkaRestart(),
      collection -> new LeafGrowShrink());

  private FaultPlan() {}

  static List<Fault> plan(int faults, String collection, Random random) {
    List<Fault> plan = new ArrayList<>(faults);
    while (plan.size() < faults) {
      List<Fault> round = new ArrayList<>();
      for (Function<String, Fault> kind : KINDS) {
        round.add(kind.apply(collection));
      }
      Collections.shuffle(round, random);
      plan.addAll(round.subList(0, Math.min(round.size(), faults - plan.size())));
    }
    return plan;
  }
}
