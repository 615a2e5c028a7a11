package io.robustml.crds;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** The model file: where it lives, its format and the digest pods verify before serving it. */
public class ModelSpec {
    @Required
    @Pattern("^(pvc|s3|https|file)://.+")
    @JsonPropertyDescription("Where the model file lives: pvc://<claim>/<path>, s3://<bucket>/<key>, https://… or file:///<path>.")
    private String uri;

    @JsonPropertyDescription("The model file's format.")
    private ModelFormat format = ModelFormat.TORCHSCRIPT;

    @Required
    @Pattern("^[a-f0-9]{64}$")
    @JsonPropertyDescription("Lower-case hex SHA-256 of the model file; pods refuse a file that does not match.")
    private String sha256;

    public String getUri() {
        return uri;
    }

    public void setUri(String uri) {
        this.uri = uri;
    }

    public ModelFormat getFormat() {
        return format;
    }

    public void setFormat(ModelFormat format) {
        this.format = format;
    }

    public String getSha256() {
        return sha256;
    }

    public void setSha256(String sha256) {
        this.sha256 = sha256;
    }
}
