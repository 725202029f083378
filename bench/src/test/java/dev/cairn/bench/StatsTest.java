package dev.cairn.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

class StatsTest {
  @Test
  void mediansByKey_takeEachKeysValuesWhereTheyAre_inFirstSeenOrder() {
    assertThat(
            Stats.mediansByKey(
                List.of(
                    Map.of("clean", 10L),
                    Map.of("clean", 30L, "enrich", 4L),
                    Map.of("clean", 20L, "enrich", 8L))))
        .containsExactly(Map.entry("clean", 20.0), Map.entry("enrich", 6.0));
  }

  @Test
  void median_ofOddCount_isTheMiddleValue_ofEvenCount_theMeanOfTheMiddleTwo() {
    assertThat(Stats.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(Stats.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
    assertThat(Stats.median(List.of(7L))).isEqualTo(7.0);
  }

  @Test
  void median_ofNothing_isRefused() {
    assertThatThrownBy(() -> Stats.median(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("median of no values");
  }

  @Test
  void lostWork_countsTimeBeforeTheKillPlusTheResume_againstACleanRun() {
    // Killed 20 s into a 50 s run; the resume took 35 s: 5 s lost beyond the clean run's 50.
    assertThat(Stats.lostWorkRatio(20, 35, 50)).isEqualTo(1.1);
    assertThat(Stats.restartRatio(20, 50)).isEqualTo(1.4);
  }

  @Test
  void killInstants_fallOneInEachEqualSliceOfTheRun_inASeededOrder() {
    Random random = new Random(9);
    List<Integer> order = Stats.sliceOrder(5, random);
    assertThat(order).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
    assertThat(order).isEqualTo(Stats.sliceOrder(5, new Random(9)));

    List<Double> instants = new ArrayList<>();
    for (int slice : order) {
      instants.add(Stats.stratified(slice, 5, 100.0, random));
    }
    for (int i = 0; i < order.size(); i++) {
      int slice = order.get(i);
      assertThat(instants.get(i)).isBetween(slice * 20.0, slice * 20.0 + 20.0);
    }
    assertThatThrownBy(() -> Stats.stratified(5, 5, 100.0, random))
        .hasMessage("slice 5 is not in [0, 5)");
  }

  @Test
  void ratioLine_isNameEqualsValue_withThreeDecimals_whateverTheLocale() {
    assertThat(Stats.ratioLine("overhead_ratio", 1.0234567)).isEqualTo("overhead_ratio=1.023");
    assertThat(Stats.ratioLine("lost_work_ratio", 1.1)).isEqualTo("lost_work_ratio=1.100");
  }

  @Test
  void firstLoad_readsTheOneMinuteAverage() {
    assertThat(Stats.firstLoad("1.52 0.90 0.40")).isEqualTo(1.52);
    assertThat(Stats.firstLoad("?")).isNaN();
  }

  @Test
  void storeCalls_attributeATransactionToTheMostSpecificItemItWrites() {
    TransactWriteItem guard =
        TransactWriteItem.builder()
            .conditionCheck(ConditionCheck.builder().key(key("run")).build())
            .build();
    TransactWriteItem stage =
        TransactWriteItem.builder()
            .update(Update.builder().key(key("stage#enrich")).build())
            .build();
    TransactWriteItem chunk =
        TransactWriteItem.builder()
            .update(Update.builder().key(key("chunk#enrich#g1#00003")).build())
            .build();

    assertThat(
            StoreCalls.scope(
                TransactWriteItemsRequest.builder().transactItems(guard, stage).build()))
        .isEqualTo("stage");
    assertThat(
            StoreCalls.scope(
                TransactWriteItemsRequest.builder().transactItems(guard, stage, chunk).build()))
        .isEqualTo("chunk");
    TransactWriteItem finishRun =
        TransactWriteItem.builder().update(Update.builder().key(key("run")).build()).build();
    assertThat(
            StoreCalls.scope(
                TransactWriteItemsRequest.builder().transactItems(finishRun, stage, chunk).build()))
        .isEqualTo("run");
    assertThat(StoreCalls.scope(UpdateItemRequest.builder().key(key("run")).build()))
        .isEqualTo("run");
    assertThat(StoreCalls.scope(GetItemRequest.builder().key(key("stage#clean")).build()))
        .isEqualTo("stage");
    assertThat(StoreCalls.kind("TransactWriteItems")).isEqualTo("write");
    assertThat(StoreCalls.kind("Query")).isEqualTo("read");
    assertThat(StoreCalls.kind("DescribeTable")).isNull();
  }

  @Test
  void storeCalls_totalSumsTheCountsUnderAPrefix() {
    Map<String, Long> counts =
        Map.of(
            "write stage TransactWriteItems", 12L,
            "write run UpdateItem", 3L,
            "read run Query", 2L);
    assertThat(StoreCalls.total(counts, "write")).isEqualTo(15);
    assertThat(StoreCalls.total(counts, "write stage")).isEqualTo(12);
    assertThat(StoreCalls.total(counts, "write chunk")).isZero();
  }

  private static Map<String, AttributeValue> key(String sk) {
    return Map.of("pk", AttributeValue.fromS("run#x"), "sk", AttributeValue.fromS(sk));
  }
}
