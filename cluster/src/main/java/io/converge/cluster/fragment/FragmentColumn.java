package io.converge.cluster.fragment;

/**
 * A column of a fragment's answer.
 *
 * @param elementType the element type for {@link FragmentType#ARRAY}, else null
 */
public record FragmentColumn(String name, FragmentType type, FragmentType elementType) {}
