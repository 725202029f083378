package dev.cairn.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Whose lease may be taken at once: a driver gone from this very machine, and no other. */
class LeaseHolderTest {
  private static final long DEAD_PID = 999_999_999L;
  private static final String HOST = "ip-10-0-0-7";
  private static final String HERE = "2f7c-boot-here/pid:[4026531836]";

  private static LeaseHolder holder(String host, long pid, String machine) {
    return new LeaseHolder(host + ":" + pid, host, pid, Instant.EPOCH, machine);
  }

  @Test
  void processGoneFromThisMachine_isDead() {
    assertThat(holder(HOST, DEAD_PID, HERE).isDeadProcessOn(HOST, HERE)).isTrue();
  }

  @Test
  void liveProcessOfThisMachine_isNotDead() {
    ProcessHandle self = ProcessHandle.current();
    LeaseHolder me =
        new LeaseHolder("me", HOST, self.pid(), self.info().startInstant().orElseThrow(), HERE);

    assertThat(me.isDeadProcessOn(HOST, HERE)).isFalse();
  }

  @Test
  void sameHostNameOnAnotherMachineOrAnEarlierBoot_isNeverJudgedDeadFromHere() {
    // Two containers named alike, or the machine rebooted: the pid means nothing here.
    assertThat(
            holder(HOST, DEAD_PID, "9a1e-boot-there/pid:[4026531836]").isDeadProcessOn(HOST, HERE))
        .isFalse();
    assertThat(
            holder(HOST, DEAD_PID, "2f7c-boot-here/pid:[4026532999]").isDeadProcessOn(HOST, HERE))
        .as("another pid namespace on this kernel")
        .isFalse();
    assertThat(holder(HOST, DEAD_PID, "").isDeadProcessOn(HOST, HERE))
        .as("a holder recorded without its machine")
        .isFalse();
  }

  @Test
  void whereNoMachineIsKnown_theHostNameDecides_butNeverTheLocalhostFallback() {
    assertThat(holder(HOST, DEAD_PID, "").isDeadProcessOn(HOST, "")).isTrue();
    assertThat(holder("localhost", DEAD_PID, "").isDeadProcessOn("localhost", "")).isFalse();
    assertThat(holder("other-host", DEAD_PID, "").isDeadProcessOn(HOST, "")).isFalse();
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void thisProcess_recordsThisMachine_onLinux() {
    LeaseHolder self = LeaseHolder.thisProcess(HOST);

    assertThat(self.machine()).isEqualTo(LeaseHolder.thisMachine()).matches(".+/pid:\\[\\d+\\]");
    assertThat(self.isDeadProcessOn(HOST)).isFalse();
  }
}
