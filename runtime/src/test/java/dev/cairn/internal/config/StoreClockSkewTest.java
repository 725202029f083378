package dev.cairn.internal.config;

import static org.apache.logging.log4j.Level.WARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import dev.cairn.testing.CapturedLog;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

/** This host's clock measured against the store's Date headers. */
class StoreClockSkewTest {
  private static final long NOW = Instant.parse("2026-12-06T10:00:00Z").toEpochMilli();
  private final StoreClockSkew skew = new StoreClockSkew(Duration.ofSeconds(5), () -> NOW);

  @Test
  void aStoreClockBeyondTheMargin_warnsOnce_sayingByHowMuchAndTheFix() {
    try (CapturedLog log = CapturedLog.of(StoreClockSkew.class)) {
      skew.observe(date(NOW + 12_000), NOW, NOW + 40);
      skew.observe(date(NOW + 12_000), NOW, NOW + 40);

      assertThat(log.at(WARN))
          .singleElement(STRING)
          .startsWith(
              "this host's clock is 12.5 s behind the checkpoint store's (from its responses' Date"
                  + " header), more than 5.0 s (a twelfth of CAIRN_LEASE_TTL_SECONDS, so that two"
                  + " drivers' hosts agree within the sixth leases tolerate)")
          .endsWith(
              "Fix: synchronise this host's clock (chrony or systemd-timesyncd; on EC2 the Amazon"
                  + " Time Sync Service, 169.254.169.123)");
    }
  }

  @Test
  void aHostClockAheadOfTheStore_isNamedAhead() {
    try (CapturedLog log = CapturedLog.of(StoreClockSkew.class)) {
      skew.observe(date(NOW - 9_000), NOW, NOW + 10);

      assertThat(log.at(WARN))
          .singleElement(STRING)
          .startsWith("this host's clock is 8.5 s ahead of");
    }
  }

  // Date has one-second resolution and a slow response widens the interval: only a skew
  // certainly beyond the margin warns.
  @Test
  void aSkewThatMayBeWithinTheMargin_isNotWarnedAbout() {
    try (CapturedLog log = CapturedLog.of(StoreClockSkew.class)) {
      skew.observe(date(NOW + 4_000), NOW, NOW + 30);
      skew.observe(date(NOW - 5_000), NOW, NOW + 30); // the store read 4.0 to 5.0 s behind
      skew.observe(date(NOW + 8_000), NOW, NOW + 4_000); // answered 4 s after it was asked
      skew.observe("not a date", NOW, NOW);

      assertThat(log.at(WARN)).isEmpty();
    }
  }

  private static String date(long epochMillis) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(
        Instant.ofEpochMilli(epochMillis).atOffset(ZoneOffset.UTC));
  }
}
