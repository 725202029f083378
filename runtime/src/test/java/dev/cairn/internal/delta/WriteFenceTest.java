package dev.cairn.internal.delta;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fence ends when either clock says the lease may have run out. */
class WriteFenceTest {
  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong nanos = new AtomicLong(5 * SECOND);
  private final AtomicLong wallMillis = new AtomicLong(1_800_000_000_000L);

  @BeforeEach
  void useTestClocks() {
    WriteFence.useClock(nanos::get);
    WriteFence.useWallClock(wallMillis::get);
  }

  @AfterEach
  void restore() {
    WriteFence.useClock(System::nanoTime);
    WriteFence.useWallClock(System::currentTimeMillis);
    WriteFence.open();
  }

  @Test
  void withinTheLeaseOnBothClocks_commitsPass() {
    WriteFence.extend("host-a pid 42", 20 * SECOND);
    nanos.addAndGet(19 * SECOND);
    wallMillis.addAndGet(19_000);

    assertThatCode(() -> WriteFence.check("Delta commit 7")).doesNotThrowAnyException();
  }

  @Test
  void aSuspendStopsTheMonotonicClockButNotTheWallClock_soTheFenceEnds() {
    WriteFence.extend("host-a pid 42", 20 * SECOND);
    // Hibernated for a minute: System.nanoTime did not advance, the wall clock did.
    wallMillis.addAndGet(60_000);

    assertThatThrownBy(() -> WriteFence.check("Delta commit 7"))
        .isInstanceOf(WriteFence.FencedException.class)
        .hasMessageContaining("driver host-a pid 42 could not renew its lease in time");
  }

  @Test
  void aRenewalsFenceRunsFromWhenItWasSent_soASuspendDuringTheRenewalCounts() {
    WriteFence.Stamp sent = WriteFence.Stamp.now();
    // Suspended after the store applied the renewal, before the response was read.
    wallMillis.addAndGet(60_000);
    nanos.addAndGet(SECOND / 10);
    WriteFence.extend("host-a pid 42", sent, 20 * SECOND);

    assertThatThrownBy(() -> WriteFence.check("Delta commit 7"))
        .isInstanceOf(WriteFence.FencedException.class);
  }

  @Test
  void aWallClockSetBack_doesNotExtendTheFence_theMonotonicClockEndsIt() {
    WriteFence.extend("host-a pid 42", 20 * SECOND);
    wallMillis.addAndGet(-3_600_000);
    nanos.addAndGet(21 * SECOND);

    assertThatThrownBy(() -> WriteFence.check("Delta commit 7"))
        .isInstanceOf(WriteFence.FencedException.class);
  }

  @Test
  void afterClose_everyCommitIsRefused() {
    WriteFence.extend("host-a pid 42", 20 * SECOND);
    WriteFence.close("host-a pid 42");

    assertThatThrownBy(() -> WriteFence.check("Delta commit 7"))
        .isInstanceOf(WriteFence.FencedException.class);
  }
}
