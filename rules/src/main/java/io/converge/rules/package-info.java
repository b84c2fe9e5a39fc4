/**
 * Converge's planner rules: the {@code CONVERGE} convention ({@link io.converge.rules.ConvergeRel}),
 * its access paths (column scan, index filter, row lookup, column aggregate), the rules that
 * produce them ({@link io.converge.rules.ConvergeRules}), the filter translator and the converter
 * to Calcite's enumerable convention, which calls {@link io.converge.rules.ConvergeMethods#query}.
 * The adapter registers the rules through {@link io.converge.rules.ConvergeRulesProvider} unless
 * the connection sets {@code pushdown=false}.
 */
package io.converge.rules;
