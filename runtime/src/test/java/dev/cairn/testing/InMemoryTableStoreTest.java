package dev.cairn.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.Output;
import dev.cairn.internal.delta.TableStore.Commit;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InMemoryTableStoreTest {
  private final InMemoryTableStore tables = new InMemoryTableStore("memory://w");
  private final String t = tables.location("t");
  private final Output out = Output.table("t");

  @Test
  void absentTable_hasVersionMinusOne_andNoTransactions() {
    assertThat(t).isEqualTo("memory://w/t");
    assertThat(tables.currentVersion(t)).isEqualTo(-1);
    assertThat(tables.committedTxnVersion(t, "app")).isEqualTo(-1);
    assertThat(tables.findCommit(t, "app", 1, 0)).isEmpty();
  }

  @Test
  void write_ofATransactionAlreadyHeld_isSkippedAndPointsAtTheEarlierCommit() {
    tables.rowsPerWrite(t, 7);
    assertThat(tables.write(null, out, t, "app", 1, -1)).isEqualTo(new Commit(0, 7, false));
    tables.appendExternally(t);

    assertThat(tables.write(null, out, t, "app", 1, 1)).isEqualTo(new Commit(0, 7, true));
    assertThat(tables.write(null, out, t, "app", 2, 1)).isEqualTo(new Commit(2, 7, false));
    assertThat(tables.write(null, out, t, "app", 1, 2)).isEqualTo(new Commit(0, 7, true));

    assertThat(tables.currentVersion(t)).isEqualTo(2);
    assertThat(tables.committedTxnVersion(t, "app")).isEqualTo(2);
    assertThat(tables.findCommit(t, "app", 1, 0)).contains(new Commit(0, 7, false));
    assertThat(tables.findCommit(t, "app", 1, 1)).isEmpty();
    assertThat(tables.writes(t)).isEqualTo(4);
    assertThat(tables.writesFor("app")).hasSize(4);
  }

  @Test
  void failedWrite_commitsNothing_andIsCounted() {
    tables.failNextWrite(new IllegalStateException("S3 SlowDown"));

    assertThatThrownBy(() -> tables.write(null, out, t, "app", 1, -1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("S3 SlowDown");
    assertThat(tables.commits(t)).isEmpty();
    assertThat(tables.writes(t)).isEqualTo(1);
    assertThat(tables.write(null, out, t, "app", 1, -1).skippedDuplicate()).isFalse();
  }

  @Test
  void read_isRecorded_andRefusesVersionsTheTableDoesNotHave() {
    tables.appendExternally(t);

    assertThat(tables.read(t, 0)).isNull();
    assertThatThrownBy(() -> tables.read(t, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Cannot time travel Delta table memory://w/t to version 1. Available versions: [0, 0]");
    assertThat(tables.reads())
        .containsExactly(new InMemoryTableStore.Read(t, 0), new InMemoryTableStore.Read(t, 1));
  }

  @Test
  void mutableClock_movesOnlyWhenAdvanced() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    clock.advance(Duration.ofSeconds(5));

    assertThat(clock.instant()).isEqualTo(Instant.parse("2026-01-01T00:00:05Z"));
    assertThat(clock.withZone(java.time.ZoneId.of("Europe/Paris")).instant())
        .isEqualTo(clock.instant());
    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("time only moves forward; got PT-1S");
  }
}
