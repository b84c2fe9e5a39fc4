/**
 * Converge's planner rules: the {@code CONVERGE} convention ({@link io.converge.rules.ConvergeRel}),
 * its access paths (column scan, index filter, row lookup, column aggregate), the rules that
 * produce them ({@link io.converge.rules.ConvergeRules}), the filter translator and the converter
 * to Calcite's enumerable convention, which calls {@link io.converge.rules.ConvergeMethods#query}.
 * The adapter registers the rules through {@link io.converge.rules.ConvergeRulesProvider} unless
 * the connection sets {@code pushdown=false}.
 *
 * <p>Each rule's {@code Config} is an {@code @Value.Immutable} interface, as Calcite's own rule
 * configurations are; the style below is Calcite's ({@code CalciteImmutable}).
 */
@Value.Style(
    visibility = Value.Style.ImplementationVisibility.PACKAGE,
    defaults = @Value.Immutable(builder = true, singleton = true),
    get = {"is*", "get*"},
    init = "with*")
package io.converge.rules;

import org.immutables.value.Value;
