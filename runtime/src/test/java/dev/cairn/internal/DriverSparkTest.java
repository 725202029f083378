package dev.cairn.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.internal.config.Spark;
import dev.cairn.internal.config.SparkApplication;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The driver's one Spark session, started ahead of its first use, on real Spark. */
class DriverSparkTest {

  @Test
  void startedAhead_onItsOwnThread_isTheSessionTheDriverGets_announcedOnceOnTheDriversThread()
      throws InterruptedException {
    System.setProperty("cairn.shuffle.partitions", "2");
    List<String> createdOn = new CopyOnWriteArrayList<>();
    CountDownLatch creating = new CountDownLatch(1);
    Function<String, SparkSession> create =
        name -> {
          createdOn.add(Thread.currentThread().getName());
          creating.countDown();
          return Spark.session("local[1]", name);
        };
    List<String> toldOn = new CopyOnWriteArrayList<>();
    SparkSession session;
    try (DriverSpark spark = new DriverSpark(create)) {
      spark.startAhead("cairn ahead-test");
      spark.startAhead("cairn ahead-test");
      spark.whenStarted(app -> toldOn.add(Thread.currentThread().getName() + " " + app.id()));
      assertThat(spark.started()).isTrue();
      assertThat(creating.await(1, TimeUnit.MINUTES)).isTrue();

      session = spark.get("cairn ahead-test"); // waits for the start in flight

      assertThat(spark.get("cairn ahead-test")).isSameAs(session);
      assertThat(createdOn).as("created once, ahead").containsExactly("cairn-spark-start");
      String app = SparkApplication.of(session).id();
      assertThat(toldOn).containsExactly(Thread.currentThread().getName() + " " + app);
      spark.whenStarted(later -> toldOn.add("later " + later.id()));
      assertThat(toldOn).endsWith("later " + app);
    }
    assertThat(session.sparkContext().isStopped()).as("stopped at close").isTrue();
  }

  @Test
  void aStartAheadThatFailed_isTriedAgainOnFirstUse_whichReportsTheFailure() {
    AtomicInteger attempts = new AtomicInteger();
    Function<String, SparkSession> create =
        name -> {
          throw new IllegalStateException("no master at spark://nowhere:7077 (" + name + ")");
        };
    try (DriverSpark spark =
        new DriverSpark(
            name -> {
              attempts.incrementAndGet();
              return create.apply(name);
            })) {
      spark.startAhead("cairn failing");

      assertThatThrownBy(() -> spark.get("cairn failing"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("no master at spark://nowhere:7077 (cairn failing)");
    }
    assertThat(attempts).as("ahead, then on first use (close waited for the first)").hasValue(2);
  }
}
