package dev.cairn.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.BadInputException;
import dev.cairn.FailureClass;
import dev.cairn.RunHeldException;
import dev.cairn.StateUnknownException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/** Classification walks the whole cause chain, as Spark wraps the root cause. */
class FailureClassifierTest {

  private static SparkException sparkJobAborted(Throwable cause) {
    return new SparkException("Job aborted due to stage failure: Task 3 failed 4 times", cause);
  }

  @Test
  void droppedConnection_deepInsideSparksWrapper_isTransient() {
    Throwable failure =
        sparkJobAborted(new IOException("upload failed", new SocketException("Connection reset")));

    assertThat(FailureClassifier.classify(failure)).isEqualTo(FailureClass.TRANSIENT);
  }

  @Test
  void refusedConnection_isTransient() {
    assertThat(FailureClassifier.classify(new ConnectException("Connection refused")))
        .isEqualTo(FailureClass.TRANSIENT);
  }

  @Test
  void awsThrottling_and5xx_areTransient_but4xxIsNot() {
    DynamoDbException throttled =
        (DynamoDbException)
            DynamoDbException.builder()
                .statusCode(400)
                .awsErrorDetails(
                    AwsErrorDetails.builder()
                        .errorCode("ThrottlingException")
                        .errorMessage("Rate of requests exceeds the allowed throughput")
                        .build())
                .build();
    DynamoDbException internal =
        (DynamoDbException)
            DynamoDbException.builder()
                .statusCode(500)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("InternalServerError").build())
                .build();
    DynamoDbException denied =
        (DynamoDbException)
            DynamoDbException.builder()
                .statusCode(400)
                .message("User is not authorized to perform: dynamodb:PutItem")
                .awsErrorDetails(
                    AwsErrorDetails.builder().errorCode("AccessDeniedException").build())
                .build();

    assertThat(FailureClassifier.classify(sparkJobAborted(throttled)))
        .isEqualTo(FailureClass.TRANSIENT);
    assertThat(FailureClassifier.classify(internal)).isEqualTo(FailureClass.TRANSIENT);
    assertThat(FailureClassifier.classify(denied)).isEqualTo(FailureClass.PERMANENT);
  }

  @Test
  void sdkClientIoError_isTransient() {
    SdkClientException io =
        SdkClientException.builder()
            .message("Unable to execute HTTP request")
            .cause(new IOException("stream closed"))
            .build();
    assertThat(FailureClassifier.classify(io)).isEqualTo(FailureClass.TRANSIENT);
  }

  @Test
  void s3SlowDown_andLostExecutors_areTransient_byTheirMessages() {
    assertThat(
            FailureClassifier.classify(
                new IOException(
                    "s3a://b/k: com.amazonaws: Please reduce your request rate. (Service: S3,"
                        + " Status Code: 503, Error Code: SlowDown)")))
        .isEqualTo(FailureClass.TRANSIENT);
    assertThat(
            FailureClassifier.classify(
                sparkJobAborted(
                    new RuntimeException(
                        "ExecutorLostFailure (executor 2 exited caused by one of the running"
                            + " tasks) Reason: Remote RPC client disassociated"))))
        .isEqualTo(FailureClass.TRANSIENT);
  }

  @Test
  void corruptParquet_isBadInput_evenInsideSparksWrapper() {
    Throwable failure =
        sparkJobAborted(
            new RuntimeException(
                "file:/data/flights.parquet is not a Parquet file. Expected magic number at tail,"
                    + " but found [1, 0, 0, 0]"));

    assertThat(FailureClassifier.classify(failure)).isEqualTo(FailureClass.BAD_INPUT);
  }

  @Test
  void jobsOwnBadInput_andFailedGates_keepTheirClass_overATransientLookingCause() {
    assertThat(
            FailureClassifier.classify(
                new BadInputException(
                    "input x has no column 'delay'", "fix it", new SocketException("reset"))))
        .isEqualTo(FailureClass.BAD_INPUT);
    assertThat(FailureClassifier.classify(new DataQualityException("3 nulls", java.util.List.of())))
        .isEqualTo(FailureClass.DATA_QUALITY);
  }

  @Test
  void leaseLost_andStateUnknown_haveTheirOwnClasses() {
    assertThat(FailureClassifier.classify(new RunHeldException("run r is held by b")))
        .isEqualTo(FailureClass.LEASE_LOST);
    assertThat(
            FailureClassifier.classify(
                sparkJobAborted(new StateUnknownException("outcome unknown", null))))
        .isEqualTo(FailureClass.STATE_UNKNOWN);
  }

  @Test
  void errorsOfTheJobsOwnCode_andUnknownFailures_arePermanent() {
    assertThat(FailureClassifier.classify(sparkJobAborted(new NullPointerException("x"))))
        .isEqualTo(FailureClass.PERMANENT);
    assertThat(FailureClassifier.classify(new IllegalStateException("no idea")))
        .isEqualTo(FailureClass.PERMANENT);
  }

  @Test
  void aCauseChainWithACycle_isWalkedOnce() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);

    assertThat(FailureClassifier.classify(b)).isEqualTo(FailureClass.PERMANENT);
    assertThat(FailureClassifier.chain(b)).hasSize(2);
  }
}
