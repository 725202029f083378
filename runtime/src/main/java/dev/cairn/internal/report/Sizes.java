package dev.cairn.internal.report;

import java.util.Locale;

/** Sizes as people read them, shared by the report page and {@code cairn status}. */
public final class Sizes {
  private Sizes() {}

  /** "512 B", "2.3 MiB", "1.2 GiB"; "-" for a negative (unknown) size. */
  public static String bytes(long n) {
    if (n < 0) {
      return "-";
    }
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
