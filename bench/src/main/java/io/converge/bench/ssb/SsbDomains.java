package io.converge.bench.ssb;

import java.util.List;

/**
 * The value lists of the SSB specification, which takes them from TPC-H: nations and their
 * regions, colours, part types and containers, market segments, order priorities, ship modes.
 */
final class SsbDomains {
  private SsbDomains() {}

  static final List<String> REGIONS = List.of("AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST");

  /** The 25 TPC-H nations in nation-key order. */
  static final List<String> NATIONS = List.of("ALGERIA", "ARGENTINA", "BRAZIL", "CANADA", "EGYPT",
      "ETHIOPIA", "FRANCE", "GERMANY", "INDIA", "INDONESIA", "IRAN", "IRAQ", "JAPAN", "JORDAN",
      "KENYA", "MOROCCO", "MOZAMBIQUE", "PERU", "CHINA", "ROMANIA", "SAUDI ARABIA", "VIETNAM",
      "RUSSIA", "UNITED KINGDOM", "UNITED STATES");

  /** Region index of each nation (TPC-H's n_regionkey). */
  private static final int[] NATION_REGION =
      {0, 1, 1, 1, 4, 0, 3, 3, 2, 2, 4, 4, 2, 4, 0, 0, 0, 1, 2, 3, 4, 2, 3, 3, 1};

  static String region(int nation) {
    return REGIONS.get(NATION_REGION[nation]);
  }

  /**
   * A city: the nation's name cut or space-padded to 9 characters, then a digit 0-9
   * ({@code UNITED KI1}, {@code PERU     5}), as SSB's dbgen writes it.
   */
  static String city(int nation, int digit) {
    String n = NATIONS.get(nation);
    String prefix = n.length() >= 9 ? n.substring(0, 9) : n + " ".repeat(9 - n.length());
    return prefix + digit;
  }

  /** TPC-H's 92 colour words (P_NAME and P_COLOR). */
  static final List<String> COLORS = List.of("almond", "antique", "aquamarine", "azure", "beige",
      "bisque", "black", "blanched", "blue", "blush", "brown", "burlywood", "burnished",
      "chartreuse", "chiffon", "chocolate", "coral", "cornflower", "cornsilk", "cream", "cyan",
      "dark", "deep", "dim", "dodger", "drab", "firebrick", "floral", "forest", "frosted",
      "gainsboro", "ghost", "goldenrod", "green", "grey", "honeydew", "hot", "indian", "ivory",
      "khaki", "lace", "lavender", "lawn", "lemon", "light", "lime", "linen", "magenta", "maroon",
      "medium", "metallic", "midnight", "mint", "misty", "moccasin", "navajo", "navy", "olive",
      "orange", "orchid", "pale", "papaya", "peach", "peru", "pink", "plum", "powder", "puff",
      "purple", "red", "rose", "rosy", "royal", "saddle", "salmon", "sandy", "seashell", "sienna",
      "sky", "slate", "smoke", "snow", "spring", "steel", "tan", "thistle", "tomato", "turquoise",
      "violet", "wheat", "white", "yellow");

  /** P_TYPE is one word of each list: 6 x 5 x 5 = 150 types. */
  static final List<String> TYPE_SIZE =
      List.of("STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO");
  static final List<String> TYPE_FINISH =
      List.of("ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED");
  static final List<String> TYPE_METAL = List.of("TIN", "NICKEL", "BRASS", "STEEL", "COPPER");

  /** P_CONTAINER is one word of each list: 5 x 8 = 40 containers. */
  static final List<String> CONTAINER_SIZE = List.of("SM", "LG", "MED", "JUMBO", "WRAP");
  static final List<String> CONTAINER_KIND =
      List.of("CASE", "BOX", "BAG", "JAR", "PKG", "PACK", "CAN", "DRUM");

  static final List<String> SEGMENTS =
      List.of("AUTOMOBILE", "BUILDING", "FURNITURE", "MACHINERY", "HOUSEHOLD");

  static final List<String> PRIORITIES =
      List.of("1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW");

  static final List<String> SHIP_MODES =
      List.of("REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB");
}
