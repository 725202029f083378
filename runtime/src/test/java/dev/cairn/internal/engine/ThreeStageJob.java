package dev.cairn.internal.engine;

import dev.cairn.CairnJob;
import dev.cairn.Output;
import dev.cairn.Parameter;
import dev.cairn.Parameters;
import dev.cairn.RetryPolicy;
import dev.cairn.Stage;
import dev.cairn.StageContext;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A job of three stages, declared out of dependency order: {@code report} reads {@code clean},
 * which reads {@code ingest}. Each compute reads its inputs, counts its calls, runs the next hook a
 * test queued for it, and returns no rows (the fake table store takes {@code null}).
 */
final class ThreeStageJob extends CairnJob {
  static final String INGEST = "ingest";
  static final String CLEAN = "clean";
  static final String REPORT = "report";

  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final Map<String, Deque<Consumer<StageContext>>> hooks = new ConcurrentHashMap<>();
  private final Map<String, RetryPolicy> stageRetry = new ConcurrentHashMap<>();
  private volatile RetryPolicy jobRetry = RetryPolicy.ofDefaults();

  @Override
  public RetryPolicy retryPolicy() {
    return jobRetry;
  }

  /** The job's retry policy from now on. */
  void retryWith(RetryPolicy policy) {
    jobRetry = policy;
  }

  /** {@code stage}'s own retry policy from now on. */
  void retryStageWith(String stage, RetryPolicy policy) {
    stageRetry.put(stage, policy);
  }

  @Override
  public String name() {
    return "flights";
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(Parameter.required("date", "the day to load"));
  }

  @Override
  public List<Stage> stages(Parameters parameters) {
    return List.of(
        stage(REPORT, "daily_report", CLEAN),
        stage(CLEAN, "clean_flights", INGEST),
        stage(INGEST, "raw_flights"));
  }

  /** Runs {@code hook} inside the next compute of {@code stage}, after it read its inputs. */
  void onNextCompute(String stage, Consumer<StageContext> hook) {
    hooks.computeIfAbsent(stage, s -> new ArrayDeque<>()).add(hook);
  }

  /** How many times the compute of {@code stage} was called. */
  int computeCalls(String stage) {
    return calls.getOrDefault(stage, new AtomicInteger()).get();
  }

  private Stage stage(String name, String table, String... dependencies) {
    Stage.Builder builder = Stage.named(name).dependsOn(dependencies).output(Output.table(table));
    if (stageRetry.containsKey(name)) {
      builder = builder.retry(stageRetry.get(name));
    }
    return builder.compute(
        context -> {
          calls.computeIfAbsent(name, s -> new AtomicInteger()).incrementAndGet();
          for (String dependency : dependencies) {
            context.input(dependency);
          }
          Deque<Consumer<StageContext>> queued = hooks.get(name);
          Consumer<StageContext> hook = queued == null ? null : queued.poll();
          if (hook != null) {
            hook.accept(context);
          }
          return null;
        });
  }
}
