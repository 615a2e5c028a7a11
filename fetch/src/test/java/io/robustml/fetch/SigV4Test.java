package io.robustml.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * AWS's published Signature Version 4 examples for S3, from "Authenticating Requests: Using the
 * Authorization Header (AWS Signature Version 4)", section "Examples: Signature Calculations"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html): the example
 * credentials, region us-east-1, bucket examplebucket, 20130524T000000Z. Every expected string below
 * is copied from that page, not produced by this code.
 */
class SigV4Test {
    private static final SigV4.Credentials EXAMPLE = new SigV4.Credentials("AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", Optional.empty());
    private static final Instant WHEN = Instant.parse("2013-05-24T00:00:00Z");

    /** "Example: GET Object": the first 10 bytes of test.txt, with the empty body's hash. */
    @Test
    void getObjectExampleMatchesEveryPublishedStep() {
        SigV4.Signed signed = SigV4.sign("GET", URI.create("https://examplebucket.s3.amazonaws.com/test.txt"),
                Map.of("Range", "bytes=0-9"), EXAMPLE, "us-east-1", "s3", WHEN, SigV4.EMPTY_SHA256);

        assertThat(signed.canonicalRequest()).isEqualTo("""
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855""");
        assertThat(signed.stringToSign()).isEqualTo("""
                AWS4-HMAC-SHA256
                20130524T000000Z
                20130524/us-east-1/s3/aws4_request
                7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972""");
        assertThat(signed.signature()).isEqualTo("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
        assertThat(signed.headers()).containsEntry("authorization", "AWS4-HMAC-SHA256 "
                + "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
                .containsEntry("x-amz-date", "20130524T000000Z")
                .containsEntry("x-amz-content-sha256", SigV4.EMPTY_SHA256);
    }

    /** "Example: GET Bucket Lifecycle": a query parameter without a value is signed as "lifecycle=". */
    @Test
    void getBucketLifecycleExample() {
        SigV4.Signed signed = SigV4.sign("GET", URI.create("https://examplebucket.s3.amazonaws.com/?lifecycle"),
                Map.of(), EXAMPLE, "us-east-1", "s3", WHEN, SigV4.EMPTY_SHA256);
        assertThat(signed.canonicalRequest()).startsWith("GET\n/\nlifecycle=\n");
        assertThat(signed.signature()).isEqualTo("fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
    }

    /** "Example: Get Bucket (List Objects)": query parameters sorted and encoded. */
    @Test
    void listObjectsExample() {
        SigV4.Signed signed = SigV4.sign("GET", URI.create("https://examplebucket.s3.amazonaws.com/?prefix=J&max-keys=2"),
                Map.of(), EXAMPLE, "us-east-1", "s3", WHEN, SigV4.EMPTY_SHA256);
        assertThat(signed.canonicalRequest()).startsWith("GET\n/\nmax-keys=2&prefix=J\n");
        assertThat(signed.signature()).isEqualTo("34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
    }

    @Test
    void aSessionTokenIsSentAndSignedAndNothingPrintsTheSecret() {
        SigV4.Credentials temporary = new SigV4.Credentials("AKIAIOSFODNN7EXAMPLE",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", Optional.of("session-token-value"));
        SigV4.Signed signed = SigV4.sign("GET", URI.create("http://127.0.0.1:9000/models/fashion/model.pt"), Map.of(),
                temporary, "eu-west-1", "s3", WHEN, SigV4.UNSIGNED_PAYLOAD);
        assertThat(signed.headers()).containsEntry("x-amz-security-token", "session-token-value");
        assertThat(signed.canonicalRequest()).contains("host:127.0.0.1:9000\n")
                .contains("x-amz-security-token:session-token-value\n").endsWith("\nUNSIGNED-PAYLOAD");
        assertThat(signed.headers().get("authorization"))
                .contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,")
                .contains("/20130524/eu-west-1/s3/aws4_request");
        assertThat(temporary.toString()).doesNotContain("EXAMPLEKEY").doesNotContain("session-token-value");
        assertThat(signed.toString()).doesNotContain(signed.signature());
    }

    @Test
    void encodesKeysTheS3Way() {
        assertThat(SigV4.uriEncode("fashion/v3/model file+1 (é).pt", true))
                .isEqualTo("fashion/v3/model%20file%2B1%20%28%C3%A9%29.pt");
        assertThat(SigV4.uriEncode("a/b~c_d-e.f", false)).isEqualTo("a%2Fb~c_d-e.f");
    }

    @Test
    void buildsVirtualHostedAndPathStyleUrls() {
        Source.S3 s3 = new Source.S3("models", "fashion/v3/model.pt");
        assertThat(s3.url(Optional.empty(), "eu-central-1"))
                .hasToString("https://models.s3.eu-central-1.amazonaws.com/fashion/v3/model.pt");
        assertThat(s3.url(Optional.of("http://minio.store:9000/"), "us-east-1"))
                .hasToString("http://minio.store:9000/models/fashion/v3/model.pt");
    }
}
