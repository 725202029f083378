package dev.cairn.internal.engine;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ids for transitions and events that sort in the order one driver made them, even within one
 * millisecond: {@code <millis, 11 hex>-<sequence, 6 hex>-<random, 16 hex>} (35 characters, valid as
 * a DynamoDB ClientRequestToken). The random part keeps ids of different drivers apart.
 */
final class EventIds {
  private final Clock clock;
  private final AtomicLong sequence = new AtomicLong();
  private final SecureRandom random = new SecureRandom();

  EventIds(Clock clock) {
    this.clock = clock;
  }

  String next() {
    byte[] bytes = new byte[8];
    random.nextBytes(bytes);
    return String.format(
        "%011x-%06x-%s",
        clock.millis(), sequence.incrementAndGet() & 0xffffff, HexFormat.of().formatHex(bytes));
  }
}
