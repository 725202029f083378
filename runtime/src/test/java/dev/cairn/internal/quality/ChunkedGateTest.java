package dev.cairn.internal.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.Expectation;
import dev.cairn.internal.store.CheckResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a chunked stage checks per chunk, and how chunks checked one by one add up. */
class ChunkedGateTest {

  @Test
  void eachChunk_checksOnlyWhatHoldsForAnyPartOfTheStage() {
    List<Expectation> all =
        List.of(
            Expectation.notNull("a"),
            Expectation.rowCount(1, 10),
            Expectation.uniqueKey("a"),
            Expectation.references("a", "up", "a"),
            Expectation.countsBy("a"));

    assertThat(ChunkedGate.perChunk(all)).containsExactly(Expectation.notNull("a"));
  }

  @Test
  void chunksCheckedOneByOne_passOnlyWhenEveryChunkPassed_namingEachChunkWhereTheyDiffer() {
    List<CheckResult> first =
        List.of(
            new CheckResult("unique key (a)", true, "every key once", true),
            new CheckResult("not null (a)", true, "no nulls"));
    List<CheckResult> second =
        List.of(
            new CheckResult("unique key (a)", true, "every key once", true),
            new CheckResult("not null (a)", false, "2 null(s) in a"));

    assertThat(ChunkedGate.combine(List.of(first, second), List.of("0 (d1)", "1 (d2)")))
        .containsExactly(
            new CheckResult("unique key (a)", true, "every key once", true),
            new CheckResult(
                "not null (a)", false, "chunk 0 (d1): no nulls; chunk 1 (d2): 2 null(s) in a"));
    assertThat(ChunkedGate.combine(List.of(first), List.of("0 (d1)"))).isEqualTo(first);
    assertThat(ChunkedGate.combine(List.of(), List.of())).isEmpty();
  }
}
